"""A profile file is checked against its schema where it is read: a broken one is one
line naming the file and what is wrong, never an error deep in the drift arithmetic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from controlplane.monitor import MonitorError, load_profile
from tests.conftest import ROOT, SPECS
from tests.spec.clirun import run_mlcp

EXAMPLE = ROOT / "examples" / "data" / "fraud-detector.profile.json"
DATA = ROOT / "examples" / "data" / "fraud-detector.parquet"
Document = dict[str, Any]


def edited(edit: Callable[[Document], None]) -> str:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    edit(document)
    return json.dumps(document)


def _pop_count(doc: Document) -> None:
    doc["features"]["amount"]["counts"].pop()


def _reverse_edges(doc: Document) -> None:
    doc["features"]["amount"]["edges"].reverse()


def _extra_category_count(doc: Document) -> None:
    doc["features"]["country"]["counts"].append(1)


def _negative_nulls(doc: Document) -> None:
    doc["features"]["merchant_risk"]["nulls"] = -1


def _text_count(doc: Document) -> None:
    doc["features"]["amount"]["counts"][0] = "1199"


def _unknown_kind(doc: Document) -> None:
    doc["features"]["amount"]["kind"] = "text"


WHOLE = EXAMPLE.read_text(encoding="utf-8")
# The first edge of account_age_days as the file spells it (the first number of its edges).
FIRST_EDGE = json.dumps(json.loads(WHOLE)["features"]["account_age_days"]["edges"][0])
assert WHOLE.count(f" {FIRST_EDGE},") == 1
CASES = {
    # The cases: a counts array one short of the edges, 100,000 nested brackets,
    # a count of 10^400.
    "counts-one-short": (
        edited(_pop_count),
        "features.amount: 9 counts for 9 edges (a bin each side of every edge: 10)",
    ),
    "nested-brackets": (
        WHOLE.replace('"nulls": 0', '"nulls": ' + "[" * 100_000 + "]" * 100_000, 1),
        "nested too deep",
    ),
    "count-of-10^400": (
        WHOLE.replace('"nulls": 0', '"nulls": 1' + "0" * 400, 1),
        "features.account_age_days.nulls: Input should be less than or equal to 1000000000000000",
    ),
    "edge-overflows": (
        WHOLE.replace(f" {FIRST_EDGE},", f" {FIRST_EDGE}e400,", 1),
        "features.account_age_days.edges.0: Input should be a finite number",
    ),
    "edge-nan": (
        WHOLE.replace(f" {FIRST_EDGE},", " NaN,", 1),
        "features.account_age_days.edges.0: Input should be a finite number",
    ),
    "edges-out-of-order": (
        edited(_reverse_edges),
        "features.amount: the edges are not in increasing order",
    ),
    "category-counts": (
        edited(_extra_category_count),
        "features.country: 9 counts for 8 categories",
    ),
    "negative-nulls": (
        edited(_negative_nulls),
        "features.merchant_risk.nulls: Input should be greater than or equal to 0",
    ),
    "count-as-text": (
        edited(_text_count),
        "features.amount.counts.0: Input should be a valid integer",
    ),
    "unknown-kind": (
        edited(_unknown_kind),
        "features.amount: Input tag 'text' found using 'kind' does not match any of the "
        "expected tags: 'numeric', 'categorical'",
    ),
    "not-json": (
        "{",
        "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_broken_profile_is_one_line_naming_the_file(tmp_path: Path, case: str) -> None:
    text, problem = CASES[case]
    path = tmp_path / "profile.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MonitorError) as raised:
        load_profile(path)
    assert str(raised.value) == f"{path}: malformed profile ({problem})"


def test_the_example_profiles_pass_their_schema() -> None:
    for path in sorted(EXAMPLE.parent.glob("*.profile.json")):
        assert load_profile(path).rows == 12_000, path


def test_mlcp_drift_against_a_profile_one_count_short_exits_2_with_one_line(
    tmp_path: Path,
) -> None:
    reference = tmp_path / "profile.json"
    reference.write_text(edited(_pop_count), encoding="utf-8")
    args = ["--model", "fraud-detector", "--specs", str(SPECS), "--profile", str(reference)]
    result = run_mlcp(["drift", *args, str(DATA)])
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"mlcp drift: {reference}: malformed profile "
        "(features.amount: 9 counts for 9 edges (a bin each side of every edge: 10))\n"
    )
