"""Diagnostics: every problem as a located record, and its three output formats."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
FORMATS = ("text", "json", "github")


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Unique diagnostics ordered by file, line, column, then code."""
    return sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.col, d.code, d.message))


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`--strict`: every warning becomes an error."""
    return [
        Diagnostic(d.file, d.line, d.col, d.code, "error", d.message, d.hint) for d in diagnostics
    ]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{d.file}:{d.line}:{d.col}: {d.severity} {d.code}: {d.message}")
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    return "\n".join(lines)


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    records = [
        {
            "file": d.file,
            "line": d.line,
            "col": d.col,
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
        }
        for d in diagnostics
    ]
    return json.dumps(records, indent=2, ensure_ascii=False)


def _escape_github(value: str, *, property_value: bool) -> str:
    # The workflow-command escaping rules: %, CR and LF always; ':' and ',' in properties.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        props = ",".join(
            [
                f"file={_escape_github(d.file, property_value=True)}",
                f"line={d.line}",
                f"col={d.col}",
                f"title={d.code}",
            ]
        )
        text = f"{d.code}: {d.message}" + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{level} {props}::{_escape_github(text, property_value=False)}")
    return "\n".join(lines)


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return format_json(diagnostics)
    if fmt == "github":
        return format_github(diagnostics)
    return format_text(diagnostics)
