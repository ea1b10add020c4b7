"""Golden files: compare generated text with what is stored, or rewrite it under
`pytest --update-golden` (then review the diff)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

HINT = "run pytest --update-golden and review the diff"


def match_file(golden: Path, content: str, update: bool) -> None:
    """`content` equals the golden file at `golden`."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(content, encoding="utf-8")
    assert content == golden.read_text(encoding="utf-8"), f"{golden.name} differs: {HINT}"


def match_tree(folder: Path, files: Mapping[str, str], update: bool) -> None:
    """`files` (relative path -> text) are exactly the golden files under `folder`."""
    if update:
        for old in folder.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, content in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(content, encoding="utf-8")
    stored = {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }
    assert sorted(stored) == sorted(files), HINT
    for path, content in files.items():
        assert content == stored[path], f"{path} differs from its golden file: {HINT}"
