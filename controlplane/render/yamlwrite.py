"""Block-style YAML from plain data (dict, list, str, int, float, bool, None).

A small writer for generated files: deterministic (keys in the order given),
readable (libyaml's default layout: mappings indented by two, a sequence under
a key not indented), and exact for YAML 1.1 and 1.2 readers alike (PyYAML,
ruamel.yaml, Go's yaml.v2/v3 in Prometheus and Alertmanager).

Strings are written plain only when no reader can take them for anything
else: printable ASCII, no indicator first, no `: ` or ` #` inside, and not a
word or number-like form of either YAML version (see `_plain`). Otherwise they
are double-quoted, with escapes for what a reader would otherwise fold, strip
or reject; or single-quoted when only `"` or `\\` would need an escape, so
that PromQL label matchers read as written. `Block` strings become literal
`|-` blocks when that keeps them exact.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

__all__ = ["Block", "dump"]


class Block(str):
    """A multi-line string to write as a literal `|-` block, when that is exact."""


# Plain candidates: printable ASCII starting with a letter, a digit, `_`, `(`,
# `/`, `$`, `./` or `../`. This leaves out every indicator (`-?:,[]{}#&*!|>'"%@`
# and backtick), `~`, `<<`, `=`, the document markers, a sign, and `.` before
# anything but a path (`.5`, `.inf`).
_PLAIN_START = re.compile(r"(?:[A-Za-z0-9_(/$]|\.\.?/)[ -~]*")
# A superset of every number and timestamp that begins with a digit, in YAML
# 1.1 (sexagesimal `12:30`, `0b1`, `017`, `1_000`) and 1.2 (`0o17`, `1e3`) as
# PyYAML, ruamel.yaml and Go's yaml.v2/v3 (`0x1p-2`) read them: prefixed forms,
# decimal forms, and anything starting with digits and a dash (dates). What
# stays plain has a character no number holds: `5m`, `1h`, `0+28572x31`.
_NUMBER_LIKE = re.compile(r"0[xXoObB][0-9a-fA-F_.pP+\-]*|[0-9][0-9_.:eE+\-]*|[0-9]+-.*")
# Letter-initial words some reader resolves to a bool, null or float (any case).
_WORDS = frozenset(
    ("y", "n", "yes", "no", "true", "false", "on", "off", "null", "inf", "nan", "infinity")
)
_MAX_WORD = max(map(len, _WORDS))
# An implicit key must stay under 1024 characters (PyYAML and libyaml enforce it).
_MAX_KEY = 1000

# In a double-quoted scalar: the quote and backslash, C0, DEL, C1 (NEL among
# them), the Unicode line and paragraph separators (line breaks to YAML 1.1),
# the byte order mark, surrogates and the two non-characters no reader accepts.
_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')
# The same without quote and backslash: what a single-quoted scalar cannot hold.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
# In a literal block: the same minus the newline (tabs stay out).
_NOT_LITERAL = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {
    "\\": "\\\\",
    '"': '\\"',
    "\x00": "\\0",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\x1b": "\\e",
}


def dump(data: object, *, literal_keys: Collection[str] = ()) -> str:
    """The YAML text of `data`; TypeError on any other type or a non-str key.

    Multi-line strings that are `Block`s, or values of a key in `literal_keys`,
    are written as `|-` blocks when that keeps them exact. Naming the keys
    spares the caller a copy of the whole tree to mark them.
    """
    out: list[str] = []
    memo: dict[str, str] = {}
    literal = frozenset(literal_keys)
    kind = type(data)
    if kind is dict and data:
        _mapping(data, "", "", out, memo, literal)  # type: ignore[arg-type]
    elif kind is list and data:
        _sequence(data, "", "", out, memo, literal)  # type: ignore[arg-type]
    else:
        out.append(_scalar(data, memo) + "\n")
    return "".join(out)


def _mapping(
    node: dict[Any, Any],
    first: str,
    indent: str,
    out: list[str],
    memo: dict[str, str],
    literal: frozenset[str],
) -> None:
    """Write `node` (non-empty); its first line starts with `first`, the others with `indent`."""
    prefix = first
    child = indent + "  "
    for key, value in node.items():
        if type(key) is not str and type(key) is not Block:
            raise TypeError(f"YAML mapping keys must be str, not {type(key).__name__}: {key!r}")
        text = memo.get(key)
        if text is None:
            text = memo[key] = _string(key)
        if len(text) > _MAX_KEY:
            _explicit(text, value, prefix, indent, out, memo, literal)
            prefix = indent
            continue
        kind = type(value)
        if kind is str and (key not in literal or "\n" not in value):
            rendered = memo.get(value)
            if rendered is None:
                rendered = memo[value] = _string(value)
            out.append(f"{prefix}{text}: {rendered}\n")
        elif kind is dict and value:
            out.append(f"{prefix}{text}:\n")
            _mapping(value, child, child, out, memo, literal)
        elif kind is list and value:
            out.append(f"{prefix}{text}:\n")
            _sequence(value, indent, indent, out, memo, literal)
        elif (kind is Block or kind is str) and (lines := _literal(value)) is not None:
            out.append(f"{prefix}{text}: |-\n")
            _lines(lines, child, out)
        else:
            out.append(f"{prefix}{text}: {_scalar(value, memo)}\n")
        prefix = indent


def _explicit(
    text: str,
    value: object,
    prefix: str,
    indent: str,
    out: list[str],
    memo: dict[str, str],
    literal: frozenset[str],
) -> None:
    """A key too long to be implicit: `? key` then `: value`."""
    child = indent + "  "
    out.append(f"{prefix}? {text}\n")
    kind = type(value)
    if kind is dict and value:
        out.append(f"{indent}:\n")
        _mapping(value, child, child, out, memo, literal)  # type: ignore[arg-type]
    elif kind is list and value:
        out.append(f"{indent}:\n")
        _sequence(value, child, child, out, memo, literal)  # type: ignore[arg-type]
    elif kind is Block and (lines := _literal(value)) is not None:  # type: ignore[arg-type]
        out.append(f"{indent}: |-\n")
        _lines(lines, child, out)
    else:
        out.append(f"{indent}: {_scalar(value, memo)}\n")


def _sequence(
    node: list[Any],
    first: str,
    indent: str,
    out: list[str],
    memo: dict[str, str],
    literal: frozenset[str],
) -> None:
    """Write `node` (non-empty); its first line starts with `first`, the others with `indent`."""
    prefix = first
    child = indent + "  "
    for item in node:
        kind = type(item)
        if kind is str:
            rendered = memo.get(item)
            if rendered is None:
                rendered = memo[item] = _string(item)
            out.append(f"{prefix}- {rendered}\n")
        elif kind is dict and item:
            _mapping(item, prefix + "- ", child, out, memo, literal)
        elif kind is list and item:
            _sequence(item, prefix + "- ", child, out, memo, literal)
        elif kind is Block and (lines := _literal(item)) is not None:
            out.append(f"{prefix}- |-\n")
            _lines(lines, child, out)
        else:
            out.append(f"{prefix}- {_scalar(item, memo)}\n")
        prefix = indent


def _lines(lines: list[str], indent: str, out: list[str]) -> None:
    for line in lines:
        out.append(f"{indent}{line}\n" if line else "\n")


def _scalar(value: object, memo: dict[str, str]) -> str:
    """Any node written on one line: scalars, `{}`, `[]`, and a Block that cannot be literal."""
    kind = type(value)
    if (kind is str or kind is Block) and isinstance(value, str):
        rendered = memo.get(value)
        if rendered is None:
            rendered = memo[value] = _string(value)
        return rendered
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if kind is dict and not value:
        return "{}"
    if kind is list and not value:
        return "[]"
    raise TypeError(f"cannot write {kind.__name__} as YAML: {value!r}")


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 floats need a dot: 1e+16 would read back as a string.
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _plain(value: str) -> bool:
    """Whether `value` reads back as this very string when written without quotes."""
    return (
        _PLAIN_START.fullmatch(value) is not None
        and ": " not in value
        and " #" not in value
        and value[-1] not in " :"
        and (len(value) > _MAX_WORD or value.lower() not in _WORDS)
        and not (value[0] <= "9" and _NUMBER_LIKE.fullmatch(value))
    )


def _string(value: str) -> str:
    if _plain(value):
        return str(value)
    if _ESCAPE.search(value) is None:
        return f'"{value}"'
    if _CONTROL.search(value) is None:
        # Only quotes or backslashes to escape: single quotes carry them as they are,
        # so `{model="x"}` reads as written.
        return "'" + value.replace("'", "''") + "'"
    return '"' + _ESCAPE.sub(_escape, value) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _literal(value: str) -> list[str] | None:
    """The lines of `value` as a `|-` block, or None when the block would not read back exactly.

    A block needs: more than one line; a first line that is neither empty nor
    starts with a space (it sets the indentation); no trailing blank on any
    line; no final newline (`-` strips it); no tab or control character.
    """
    if "\n" not in value or value[0] in " \n" or value[-1] == "\n":
        return None
    if _NOT_LITERAL.search(value) is not None:
        return None
    lines = value.split("\n")
    for line in lines:
        if line.endswith(" "):
            return None
    return lines
