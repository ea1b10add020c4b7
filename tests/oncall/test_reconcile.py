"""`controlplane.oncall.run` against the local PagerDuty API, through the real client.

Expectations come from the example specs as written (names, policies, tiers) and
from the account's own state, never from the reconciler's objects.
"""

from __future__ import annotations

import stat
from pathlib import Path

from controlplane.oncall import run
from tests.oncall.pagerduty_server import INTEGRATION, PagerDuty

# specs/*.yaml: model -> (oncall.escalation_policy, metadata.tier); mlcp.yaml: prefix "ml-".
EXAMPLES = {
    "ml-demand-forecast": ("Supply Chain ML", "standard"),
    "ml-fraud-detector": ("Risk ML", "critical"),
    "ml-recommender": ("Discovery ML", "critical"),
}


def policy_id(account: PagerDuty, name: str) -> str:
    (found,) = [p["id"] for p in account.policies.values() if p["name"] == name]
    return str(found)


def test_create_from_empty(pagerduty_api: PagerDuty, specs: Path) -> None:
    result = run(specs, apply=True, prune=False)

    assert not result.failed, result.lines()
    services = {s["name"]: s for s in pagerduty_api.services.values()}
    assert sorted(services) == sorted(EXAMPLES)
    for name, (policy, tier) in EXAMPLES.items():
        service = services[name]
        assert service["escalation_policy"]["id"] == policy_id(pagerduty_api, policy)
        assert service["incident_urgency_rule"] == {"type": "constant", "urgency": "severity_based"}
        # 30 minutes to acknowledge a critical page, an hour for a standard one.
        assert service["acknowledgement_timeout"] == {"critical": 1800, "standard": 3600}[tier]
        assert f"{tier} tier" in service["description"]
        (integration,) = [pagerduty_api.integrations[i] for i in service["integrations"]]
        assert integration["type"] == INTEGRATION
        key_file = specs.parent / "keys" / name
        assert key_file.read_text() == integration["integration_key"] + "\n"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    fraud = services["ml-fraud-detector"]["description"]
    assert fraud.startswith("Scores card transactions for manual review.")
    assert "risk-ml" in fraud
    assert result.lines()[-1] == "applied: 3 created"


def test_second_apply_changes_nothing(pagerduty_api: PagerDuty, specs: Path) -> None:
    run(specs, apply=True, prune=False)
    keys = {p.name: p.stat().st_mtime_ns for p in (specs.parent / "keys").iterdir()}
    before = len(pagerduty_api.writes())

    again = run(specs, apply=True, prune=False)

    assert not again.failed
    assert len(pagerduty_api.writes()) == before  # not one POST, PUT or DELETE
    assert {p.name: p.stat().st_mtime_ns for p in (specs.parent / "keys").iterdir()} == keys
    assert again.lines()[-1] == "applied: 3 unchanged"


def test_plan_changes_nothing(pagerduty_api: PagerDuty, specs: Path) -> None:
    result = run(specs, apply=False, prune=False)

    assert pagerduty_api.writes() == []
    assert pagerduty_api.services == {}
    assert not (specs.parent / "keys").exists()
    assert result.lines() == [
        "create    ml-demand-forecast: would create for demand-forecast, escalation policy "
        f"Supply Chain ML ({policy_id(pagerduty_api, 'Supply Chain ML')})",
        "create    ml-fraud-detector: would create for fraud-detector, escalation policy "
        f"Risk ML ({policy_id(pagerduty_api, 'Risk ML')})",
        "create    ml-recommender: would create for recommender, escalation policy "
        f"Discovery ML ({policy_id(pagerduty_api, 'Discovery ML')})",
        "plan: 3 create",
    ]
