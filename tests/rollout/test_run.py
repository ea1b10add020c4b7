"""A promotion or rollback edits the spec file itself, never a file a link points at."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from tests.memory import EXAMPLE_TEXTS
from tests.rollout.gitrepo import spec_repo
from tests.spec.clirun import run_mlcp


def linked_recommender(root: Path) -> tuple[git.Repo, Path]:
    """The examples, with specs/recommender.yaml a committed link to another team's file."""
    repo = spec_repo(root)
    other = root / "team-b/recommender.yaml"
    other.parent.mkdir()
    other.write_text(EXAMPLE_TEXTS["recommender.yaml"], encoding="utf-8")
    (root / "specs/recommender.yaml").unlink()
    (root / "specs/recommender.yaml").symlink_to("../team-b/recommender.yaml")
    repo.git.add("specs/recommender.yaml", "team-b/recommender.yaml")
    repo.index.commit("The recommender spec lives with team B")
    return repo, other


@pytest.mark.parametrize("command", ["promote", "rollback"])
def test_a_spec_that_is_a_link_is_not_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    repo, other = linked_recommender(tmp_path)
    monkeypatch.chdir(tmp_path)  # diagnostics then name the spec as it resolves
    head = repo.head.commit.hexsha
    run = run_mlcp([command, "recommender", "--specs", "specs"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"mlcp {command}: refusing to edit specs/recommender.yaml:"
        " specs/recommender.yaml is a symbolic link\n"
    )
    assert other.read_text(encoding="utf-8") == EXAMPLE_TEXTS["recommender.yaml"]
    assert (repo.active_branch.name, repo.head.commit.hexsha) == ("main", head)
    assert [h.name for h in repo.heads] == ["main"]
