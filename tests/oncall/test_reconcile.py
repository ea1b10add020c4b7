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


def test_an_edit_in_the_ui_is_restored(pagerduty_api: PagerDuty, specs: Path) -> None:
    run(specs, apply=True, prune=False)
    service = pagerduty_api.by_name("ml-fraud-detector")
    written = service["description"]
    service["description"] = "edited by hand"
    service["name"] = service["summary"] = "fraud (renamed in the UI)"

    result = run(specs, apply=True, prune=False)

    assert not result.failed
    restored = pagerduty_api.services[service["id"]]
    assert (restored["name"], restored["description"]) == ("ml-fraud-detector", written)
    assert len(pagerduty_api.services) == 3  # restored in place, not created again
    assert "updated   ml-fraud-detector: restored description, name" in result.lines()


def test_a_foreign_service_is_untouched(pagerduty_api: PagerDuty, specs: Path) -> None:
    policy = policy_id(pagerduty_api, "Risk ML")
    # Made by hand, one with an Events API v2 integration of its own.
    foreign = pagerduty_api.add_service("payments-api", policy, description="not ours")
    pagerduty_api.add_integration(foreign, "Alertmanager")
    before = dict(pagerduty_api.services[foreign])

    result = run(specs, apply=True, prune=True)

    assert not result.failed
    assert pagerduty_api.services[foreign] == before
    assert not [r for r in pagerduty_api.writes() if foreign in r.path]
    assert not any("payments-api" in line for line in result.lines())


def test_a_foreign_service_with_our_name_is_reported_not_taken(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    policy = policy_id(pagerduty_api, "Risk ML")
    foreign = pagerduty_api.add_service("ml-fraud-detector", policy, description="by hand")
    before = dict(pagerduty_api.services[foreign])

    result = run(specs, apply=True, prune=True)

    assert result.failed
    assert pagerduty_api.services[foreign] == before
    assert sorted(s["name"] for s in pagerduty_api.services.values()) == sorted(EXAMPLES)
    (line,) = [x for x in result.lines() if "ml-fraud-detector" in x]
    assert line.startswith("conflict  ml-fraud-detector: PagerDuty has a service of this name")


def test_prune_leaves_a_repository_whose_prefix_begins_with_ours(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    # Another repository's mlcp, with service_prefix "ml-risk-", made this service; ours is
    # "ml-" (specs/mlcp.yaml). Its name begins with our prefix, but it is not ours to prune.
    policy = policy_id(pagerduty_api, "Risk ML")
    theirs = pagerduty_api.add_service("ml-risk-scoring", policy, description="theirs")
    pagerduty_api.add_integration(theirs, "mlcp[ml-risk-]: ml-risk-scoring")
    before = dict(pagerduty_api.services[theirs])

    result = run(specs, apply=True, prune=True)

    assert not result.failed
    assert pagerduty_api.services[theirs] == before
    assert not any("ml-risk-scoring" in line for line in result.lines())


def test_prune_deletes_only_with_the_flag(pagerduty_api: PagerDuty, specs: Path) -> None:
    run(specs, apply=True, prune=False)
    (specs / "recommender.yaml").unlink()
    gone = pagerduty_api.by_name("ml-recommender")["id"]
    key = specs.parent / "keys" / "ml-recommender"

    kept = run(specs, apply=True, prune=False)
    assert gone in pagerduty_api.services and key.exists()
    assert "kept      ml-recommender: no spec wants it; `apply --prune` deletes it" in kept.lines()
    planned = run(specs, apply=False, prune=True)
    assert gone in pagerduty_api.services
    assert f"delete    ml-recommender: would delete {gone}: no spec wants it" in planned.lines()

    pruned = run(specs, apply=True, prune=True)

    assert not pruned.failed
    assert gone not in pagerduty_api.services and not key.exists()
    assert sorted(s["name"] for s in pagerduty_api.services.values()) == [
        "ml-demand-forecast",
        "ml-fraud-detector",
    ]
    assert pruned.lines()[-1] == "applied: 2 unchanged, 1 deleted"


def test_more_services_than_one_page(pagerduty_api: PagerDuty, specs: Path) -> None:
    pagerduty_api.page_limit = 2  # 3 of ours and 4 foreign services: four pages
    policy = policy_id(pagerduty_api, "ML Platform")
    for n in range(4):
        pagerduty_api.add_service(f"team-service-{n}", policy)
    run(specs, apply=True, prune=False)
    writes, start = len(pagerduty_api.writes()), len(pagerduty_api.requests)

    again = run(specs, apply=True, prune=False)

    assert len(pagerduty_api.writes()) == writes  # every managed service was found
    assert again.lines()[-1] == "applied: 3 unchanged"
    offsets = [
        r.query["offset"][0]
        for r in pagerduty_api.requests[start:]
        if r.method == "GET" and r.path == "/services"
    ]
    assert offsets == ["0", "2", "4", "6"]
    listed = [r for r in pagerduty_api.requests[start:] if r.path == "/services"]
    assert all(r.query["include[]"] == ["integrations"] for r in listed)


def test_plan_says_which_key_files_apply_would_write(pagerduty_api: PagerDuty, specs: Path) -> None:
    run(specs, apply=True, prune=False)
    keys = specs.parent / "keys"
    assert (
        "unchanged ml-recommender: as the spec says" in run(specs, apply=False, prune=False).lines()
    )
    (keys / "ml-recommender").unlink()
    (keys / "ml-fraud-detector").write_text("an old key\n")

    lines = run(specs, apply=False, prune=False).lines()

    assert f"unchanged ml-recommender: as the spec says; would write {keys}/ml-recommender" in lines
    assert (
        f"unchanged ml-fraud-detector: as the spec says; would rewrite {keys}/ml-fraud-detector"
        in lines
    )
    assert "unchanged ml-demand-forecast: as the spec says" in lines
    assert not (keys / "ml-recommender").exists()
