"""Spec text made inert in the pull-request comment: it shows as text or code, nothing more.

GitHub renders the comment as Markdown with HTML, tables, autolinks, mentions
and issue references, so what a spec says (a team, a description, an
escalation policy, a folder name) could add a heading, a link, a tracking
image, a second plan marker, or ping a team. Every value a template prints
goes through `finalize` (plain text) unless a filter here already made it
safe:

- text: Markdown punctuation backslash-escaped (so `<`, `&`, `|`, `*`, `[`, a
  line-start `#` are characters, see `controlplane.render.runbook.markdown`),
  on one line;
- code: a code span or fence longer than any backtick run inside;
- html: for the few places inside an HTML block (`<summary>`), where Markdown
  escapes do not apply: `<>&"'` as entities.

What GitHub links or notifies from plain text is broken by a word joiner
(U+2060, invisible): `@team` (a mention, or an e-mail address), `://` and
`www.` (autolinks), `#12` and `GH-12` (issue references). Code is never
linked or notified, but a code span could still spell the comment's hidden
marker, which CI uses to find the comment: it is broken the same way.
"""

from __future__ import annotations

import html as html_lib
import re

from markupsafe import Markup

from controlplane.render.runbook import markdown

MARKER = "<!-- mlcp-plan -->"
JOINER = "\u2060"  # WORD JOINER: invisible, not a word character, not part of a domain
_LINKS = [
    (re.compile(r"@"), f"{JOINER}@{JOINER}"),  # @team pings; x@y.z is an e-mail link
    (re.compile(r"://"), f":{JOINER}//"),
    (re.compile(r"(?i)\b(www)\."), rf"\1{JOINER}."),
    (re.compile(r"#(?=\d)"), f"#{JOINER}"),
    (re.compile(r"(?i)\b(gh)-(?=\d)"), rf"\1{JOINER}-"),
]


def unlinked(value: str) -> str:
    """The text with nothing GitHub would turn into a link, a mention or a reference."""
    for pattern, replacement in _LINKS:
        value = pattern.sub(replacement, value)
    return value


def unmarked(value: str) -> str:
    """The text without the comment's marker, which only mlcp may write, once."""
    return value.replace(MARKER, MARKER.replace("--", f"-{JOINER}-"))


def text(value: object) -> Markup:
    """Plain text in a paragraph, a list item or a table cell."""
    if isinstance(value, Markup):
        return value
    return Markup(unlinked(str(markdown.text(value))))


def code(value: object) -> Markup:
    """An inline code span holding the value, whatever backticks it contains."""
    return Markup(unmarked(str(markdown.code(value))))


def cell_code(value: object) -> Markup:
    """A code span in a table cell (where `|` splits cells even inside code)."""
    return Markup(unmarked(str(markdown.cell_code(value))))


def fenced(value: object, info: str = "") -> Markup:
    """A fenced block longer than any backtick run inside it."""
    return Markup(unmarked(str(markdown.fenced(value, info))))


def html(value: object) -> Markup:
    """Text inside an HTML block, where Markdown escapes are not read: entities instead."""
    return Markup(unlinked(html_lib.escape(markdown.one_line(value), quote=True)))


def finalize(value: object) -> object:
    """Jinja's `finalize`: whatever a template prints is text unless a filter made it safe."""
    if value is None:
        return ""
    return text(value)
