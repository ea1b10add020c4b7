"""No control characters in what mlcp reads: file and folder names, keys, names, paths.

A line break or a tab in a folder name, an owner or a team is invisible in review
and is syntax to what mlcp writes them into: it ends a CODEOWNERS rule, a
Markdown table row, a shell word or a log line. So every string a spec or
mlcp.yaml holds, every key and the file's own path are refused (MLCP107) when
they hold a C0 or C1 control character, DEL, a Unicode line or paragraph
separator, or a bidirectional control (which reorders what a reviewer sees).
The one exception is prose: `metadata.description` may hold line breaks and
tabs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import Document, KeyPath
from controlplane.spec.parse import dotted

CODE = "MLCP107"
# The bidirectional marks, embeddings, overrides and isolates: they make text show in an
# order other than the one stored (Trojan Source, CVE-2021-42574).
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI}]")
# Prose a person may break into lines.
PROSE: dict[KeyPath, re.Pattern[str]] = {
    ("metadata", "description"): re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}]"),
}
HINT = "remove it: names and paths become shell words, CODEOWNERS rules and Markdown"


def visible(text: str) -> str:
    """The text with each control character spelled as an escape (`\\n`, `\\x1b`, `\\u2028`)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _named(char: str) -> str:
    return f"a control character (U+{ord(char):04X})"


def path_problem(path: str, shown: str) -> Diagnostic | None:
    """The spec's path holds a control character: located at the file, as far as it can be."""
    found = CONTROL.search(path)
    if found is None:
        return None
    message = f"the path {path!r} holds {_named(found.group())}"
    return Diagnostic(visible(shown), 1, 1, CODE, "error", message, f"rename the file: {HINT}")


def _strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str, bool]]:
    """Every key and string value below `path`: (its path, its text, is it a key)."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(key, str):
                yield (*path, key), key, True
            yield from _strings(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _strings(sub, (*path, index))
    elif isinstance(value, str):
        yield path, value, False


def control_characters(doc: Document) -> list[Diagnostic]:
    """One error for each key or string value of the document that holds a control character."""
    problems = []
    for path, text, is_key in _strings(doc.data, ()):
        found = (CONTROL if is_key else PROSE.get(path, CONTROL)).search(text)
        if found is None:
            continue
        at = doc.locate(path, key=is_key)
        where = (
            f"the key {text!r} in {dotted(path[:-1])}" if is_key else f"{dotted(path)}: {text!r}"
        )
        message = f"{where} holds {_named(found.group())}"
        problems.append(Diagnostic(at.file, at.line, at.col, CODE, "error", message, HINT))
    return problems
