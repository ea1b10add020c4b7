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
