"""YAML syntax errors told as a person fixes them: the line to edit, and how.

A parser reports where it gave up, which is often a line after the mistake
(a key without `: ` is read as text running on to the next line) and in its
own terms (`expected <block end>`). Each explainer here recognises one
common mistake from the parser's error and the text around it, and names the
line to fix with a hint; anything else keeps the parser's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based, as printed
    col: int
    message: str
    hint: str = ""


class _Text:
    """The file's lines, read the way the explainers need them."""

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r") for line in text.split("\n")]

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def indent(self, number: int) -> int:
        text = self.line(number)
        return len(text) - len(text.lstrip(" "))

    def content_column(self, number: int) -> int:
        """Where a line's key starts: after its indentation and any '- ' item markers."""
        lead = re.match(r"[ ]*(?:-[ ]+)*", self.line(number))
        return lead.end() if lead else 0

    def previous_content(self, number: int) -> int | None:
        """The nearest line above that holds more than blanks or a comment."""
        for above in range(number - 1, 0, -1):
            if self.line(above).strip() and not self.line(above).lstrip().startswith("#"):
                return above
        return None

    def next_content(self, number: int) -> int | None:
        """The nearest line below that holds more than blanks or a comment."""
        for below in range(number + 1, len(self.lines) + 1):
            if self.line(below).strip() and not self.line(below).lstrip().startswith("#"):
                return below
        return None

    def key(self, number: int) -> str:
        """The key a line starts with (or its first word), for messages."""
        body = self.line(number).strip().removeprefix("- ")
        return re.split(r":(?:\s|$)|\s", body, maxsplit=1)[0]


def _mark(mark: object) -> tuple[int, int] | None:
    line, col = getattr(mark, "line", None), getattr(mark, "column", None)
    return (line + 1, col + 1) if isinstance(line, int) and isinstance(col, int) else None


@dataclass(frozen=True)
class _Error:
    context: str
    problem: str
    at: tuple[int, int]  # where the parser gave up
    opened: tuple[int, int] | None  # where the construct it was reading began


Explainer = Callable[[_Error, _Text], SyntaxProblem | None]


