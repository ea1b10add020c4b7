"""The README's table of diagnostic codes is the code's own list, no more, no less."""

from __future__ import annotations

import re

from controlplane.spec.codes import all_codes
from tests.conftest import ROOT


def test_readme_lists_every_code_once() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (MLCP\d{3}) \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == sorted(all_codes())
    assert len(listed) == len(set(listed))


def test_readme_marks_warnings() -> None:
    from controlplane.spec.check import RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        row = re.search(rf"^\| {rule.code} \| (.*) \|$", readme, flags=re.MULTILINE)
        assert row is not None, rule.code
        assert row.group(1).startswith("warning:") == (rule.severity == "warning"), rule.code


# Paths the README names that exist only after a build, or outside the repository.
GENERATED_OR_EXTERNAL = ("build/", "/", ".venv/")


def test_readme_points_only_at_files_the_repository_has() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(([^)#]+)\)", readme)
    quoted = re.findall(r"`([A-Za-z0-9_.][A-Za-z0-9_./-]*/[A-Za-z0-9_./-]*)`", readme)
    named = [
        p for p in [*linked, *quoted] if "://" not in p and not p.startswith(GENERATED_OR_EXTERNAL)
    ]
    repo_paths = [p for p in named if (ROOT / p.split("/")[0]).exists() or "." in p.split("/")[-1]]
    missing = sorted({p for p in repo_paths if not (ROOT / p).exists()})
    assert missing == []
