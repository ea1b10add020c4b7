"""plan-comment.yml's script, run by node as actions/github-script runs it, against a
stand-in GitHub API: the artifact it reads was written by a pull request's code, so a
malformed pull request number, a plan for another commit, an oversized body or a symlink
posts nothing or something bounded, and the comment carries exactly one marker."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, require_tool

MARKER = "<!-- mlcp-plan -->"
HEAD = "a" * 40
RUN = {"head_sha": HEAD, "html_url": "https://github.com/acme/models/actions/runs/9"}

# github-script runs the script as the body of an async function of these arguments.
HARNESS = """
const fs = require('fs');
const [input, script] = process.argv.slice(2).map((p) => fs.readFileSync(p, 'utf8'));
const { pull, comments, run } = JSON.parse(input);
const calls = [];
const record = (name) => async (args) => { calls.push([name, args]); return { data: pull }; };
const github = {
  rest: {
    pulls: { get: record('pulls.get') },
    issues: {
      listComments: 'listComments',
      createComment: record('createComment'),
      updateComment: record('updateComment'),
    },
  },
  paginate: async (method, args) => { calls.push(['paginate', args]); return comments; },
};
const context = { repo: { owner: 'acme', repo: 'models' }, payload: { workflow_run: run } };
const core = {
  failed: null, notices: [],
  setFailed(message) { this.failed = message; },
  notice(message) { this.notices.push(message); },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core)
  .then(() => ({ calls, failed: core.failed, notices: core.notices }),
        (error) => ({ calls, error: error.message }))
  .then((result) => process.stdout.write(JSON.stringify(result)));
"""


def comment_script() -> str:
    data = yaml.safe_load((ROOT / ".github/workflows/plan-comment.yml").read_text())
    step = next(s for s in data["jobs"]["comment"]["steps"] if "github-script" in s["uses"])
    assert step["env"] == {"PLAN_DIR": "${{ runner.temp }}/mlcp-plan"}
    script: str = step["with"]["script"]
    return script


def run_script(
    tmp_path: Path,
    artifact: dict[str, str | Path],
    pull_head: str = HEAD,
    comments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    plan_dir = tmp_path / "mlcp-plan"
    plan_dir.mkdir()
    for name, content in artifact.items():
        if isinstance(content, Path):  # the artifact holds a link to this file
            (plan_dir / name).symlink_to(content)
        else:
            (plan_dir / name).write_text(content, encoding="utf-8")
    state = {"pull": {"head": {"sha": pull_head}}, "comments": comments or [], "run": RUN}
    (tmp_path / "input.json").write_text(json.dumps(state))
    (tmp_path / "script.js").write_text(comment_script())
    (tmp_path / "harness.js").write_text(HARNESS)
    done = subprocess.run(
        [require_tool("node"), "harness.js", "input.json", "script.js"],
        cwd=tmp_path,
        env={"PLAN_DIR": str(plan_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def posted(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(n, a) for n, a in result["calls"] if n in ("createComment", "updateComment")]


def test_a_plan_becomes_one_comment_with_exactly_one_marker(tmp_path: Path) -> None:
    plan = f"{MARKER}\n## mlcp plan\n\nfake {MARKER} in a description\n"
    result = run_script(tmp_path, {"pr-number": "7\n", "plan.md": plan})
    assert result["failed"] is None
    assert result["calls"][0] == [
        "pulls.get",
        {"owner": "acme", "repo": "models", "pull_number": 7},
    ]
    [(kind, args)] = posted(result)
    assert (kind, args["issue_number"]) == ("createComment", 7)
    assert args["body"].startswith(MARKER + "\n")
    assert args["body"].count(MARKER) == 1
    assert "## mlcp plan" in args["body"] and "fake  in a description" in args["body"]


def test_a_later_push_updates_the_bots_comment_and_no_one_elses(tmp_path: Path) -> None:
    comments = [
        {"id": 1, "user": {"login": "mallory", "type": "User"}, "body": f"{MARKER}\nfake"},
        {
            "id": 2,
            "user": {"login": "github-actions[bot]", "type": "Bot"},
            "body": f"{MARKER}\nold",
        },
    ]
    result = run_script(tmp_path, {"pr-number": "7", "plan.md": "new plan"}, comments=comments)
    [(kind, args)] = posted(result)
    assert (kind, args["comment_id"], args["body"]) == ("updateComment", 2, f"{MARKER}\nnew plan")


@pytest.mark.parametrize(
    "number", ["7; rm -rf /", "-7", "0", "007", "1e3", "7.0", "", "12345678901", " 7 7", "\u0667"]
)
def test_a_pull_request_number_that_is_not_a_plain_integer_posts_nothing(
    tmp_path: Path, number: str
) -> None:
    result = run_script(tmp_path, {"pr-number": number, "plan.md": "plan"})
    assert result["failed"] == (
        "the artifact does not name a pull request (pr-number is not a positive integer)"
    )
    assert result["calls"] == []


def test_a_plan_for_another_commit_than_the_pull_requests_head_posts_nothing(
    tmp_path: Path,
) -> None:
    # A fork's run can write any number into its artifact: it may only comment on the
    # pull request whose head is the commit it ran on.
    result = run_script(tmp_path, {"pr-number": "8", "plan.md": "plan"}, pull_head="b" * 40)
    assert posted(result) == [] and result["failed"] is None
    assert result["notices"] == [
        f"#8 is at {'b' * 40}, not {HEAD} where this plan ran: a newer plan will comment"
    ]


def test_an_oversized_plan_is_replaced_by_a_pointer_to_the_run(tmp_path: Path) -> None:
    result = run_script(tmp_path, {"pr-number": "7", "plan.md": "x" * 60_001})
    [(_, args)] = posted(result)
    assert args["body"] == (
        f"{MARKER}\nThe plan is too large for a comment (60001 bytes): read it in the "
        f"summary of {RUN['html_url']}"
    )


def test_a_plan_at_the_limit_is_posted_whole(tmp_path: Path) -> None:
    result = run_script(tmp_path, {"pr-number": "7", "plan.md": "x" * 60_000})
    [(_, args)] = posted(result)
    assert args["body"] == f"{MARKER}\n" + "x" * 60_000


def test_a_symlink_in_the_artifact_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("runner secret")
    result = run_script(tmp_path, {"pr-number": "7", "plan.md": secret})
    assert (tmp_path / "mlcp-plan/plan.md").is_symlink()
    assert result["error"] == "the artifact has no regular file plan.md"
    assert posted(result) == []
