from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane import contract
from controlplane.monitor import (
    MonitorError,
    build_profile,
    compute_drift,
    load_profile,
    profile_from_json,
    profile_to_json,
)
from controlplane.monitor.profile import CategoricalProfile, NumericProfile, reference_shares
from tests.monitor.factories import make_frame, make_model

MODEL = make_model()


def test_numeric_profile_has_deciles_range_and_nulls() -> None:
    frame = make_frame(20_000, null_share=0.1)
    profile = build_profile(frame, MODEL)
    amount = profile.feature("amount")
    assert isinstance(amount, NumericProfile)
    values = frame.column("amount").to_numpy(zero_copy_only=False)
    present = values[~np.isnan(values)]
    assert amount.rows == 20_000
    assert amount.nulls == int(np.isnan(values).sum())
    assert (amount.min, amount.max) == (present.min(), present.max())
    assert len(amount.edges) == 9
    # The stored counts are exact for the stored edges.
    expected = np.bincount(np.searchsorted(amount.edges, present, side="right"), minlength=10)
    assert list(amount.counts) == expected.tolist()
    assert sum(reference_shares(amount)) == pytest.approx(1.0)
    assert amount.labels == (*(contract.numeric_bin_label(i) for i in range(10)), "null")


def test_categories_are_capped_and_the_tail_folded_into_other() -> None:
    names = [f"c{i:02d}" for i in range(8)]
    counts = [50, 40, 30, 20, 10, 5, 5, 1]
    column = [name for name, n in zip(names, counts, strict=True) for _ in range(n)] + [None] * 9
    frame = pa.table({"amount": [1.0] * len(column), "age": [1] * len(column), "country": column})
    profile = build_profile(frame, MODEL, max_categories=4)
    country = profile.feature("country")
    assert isinstance(country, CategoricalProfile)
    assert country.categories == ("c00", "c01", "c02", "c03")
    assert country.counts == (50, 40, 30, 20)
    assert country.other == 21
    assert country.tail == ("c04", "c05", "c06", "c07")
    assert country.nulls == 9
    assert country.labels[-3:] == ("other", "unseen", "null")


def test_a_category_named_like_a_special_bin_gets_an_escaped_label() -> None:
    frame = pa.table({"amount": [1.0] * 3, "age": [1] * 3, "country": ["other", "null", "=x"]})
    country = build_profile(frame, MODEL).feature("country")
    assert set(country.labels[:3]) == {"=other", "=null", "==x"}


def test_integer_and_boolean_categories_are_spelled_as_python_would() -> None:
    model = make_model(numeric=("amount",), categorical=("mcc", "flag"))
    frame = pa.table({"amount": [1.0, 2.0], "mcc": [5411, 7995], "flag": [True, False]})
    profile = build_profile(frame, model)
    assert set(profile.feature("mcc").categories) == {"5411", "7995"}  # type: ignore[union-attr]
    assert set(profile.feature("flag").categories) == {"true", "false"}  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)),
        min_size=1,
        max_size=300,
    ),
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), min_size=300, max_size=300),
    st.integers(min_value=1, max_value=64),
)
def test_chunk_size_does_not_change_the_profile(
    amounts: list[float | None], countries: list[str | None], chunk: int
) -> None:
    rows = len(amounts)
    frame = pa.table(
        {
            "amount": pa.array(amounts, pa.float64()),
            "age": list(range(rows)),
            "country": countries[:rows],
        }
    )
    model = make_model()
    if all(a is None for a in amounts) or all(c is None for c in countries[:rows]):
        # No value at all in a column is no reference, whatever the chunking.
        for chunk_rows in (rows, chunk):
            with pytest.raises(MonitorError, match=r"(is|are) null in all"):
                build_profile(frame, model, chunk_rows=chunk_rows, max_categories=3)
        return
    one = build_profile(frame, model, chunk_rows=rows, max_categories=3)
    many = build_profile(frame, model, chunk_rows=chunk, max_categories=3)
    assert profile_to_json(one) == profile_to_json(many)


def test_json_is_versioned_deterministic_and_round_trips() -> None:
    profile = build_profile(make_frame(3000, null_share=0.05), MODEL)
    text = profile_to_json(profile)
    document = json.loads(text)
    assert document["format"] == "mlcp.profile/v1"
    assert document["quantiles"]["name"] == "log-bucket-histogram"
    assert document["columns"] == {"age": "int64", "amount": "double", "country": "string"}
    assert text == profile_to_json(build_profile(make_frame(3000, null_share=0.05), MODEL))
    assert profile_to_json(profile_from_json(text)) == text
    assert profile_from_json(text) == profile


