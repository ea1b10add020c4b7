"""A git repository holding the example specs, some edited, to promote and roll back in."""

from __future__ import annotations

import difflib
import time
from pathlib import Path

import git

from controlplane.units import format_timestamp
from tests.memory import EXAMPLE_TEXTS, edited


def ago(seconds: float) -> str:
    """The moment ``seconds`` before now, as a spec writes it."""
    return format_timestamp(time.time() - seconds)


FRAUD_SINCE = 'since: "2026-11-28T09:30:00Z"'  # fraud-detector: shadow, 48h, at most 5%
RECO_SINCE = 'since: "2026-11-29T14:00:00Z"'  # recommender: canary-25, bake time 4h


def recommender_since(seconds: float) -> str:
    return edited("recommender.yaml", RECO_SINCE, f'since: "{ago(seconds)}"')


def fraud_since(seconds: float) -> str:
    return edited("fraud-detector.yaml", FRAUD_SINCE, f'since: "{ago(seconds)}"')


def spec_repo(root: Path, **texts: str) -> git.Repo:
    """The examples under root/specs, committed; ``texts`` replaces some (fraud_detector=...)."""
    specs = root / "specs"
    specs.mkdir(parents=True)
    replaced = {f"{key.replace('_', '-')}.yaml": text for key, text in texts.items()}
    for name, text in {**EXAMPLE_TEXTS, **replaced}.items():
        (specs / name).write_text(text, encoding="utf-8")
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Risk ML")
        config.set_value("user", "email", "risk-ml@example.com")
    repo.index.add([f"specs/{name}" for name in sorted(EXAMPLE_TEXTS)])
    repo.index.commit("The example specs")
    return repo


def committed_change(repo: git.Repo, path: str) -> list[str]:
    """The lines the last commit removed (-) and added (+) in ``path``."""
    head = repo.head.commit
    before = (head.parents[0].tree / path).data_stream.read().decode()
    after = (head.tree / path).data_stream.read().decode()
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")]


def changed_files(repo: git.Repo) -> list[str]:
    return sorted(str(d.a_path) for d in repo.head.commit.parents[0].diff(repo.head.commit))


def stamp_line(line: str) -> str:
    """A `since:` line with its moment replaced by a placeholder (the moment is now)."""
    head, _, _ = line.partition('since: "')
    return f'{head}since: "…"' if "since:" in line else line
