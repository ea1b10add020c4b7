"""Placeholders left in a spec: the `TODO`s a starter spec (`mlcp new`) asks a person to fill.

A placeholder is valid YAML of the right type, so nothing else notices it: `s3://TODO/…`
validates, builds and plans, and fails only when something reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import KeyPath
from controlplane.spec.parse import dotted
from controlplane.spec.rulebook import Context, rule

# TODO as a word of its own: "TODO one sentence", "s3://TODO/…", "todo_numeric_feature".
PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])todo(?![A-Za-z0-9])", re.IGNORECASE)


def placeholders(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value holding a TODO, with its path, in document order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from placeholders(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from placeholders(value, (*path, index))
    elif isinstance(data, str) and PLACEHOLDER.search(data):
        yield path, data


@rule("MLCP299", "a value is still a TODO placeholder (as `mlcp new` writes them)", "warning")
def _placeholder(ctx: Context) -> Iterator[Diagnostic]:
    for path, text in placeholders(ctx.doc.data):
        yield ctx.report(
            path,
            f"{dotted(path)} is a placeholder: {text!r}",
            "replace the TODO with the real value before review",
        )