def test_parquet_and_csv_files_give_the_frame_profile(tmp_path: Path) -> None:
    frame = make_frame(4000, null_share=0.02)
    pq.write_table(frame, tmp_path / "data.parquet", row_group_size=700)
    pacsv.write_csv(frame, tmp_path / "data.csv")
    expected = build_profile(frame, MODEL)
    from_parquet = build_profile(tmp_path / "data.parquet", MODEL, chunk_rows=333)
    from_csv = build_profile(str(tmp_path / "data.csv"), MODEL, chunk_rows=500)
    assert from_parquet.features == expected.features
    # CSV columns get the model's types (float64 for numeric), the same bins either way.
    for name in ("amount", "age", "country"):
        assert from_csv.feature(name).bin_counts() == expected.feature(name).bin_counts()


def test_progress_reports_rows_done(tmp_path: Path) -> None:
    """Parquet is read a row group at a time (each column in chunks), so progress comes
    after each row group; a frame's after each chunk."""
    pq.write_table(make_frame(1000), tmp_path / "data.parquet", row_group_size=300)
    seen: list[tuple[int, int | None]] = []
    build_profile(
        tmp_path / "data.parquet", MODEL, chunk_rows=200, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]
    seen.clear()
    build_profile(
        make_frame(1000), MODEL, chunk_rows=300, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pa.table({"amount": [1.0], "age": [1]}), "missing feature column(s): country"),
        (
            pa.table({"amount": ["x"], "age": [1], "country": ["US"]}),
            "feature 'amount' is numeric but its column has type string",
        ),
        (
            pa.table({"amount": [1.0], "age": [1], "country": [1.5]}),
            "feature 'country' is categorical but its column has type double",
        ),
    ],
)
def test_bad_frames_are_reported_in_one_line(frame: pa.Table, message: str) -> None:
    with pytest.raises(MonitorError) as caught:
        build_profile(frame, MODEL)
    assert str(caught.value) == message


def test_bad_paths_are_reported(tmp_path: Path) -> None:
    with pytest.raises(MonitorError, match="no such file"):
        build_profile(tmp_path / "absent.parquet", MODEL)
    (tmp_path / "data.txt").write_text("x")
    with pytest.raises(MonitorError, match="unknown format"):
        build_profile(tmp_path / "data.txt", MODEL)
    (tmp_path / "broken.parquet").write_text("not parquet")
    with pytest.raises(MonitorError, match=re.escape("broken.parquet")):
        build_profile(tmp_path / "broken.parquet", MODEL)


def test_malformed_profile_json_is_reported() -> None:
    with pytest.raises(MonitorError, match=re.escape("not an mlcp.profile/v1 profile")):
        profile_from_json('{"format": "other"}')
    with pytest.raises(MonitorError, match="malformed profile"):
        profile_from_json('{"format": "mlcp.profile/v1"}')


def test_a_data_file_given_as_the_profile_is_named(tmp_path: Path) -> None:
    pq.write_table(make_frame(10), tmp_path / "train.parquet")
    with pytest.raises(MonitorError) as caught:
        load_profile(tmp_path / "train.parquet")
    assert str(caught.value) == (
        f"{tmp_path / 'train.parquet'}: not an mlcp.profile/v1 profile (not UTF-8 text); "
        "pass the JSON that `mlcp profile --out` wrote"
    )


