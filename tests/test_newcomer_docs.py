"""ARCHITECTURE.md and CONTRIBUTING.md point at real modules: every path they name exists,
and every name they say a module defines is defined there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = ("ARCHITECTURE.md", "CONTRIBUTING.md")
CODE_SPAN = re.compile(r"`([^`\s]+)`")
# A module path in a code span: `controlplane/...`, `tests/...`, or one inside controlplane.
PATH = re.compile(r"^(controlplane/|tests/|spec/|\.importlinter$)|\.py$")
# "`controlplane/x.py` (`NAME`)" or "`NAME` in `controlplane/x.py`": a name a module defines.
NAMED = re.compile(
    r"`(controlplane/[\w/]+\.py)`\s*\(`(\w+)`(?: or `(\w+)`)?\)"
    r"|`(\w+)`\s+in\s+`(controlplane/[\w/]+\.py)`"
)


def named_paths(text: str) -> list[str]:
    return [span for span in CODE_SPAN.findall(text) if PATH.search(span)]


def exists(path: str) -> bool:
    """A path as the docs write it: from the repository root, or from `controlplane/`;
    `<kind>` or `*` stands for any name."""
    path = re.sub(r"<[^>]*>", "*", path)
    found = [*ROOT.glob(path), *(ROOT / "controlplane").glob(path)]
    return any(p.exists() for p in found)


def defined_names(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_the_doc_names_exists(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    paths = named_paths(text)
    assert len(paths) > 10, "the doc names few modules: has the pattern stopped matching?"
    assert [p for p in paths if not exists(p)] == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_name_the_doc_places_in_a_module_is_defined_there(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8").replace("\n", " ")
    missing = []
    for first_path, name, other, name_before, second_path in NAMED.findall(text):
        path = first_path or second_path
        for wanted in filter(None, (name, other, name_before)):
            if wanted not in defined_names(ROOT / path):
                missing.append(f"{wanted} in {path}")
    assert missing == []


def test_a_missing_path_or_name_is_caught() -> None:
    text = "See `controlplane/nowhere.py` and `controlplane/domain.py` (`NO_SUCH_NAME`)."
    assert [p for p in named_paths(text) if not exists(p)] == ["controlplane/nowhere.py"]
    ((path, name, *_),) = NAMED.findall(text)
    assert path == "controlplane/domain.py" and name not in defined_names(ROOT / path)
