"""What keeps a round-trip edit to the lines it is about.

ruamel.yaml keeps comments and quoting, but it writes one indentation for the
whole file and hangs the comment lines between two keys on the first one. So
the indentation is read from the text, comment lines are moved when the key
holding them goes, and the edit is spliced back into the original text: only
the lines where a dump of the untouched document and a dump of the edited one
differ change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from controlplane.units import format_timestamp

_KEY = re.compile(r"^( *)[^\s#-][^:#]*:(\s|$)")
_DASH = re.compile(r"^( *)- ")


@dataclass(frozen=True)
class Layout:
    """Block indentation as ruamel.yaml's ``indent`` names it."""

    mapping: int = 2
    offset: int = 2  # columns from the parent key to a sequence's dash

    @classmethod
    def of(cls, text: str) -> Layout:
        mapping = offset = None
        parent: int | None = None
        for line in text.splitlines():
            key, dash = _KEY.match(line), _DASH.match(line)
            if dash and parent is not None and offset is None:
                offset = len(dash.group(1)) - parent
            elif key:
                column = len(key.group(1))
                if parent is not None and column > parent and mapping is None:
                    mapping = column - parent
                parent = column if line.rstrip().endswith(":") else None
        return cls(mapping or 2, 2 if offset is None else max(offset, 0))

    def yaml(self) -> YAML:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long line the author kept on one
        yaml.indent(mapping=self.mapping, sequence=self.offset + 2, offset=self.offset)
        yaml.representer.add_representer(datetime, _timestamp)
        return yaml


def _timestamp(representer: Any, moment: datetime) -> Any:
    """A moment as `date -u +%FT%TZ` prints it, in double quotes: YAML 1.1 tools would
    otherwise read it as a date object, where mlcp (YAML 1.2) reads text."""
    text = format_timestamp(moment.timestamp())
    return representer.represent_scalar("tag:yaml.org,2002:str", text, style='"')


def splice(original: str, untouched: str, edited: str) -> str:
    """``original`` with the changes that turn ``untouched`` into ``edited``.

    ``untouched`` is the dump of the document before the edit; where it differs
    from ``original`` (formatting ruamel.yaml does not keep), the original lines
    stay. An edit that falls on such a line is not spliced: the edited dump is
    the answer then, valid and with its comments, if reformatted.
    """
    if untouched == original:
        return edited
    ours, theirs, new = (t.splitlines(keepends=True) for t in (original, untouched, edited))
    where: dict[int, int] = {}  # line of the untouched dump -> the same line of the original
    for block in SequenceMatcher(None, theirs, ours, autojunk=False).get_matching_blocks():
        where.update({block.a + k: block.b + k for k in range(block.size)})
    where[len(theirs)] = len(ours)
    out = list(ours)
    changes = SequenceMatcher(None, theirs, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(changes):
        if tag == "equal":
            continue
        start = where.get(i1)
        end = start + (i2 - i1) if start is not None else None
        if start is None or any(where.get(i1 + k) != start + k for k in range(i2 - i1)):
            return edited
        out[start:end] = new[j1:j2]
    return "".join(out)


def _comment_slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """Where the comment after ``key``'s value lives: on the last item of a block value."""
    value = node[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _comment_slot(value, last)
    return node, key, 2 if isinstance(node, CommentedMap) else 0


def take_trailing_lines(node: Any, key: Any) -> str:
    """Remove and return the comment lines after ``key``'s value (its end-of-line comment stays)."""
    holder, at, slot = _comment_slot(node, key)
    entry = holder.ca.items.get(at)
    token = entry[slot] if entry else None
    if token is None or "\n" not in token.value:
        return ""
    head, tail = token.value.split("\n", 1)
    if head:
        token.value = head + "\n"
    else:
        entry[slot] = None
    return str(tail)


def give_trailing_lines(node: Any, key: Any, lines: str) -> None:
    """Put comment lines (from `take_trailing_lines`) after ``key``'s value."""
    if not lines:
        return
    holder, at, slot = _comment_slot(node, key)
    entry = holder.ca.items.setdefault(at, [None, None, None, None])
    if entry[slot] is None:
        entry[slot] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        entry[slot].value += lines
