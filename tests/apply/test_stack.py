"""The Pulumi step up to the CLI: what stack, which backend, what config, which secrets,
and the exact Pulumi CLI calls the real Automation API makes for them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from controlplane.apply import stack as pulumi_stack
from controlplane.apply.errors import ApplyRefused
from controlplane.apply.stack import StackRequest, stack_request
from controlplane.compile import compile_sources
from controlplane.model import Config, PulumiSettings
from tests.apply.fakepulumi import FakePulumi, executable_calls, workspace_factory
from tests.apply.project import PULUMI_YAML
from tests.memory import example_sources

ENV = {"PAGERDUTY_TOKEN": "pd-token-123"}


@pytest.fixture
def config() -> Config:
    return compile_sources(*example_sources()).config


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/Pulumi.yaml").write_text(PULUMI_YAML)
    return tmp_path


def test_the_request_reads_mlcp_yaml_as_the_example_writes_it(config: Config, root: Path) -> None:
    request = stack_request(config, root, None, ENV)
    assert request == StackRequest(
        work_dir=root / "infra",
        stack="prod",
        backend="s3://acme-ml-pulumi-state?region=eu-west-1",
        backend_from="mlcp.yaml",
        secrets_provider="awskms://alias/mlcp-pulumi?region=eu-west-1",
        config={"aws:region": "eu-west-1", "mlcp:specs": "../specs"},
        secrets={"mlcp:pagerdutyToken": "pd-token-123"},
    )


def test_the_program_compiles_the_specs_folder_apply_checked(config: Config, root: Path) -> None:
    request = stack_request(config, root, None, ENV, root / "teams/risk/specs")
    assert request.config["mlcp:specs"] == "../teams/risk/specs"  # relative to infra/


def test_stack_option_wins_and_the_environment_gives_a_backend_mlcp_yaml_lacks(
    config: Config, root: Path
) -> None:
    bare = replace(config, pulumi=PulumiSettings())
    env = {"PULUMI_BACKEND_URL": "file:///srv/state"}
    request = stack_request(bare, root, "staging", env)
    assert (request.stack, request.backend, request.backend_from) == (
        "staging",
        "file:///srv/state",
        "PULUMI_BACKEND_URL",
    )
    assert request.secrets == {} and request.secrets_provider is None


@pytest.mark.parametrize(
    ("settings", "stack", "env", "message"),
    [
        (PulumiSettings(backend="file:///s"), None, {}, "pass --stack NAME or set pulumi.stack"),
        (PulumiSettings(stack="dev"), None, {}, "set pulumi.backend in mlcp.yaml or PULUMI_"),
        (
            PulumiSettings("file:///s", "dev", None, (("mlcp:token", "PD_TOKEN"),)),
            None,
            {},
            r"not set: PD_TOKEN \(for mlcp:token\)",
        ),
    ],
)
def test_what_is_missing_is_refused_before_anything_runs(
    config: Config,
    root: Path,
    settings: PulumiSettings,
    stack: str | None,
    env: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(ApplyRefused, match=message):
        stack_request(replace(config, pulumi=settings), root, stack, env)


def test_a_project_without_infra_is_refused(config: Config, tmp_path: Path) -> None:
    with pytest.raises(ApplyRefused, match=r"infra/Pulumi.yaml not found"):
        stack_request(config, tmp_path, None, ENV)


def test_a_new_stack_is_created_with_its_secrets_provider_configured_and_updated(
    config: Config, root: Path
) -> None:
    cli = FakePulumi()
    request = stack_request(config, root, None, ENV)
    workspace = pulumi_stack.open_workspace(request, workspace_factory(cli))
    selected = pulumi_stack.select_stack(request, workspace)
    streamed: list[str] = []
    lines = pulumi_stack.up(selected, "mlcp apply at abc123", streamed.append)
    assert cli.commands()[:5] == [
        ["stack", "select", "--stack", "prod"],
        [
            "stack",
            "init",
            "prod",
            "--secrets-provider",
            "awskms://alias/mlcp-pulumi?region=eu-west-1",
        ],
        [
            "config",
            "set-all",
            "--stack",
            "prod",
            "--plaintext",
            "aws:region=eu-west-1",
            "--plaintext",
            "mlcp:specs=../specs",
        ],
        [
            "up",
            "--yes",
            "--skip-preview",
            "--message",
            "mlcp apply at abc123",
            "--color",
            "never",
            "--exec-kind",
            "auto.local",
            "--stack",
            "prod",
        ],
        ["stack", "output", "--json", "--stack", "prod"],
    ]
    assert {c.cwd for c in cli.calls} == {str(root / "infra")}
    backends = {c.env.get("PULUMI_BACKEND_URL") for c in cli.calls}
    assert backends == {"s3://acme-ml-pulumi-state?region=eu-west-1"}
    assert streamed == ["    Updating (dev):"]
    assert lines == ["stack prod: succeeded (12 create, 3 same)"]
    assert executable_calls(cli) == [  # the secret, on standard input
        {
            "argv": [
                *("config", "set", "mlcp:pagerdutyToken", "--secret"),
                *("--stack", "prod", "--non-interactive"),
            ],
            "stdin": "pd-token-123",
            "cwd": str(root / "infra"),
            "backend": "s3://acme-ml-pulumi-state?region=eu-west-1",
        }
    ]


def test_an_existing_stack_is_selected_not_created(config: Config, root: Path) -> None:
    cli = FakePulumi(stacks={"prod"})
    request = stack_request(config, root, None, ENV)
    pulumi_stack.select_stack(request, pulumi_stack.open_workspace(request, workspace_factory(cli)))
    assert [c[:2] for c in cli.commands()] == [["stack", "select"], ["config", "set-all"]]


def test_a_secret_pulumi_refuses_fails_with_the_clis_words_and_not_the_value(
    config: Config, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_EXIT", "255")
    monkeypatch.setenv("FAKE_PULUMI_ERROR", "passphrase must be set with PULUMI_CONFIG_PASSPHRASE")
    cli = FakePulumi(stacks={"prod"})
    request = stack_request(config, root, None, ENV)
    workspace = pulumi_stack.open_workspace(request, workspace_factory(cli))
    with pytest.raises(pulumi_stack.SecretNotSet) as caught:
        pulumi_stack.select_stack(request, workspace)
    assert str(caught.value) == (
        "pulumi config set mlcp:pagerdutyToken --secret failed: "
        "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE"
    )


def test_a_secret_key_that_reads_as_an_option_is_refused(config: Config, root: Path) -> None:
    settings = PulumiSettings("file:///s", "dev", None, (("--plaintext", "PD_TOKEN"),))
    with pytest.raises(ApplyRefused, match="key '--plaintext' starts with '-'"):
        stack_request(replace(config, pulumi=settings), root, None, {"PD_TOKEN": "x"})
