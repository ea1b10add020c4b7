"""MLCP246 and MLCP245, as docs/specs.md and docs/alerts.md state them, through `mlcp validate`.

A rate written as a bare number is a fraction: above its field's plausible bound
mlcp asks whether the % was left out; the same value written as a percentage is
taken as meant. Expectations are those tables' bounds, written out by hand here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import SPECS
from tests.spec.clirun import run_mlcp
from tests.spec.edits import with_value

# (field, value, does MLCP246 ask?) — from docs/specs.md: 0.2 for error rates, drift
# limits, shadow divergence, the gate's min_improvement, lower-is-better rate bars
# and alpha; below 0.9 for availability; never for volume drops or recall-like bars.
CASES: list[tuple[tuple[Any, ...], Any, bool]] = [
    (("sla", "error_rate"), 0.5, True),
    (("sla", "error_rate"), "50%", False),
    (("sla", "error_rate"), 0.05, False),
    (("sla", "availability"), 0.5, True),
    (("sla", "availability"), 0.95, False),
    (("sla", "availability"), "50%", False),
    (("drift", "out_of_range", "max_rate"), 0.3, True),
    (("drift", "out_of_range", "max_rate"), "30%", False),
    (("drift", "out_of_range", "max_rate"), 0.2, False),
    (("drift", "unseen_categories", "max_rate"), 0.25, True),
    (("drift", "volume", "max_drop"), 0.5, False),
    (("rollout", "shadow", "max_divergence"), 0.5, True),
    (("rollout", "shadow", "max_divergence"), 0.1, False),
    (("retraining", "gate", "min_improvement"), 0.3, True),
    (("retraining", "gate", "min_improvement"), "30%", False),
    (("retraining", "gate", "alpha"), 0.5, True),
    (("retraining", "gate", "alpha"), 0.1, False),
    (("quality", "metrics", 2, "max"), 0.25, True),  # false_negative_rate
    (("quality", "metrics", 2, "max"), "25%", False),
    (("quality", "metrics", 0, "min"), 0.85, False),  # recall: higher is better
    (("quality", "proxies", 0, "max"), 0.5, False),  # a proxy is the team's own ratio
]
LINE = re.compile(r"^(?P<file>[^:]+):\d+:\d+: (?P<severity>\w+) (?P<code>MLCP\d+): ", re.M)


def _with(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = with_value(data, path, value)
    if path == ("sla", "error_rate"):  # keep availability in agreement (MLCP245), by hand
        changed["sla"]["availability"] = {0.5: "50%", "50%": "50%", 0.05: "95%"}[value]
    if path == ("sla", "availability"):
        del changed["sla"]["error_rate"]
    return changed


@pytest.fixture(scope="module")
def codes_by_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    base = YAML(typ="safe", pure=True).load((SPECS / "fraud-detector.yaml").read_text("utf-8"))
    folder: Path = tmp_path_factory.mktemp("rates")
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    for i, (path, value, _) in enumerate(CASES):
        (folder / f"case{i:02d}.yaml").write_text(json.dumps(_with(base, path, value)), "utf-8")
    found: dict[str, list[str]] = {f"case{i:02d}.yaml": [] for i in range(len(CASES))}
    for match in LINE.finditer(run_mlcp(["validate", str(folder)]).stdout):
        found[Path(match.group("file")).name].append(match.group("code"))
    return found


@pytest.mark.parametrize(
    ("index", "path", "value", "asks"),
    [(i, *case) for i, case in enumerate(CASES)],
    ids=[f"{'.'.join(map(str, p))}={v}" for p, v, _ in CASES],
)
def test_bare_rates_are_questioned_above_their_bound(
    codes_by_case: dict[str, list[str]], index: int, path: Any, value: Any, asks: bool
) -> None:
    codes = codes_by_case[f"case{index:02d}.yaml"]
    assert ("MLCP246" in codes) == asks, codes
    assert "MLCP245" not in codes


def test_the_example_specs_agree_with_their_tiers() -> None:
    """fraud-detector writes 0.1% and 99.9%; demand-forecast 0.5% under the 99.5% default."""
    result = run_mlcp(["validate", str(SPECS)])
    assert "MLCP245" not in result.stdout
    assert "MLCP246" not in result.stdout


def test_a_tier_error_rate_is_reported_on_the_spec_availability(tmp_path: Path) -> None:
    """The diagnostic sits on the value the spec wrote, and names the tier default's place."""
    (tmp_path / "mlcp.yaml").write_text(
        "apiVersion: mlcp/v1\nkind: Config\ndefaults:\n  standard:\n    sla:\n"
        "      error_rate: 1%\n",
        encoding="utf-8",
    )
    spec = (SPECS / "demand-forecast.yaml").read_text(encoding="utf-8")
    spec = spec.replace("  error_rate: 0.5%\n", "  availability: 99.9%\n")
    (tmp_path / "demand-forecast.yaml").write_text(spec, encoding="utf-8")
    line = spec.splitlines().index("  availability: 99.9%") + 1
    out = run_mlcp(["validate", str(tmp_path)]).stdout
    assert f"demand-forecast.yaml:{line}:17: error MLCP245: sla.availability 99.9% allows " in out
    assert "contradicts sla.error_rate 1% (the standard tier's default, " in out
    assert "mlcp.yaml:6)" in out
