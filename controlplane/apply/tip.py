"""`mlcp apply` applies the tip of its branch, as the remote has it, and nothing older.

Re-running an old apply (a re-run of last week's workflow, a checkout of an older
commit) would roll production back to what that commit says. As Atlantis refuses
to apply a plan that has diverged from its base, apply fetches the branch and
refuses unless HEAD is exactly its tip. For an emergency (the remote is down, or
production must go back to a known commit now), `--emergency-override REASON`
applies HEAD anyway: the reason is printed as a warning and recorded in the
Pulumi update's message, so the stack's history says who overrode what and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from controlplane.apply.errors import ApplyRefused

if TYPE_CHECKING:
    import git

OVERRIDE_OPTION = "--emergency-override"
# A remote or branch name git reads as a name, never as an option or a refspec.
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


@dataclass(frozen=True)
class TipPolicy:
    """Which branch apply must be at the tip of, and an emergency's reason to skip that."""

    remote: str = "origin"
    branch: str = "main"
    override: str | None = None  # the reason, when an emergency applies another commit

    @property
    def ref(self) -> str:
        return f"{self.remote}/{self.branch}"


@dataclass(frozen=True)
class TipCheck:
    line: str  # for the report
    override: str | None = None  # the warning to record, when HEAD is applied on override


def check_tip(repo: git.Repo, policy: TipPolicy) -> TipCheck:
    """Fetch the branch; refuse (ApplyRefused) unless HEAD is its tip or an override is given."""
    import git

    for what, name in (("remote", policy.remote), ("branch", policy.branch)):
        if not _NAME.fullmatch(name) or ".." in name:
            raise ApplyRefused(f"{what} {name!r} is not a git {what} name")
    if policy.override is not None and not policy.override.strip():
        raise ApplyRefused(f"{OVERRIDE_OPTION} needs a reason (who, and why)")
    head = repo.head.commit.hexsha
    try:
        tip = _fetch_tip(repo, policy)
    except git.GitCommandError as error:
        reason = _git_reason(error.stderr) or f"git fetch exited {error.status}"
        if policy.override is None:
            raise ApplyRefused(
                f"cannot fetch {policy.ref} ({reason}): mlcp apply applies only the tip of "
                f"{policy.ref}; in an emergency, {OVERRIDE_OPTION} REASON"
            ) from None
        return _overridden(head, policy, f"{policy.ref} could not be fetched ({reason})")
    if head == tip:
        return TipCheck(f"{head[:12]} is the tip of {policy.ref}")
    relation = _relation(repo, head, tip)
    if policy.override is None:
        raise ApplyRefused(
            f"HEAD {head[:12]} is {relation} the tip of {policy.ref} ({tip[:12]}): mlcp apply "
            "applies only the tip, so an old run cannot roll production back; "
            f"in an emergency, {OVERRIDE_OPTION} REASON"
        )
    return _overridden(head, policy, f"HEAD is {relation} the tip of {policy.ref} ({tip[:12]})")


def _relation(repo: git.Repo, head: str, tip: str) -> str:
    head_commit, tip_commit = repo.commit(head), repo.commit(tip)
    if repo.is_ancestor(head_commit, tip_commit):
        return "older than"
    if repo.is_ancestor(tip_commit, head_commit):
        return "ahead of (not pushed to)"
    return "not on (diverged from)"


def _fetch_tip(repo: git.Repo, policy: TipPolicy) -> str:
    tracking = f"refs/remotes/{policy.remote}/{policy.branch}"
    refspec = f"+refs/heads/{policy.branch}:{tracking}"
    repo.git.fetch("--no-tags", "--quiet", "--", policy.remote, refspec)
    return repo.rev_parse(tracking).hexsha


def _overridden(head: str, policy: TipPolicy, why: str) -> TipCheck:
    assert policy.override is not None
    warning = f"EMERGENCY OVERRIDE: applying {head[:12]}: {why}; reason: {policy.override.strip()}"
    return TipCheck(f"WARNING: {warning}", warning)


def _git_reason(text: str | None) -> str:
    """git's first `fatal:` or `error:` line, which says what went wrong."""
    for line in (text or "").splitlines():
        line = line.strip().removeprefix("stderr: ").strip("'")
        if line.startswith(("fatal: ", "error: ")):
            return line
    return ""
