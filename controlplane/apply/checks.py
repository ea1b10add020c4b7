"""What must hold before `mlcp apply` changes anything: a clean tree at the tip of the
branch, an up-to-date build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from controlplane.apply.errors import ApplyRefused
from controlplane.apply.tip import TipPolicy, check_tip
from controlplane.model import Config
from controlplane.sources import display

if TYPE_CHECKING:
    import git

SHOWN_CHANGES = 10  # a refusal lists this many paths, then how many more
# Set by GitHub Actions on every runner: github-hosted or self-hosted.
RUNNER_VARIABLE, GITHUB_HOSTED = "RUNNER_ENVIRONMENT", "github-hosted"


@dataclass(frozen=True)
class Checked:
    specs: Path
    root: Path  # the project root (infra/ and build/ sit here)
    commit: str  # the commit applied, abbreviated
    config: Config
    lines: tuple[str, ...]  # what the checks found, for the report
    override: str | None = None  # the emergency override's warning, recorded with the update


def open_repository(specs: Path) -> git.Repo:
    """The git repository holding the specs; refused when there is none."""
    import git  # gitpython loads only for commands that need it

    try:
        return git.Repo(specs, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ApplyRefused(
            f"{display(specs)} is not in a git checkout: mlcp apply applies committed specs"
        ) from None


def check_ready(
    specs: Path, tip: TipPolicy | None = None, environ: Mapping[str, str] | None = None
) -> Checked:
    """Refuse (ApplyRefused) unless the tree is committed, HEAD is the tip of the branch
    (`tip`, origin/main unless told), the build is current and the routing keys can be
    kept where Alertmanager reads them (`environ` says where apply runs)."""
    repo = open_repository(specs)
    commit = _commit(repo)
    dirty = repo.git.status("--porcelain", "--untracked-files=all").splitlines()
    if dirty:
        shown = [line[3:] for line in dirty[:SHOWN_CHANGES]]
        more = f" and {len(dirty) - SHOWN_CHANGES} more" if len(dirty) > SHOWN_CHANGES else ""
        raise ApplyRefused(
            f"the git tree has uncommitted changes ({', '.join(shown)}{more}): "
            "mlcp apply applies only what is committed; commit or stash them"
        )
    config, root, build_line = _check_build(specs)
    keys_line = check_key_store(config, environ or {})
    at_tip = check_tip(repo, tip or TipPolicy())  # last: the one check that needs the network
    lines = (f"git tree clean at {commit}", build_line, keys_line, at_tip.line)
    return Checked(specs, root, commit, config, lines, at_tip.override)


def check_key_store(config: Config, environ: Mapping[str, str]) -> str:
    """Refuse unless the PagerDuty step can keep the routing keys where Alertmanager reads
    them (a writable folder, or Secrets Manager reachable under its prefix): otherwise it
    would fail half-way, after changing PagerDuty, and skip Pulumi. A folder on a runner
    GitHub throws away after the job is refused too: Alertmanager would never read it."""
    from controlplane.oncall.keystore import KeyStoreError, open_store

    hosted = environ.get(RUNNER_VARIABLE) == GITHUB_HOSTED
    if config.routing_key_store.kind == "file" and hosted:
        raise ApplyRefused(
            f"routing keys go to the folder {config.pagerduty_routing_key_dir} (store file), "
            "but this is a GitHub-hosted runner, whose disk is thrown away after the job: "
            "keep them in Secrets Manager (pagerduty.routing_keys in mlcp.yaml), or run on a "
            "self-hosted runner where Alertmanager's folder is mounted (MLCP_APPLY_RUNNER)"
        )
    try:
        return open_store(config).check()
    except KeyStoreError as error:
        raise ApplyRefused(str(error)) from None


def _commit(repo: git.Repo) -> str:
    try:
        return repo.head.commit.hexsha[:12]
    except ValueError:  # a repository with no commit yet
        raise ApplyRefused("the git repository has no commit yet: nothing to apply") from None


def _check_build(specs: Path) -> tuple[Config, Path, str]:
    """`mlcp build --check`, the same function: errors or a stale file refuse the apply."""
    from controlplane.build import build
    from controlplane.report import build_summary, plural, stale_files

    result = build([specs], None, check=True)
    compilation = result.compilation
    if not compilation.ok or result.writes is None or compilation.root is None:
        errors = sum(d.is_error for d in compilation.diagnostics)
        raise ApplyRefused(
            f"the specs do not compile ({plural(errors, 'error')}): run `mlcp validate` and fix them"
        )
    _, stale = build_summary(result, check=True)
    if stale:
        found = stale_files(result)
        more = f" and {len(found) - SHOWN_CHANGES} more" if len(found) > SHOWN_CHANGES else ""
        details = "; ".join(found[:SHOWN_CHANGES]) + more
        raise ApplyRefused(
            f"{result.out.as_posix()} is out of date ({details}): "
            "run `mlcp build` and commit the result"
        )
    return compilation.config, compilation.root, f"{result.out.as_posix()} is up to date"
