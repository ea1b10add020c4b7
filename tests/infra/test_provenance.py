"""Provenance without churn: the sha256 of each spec is kept once, on the model's component
(and the platform's, of all specs), not as a tag on every AWS resource, so an edit touches
only the resources that read what changed. Oracle: the Pulumi program run under the mocks
with the real SDK, and the sha256 of the spec files' bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from controlplane.infra import program
from controlplane.infra.preview import registered
from controlplane.infra.tags import SPEC_SHA
from tests.infra.helpers import compiled, preview, spec_sha
from tests.memory import EXAMPLE_TEXTS, edited

Record = dict[str, Any]


def _aws(records: list[Record]) -> dict[tuple[str, str], Record]:
    return {(r["type"], r["name"]): r for r in records if r["type"].startswith("aws:")}


def _changed(before: list[Record], after: list[Record]) -> list[tuple[str, str]]:
    old, new = _aws(before), _aws(after)
    assert old.keys() == new.keys()
    return sorted(key for key in old if old[key] != new[key])


def test_an_edit_no_resource_reads_changes_no_aws_resource() -> None:
    # The budget is read by `mlcp plan` only; a comment by no one. Both change the spec's sha.
    budget = edited("fraud-detector.yaml", "monthly_budget: 3000", "monthly_budget: 3500")
    comment = edited("fraud-detector.yaml", "# Scores card", "# Scores card-present and online")
    base = preview()
    assert _changed(base, preview(fraud_detector=budget)) == []
    assert _changed(base, preview(fraud_detector=comment)) == []


def test_a_drift_bar_edit_changes_only_the_rules_that_read_it() -> None:
    # PSI's critical bar is in the model's alert rules, which the rule group namespace holds.
    drift = edited(
        "fraud-detector.yaml",
        "psi: {warn: 0.1, critical: 0.25, bins: 10}",
        "psi: {warn: 0.1, critical: 0.2, bins: 10}",
    )
    assert _changed(preview(), preview(fraud_detector=drift)) == [
        ("aws:amp/ruleGroupNamespace:RuleGroupNamespace", "fraud-detector-rules")
    ]


def test_no_aws_resource_carries_the_spec_sha() -> None:
    for record in _aws(preview()).values():
        assert "mlcp:spec-sha" not in record["inputs"].get("tags", {}), record["name"]


def test_each_model_component_keeps_its_spec_sha_and_the_platform_all_of_them() -> None:
    models, config = compiled()
    components = {
        r.name: r.inputs
        for r in registered(config, lambda: program.declare(models, config))
        if not r.custom
    }
    for model in models:
        assert components[model.name][SPEC_SHA] == spec_sha(f"{model.name}.yaml")
    shas = sorted(spec_sha(n) for n in EXAMPLE_TEXTS if n != "mlcp.yaml")
    digest = hashlib.sha256("\n".join(shas).encode("ascii")).hexdigest()
    assert components["mlcp"][SPEC_SHA] == digest
