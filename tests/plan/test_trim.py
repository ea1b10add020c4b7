"""The order a reviewer reads generated files in, and which diffs fit."""

from __future__ import annotations

from controlplane.plan.trim import Candidate, choose, in_reading_order, reading_rank
from controlplane.plan.types import FileDiff


def test_reading_order_puts_rules_first_and_generated_tests_last() -> None:
    paths = [
        "monitoring/prometheus/tests/m.test.yml",
        "schema/model.v1.json",
        "monitoring/grafana/m.json",
        "infra/models/m.json",
        "monitoring/alertmanager.yml",
        "pipelines/m/params.yaml",
        "runbooks/m.md",
        "monitoring/prometheus/m.rules.yml",
    ]
    files = [FileDiff(p, "changed", 1, 1, "+x\n") for p in paths]
    assert [f.path for f in in_reading_order(files)] == paths[::-1]
    assert reading_rank("infra/resources.json") == reading_rank("infra/models/m.json")


def test_a_diff_too_large_is_skipped_and_smaller_ones_after_it_still_fit() -> None:
    def candidate(path: str, cost: int) -> Candidate:
        return Candidate(0, FileDiff(path, "changed", 1, 1, ""), cost)

    rules = candidate("monitoring/prometheus/m.rules.yml", 500)
    runbook = candidate("runbooks/m.md", 800)
    params = candidate("pipelines/m/params.yaml", 100)
    tests = candidate("monitoring/prometheus/tests/m.test.yml", 50)
    assert choose([tests, params, runbook, rules], 700) == [rules, params, tests]
