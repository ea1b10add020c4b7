"""Markdown for the reference: code spans that hold any text, table cells that stay cells."""

from __future__ import annotations

import re


def code(text: str) -> str:
    """A code span around any text: fenced by one backtick more than its longest run."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """Text inside a table cell: one line, its pipes escaped (GitHub escapes them in spans too)."""
    return " ".join(text.split()).replace("|", "\\|")
