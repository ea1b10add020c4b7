"""apply applies only the tip of the branch as the remote has it: an old commit (a re-run of
an old workflow, a detached checkout) is refused and changes nothing, unless an emergency
override says why, loudly, and the Pulumi update records it."""

from __future__ import annotations

from pathlib import Path

import git as gitpython
import pytest

from controlplane.apply.errors import ApplyRefused
from controlplane.apply.tip import TipPolicy, check_tip
from tests.apply.fakepulumi import FakePulumi
from tests.apply.project import git, make_project, remote_of
from tests.apply.test_flow import FakePagerDuty, run_apply


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def commit_and_push(root: Path, name: str) -> str:
    """A second commit on main that leaves the build current (a note beside the specs)."""
    (root / name).write_text("a note\n")
    git(root, "add", name)
    git(root, "commit", "--quiet", "--message", f"add {name}")
    git(root, "push", "--quiet", "origin", "main")
    return git(root, "rev-parse", "HEAD").strip()


def short(root: Path, rev: str) -> str:
    return git(root, "rev-parse", "--short=12", rev).strip()


def test_an_apply_on_an_older_commit_is_refused_and_changes_nothing(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = specs.parent
    commit_and_push(root, "NOTES.md")
    git(root, "checkout", "--quiet", "--detach", "HEAD~1")  # an old run's checkout
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    code, out, err = run_apply(monkeypatch, pagerduty, cli)
    assert (code, out) == (2, "")
    assert err == (
        f"mlcp apply: HEAD {short(root, 'HEAD')} is older than the tip of origin/main "
        f"({short(root, 'main')}): mlcp apply applies only the tip, so an old run cannot "
        "roll production back; in an emergency, --emergency-override REASON\n"
    )
    assert pagerduty.calls == [] and cli.calls == []


def test_the_tip_is_fetched_from_the_remote_not_read_from_a_stale_tracking_branch(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = specs.parent
    other = root.parent / "other-clone"  # a colleague merges; this checkout never fetched
    git(root.parent, "clone", "--quiet", str(remote_of(root)), str(other))
    newer = commit_and_push(other, "NOTES.md")
    with pytest.raises(ApplyRefused, match=rf"older than the tip of origin/main \({newer[:12]}\)"):
        check_tip(gitpython.Repo(root), TipPolicy())


def test_a_commit_not_pushed_yet_is_refused(specs: Path) -> None:
    root = specs.parent
    (root / "NOTES.md").write_text("a note\n")
    git(root, "add", "NOTES.md")
    git(root, "commit", "--quiet", "--message", "local only")
    with pytest.raises(ApplyRefused, match=r"is ahead of \(not pushed to\) the tip of origin/main"):
        check_tip(gitpython.Repo(root), TipPolicy())


def test_the_configured_branch_is_the_one_checked(specs: Path) -> None:
    root = specs.parent
    git(root, "push", "--quiet", "origin", "main:release")
    commit_and_push(root, "NOTES.md")  # main moves on; release stays at the first commit
    with pytest.raises(ApplyRefused, match=r"ahead of \(not pushed to\) the tip of origin/release"):
        check_tip(gitpython.Repo(root), TipPolicy(branch="release"))
    head = git(root, "rev-parse", "--short=12", "HEAD").strip()
    assert check_tip(gitpython.Repo(root), TipPolicy()).line == f"{head} is the tip of origin/main"


def test_an_unreachable_remote_is_refused(specs: Path) -> None:
    root = specs.parent
    remote_of(root).rename(root.parent / "gone.git")
    with pytest.raises(ApplyRefused) as caught:
        check_tip(gitpython.Repo(root), TipPolicy())
    assert str(caught.value) == (
        f"cannot fetch origin/main (fatal: '{remote_of(root)}' does not appear to be a git "
        "repository): mlcp apply applies only the tip of origin/main; in an emergency, "
        "--emergency-override REASON"
    )


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (TipPolicy(remote="--upload-pack=touch PWNED"), "remote '--upload-pack=touch PWNED' is"),
        (TipPolicy(branch="main:refs/heads/x"), "branch 'main:refs/heads/x' is not"),
        (TipPolicy(branch="../x"), "branch '../x' is not"),
        (TipPolicy(override="  "), "--emergency-override needs a reason"),
    ],
)
def test_names_git_would_read_as_options_and_an_empty_reason_are_refused(
    specs: Path, policy: TipPolicy, message: str
) -> None:
    with pytest.raises(ApplyRefused, match=message):
        check_tip(gitpython.Repo(specs.parent), policy)
    assert not list(specs.parent.parent.rglob("PWNED"))


def test_an_emergency_override_applies_an_old_commit_loudly_and_records_why(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = specs.parent
    commit_and_push(root, "NOTES.md")
    git(root, "checkout", "--quiet", "--detach", "HEAD~1")
    old, tip = short(root, "HEAD"), short(root, "main")
    pagerduty, cli = FakePagerDuty(), FakePulumi(stacks={"prod"})
    reason = "INC-42 roll back fraud-detector (alice)"
    code, out, _ = run_apply(monkeypatch, pagerduty, cli, "--emergency-override", reason)
    warning = (
        f"EMERGENCY OVERRIDE: applying {old}: HEAD is older than the tip of origin/main "
        f"({tip}); reason: {reason}"
    )
    assert code == 0
    assert f"WARNING: {warning}" in out.splitlines()
    up = next(c for c in cli.commands() if c[:1] == ["up"])
    assert up[up.index("--message") + 1] == f"mlcp apply at {old} ({warning})"
