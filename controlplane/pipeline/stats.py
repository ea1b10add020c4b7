"""The three paired tests of the promotion gate: McNemar, a paired bootstrap, Wilcoxon.

All three compare two models on the same held-out examples (paired), and all
p-values are two-sided: the gate separately requires the improvement to be in
the right direction and at least ``min_improvement``, so a gate at alpha 0.05
is a one-sided test at 2.5 % — conservative on purpose, since a wrong
promotion costs more than a late one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps  # type: ignore[import-untyped]

Array = npt.NDArray[np.float64]
# A statistic of resampled column sums: (B, k) sums and the sample size -> (B,) values.
SumsStatistic = Callable[[Array, int], Array]

# Index resampling draws this many indices per chunk (about 16 MB of int64).
CHUNK_INDICES = 2_000_000
# Rows with at most this many distinct values are resampled as multinomial counts
# (a multinomial draw costs time per category, so only for a handful of them).
MAX_DISTINCT_ROWS = 64


@dataclass(frozen=True)
class TestResult:
    test: str
    statistic: float
    p_value: float
    n: int  # examples the test read (McNemar: all pairs; Wilcoxon: before dropping ties at 0)


def mcnemar_exact(
    candidate_correct: npt.ArrayLike, production_correct: npt.ArrayLike
) -> TestResult:
    """McNemar's exact test: a two-sided binomial test on the discordant pairs.

    Only the examples where exactly one model is right carry information; under
    the null each such pair is equally likely to favour either model. The
    statistic is the smaller discordant count, as statsmodels reports it.
    """
    cand = np.asarray(candidate_correct, dtype=bool)
    prod = np.asarray(production_correct, dtype=bool)
    only_candidate = int(np.count_nonzero(cand & ~prod))
    only_production = int(np.count_nonzero(~cand & prod))
    discordant = only_candidate + only_production
    smaller = min(only_candidate, only_production)
    p = 1.0 if discordant == 0 else min(1.0, 2 * float(sps.binom.cdf(smaller, discordant, 0.5)))
    return TestResult("mcnemar-exact", float(smaller), p, int(cand.size))


def wilcoxon_signed_rank(
    candidate_errors: npt.ArrayLike, production_errors: npt.ArrayLike
) -> TestResult:
    """Wilcoxon's signed-rank test on paired per-example errors (two-sided).

    Pairs with equal errors are dropped (Wilcoxon's own rule); ties among the
    rest get average ranks. Up to 50 pairs with no ties and no zeros, the
    p-value is exact (the distribution of the rank sum by counting subsets);
    otherwise it is the normal approximation with the tie correction and no
    continuity correction, as scipy.stats.wilcoxon does by default.
    """
    diff = np.asarray(candidate_errors, dtype=np.float64) - np.asarray(
        production_errors, dtype=np.float64
    )
    nonzero = diff[diff != 0]
    count = nonzero.size
    if count == 0:
        return TestResult("wilcoxon", 0.0, 1.0, int(diff.size))
    ranks = sps.rankdata(np.abs(nonzero))
    r_plus = float(ranks[nonzero > 0].sum())
    r_minus = float(ranks[nonzero < 0].sum())
    _, ties = np.unique(ranks, return_counts=True)
    if count <= 50 and (ties == 1).all() and count == diff.size:
        p = _exact_signed_rank_p(r_plus, count)
    else:
        mean = count * (count + 1) / 4
        variance = (count * (count + 1) * (2 * count + 1) - ((ties**3 - ties).sum()) / 2) / 24
        z = (r_plus - mean) / math.sqrt(variance)
        p = float(2 * sps.norm.sf(abs(z)))
    return TestResult("wilcoxon", min(r_plus, r_minus), min(1.0, p), int(diff.size))


def _exact_signed_rank_p(r_plus: float, count: int) -> float:
    """Two-sided exact p of the rank sum r_plus among `count` untied, non-zero pairs."""
    ways = np.zeros(count * (count + 1) // 2 + 1)
    ways[0] = 1.0  # subsets of {1..count} by their sum, built one rank at a time
    for rank in range(1, count + 1):
        ways[rank:] = ways[rank:] + ways[:-rank].copy()
    cdf = np.cumsum(ways) / ways.sum()
    at_most = cdf[math.ceil(r_plus)]
    at_least = 1.0 - (cdf[math.floor(r_plus) - 1] if r_plus >= 1 else 0.0)
    return float(min(1.0, 2 * min(at_most, at_least)))


@dataclass(frozen=True)
class BootstrapResult:
    observed: float
    ci_low: float
    ci_high: float
    p_value: float
    resamples: int


def paired_bootstrap(
    rows: Array,
    statistic: SumsStatistic,
    *,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """A seeded paired bootstrap of a statistic of column sums, all resamples at once.

    ``rows`` holds one row per example with both models' per-example columns
    side by side, so resampling a row keeps the pair together. The statistic
    (typically candidate minus production) is read from each resample's
    column sums. When the rows take few distinct values (classification: a
    confusion cell per model), a resample's sums are drawn directly as
    multinomial counts of the distinct rows, which is the same distribution
    as drawing n indices with replacement at a tiny fraction of the cost;
    otherwise indices are drawn in chunks. The interval is the percentile
    interval; the p-value is the two-sided percentile p-value of "the
    statistic is 0": twice the smaller share of resamples on either side of 0
    (counted with the observed value, so it is never 0).
    """
    if resamples < 1_000:
        raise ValueError(f"a bootstrap needs at least 1,000 resamples (got {resamples})")
    n = rows.shape[0]
    rng = np.random.default_rng(seed)
    sums = _resampled_sums(rows, resamples, rng)
    values = statistic(sums, n)
    observed = float(statistic(rows.sum(axis=0)[None, :], n)[0])
    tail = (1 - confidence) / 2
    # A resample where the statistic is undefined (recall of a resample that drew no
    # positive) says nothing either way: the interval and p-value read the others.
    values = values[~np.isnan(values)]
    if values.size == 0:
        return BootstrapResult(observed, math.nan, math.nan, 1.0, resamples)
    with np.errstate(invalid="ignore"):  # inf − inf between infinite resamples: NaN bounds
        low, high = np.quantile(values, [tail, 1 - tail])
    below = (np.count_nonzero(values <= 0) + 1) / (values.size + 1)
    above = (np.count_nonzero(values >= 0) + 1) / (values.size + 1)
    return BootstrapResult(
        observed, float(low), float(high), float(min(1.0, 2 * min(below, above))), resamples
    )


def _resampled_sums(rows: Array, resamples: int, rng: np.random.Generator) -> Array:
    n = rows.shape[0]
    grouped = _distinct_rows(rows)
    if grouped is not None:
        distinct, inverse = grouped
        shares = np.bincount(inverse, minlength=distinct.shape[0]) / n
        counts = rng.multinomial(n, shares, size=resamples).astype(np.float64)
        return counts @ distinct
    # Columns repeated across the pair (R²'s targets) are resampled once.
    unique_columns, column_of = np.unique(rows, axis=1, return_inverse=True)
    by_column = np.ascontiguousarray(unique_columns.T)  # a gather reads one column at a time
    sums = np.empty((resamples, by_column.shape[0]))
    chunk = max(1, CHUNK_INDICES // n)
    index_type = np.int32 if n < 2**31 else np.int64
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        picks = rng.integers(0, n, size=(stop - start, n), dtype=index_type)
        for column, values in enumerate(by_column):
            sums[start:stop, column] = values[picks].sum(axis=1)
    return sums[:, column_of.ravel()]


def _distinct_rows(rows: Array) -> tuple[Array, npt.NDArray[np.intp]] | None:
    """The distinct rows and each row's index among them, or None when there are too many.

    Each column's values are coded separately and the codes combined into one
    integer per row, which is far cheaper than sorting whole rows, and a
    column with many values (a continuous error) gives up at once.
    """
    code = np.zeros(rows.shape[0], dtype=np.int64)
    combinations = 1
    for column in rows.T:
        values, column_code = np.unique(column, return_inverse=True)
        combinations *= values.size
        if values.size > MAX_DISTINCT_ROWS or combinations > 2**62:
            return None
        code = code * values.size + column_code
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    if first.size > MAX_DISTINCT_ROWS:
        return None
    return rows[first], inverse.ravel()
