"""The cost model against hand arithmetic: 730 h a month, prices from the table or mlcp.yaml."""

from __future__ import annotations

from dataclasses import replace

import pytest

from controlplane.compile import compile_sources
from controlplane.plan.cost import cost_findings, estimate, runs_per_month
from controlplane.plan.prices import ON_DEMAND, cpu_alternative
from tests.memory import edited, example_sources, line_and_col


def compiled(**texts: str):  # type: ignore[no-untyped-def]
    result = compile_sources(*example_sources(**texts))
    return result, {c.model.name: c for c in result.compiled}


def test_endpoint_uses_the_override_from_mlcp_yaml() -> None:
    result, models = compiled()
    items = estimate(models["fraud-detector"].model, result.config).items
    assert items[0].monthly == pytest.approx(2 * 0.238 * 730)  # min 2 at $0.238 (mlcp.yaml)
    assert items[0].ceiling == pytest.approx(8 * 0.238 * 730)  # max 8


def test_spot_discount_comes_from_mlcp_yaml() -> None:
    config = edited("mlcp.yaml", "prices:\n", "cost:\n  spot_discount: 60%\nprices:\n")
    result, models = compiled(mlcp=config)
    assert result.ok, result.diagnostics
    demand = estimate(models["demand-forecast"].model, result.config)
    batch = next(i for i in demand.items if i.item.startswith("batch"))
    # every night: 365 runs a year, 1 h each, one c6i.4xlarge at 40% of $0.68
    assert batch.monthly == pytest.approx(round(365 / 12 * 1 * 0.68 * 0.4, 2))


def test_gpu_without_declared_need_gets_a_cpu_price() -> None:
    text = edited("recommender.yaml", "  gpu: true\n", "")
    result, models = compiled(recommender=text)
    rec = models["recommender"]
    notes = cost_findings(rec.model, result.config, estimate(rec.model, result.config), False)
    [note] = [f for f in notes if "GPU" in f.message]
    # 2 instances × 730 h: ml.c5.xlarge at $0.238 (mlcp.yaml) against ml.g5.xlarge at $1.408
    assert "ml.c5.xlarge would cost less: $347.48/month instead of $2,055.68" in note.message
    assert cpu_alternative("g5.2xlarge") == "c6i.2xlarge"
    assert cpu_alternative("ml.c5.xlarge") is None


def test_over_budget_says_by_how_much() -> None:
    result, models = compiled()
    fraud = models["fraud-detector"].model
    tight = replace(fraud, monthly_budget=600.0)
    est = estimate(tight, result.config)
    [warning] = [
        f for f in cost_findings(tight, result.config, est, False) if f.severity == "warning"
    ]
    over = est.monthly - 600
    assert warning.message == (
        f"estimated ${est.monthly:,.2f}/month is over the $600.00 budget by ${over:,.2f} "
        f"({over / 600:.0%})"
    )


def test_unknown_price_is_named() -> None:
    result, models = compiled()
    fraud = models["fraud-detector"].model
    odd = replace(fraud, serving=replace(fraud.serving, instance_type="ml.x9.huge"))
    est = estimate(odd, result.config)
    assert "ml.x9.huge" in est.unpriced
    messages = [f.message for f in cost_findings(odd, result.config, est, False)]
    assert any(m.startswith("no price for ml.x9.huge") for m in messages)


@pytest.mark.parametrize(
    ("cadence", "runs"),
    [("daily", 365 / 12), ("weekly", 365 / 84), ("monthly", 1.0), ("0 3 * * 1-5", 261 / 12)],
)
def test_runs_per_month(cadence: str, runs: float) -> None:
    # 2026 has 261 weekdays (it starts on a Thursday)
    assert runs_per_month(cadence) == pytest.approx(runs)


def test_price_table_names_gpu_and_cpu_pairs() -> None:
    assert ON_DEMAND["g5.xlarge"] == 1.006
    assert ON_DEMAND["ml.g5.xlarge"] > ON_DEMAND["ml.c5.xlarge"]


def test_spot_discount_of_a_whole_is_refused_where_written() -> None:
    config = edited("mlcp.yaml", "prices:\n", "cost:\n  spot_discount: 100%\nprices:\n")
    result = compile_sources(*example_sources(mlcp=config))
    [problem] = [d for d in result.diagnostics if d.is_error]
    line, col = line_and_col(config, "spot_discount: 100%", "100%")
    assert (problem.file, problem.line, problem.col, problem.code) == (
        "specs/mlcp.yaml", line, col, "MLCP115",
    )  # fmt: skip
    assert problem.message == "cost.spot_discount must be below 100% (got '100%')"
