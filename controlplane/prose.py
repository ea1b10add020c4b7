"""Jinja2 for text meant for people: runbooks, postmortems, the pull-request comment.

Machine formats are built as data and serialized; only prose goes through a
template. Markdown is not HTML, so autoescape stays off: each caller escapes
for Markdown instead (a `finalize` hook or its filters).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def markdown_environment(finalize: Callable[[object], object] | None = None) -> jinja2.Environment:
    """Templates under `templates/`, strict about undefined names, blocks trimmed."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML: the caller escapes for Markdown
        finalize=finalize,
    )