def _tab(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "'\\t'" not in err.problem and "tab character" not in err.problem:
        return None
    line, col = err.at
    if not text.line(line)[: col - 1].strip():
        return SyntaxProblem(
            line,
            col,
            "invalid YAML: a tab is used for indentation",
            "indent with spaces: YAML does not allow tabs in indentation",
        )
    return SyntaxProblem(
        line, col, "invalid YAML: a tab where YAML expects a space", "replace the tab with a space"
    )


def _unclosed_quote(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "quoted scalar" not in err.context or "end of stream" not in err.problem or not err.opened:
        return None
    line, col = err.opened
    quote = text.line(line)[col - 1 : col] or '"'
    return SyntaxProblem(
        line,
        col,
        f"invalid YAML: the {quote} that opens this value is never closed",
        f"end the value with a matching {quote}",
    )


def _unknown_escape(err: _Error, text: _Text) -> SyntaxProblem | None:
    if not err.problem.startswith("found unknown escape character"):
        return None
    line, col = err.at
    return SyntaxProblem(
        line,
        col - 1,
        "invalid YAML: a backslash in a double-quoted value starts an unknown escape",
        "write \\\\ for a backslash, or quote the value with single quotes, which keep "
        "backslashes as they are",
    )


def _unclosed_flow(err: _Error, text: _Text) -> SyntaxProblem | None:
    kind = re.search(r"while parsing a flow (mapping|sequence)", err.context)
    if not kind or not err.problem.startswith("expected ','") or not err.opened:
        return None
    opener, closer = ("{", "}") if kind.group(1) == "mapping" else ("[", "]")
    if "<stream end>" in err.problem:
        return SyntaxProblem(
            *err.opened,
            f"invalid YAML: the '{opener}' opened here is never closed",
            f"close it with '{closer}' after its last item",
        )
    if err.at[0] == err.opened[0]:
        return SyntaxProblem(
            *err.at,
            f"invalid YAML: expected ',' or '{closer}' here, in the '{opener}' opened at "
            f"column {err.opened[1]}",
            f"separate items with ', '; quote a value that holds a quote, ', ' or '{closer}'",
        )
    return SyntaxProblem(
        *err.opened,
        f"invalid YAML: the '{opener}' opened here is still open at line {err.at[0]}",
        f"close it with '{closer}' after its last item, and put a ',' between items",
    )


def _quote_opened_above(line: int, col: int, text: _Text) -> SyntaxProblem | None:
    """A quote before `col` that closes a value opened on a line above, left unclosed there."""
    before = text.line(line)[: col - 1]
    for quote in "\"'":
        if before.count(quote) % 2 == 0:
            continue
        for above in range(line - 1, 0, -1):
            code = text.line(above).split(" #")[0]
            if not code.lstrip().startswith("#") and code.count(quote) % 2:
                return SyntaxProblem(
                    above,
                    code.rfind(quote) + 1,
                    f"invalid YAML: the {quote} that opens this value is closed only on "
                    f"line {line}",
                    f"end the value with a matching {quote} on this line",
                )
    return None


def _text_after_value(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "expected <block end>, but found '<scalar>'" not in err.problem:
        return None
    line, col = err.at
    before = text.line(line)[: col - 1].rstrip()
    if not before or before[-1] not in "'\"]}":
        return None
    opened_above = _quote_opened_above(line, col, text)
    if opened_above is not None:
        return opened_above
    return SyntaxProblem(
        line,
        col,
        f"invalid YAML: text after the closing {before[-1]} of a value",
        "quote the whole value, or move the text inside the quotes or brackets",
    )


def _stray_closer(err: _Error, text: _Text) -> SyntaxProblem | None:
    found = re.search(r"expected <block end>, but found '([\]}])'", err.problem)
    if not found:
        return None
    return SyntaxProblem(
        *err.at,
        f"invalid YAML: a '{found.group(1)}' that closes nothing",
        "remove it, or add the '[' or '{' it should close",
    )


def _dash_in_mapping(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "block mapping" not in err.context or "but found '-'" not in err.problem:
        return None
    line, col = err.at
    for above in range(line - 1, 0, -1):
        if text.line(above).lstrip().startswith("- ") and text.indent(above) > col - 1:
            hint = (
                f"to add an item to the list above, indent the '-' by {text.indent(above)} "
                f"spaces like the item on line {above}"
            )
            break
    else:
        hint = "a mapping holds `key: value` lines; put a list under a key of its own"
    return SyntaxProblem(
        line, col, "invalid YAML: a list item ('- ') among the keys of a mapping", hint
    )


def _key_in_list(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "block collection" not in err.context or "but found '?'" not in err.problem:
        return None
    return SyntaxProblem(
        *err.at,
        f"invalid YAML: the key '{text.key(err.at[0])}' stands among the items of a list",
        "indent it under the item it belongs to, or start it with '- ' to make a new item",
    )


def _under_indented(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "block mapping" not in err.context or "'<block mapping start>'" not in err.problem:
        return None
    line, col = err.at
    indent, key = col - 1, text.key(line)
    above = text.previous_content(line)
    if above is not None and text.content_column(above) < indent:
        moved = _moved_out(above, line, text)
        if moved is not None:
            return moved
    if above is not None and text.content_column(above) == indent:
        code = re.split(r"\s#", text.line(above))[0]
        if not re.search(r":(\s|$)", code):  # the sibling above is no `key:` line
            return _line_without_key(above, text)
    inner = outer = None
    while above is not None:
        level = text.indent(above)
        if level > indent and inner is None:
            inner = above
        if level < indent:
            outer = above
            break
        above = text.previous_content(above)
    if inner is not None and outer is not None and text.previous_content(inner) == outer:
        below = text.next_content(line)
        if below is not None and text.indent(below) == indent:
            return _first_key_over_indented(inner, line, text)
    choices = [
        f"by {text.indent(n)} spaces like '{text.key(n)}' on line {n}"
        for n in (inner, outer)
        if n is not None
    ]
    return SyntaxProblem(
        line,
        col,
        f"invalid YAML: bad indentation: '{key}' lines up with no key above it",
        "keys of one mapping start in the same column: indent it " + ", or ".join(choices),
    )


def _first_key_over_indented(first: int, line: int, text: _Text) -> SyntaxProblem:
    """The first key of a mapping indented further than every key after it: the first key
    is the one out of line, though YAML stumbles only on the second."""
    indent = text.indent(line)
    return SyntaxProblem(
        first,
        text.indent(first) + 1,
        f"invalid YAML: bad indentation: '{text.key(first)}' is indented by "
        f"{text.indent(first)} spaces, the keys below it by {indent}",
        f"keys of one mapping start in the same column: indent '{text.key(first)}' by "
        f"{indent} spaces like '{text.key(line)}' on line {line}",
    )


def _line_without_key(number: int, text: _Text) -> SyntaxProblem:
    """A line meant as `key: value` that YAML read as text: which of the two is missing."""
    content = text.line(number)
    start = text.content_column(number)
    glued = re.match(r"([^\s:#'\"][^\s:]*):([^\s:].*)$", content[start:])
    if glued:
        key, value = glued.group(1), re.split(r"\s#", glued.group(2))[0].strip()
        return SyntaxProblem(
            number,
            start + len(key) + 1,
            f"invalid YAML: missing space after ':' in '{key}:{value}'",
            f"write '{key}: {value}': a key's ':' is followed by a space",
        )
    return SyntaxProblem(
        number,
        start + 1,
        f"invalid YAML: no ':' after the key '{text.key(number)}'",
        "write `key: value`; a list item starts with '- ', a comment with '#'",
    )


def _missing_colon(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "simple key" not in err.context or "expected ':'" not in err.problem or not err.opened:
        return None
    return _line_without_key(err.opened[0], text)


def _colon_in_value(err: _Error, text: _Text) -> SyntaxProblem | None:
    """`: ` where the parser was reading a value: a second key on a line, or the line above."""
    if not err.problem.startswith("mapping values are not allowed"):
        return None
    line, col = err.at
    content = text.line(line)
    pair = re.match(r"\s*(?:- )?([^\s:#][^:]*?):\s+(.*)$", content)
    if pair and len(content) - len(pair.group(2)) < col:
        key, value = pair.group(1), pair.group(2).split(" #")[0].strip()
        return SyntaxProblem(
            line,
            col,
            "invalid YAML: a value holds ': '",
            f'quote the value if it is text: {key}: "{value}"; or put a nested key on a '
            "line of its own, indented below its parent",
        )
    above = text.previous_content(line)
    if above is None:
        return None
    item_above = text.line(above).lstrip().startswith("- ")
    if item_above and text.line(line).lstrip().startswith("- "):
        return _item_unlike(text, line, above)
    if text.indent(line) > text.content_column(above):
        return _moved_out(above, line, text) or SyntaxProblem(
            line,
            text.indent(line) + 1,
            f"invalid YAML: bad indentation: '{text.key(line)}' is indented more than "
            f"'{text.key(above)}' on line {above}",
            f"keys of one mapping start in the same column: indent it by "
            f"{text.content_column(above)} spaces; only a key ending in ':' takes keys "
            "indented below it",
        )
    return _line_without_key(above, text)


def _moved_out(moved: int, line: int, text: _Text) -> SyntaxProblem | None:
    """A `key: value` line left of the siblings above and below it (`bake_time` moved to
    column 0): YAML stumbles on the sibling below, but the key that moved is the one to fix."""
    before = text.previous_content(moved)
    indent = text.content_column(line)
    code = re.split(r"\s#", text.line(moved))[0]
    if before is None or text.content_column(before) != indent or not re.search(r":\s+\S", code):
        return None
    key = text.key(moved)
    return SyntaxProblem(
        moved,
        text.content_column(moved) + 1,
        f"invalid YAML: bad indentation: '{key}' is indented by {text.content_column(moved)} "
        f"spaces, the keys around it by {indent}",
        f"keys of one mapping start in the same column: indent '{key}' by {indent} spaces "
        f"like '{text.key(before)}' on line {before} and '{text.key(line)}' on line {line}",
    )


def _quote_it(line: int, col: int, text: _Text) -> SyntaxProblem:
    """A plain value that starts with a character YAML reads as syntax."""
    rest = text.line(line)[col - 1 :]
    at_key = col - 1 == text.content_column(line)  # a key ends at ': '; a value at a comment
    word = re.split(r":\s|:$| #" if at_key else " #", rest)[0].strip()
    hint = f'quote it: "{word}"'
    if rest[:1] in "|>":
        hint += (
            f"; a '{rest[0]}' alone at the end of a line starts a text written on the lines below"
        )
    return SyntaxProblem(
        line, col, f"invalid YAML: a value cannot start with '{rest[:1]}' unless it is quoted", hint
    )


def _reserved_start(err: _Error, text: _Text) -> SyntaxProblem | None:
    if re.match(r"found character '(.)' that cannot start any token", err.problem):
        return _quote_opened_above(*err.at, text) or _quote_it(*err.at, text)
    if "while scanning a directive" in err.context and err.opened:
        return _directive_line(err.opened[0])
    read_as_syntax = ("a block scalar", "an alias", "an anchor", "a tag")
    if err.opened and any(f"while scanning {what}" in err.context for what in read_as_syntax):
        return _quote_it(*err.opened, text)
    return None


def _misplaced_indicator(err: _Error, text: _Text) -> SyntaxProblem | None:
    if err.problem.startswith("sequence entries are not allowed"):
        return SyntaxProblem(
            *err.at,
            "invalid YAML: a list item ('- ') on the same line as its key",
            "put each '- ' item on a line of its own, indented below the key, or write "
            "the list as [a, b]",
        )
    if err.problem.startswith("mapping keys are not allowed"):
        return SyntaxProblem(
            *err.at,
            "invalid YAML: a '?' where YAML reads the start of a key",
            "quote the value that holds the '?', or remove it",
        )
    found = re.match(r"expected the node content, but found '(.+)'", err.problem)
    if found:
        return SyntaxProblem(
            *err.at,
            f"invalid YAML: a '{found.group(1)}' where a value should be",
            "remove it, or quote the value it belongs to",
        )
    return None


def _directive_line(number: int) -> SyntaxProblem:
    return SyntaxProblem(
        number,
        1,
        "invalid YAML: a '%' at the start of a line begins a YAML directive",
        "indent the line under its key, or quote the value that starts with '%'",
    )


def _after_the_document(err: _Error, text: _Text) -> SyntaxProblem | None:
    """What follows a complete top-level mapping: a `%` line, or keys after an indented start."""
    if not err.problem.startswith("expected '<document start>'"):
        return None
    directives = [
        number
        for number, line in enumerate(text.lines[: err.at[0]], start=1)
        if line.startswith("%") and text.previous_content(number) is not None
    ]
    if directives:
        return _directive_line(directives[0])
    first = text.previous_content(len(text.lines) + 1)
    while first is not None and text.previous_content(first) is not None:
        first = text.previous_content(first)
    if first is not None and ":" not in text.line(first):
        return SyntaxProblem(
            first,
            text.indent(first) + 1,
            "invalid YAML: this line is neither `key: value` nor a comment",
            "start a comment with '#'",
        )
    if first is not None and text.indent(first) > 0:
        return SyntaxProblem(
            first,
            text.indent(first) + 1,
            f"invalid YAML: the first key of the file, '{text.key(first)}', is indented",
            "top-level keys start at the left margin, with no spaces before them",
        )
    return None


def _item_unlike(text: _Text, line: int, above: int) -> SyntaxProblem:
    """A list item on `line` that does not start in the column of the item on `above`."""
    return SyntaxProblem(
        line,
        text.indent(line) + 1,
        f"invalid YAML: bad indentation: this list item is indented by "
        f"{text.indent(line)} spaces, the item on line {above} by {text.indent(above)}",
        f"items of one list start in the same column: indent the '-' by "
        f"{text.indent(above)} spaces",
    )


def _misaligned_item(err: _Error, text: _Text) -> SyntaxProblem | None:
    """A '- ' item indented unlike the items of the list above it."""
    line = err.at[0]
    if "expected <block end>" not in err.problem or not text.line(line).lstrip().startswith("-"):
        return None
    for above in range(line - 1, 0, -1):
        if text.line(above).lstrip().startswith("- ") and text.indent(above) != text.indent(line):
            return _item_unlike(text, line, above)
    return None


def _jargon(err: _Error, text: _Text) -> SyntaxProblem | None:
    if "expected <block end>" not in err.problem:
        return None
    return SyntaxProblem(
        *err.at,
        "invalid YAML: this line does not fit the indentation of the lines above",
        "lines of one mapping or list start in the same column; check the indentation here",
    )


_EXPLAINERS: tuple[Explainer, ...] = (
    _tab,
    _unclosed_quote,
    _unknown_escape,
    _unclosed_flow,
    _text_after_value,
    _stray_closer,
    _dash_in_mapping,
    _key_in_list,
    _under_indented,
    _missing_colon,
    _colon_in_value,
    _reserved_start,
    _misplaced_indicator,
    _after_the_document,
    _misaligned_item,
    _jargon,
)


def explain_syntax_error(exc: MarkedYAMLError, text: str) -> SyntaxProblem:
    """The line to fix, a message and a hint for a YAML parser's error."""
    opened = _mark(exc.context_mark)
    at = _mark(exc.problem_mark) or opened or (1, 1)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    err = _Error((exc.context or "").strip(), problem, at, opened)
    lines = _Text(text)
    for explain in _EXPLAINERS:
        found = explain(err, lines)
        if found is not None:
            return found
    return SyntaxProblem(*at, f"invalid YAML: {problem}")
