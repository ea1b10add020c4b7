"""A rendered Markdown page read back by a real CommonMark parser (markdown-it-py, with
GitHub's tables), so tests see the structure GitHub shows, not the text mlcp wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def parse(text: str) -> list[Token]:
    return PARSER.parse(text)


def plain(inline: Token) -> str:
    """What a reader sees of an inline run: text and code, without the Markdown."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


def headings(text: str) -> list[Heading]:
    """Every heading with the anchor GitHub gives it (`-1`, `-2` on repeats)."""
    tokens, found, seen = parse(text), [], {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            shown = plain(tokens[i + 1])
            base = slug(shown)
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.append(Heading(int(token.tag[1]), shown, f"{base}-{count}" if count else base))
    return found


Table = list[list[str]]  # rows of cells, the header row first


def tables(text: str) -> list[Table]:
    found: list[Table] = []
    row: list[str] = []
    in_cell = False
    for token in parse(text):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "inline" and in_cell:
            row.append(plain(token))
        elif token.type == "tr_close":
            found[-1].append(row)
    return found


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of level two or less."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^#{{1,2}} |\Z)", text, re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def links(text: str) -> list[str]:
    return [
        str(child.attrs["href"])
        for token in parse(text)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]


def kinds(text: str) -> list[str]:
    """The block structure: each block token's type (and a heading's level)."""
    return [t.type + (t.tag if t.type == "heading_open" else "") for t in parse(text) if t.block]
