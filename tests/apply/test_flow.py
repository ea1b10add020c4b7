"""The whole `mlcp apply`: checks, lock, PagerDuty, then Pulumi, each step reported; a
failure stops the next step and the report says what was applied."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest
from moto import mock_aws

from controlplane.apply import command, flow
from controlplane.apply.flow import Seams
from tests.apply.fakepulumi import FakePulumi, executable_calls, workspace_factory
from tests.apply.project import git, keys_of, make_project, use_secrets_manager
from tests.apply.test_lock import hold_in_another_process
from tests.oncall.test_secrets import no_credentials
from tests.spec.clirun import run_mlcp

ENV = {"PAGERDUTY_TOKEN": "pd-token-123"}


class FakePagerDuty:
    def __init__(self, ok: bool = True, error: Exception | None = None) -> None:
        self.ok, self.error = ok, error
        self.calls: list[tuple[Path, bool]] = []

    def __call__(self, specs: Path, prune: bool) -> tuple[bool, list[str]]:
        self.calls.append((specs, prune))
        if self.error:
            raise self.error
        return self.ok, ["update service ml-fraud-detector"] if self.ok else ["403 Forbidden"]


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def run_apply(
    monkeypatch: pytest.MonkeyPatch, pagerduty: FakePagerDuty, cli: FakePulumi, *args: str
) -> tuple[int, str, str]:
    seams = Seams(pagerduty=pagerduty, workspace=workspace_factory(cli), environ=lambda: ENV)
    monkeypatch.setattr(command, "apply", functools.partial(flow.apply, seams=seams))
    run = run_mlcp(["apply", *args])
    return run.code, run.stdout, run.stderr


def test_pagerduty_then_pulumi_each_reported(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    code, out, err = run_apply(monkeypatch, pagerduty, cli, "--prune")
    head = git(specs.parent, "rev-parse", "--short=12", "HEAD").strip()
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"git tree clean at {head}",
        "build is up to date",
        f"routing keys: {keys_of(specs.parent)} is writable",
        f"{head} is the tip of origin/main",
        "will update stack prod of "
        f"{specs.parent.resolve()}/infra on s3://acme-ml-pulumi-state?region=eu-west-1 "
        "(from mlcp.yaml)",
        "pagerduty: applying",
        "pagerduty: applied",
        "  update service ml-fraud-detector",
        "pulumi: applying",
        "    Updating (dev):",
        "pulumi: applied",
        "  stack prod: succeeded (12 create, 3 same)",
        "applied: pagerduty, pulumi",
    ]
    assert pagerduty.calls == [(Path("specs"), True)]
    assert ["up"] in [c[:1] for c in cli.commands()]


def test_a_pagerduty_failure_stops_pulumi(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = FakePulumi(stacks={"prod"})
    code, out, _ = run_apply(monkeypatch, FakePagerDuty(ok=False), cli)
    assert code == 1
    assert out.splitlines()[-5:] == [
        "pagerduty: failed",
        "  403 Forbidden",
        "pulumi: skipped",
        "  not run: an earlier step failed",
        "pagerduty failed; applied before it: nothing",
    ]
    assert "pulumi: applying" not in out
    assert not [c for c in cli.commands() if c[:1] == ["up"]]


def test_an_error_in_pagerduty_is_a_failed_step_not_a_traceback(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_apply(
        monkeypatch, FakePagerDuty(error=RuntimeError("PagerDuty answered 500")), FakePulumi()
    )
    assert (code, err) == (1, "")
    assert "pagerduty: failed\n  PagerDuty answered 500\npulumi: skipped" in out


def test_a_pulumi_failure_says_pagerduty_was_applied(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = FakePulumi(stacks={"prod"}, fail_up="error: update failed: AccessDenied on CreateBucket")
    code, out, _ = run_apply(monkeypatch, FakePagerDuty(), cli)
    assert code == 1
    assert out.splitlines()[-3:] == [
        "pulumi: failed",
        "  error: update failed: AccessDenied on CreateBucket",
        "pulumi failed; applied before it: pagerduty",
    ]


def test_a_dirty_tree_is_refused_before_any_step(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (specs / "draft.yaml").write_text("kind: Model\n")
    pagerduty, cli = FakePagerDuty(), FakePulumi()
    code, out, err = run_apply(monkeypatch, pagerduty, cli)
    assert (code, out) == (2, "")
    assert err.startswith("mlcp apply: the git tree has uncommitted changes (specs/draft.yaml)")
    assert pagerduty.calls == [] and cli.calls == []


def test_a_missing_secret_is_refused_before_any_step(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pagerduty = FakePagerDuty()
    seams = Seams(pagerduty=pagerduty, workspace=workspace_factory(FakePulumi()), environ=dict)
    monkeypatch.setattr(command, "apply", functools.partial(flow.apply, seams=seams))
    run = run_mlcp(["apply"])
    assert run.code == 2
    assert "PAGERDUTY_TOKEN (for mlcp:pagerdutyToken)" in run.stderr
    assert pagerduty.calls == []


def test_a_second_concurrent_apply_is_told_who_holds_the_lock(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = hold_in_another_process(specs.parent / ".git/mlcp-apply.lock")
    try:
        pagerduty, cli = FakePagerDuty(), FakePulumi()
        code, out, err = run_apply(monkeypatch, pagerduty, cli)
    finally:
        holder.communicate("\n")
    assert (code, out) == (2, "")
    assert err.startswith(
        f"mlcp apply: another mlcp apply is running in this checkout (pid {holder.pid} on "
    )
    assert pagerduty.calls == [] and cli.calls == []


def test_the_real_reconciler_without_a_token_fails_its_step_and_pulumi_never_runs(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAGERDUTY_TOKEN", raising=False)
    cli = FakePulumi()
    seams = Seams(workspace=workspace_factory(cli), environ=lambda: ENV)
    monkeypatch.setattr(command, "apply", functools.partial(flow.apply, seams=seams))
    run = run_mlcp(["apply"])
    assert run.code == 1
    assert "pagerduty: failed\n  PAGERDUTY_TOKEN is not set" in run.stdout
    assert "pulumi: skipped" in run.stdout and "applied before it: nothing" in run.stdout
    assert not any(call.args[:1] == ["up"] for call in cli.calls)


def test_no_argument_list_of_any_process_holds_the_secret(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every process started (git, the fake pulumi) and every argument list the Automation
    # API hands the Pulumi CLI: a secret there is readable by any user of the machine (ps).
    started: list[list[str]] = []

    class Recorded(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, args: list[str], *rest: object, **options: object) -> None:
            started.append([str(a) for a in args])
            super().__init__(args, *rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    cli = FakePulumi(stacks={"prod"})
    code, out, _ = run_apply(monkeypatch, FakePagerDuty(), cli)
    assert code == 0, out
    argv = [*started, *(c.args for c in cli.calls), *(e["argv"] for e in executable_calls(cli))]
    assert any(a[:1] == ["up"] for a in argv) and any("pulumi" in a[0] for a in started)
    assert [a for a in argv if any(ENV["PAGERDUTY_TOKEN"] in word for word in a)] == []
    assert [e["stdin"] for e in executable_calls(cli)] == [ENV["PAGERDUTY_TOKEN"]]


def test_a_routing_key_folder_apply_cannot_write_is_refused_before_any_step(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a CI runner that is not root, where /etc/... cannot be made: the PagerDuty step
    # would change services, fail on the key files, and Pulumi would be skipped.
    keys = keys_of(specs.parent)
    keys.parent.joinpath(keys.name).write_text("a file where the folder should be\n")
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    code, out, err = run_apply(monkeypatch, pagerduty, cli)
    assert (code, out) == (2, "")
    assert err == (
        f"mlcp apply: cannot write routing keys to {keys} (File exists): run mlcp apply where "
        "Alertmanager's routing key folder is mounted writable, or set "
        "pagerduty.routing_key_dir in mlcp.yaml to that folder\n"
    )
    assert pagerduty.calls == [] and cli.calls == []


def test_keys_in_secrets_manager_without_credentials_refuse_before_any_step(
    specs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As on a runner without the OIDC role: PagerDuty would change, then no key could be kept.
    use_secrets_manager(specs)
    no_credentials(monkeypatch, tmp_path)
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    code, out, err = run_apply(monkeypatch, pagerduty, cli)
    assert (code, out) == (2, "")
    assert err == (
        "mlcp apply: cannot keep routing keys in Secrets Manager (mlcp/routing-keys/* in eu-west-1): "
        "AWS credentials get_caller_identity: Unable to locate credentials\n"
    )
    assert pagerduty.calls == [] and cli.calls == []


def test_a_key_folder_on_a_github_hosted_runner_is_refused_before_any_step(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder is writable there, but the runner's disk goes with the job: Alertmanager
    # would never read those keys. GitHub sets RUNNER_ENVIRONMENT on its runners.
    hosted = {**ENV, "RUNNER_ENVIRONMENT": "github-hosted"}
    seams = Seams(
        pagerduty=(pagerduty := FakePagerDuty()),
        workspace=workspace_factory(cli := FakePulumi(stacks={"prod"})),
        environ=lambda: hosted,
    )
    monkeypatch.setattr(command, "apply", functools.partial(flow.apply, seams=seams))
    run = run_mlcp(["apply"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"mlcp apply: routing keys go to the folder {keys_of(specs.parent)} (store file), "
        "but this is a GitHub-hosted runner, whose disk is thrown away after the job: keep "
        "them in Secrets Manager (pagerduty.routing_keys in mlcp.yaml), or run on a "
        "self-hosted runner where Alertmanager's folder is mounted (MLCP_APPLY_RUNNER)\n"
    )
    assert pagerduty.calls == [] and cli.calls == []
    assert not keys_of(specs.parent).exists()


def test_keys_in_secrets_manager_apply_on_a_github_hosted_runner(
    specs: Path, monkeypatch: pytest.MonkeyPatch, fake_aws_credentials: None
) -> None:
    use_secrets_manager(specs)
    hosted = {**ENV, "RUNNER_ENVIRONMENT": "github-hosted"}
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    seams = Seams(pagerduty=pagerduty, workspace=workspace_factory(cli), environ=lambda: hosted)
    monkeypatch.setattr(command, "apply", functools.partial(flow.apply, seams=seams))
    with mock_aws():
        run = run_mlcp(["apply"])
    assert run.code == 0, run.stdout + run.stderr
    assert (
        "routing keys: Secrets Manager mlcp/routing-keys/* in eu-west-1, "
        "as arn:aws:sts::123456789012:user/moto"
    ) in run.stdout.splitlines()
    assert pagerduty.calls == [(Path("specs"), False)]
