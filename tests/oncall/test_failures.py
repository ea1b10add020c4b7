"""What `mlcp oncall` does when PagerDuty or the specs are wrong: located diagnostics,
bounded retries that honour Retry-After, per-service failures, a token never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from controlplane.oncall import client, run
from tests.oncall.conftest import TOKEN
from tests.oncall.pagerduty_server import Fault, PagerDuty
from tests.spec.clirun import run_mlcp


def value_position(path: Path, key: str) -> tuple[int, int]:
    """Line and column (1-based) of the value of the first `key:` in a YAML file."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip().startswith(f"{key}:"):
            start = line.index(f"{key}:") + len(key) + 1
            return number, start + len(line[start:]) - len(line[start:].lstrip()) + 1
    raise AssertionError(f"no {key} in {path}")


def test_an_unknown_escalation_policy_is_located_on_the_spec_line(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(
        spec.read_text().replace("escalation_policy: Risk ML", "escalation_policy: Risk M")
    )
    line, col = value_position(spec, "escalation_policy")

    result = run(specs, apply=True, prune=False)

    assert result.failed
    assert result.lines()[0] == (
        f"{spec}:{line}:{col}: error MLCP501: escalation policy 'Risk M' names no "
        "escalation policy in PagerDuty"
    )
    names = sorted(s["name"] for s in pagerduty_api.services.values())
    assert names == ["ml-demand-forecast", "ml-recommender"]  # the others were applied
    assert result.lines()[-1] == "applied: 2 created, 1 failed"


def test_an_inherited_unknown_policy_is_located_in_mlcp_yaml(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    spec = specs / "demand-forecast.yaml"
    spec.write_text(spec.read_text().replace("  escalation_policy: Supply Chain ML\n", ""))
    config = specs / "mlcp.yaml"
    config.write_text(config.read_text().replace("ML Platform", "Nobody Home"))
    line, col = value_position(config, "default_escalation_policy")

    result = run(specs, apply=False, prune=False)

    assert result.lines()[0].startswith(f"{config}:{line}:{col}: error MLCP501: ")
    assert "'Nobody Home'" in result.lines()[0]


def test_an_escalation_policy_by_id(pagerduty_api: PagerDuty, specs: Path) -> None:
    (risk,) = [p["id"] for p in pagerduty_api.policies.values() if p["name"] == "Risk ML"]
    spec = specs / "fraud-detector.yaml"
    spec.write_text(
        spec.read_text().replace("escalation_policy: Risk ML", f"escalation_policy: {risk}")
    )

    result = run(specs, apply=True, prune=False)

    assert not result.failed
    assert pagerduty_api.by_name("ml-fraud-detector")["escalation_policy"]["id"] == risk


def test_rate_limiting_mid_run_waits_as_asked(pagerduty_api: PagerDuty, specs: Path) -> None:
    # After the reads, the next two requests are refused with Retry-After: 1.
    pagerduty_api.faults.append(Fault(r"POST .*", 429, times=2, retry_after="1"))

    result = run(specs, apply=True, prune=False)

    assert not result.failed, result.lines()
    assert len(pagerduty_api.services) == 3
    posts = [r for r in pagerduty_api.requests if r.method == "POST"]
    assert [r.status for r in posts[:3]] == [429, 429, 201]
    assert posts[1].at - posts[0].at >= 0.95 and posts[2].at - posts[1].at >= 0.95


def test_retries_are_bounded(pagerduty_api: PagerDuty, specs: Path) -> None:
    pagerduty_api.faults.append(Fault(r"POST /services", 429, times=None, retry_after="0"))

    result = run(specs, apply=True, prune=False)

    assert result.failed
    assert len([r for r in pagerduty_api.requests if r.method == "POST"]) == 3 * client.ATTEMPTS
    assert (
        "failed    ml-fraud-detector: POST /services: HTTP 429 after 5 attempts" in result.lines()
    )


def test_a_500_on_one_service_leaves_the_others_applied(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    run(specs, apply=True, prune=False)
    for service in pagerduty_api.services.values():
        service["description"] = "edited"
    broken = pagerduty_api.by_name("ml-fraud-detector")["id"]
    pagerduty_api.faults.append(Fault(rf"PUT /services/{broken}", 500, times=None))

    result = run(specs, apply=True, prune=False)

    assert result.failed
    restored = {s["name"]: s["description"] != "edited" for s in pagerduty_api.services.values()}
    assert restored == {
        "ml-demand-forecast": True,
        "ml-fraud-detector": False,
        "ml-recommender": True,
    }
    assert (
        f"failed    ml-fraud-detector: PUT /services/{broken}: HTTP 500 after 5 attempts"
        in result.lines()
    )
    assert result.lines()[-1] == "applied: 2 updated, 1 failed"


def test_a_5xx_then_success_is_retried(pagerduty_api: PagerDuty, specs: Path) -> None:
    pagerduty_api.faults.append(Fault(r"GET /services", 503, times=2))

    result = run(specs, apply=False, prune=False)

    assert not result.failed
    assert [r.status for r in pagerduty_api.requests[:3]] == [503, 503, 200]


def test_the_token_never_appears(
    pagerduty_api: PagerDuty,
    specs: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    pagerduty_api.faults.append(Fault(r"POST /services", 500, times=None))
    pagerduty_api.faults.append(Fault(r"GET /escalation_policies", 429, times=1, retry_after="0"))
    failed = run_mlcp(["oncall", "apply", str(specs)])
    pagerduty_api.token = "another"  # PagerDuty now refuses ours: a 401
    refused = run_mlcp(["oncall", "plan", str(specs)])
    refused_debug = run_mlcp(["--debug", "oncall", "plan", str(specs)])

    assert failed.code == 1
    assert refused.code == 2
    assert refused.stderr == (
        "mlcp oncall: PagerDuty failed while reading the services: GET /services: HTTP 401: "
        "PagerDuty refused the token in PAGERDUTY_TOKEN\n"
    )
    printed = [failed.stdout, failed.stderr, refused.stdout, refused.stderr, caplog.text]
    printed += [refused_debug.stdout, refused_debug.stderr, *capfd.readouterr()]
    assert all(TOKEN not in text and TOKEN[-4:] not in text for text in printed)


def test_a_missing_token_is_one_line_and_exit_2(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAGERDUTY_TOKEN", raising=False)

    result = run_mlcp(["oncall", "plan", str(specs)])

    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "mlcp oncall: PAGERDUTY_TOKEN is not set: export a PagerDuty REST API key "
        "(in CI, from the repository's secrets)\n"
    )


def test_specs_with_errors_change_nothing(pagerduty_api: PagerDuty, specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(spec.read_text().replace("tier: critical", "tier: critcal"))

    result = run_mlcp(["oncall", "apply", str(specs)])

    assert result.code == 1
    assert "error MLCP113" in result.stdout
    assert pagerduty_api.requests == []


def test_an_unreachable_api_is_one_line_and_exit_2(
    pagerduty_api: PagerDuty, specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_API_URL", "https://127.0.0.1:1")  # nothing listens there

    result = run_mlcp(["oncall", "plan", str(specs)])

    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "mlcp oncall: PagerDuty failed while reading the services: "
        "PagerDuty could not be reached (network error)\n"
    )


def test_a_key_file_that_cannot_be_written_fails_its_service_only(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    keys = specs.parent / "keys"
    keys.write_text("a file where the folder should be\n")

    failed = run(specs, apply=True, prune=False)

    assert failed.failed
    assert len(pagerduty_api.services) == 3  # the services were made all the same
    (line, *_) = [x for x in failed.lines() if x.startswith("failed    ml-fraud-detector: ")]
    assert f", but routing key file {keys}/ml-fraud-detector: " in line

    keys.unlink()
    fixed = run(specs, apply=True, prune=False)

    assert not fixed.failed
    assert (
        f"unchanged ml-fraud-detector: as the spec says; routing key written to "
        f"{keys}/ml-fraud-detector" in fixed.lines()
    )
    assert (keys / "ml-fraud-detector").read_text() == (
        pagerduty_api.key_of("ml-fraud-detector") + "\n"
    )


def test_a_policy_lookup_that_fails_is_not_called_unknown(
    pagerduty_api: PagerDuty, specs: Path
) -> None:
    pagerduty_api.faults.append(Fault(r"GET /escalation_policies", 500, times=None))

    result = run(specs, apply=True, prune=False)

    assert result.failed and result.diagnostics == []
    assert pagerduty_api.services == {}
    assert (
        "failed    ml-fraud-detector: escalation policy 'Risk ML' could not be looked up: "
        "GET /escalation_policies: HTTP 500 after 5 attempts" in result.lines()
    )
