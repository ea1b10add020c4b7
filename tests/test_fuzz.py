"""Whatever a spec or a profile holds, `validate`, `build`, `plan` and `drift` end in a
located diagnostic or a one-line error (`MlcpError`), never an internal error.

Each example mutates one of the committed examples the way a hostile or careless edit
would: a scalar replaced by a huge, tiny, negative, overflowing, empty or mistyped
value, a key deleted, a line duplicated; a profile's arrays cut short, its numbers
overflowed, its brackets nested past any parser's stack. A spec that validates must
also build and plan (with a non-empty plan in every format): every check that
rendering relies on runs in validation.

The core functions are called in-process (the CLI turns every other exception into
"internal error", exit 2). The budget is small for CI (a few seconds); set
MLCP_FUZZ_EXAMPLES for a long run, e.g. MLCP_FUZZ_EXAMPLES=10000.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from controlplane.build import build
from controlplane.compile import compile_paths
from controlplane.errors import MlcpError
from controlplane.model import Model
from controlplane.monitor import compute_drift, load_profile
from controlplane.plan.command import RENDERERS
from controlplane.plan.planner import make_plan
from tests import yamltree
from tests.conftest import ROOT, SPECS

EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted(SPECS.glob("*.yaml"))}
MODEL_EXAMPLES = sorted(name for name in EXAMPLES if name != "mlcp.yaml")
DATA = ROOT / "examples" / "data"
PROFILED = "fraud-detector"  # the example model whose profile is mutated
# A spec that validates is built and planned (a Pulumi preview under mocks, about a tenth
# of a second); a profile costs a hundredth. MLCP_FUZZ_EXAMPLES sets both for a long run;
# MLCP_FUZZ_SEED draws other examples than the derandomized ones (a long run split over
# processes, one seed each).
LONG_RUN = os.environ.get("MLCP_FUZZ_EXAMPLES")
SEED = os.environ.get("MLCP_FUZZ_SEED")
TALLY = os.environ.get("MLCP_FUZZ_TALLY")  # a file: one line per example, how it ended


def outcome(ended: str) -> None:
    """Count how an example ended (hypothesis's statistics, and the tally of a long run)."""
    event(ended)
    tally(ended)


def tally(line: str) -> None:
    if TALLY:
        with open(TALLY, "a", encoding="utf-8") as out:
            out.write(line + "\n")


@contextlib.contextmanager
def tallying_failures() -> Iterator[None]:
    """A long run's tally names each example that failed, as it fails."""
    try:
        yield
    except BaseException as error:
        tally(f"FAILED: {type(error).__name__}: {str(error)[:200]!r}")
        raise


def budget(default: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    chosen = settings(
        max_examples=int(LONG_RUN) if LONG_RUN else default,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        test = chosen(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return apply


OVERFLOW = "1" + "0" * 400
hostile_scalars = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            -1,
            1,
            2,
            5,
            100,
            10**400,
            -(10**400),
            2**63,
            0.0,
            -0.0,
            1e308,
            -1e308,
            5e-324,
            1e-300,
            float("inf"),
            float("-inf"),
            float("nan"),
            OVERFLOW,
            "1e400",
            "-1",
            "",
            " ",
            "\x00",
            "\t\n",
            "\u202e",
            "x" * 3000,
            OVERFLOW + "%",
            "0.005%",
            "0%",
            "100%",
            "1000%",
            "1e-300%",
            "0.0000000001%",
            OVERFLOW + "d",
            OVERFLOW + "ms",
            "0s",
            "0ms",
            "1y",
            "99y",
            OVERFLOW + "/s",
            "0/s",
            "1000000000/s",
            "@daily",
            "59 23 31 12 7",
            "0 0 30 2 *",
            "canary-0",
            "canary-100",
            "canary-" + OVERFLOW,
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
)


def _scaled(value: object, power: int) -> object:
    """A number of the example scaled by 10**power (the same kind of value, out of range)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return value * 10**power if power >= 0 else value // 10**-power
    return value * float(f"1e{power}")


@st.composite
def mutate_data(draw: st.DrawFn, data: Any) -> Any:
    """One to three edits of a loaded document: replace, scale, delete or truncate a node."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(yamltree.paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = yamltree.parent(data, path), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "scale", "delete", "shorten"]))
        if action == "replace":
            parent[last] = draw(hostile_scalars)
        elif action == "scale":
            parent[last] = _scaled(parent[last], draw(st.sampled_from([-400, -12, -3, 3, 12, 400])))
        elif action == "delete":
            del parent[last]
        elif isinstance(parent[last], list) and parent[last]:
            parent[last] = parent[last][: draw(st.integers(0, len(parent[last]) - 1))]
    return data


@st.composite
def mutate_text(draw: st.DrawFn, text: str) -> str:
    """Edit the text itself: duplicate a line (a duplicate key), or replace a number in it."""
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        return "".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])
    line = lines[index]
    digits = [i for i, ch in enumerate(line) if ch.isdigit()]
    if not digits:
        return text
    at = draw(st.sampled_from(digits))
    junk = draw(st.sampled_from(["0" * 400, "e400", "e-400", "000", "-", ".5", "%"]))
    lines[index] = line[:at] + junk + line[at:]
    return "".join(lines)


@cache
def _loaded(name: str) -> Any:
    """The example as data (mutate_data edits a copy)."""
    return YAML(typ="safe", pure=True).load(EXAMPLES[name])


@st.composite
def spec_mutant(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(MODEL_EXAMPLES))
    text = EXAMPLES[name]
    if draw(st.integers(0, 3)) == 0:
        return name, draw(mutate_text(text))
    return name, yamltree.dump(draw(mutate_data(_loaded(name))))


def check_spec(tmp: Path, name: str, text: str) -> str:
    """validate; if it passes, build and plan; only MlcpError may end any of them.
    Returns how it ended."""
    folder = tmp / "specs"
    folder.mkdir()
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    (folder / name).write_text(text, encoding="utf-8")
    try:
        compilation = compile_paths([folder])
    except MlcpError:
        return "validate: one-line error"
    if not compilation.ok:
        assert compilation.diagnostics, "a spec refused without a diagnostic"
        return "validate: diagnostics"
    result = build([folder], tmp / "build", check=False, jobs=1)
    assert result.writes is not None, result.compilation.diagnostics
    plan = make_plan(folder, None)
    assert plan.ok, plan
    assert [m.name for m in plan.models] == [m.name for m in compilation.models]
    for fmt, render in RENDERERS.items():
        assert render(plan).strip(), f"the {fmt} plan is empty"
    return "valid: built and planned"


@budget(15)
@given(spec_mutant())
def test_mutated_specs_never_end_in_an_internal_error(case: tuple[str, str]) -> None:
    name, text = case
    with tempfile.TemporaryDirectory() as tmp, tallying_failures():
        outcome(check_spec(Path(tmp), name, text))


# --- profiles ---------------------------------------------------------------------------


@cache
def _profiled_model() -> Model:
    compilation = compile_paths([SPECS / f"{PROFILED}.yaml"])
    return next(m for m in compilation.models if m.name == PROFILED)


@cache
def _drift_data() -> Path:
    """A few hundred rows of the example's data: drift reads every row."""
    path = Path(tempfile.mkdtemp()) / "serving.parquet"
    pq.write_table(pq.read_table(DATA / f"{PROFILED}.parquet").slice(0, 300), path)
    return path


PROFILE_TEXT = (DATA / f"{PROFILED}.profile.json").read_text(encoding="utf-8")


@st.composite
def profile_mutant(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:  # brackets nested past the parser's stack, where any value may stand
        depth = draw(st.sampled_from([50, 1000, 100_000]))
        return PROFILE_TEXT.replace('"nulls": 0', '"nulls": ' + "[" * depth + "]" * depth, 1)
    if kind == 1:  # a number that overflows a float, where the JSON has a number
        digits = [i for i, ch in enumerate(PROFILE_TEXT) if ch.isdigit()]
        at = draw(st.sampled_from(digits))
        junk = draw(st.sampled_from(["0" * 400, "e400", "e-400", "-"]))
        return PROFILE_TEXT[:at] + junk + PROFILE_TEXT[at:]
    data = draw(mutate_data(json.loads(PROFILE_TEXT)))
    return json.dumps(data, allow_nan=True)


def check_profile(folder: Path, text: str) -> str:
    """Read the profile and compute drift against it; only MlcpError may end either.
    Returns how it ended."""
    path = folder / "profile.json"
    path.write_text(text, encoding="utf-8")
    try:
        reference = load_profile(path)
        compute_drift(_drift_data(), _profiled_model(), reference)
    except MlcpError as error:
        assert "\n" not in str(error), error
        assert str(path) in str(error) or "profile" in str(error), error
        return "profile: one-line error"
    return "profile: drift computed"


@budget(100)
@given(profile_mutant())
def test_mutated_profiles_never_end_in_an_internal_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, tallying_failures():
        outcome(check_profile(Path(tmp), text))


def test_the_unmutated_examples_build_plan_and_drift() -> None:
    """The harness itself: the examples pass every step it runs."""
    for name in MODEL_EXAMPLES:
        with tempfile.TemporaryDirectory() as tmp:
            assert check_spec(Path(tmp), name, EXAMPLES[name]) == "valid: built and planned"
    with tempfile.TemporaryDirectory() as tmp:
        assert check_profile(Path(tmp), PROFILE_TEXT) == "profile: drift computed"


# --- the cases the first long run found, pinned --------------------------------------------

PINNED = [
    ("fraud-detector.yaml", "error_rate: 0.1%", f"error_rate: {OVERFLOW}", "MLCP115"),
    ("fraud-detector.yaml", "delay: 30d", f"delay: {OVERFLOW}d", "MLCP115"),
    ("fraud-detector.yaml", "delay: 30d", f"delay: {OVERFLOW}", "MLCP114"),  # no unit
    ("fraud-detector.yaml", "min_throughput: 50/s", f"min_throughput: {OVERFLOW}", "MLCP114"),
    ("fraud-detector.yaml", "min_throughput: 50/s", f"min_throughput: {OVERFLOW}/s", "MLCP115"),
    ("fraud-detector.yaml", "int: [3, 10]", f"int: [3, {OVERFLOW}]", "MLCP115"),
    ("fraud-detector.yaml", "float: [0.01, 0.3]", "float: [0.01, 1e400]", "MLCP115"),
    ("fraud-detector.yaml", "max_ratio_to_training: 2", "max_ratio_to_training: 1e308", "MLCP115"),
    ("fraud-detector.yaml", "max: 2%, window: 30d", f'max: "{OVERFLOW}%", window: 30d', "MLCP115"),
    (
        "fraud-detector.yaml",
        "target_invocations_per_instance: 700",
        f"target_invocations_per_instance: {10**20}",
        "MLCP115",
    ),
    ("demand-forecast.yaml", "{name: r2, min: 0.7", "{name: r2, min: 5", "MLCP229"),
    ("demand-forecast.yaml", "instance_type: c6i.8xlarge", 'instance_type: ""', "MLCP114"),
    # A bar this close to 0 is valid: it builds and plans.
    ("fraud-detector.yaml", "{name: recall, min: 0.85", "{name: recall, min: 0.005%", None),
    ("fraud-detector.yaml", "{name: recall, min: 0.85", "{name: recall, min: 1e-300", None),
]


@pytest.mark.parametrize(("name", "before", "after", "code"), PINNED)
def test_pinned_mutants_are_diagnosed_or_build(
    tmp_path: Path, name: str, before: str, after: str, code: str | None
) -> None:
    assert before in EXAMPLES[name]
    text = EXAMPLES[name].replace(before, after, 1)
    outcome = check_spec(tmp_path, name, text)
    if code is None:
        assert outcome == "valid: built and planned"
        return
    assert outcome == "validate: diagnostics"
    line = text[: text.index(after)].count("\n") + 1
    found = [(d.code, d.line) for d in compile_paths([tmp_path / "specs"]).diagnostics]
    assert found == [(code, line)]