def mixed_frame(rows: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Nulls in every kind of feature: float, nullable integer, string and boolean."""
    rng = np.random.default_rng(seed)

    def holes(values: Any, share: float) -> Any:
        return np.where(rng.random(rows) < share, None, values)

    return pd.DataFrame(
        {
            "amount": np.where(rng.random(rows) < 0.2, np.nan, rng.normal(50, 10, rows)),
            "kids": pd.array(holes(rng.integers(0, 4, rows), 0.1), dtype="Int64"),
            "country": pd.array(holes(rng.choice(["US", "FR", "DE"], rows), 0.25), "string"),
            "flag": pd.array(holes(rng.random(rows) < 0.3, 0.15), dtype="boolean"),
        }
    )


MIXED = make_model(numeric=("amount", "kids"), categorical=("country", "flag"))


def test_csv_and_parquet_of_one_frame_give_the_same_profile_and_drift(tmp_path: Path) -> None:
    """An empty CSV cell is a null, as the same frame's null is in Parquet; a boolean
    written by pandas as True/False is the category Parquet's booleans are."""
    frame = mixed_frame()
    frame.to_parquet(tmp_path / "data.parquet")
    frame.to_csv(tmp_path / "data.csv", index=False)
    by_format = {
        path.suffix: build_profile(path, MIXED)
        for path in (tmp_path / "data.parquet", tmp_path / "data.csv")
    }
    # The oracle: pandas' own null counts and categories of the frame.
    for name in ("country", "flag"):
        values = frame[name].dropna().unique()
        expected = sorted(str(v).lower() if isinstance(v, bool | np.bool_) else v for v in values)
        for profile in by_format.values():
            feature = profile.feature(name)
            assert isinstance(feature, CategoricalProfile)
            assert feature.nulls == int(frame[name].isna().sum())
            assert sorted(feature.categories) == expected
    for name in ("amount", "kids"):
        for profile in by_format.values():
            assert profile.feature(name).nulls == int(frame[name].isna().sum())
    parquet, csv = by_format[".parquet"], by_format[".csv"]
    for name in ("amount", "kids", "country", "flag"):
        assert csv.feature(name).labels == parquet.feature(name).labels
        assert csv.feature(name).bin_counts() == parquet.feature(name).bin_counts()
    serving = mixed_frame(seed=1)
    serving.to_parquet(tmp_path / "serving.parquet")
    serving.to_csv(tmp_path / "serving.csv", index=False)
    reports = [
        compute_drift(tmp_path / f"serving{suffix}", MIXED, parquet)
        for suffix in (".parquet", ".csv")
    ]
    assert reports[0] == reports[1]
    country = reports[0].feature_named("country")
    assert country.null_rate == pytest.approx(serving["country"].isna().mean())
    assert country.unseen_rate == 0.0


# --- bin edges on discrete data: the `fair` survey (statsmodels), 6,366 rows ----------


def fair() -> pd.DataFrame:
    from statsmodels.datasets import fair as fair_data

    return fair_data.load_pandas().data.drop(columns="affairs")


def test_edges_on_discrete_real_data_leave_no_bin_empty_and_sit_between_values() -> None:
    """`children` had an edge at 1.7e-310 and `age` bins that could hold no value
    (edges 22.0 and 22.125 with the next value at 27)."""
    data = fair()
    model = make_model(numeric=tuple(data.columns), categorical=())
    profile = build_profile(data, model)
    for name in data.columns:
        feature = profile.feature(name)
        assert isinstance(feature, NumericProfile)
        values = data[name].to_numpy()
        distinct = np.unique(values)
        # The oracle: numpy's own count of the values on each side of each edge.
        expected = np.bincount(
            np.searchsorted(feature.edges, values, side="right"),
            minlength=len(feature.edges) + 1,
        )
        assert list(feature.counts) == expected.tolist(), name
        assert all(count > 0 for count in feature.counts), (name, feature.counts)
        for edge in feature.edges:
            # Strictly between two neighbouring values of the data, never on one.
            assert edge not in distinct, (name, edge)
            assert distinct.min() < edge < distinct.max(), (name, edge)
            assert abs(edge) >= 0.5, (name, edge)  # no denormal next to 0
    # Integer-valued features get edges halfway between integers.
    for name in ("rate_marriage", "religious", "occupation", "occupation_husb"):
        edges = np.array(profile.feature(name).edges)  # type: ignore[union-attr]
        assert np.all(edges % 1 == 0.5), (name, edges)
    assert profile.feature("children").edges[:2] == (0.5, 1.5)  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=-50, max_value=50), min_size=1, max_size=400),
    st.integers(min_value=2, max_value=12),
)
def test_integer_data_gets_half_integer_edges_and_no_empty_bin(
    values: list[int], bins: int
) -> None:
    model = make_model(numeric=("amount", "age"), categorical=(), bins=bins)
    frame = pa.table({"amount": pa.array(values, pa.float64()), "age": values})
    profile = build_profile(frame, model)
    for name in ("amount", "age"):
        feature = profile.feature(name)
        assert isinstance(feature, NumericProfile)
        assert len(feature.edges) <= bins - 1
        assert all(edge % 1 == 0.5 for edge in feature.edges), feature.edges
        assert all(count > 0 for count in feature.counts), feature.counts
        expected = np.bincount(
            np.searchsorted(feature.edges, values, side="right"), minlength=len(feature.counts)
        )
        assert list(feature.counts) == expected.tolist()


def test_the_fair_survey_with_empty_religious_cells_reads_the_same_from_csv(
    tmp_path: Path,
) -> None:
    """The second real use: a quarter of `religious` (categorical) left empty read as
    0 % nulls and 25 % unseen from CSV, 25 % nulls and 0 % unseen from Parquet."""
    data = fair()
    rng = np.random.default_rng(0)
    religious = pd.array(data["religious"].astype(int), dtype="Int64")
    religious[rng.random(len(data)) < 0.25] = pd.NA
    frame = data.assign(religious=religious)
    model = make_model(numeric=("age", "children", "yrs_married"), categorical=("religious",))
    frame.to_parquet(tmp_path / "fair.parquet")
    frame.to_csv(tmp_path / "fair.csv", index=False)
    nulls = int(religious.isna().sum())
    profile = build_profile(tmp_path / "fair.parquet", model)
    for path in (tmp_path / "fair.parquet", tmp_path / "fair.csv"):
        feature = build_profile(path, model).feature("religious")
        assert feature.nulls == nulls
        drift = compute_drift(path, model, profile).feature_named("religious")
        assert drift.null_rate == pytest.approx(nulls / len(frame))
        assert drift.unseen_rate == 0.0
        assert drift.psi == pytest.approx(0.0, abs=1e-12)
