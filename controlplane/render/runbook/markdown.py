"""Free text made inert inside Markdown: what a spec says can never change a runbook's shape.

A description, a team or an escalation policy is whatever a person typed. Put
in Markdown as it is, a newline ends a table row, `|` adds a cell, `#` at a
line start makes a heading, `<!--` hides the rest of the page and three
backticks close a code block. Every value a template prints goes through
`text` unless a filter here already made it safe (`code`, `fenced`), so
escaping is the default, not something a template must remember.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# ASCII punctuation that starts or ends an inline construct (emphasis, links, code,
# raw HTML, entities, strikethrough, math) or splits a table cell. CommonMark lets
# any ASCII punctuation be escaped with a backslash.
_INLINE = re.compile(r"([\\`*_\[\]<>|#~&$!])")
# Characters that make a block when they open a line: lists, quotes, setext
# underlines, thematic breaks.
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)](\s|$)))")
_SPACE = re.compile(r"\s+")


def one_line(value: object) -> str:
    """The value on one line: line breaks and runs of spaces become one space."""
    return _SPACE.sub(" ", str(value))


def text(value: object) -> Markup:
    """Plain text, safe anywhere inline: in a paragraph, a list item, a heading or a cell."""
    if isinstance(value, Markup):
        return value
    escaped = _INLINE.sub(r"\\\1", one_line(value))
    body = escaped.lstrip(" ")
    lead = escaped[: len(escaped) - len(body)]
    match = _LINE_START.match(body)
    if match is None:
        return Markup(escaped)
    end = match.end()
    if match.group(1)[0].isdigit():  # `1.` opens a list: escape the dot
        return Markup(lead + body[:end] + "\\" + body[end:])
    return Markup(lead + "\\" + body)


def fence_for(value: str, least: int) -> str:
    """Backticks enough to open and close a span or fence around `value` (at least `least`)."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    return "`" * max(least, longest + 1)


def code(value: object) -> Markup:
    """An inline code span that holds the value whatever backticks it contains."""
    shown = one_line(value).strip()
    fence = fence_for(shown, 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return Markup(f"{fence}{pad}{shown}{pad}{fence}")


def cell_code(value: object) -> Markup:
    """A code span inside a table cell: GitHub splits cells on `|` even inside code."""
    return Markup(str(code(value)).replace("|", "\\|"))


def fenced(value: object, info: str = "") -> Markup:
    """A fenced code block longer than any backtick run inside it, so nothing closes it early."""
    body = str(value).replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    fence = fence_for(body, 3)
    return Markup(f"{fence}{info}\n{body}\n{fence}")


def comment(value: object) -> Markup:
    """Text inside an HTML comment: `--` could end it early."""
    return Markup(re.sub(r"-(?=-)", "- ", one_line(value).strip()))


def finalize(value: object) -> object:
    """Jinja's `finalize`: whatever a template prints is escaped unless already made safe."""
    if value is None:
        return ""
    return text(value)
