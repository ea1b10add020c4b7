"""The block-style YAML writer: exact round trips under YAML 1.1 (PyYAML) and 1.2 (ruamel)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from controlplane.render.yamlwrite import Block, dump


def load_12(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def load_11(text: str) -> Any:
    return yaml.safe_load(text)


def same(a: Any, b: Any) -> bool:
    """Equal data, with types kept apart (True is not 1) and NaN equal to NaN."""
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def assert_round_trip(data: Any, literal_keys: Collection[str] = ()) -> str:
    text = dump(data, literal_keys=literal_keys)
    for load in (load_11, load_12):
        back = load(text)
        assert same(back, data), f"{load.__name__} read back {back!r} from:\n{text}"
    return text


KEYWORDS = [
    *(
        variant
        for word in ("true", "false", "yes", "no", "on", "off", "y", "n", "null")
        for variant in (word, word.upper(), word.capitalize(), word[0] + word[1:].upper())
    ),
    "~",
    "",
    "=",
    "<<",
    ".inf",
    "-.inf",
    "+.INF",
    ".nan",
    ".NaN",
    "inf",
    "NaN",
    "Infinity",
]
NUMBER_LIKE = [
    "0",
    "-1",
    "+1",
    "017",
    "0o17",
    "0x1F",
    "0b101",
    "1e3",
    "1E3",
    "1.5",
    ".5",
    "1.",
    "1_000",
    "1_000.5",
    "12:30",
    "190:20:30.15",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "0x1.8p3",
    "0X1_F",
    "0O17",
    "0B1",
    "1_0",
    "1e-3",
    "1.5E+3",
    "6.8523015e+5",
    "2001-1-2",
    "2001-12-14T21:59:43Z",
    "1-x",
    ".5/x",
]
INDICATORS = [
    "-",
    "?",
    ":",
    "*x",
    "&a",
    "!tag",
    "!!str",
    "%YAML",
    "@x",
    "`x`",
    "- x",
    "? x",
    "a: b",
    "a:",
    "a #b",
    "#a",
    "|",
    ">",
    "'a'",
    '"a"',
    "{{ $labels.model }}",
    "[a]",
    "{a: 1}",
    ",a",
    "---",
    "...",
    "..",
    ".x",
    " lead",
    "trail ",
    "tab\there",
    "line\nbreak",
    "a\r\nb",
    "nel\x85x",
    "ls\u2028x",
    "bom\ufeffx",
    "del\x7fx",
    "nul\x00x",
    "esc\x1bx",
    "c1\x9bx",
    "lone\ud800surrogate",
    "nonchar\ufffe",
    "naïve — ünïcödé ✓ 🚀",
]


@pytest.mark.parametrize("text", KEYWORDS + NUMBER_LIKE + INDICATORS)
def test_tricky_strings_are_quoted_and_read_back(text: str) -> None:
    written = assert_round_trip({text: text, "list": [text]})
    first_line = written.splitlines()[0]
    assert first_line[0] in "\"'", first_line
    assert assert_round_trip(text)[0] in "\"'"


@pytest.mark.parametrize(
    "text",
    [
        "mlcp:latency_p50:5m",
        "fraud-detector",
        'histogram_quantile(0.5, sum by (model, le) (rate(x_bucket{model="a"}[5m])))',
        'series{model="fraud-detector", le="+Inf"}',
        "../fraud-detector.rules.yml",
        "./x",
        "page",
        "yesterday",
        "nullable",
        "a#b",
        "a:b",
        "./",
        "http://example.com/x?y=1&z=2",
        "$value",
        "5m",
        "1d",
        "30s",
        "0+28572x31",
        "1x60",
        "_x3",
        "1.5 + 2",
        "back\\slash",
        'quote"inside',
    ],
)
def test_ordinary_strings_stay_plain(text: str) -> None:
    assert assert_round_trip({"k": text}) == f"k: {text}\n"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('{model="x", le="+Inf"}', """'{model="x", le="+Inf"}'"""),
        ('{{ printf "%.3f" $value }}', """'{{ printf "%.3f" $value }}'"""),
        ('it\'s: "q"', """'it''s: "q"'"""),
        ("'", '"\'"'),
        ("'\\", "'''\\'"),
        ("a\\b: c", "'a\\b: c'"),
        ("{{ $value }}", '"{{ $value }}"'),
        (' "q"\n', '" \\"q\\"\\n"'),
        ('tab\t"', '"tab\\t\\""'),
        ('é: "', "'é: \"'"),
    ],
)
def test_quoting_style(text: str, written: str) -> None:
    assert assert_round_trip({"k": text}) == f"k: {written}\n"


def test_layout_follows_libyaml() -> None:
    data = {
        "groups": [
            {"name": "g", "rules": [{"record": "r", "expr": "up"}, {"alert": "A", "for": "5m"}]},
            {"name": "empty", "rules": []},
        ],
        "nested": {"a": {"b": 1}, "c": {}},
        "lists": [[1, [2, 3]], [], {"x": None}],
        "scalars": [True, False, None, 0, -7, 0.5, 1e16, 1e-5, -0.0],
        "floats": [float("inf"), float("-inf"), float("nan")],
    }
    assert assert_round_trip(data) == (
        "groups:\n"
        "- name: g\n"
        "  rules:\n"
        "  - record: r\n"
        "    expr: up\n"
        "  - alert: A\n"
        "    for: 5m\n"
        "- name: empty\n"
        "  rules: []\n"
        "nested:\n"
        "  a:\n"
        "    b: 1\n"
        "  c: {}\n"
        "lists:\n"
        "- - 1\n"
        "  - - 2\n"
        "    - 3\n"
        "- []\n"
        "- x: null\n"
        "scalars:\n"
        "- true\n"
        "- false\n"
        "- null\n"
        "- 0\n"
        "- -7\n"
        "- 0.5\n"
        "- 1.0e+16\n"
        "- 1.0e-05\n"
        "- -0.0\n"
        "floats:\n"
        "- .inf\n"
        "- -.inf\n"
        "- .nan\n"
    )


@pytest.mark.parametrize(
    ("data", "text"),
    [({}, "{}\n"), ([], "[]\n"), (None, "null\n"), ("x", "x\n"), (3, "3\n"), ("", '""\n')],
)
def test_top_level_scalars_and_empties(data: Any, text: str) -> None:
    assert assert_round_trip(data) == text


def test_floats_read_back_exactly() -> None:
    values = [0.1, 1 / 3, 2.5e-300, 1.7976931348623157e308, 5e-324, 123456789.125, -1e22]
    assert_round_trip(values)


def test_multi_line_block_is_literal() -> None:
    expr = 'sum(rate(a{m="x"}[5m]))\n/\n  sum(rate(b[5m]))\n\nor vector(0) # "quoted"'
    text = assert_round_trip({"rules": [{"expr": Block(expr)}], "top": Block(expr)})
    assert text == (
        "rules:\n"
        "- expr: |-\n"
        '    sum(rate(a{m="x"}[5m]))\n'
        "    /\n"
        "      sum(rate(b[5m]))\n"
        "\n"
        '    or vector(0) # "quoted"\n'
        "top: |-\n"
        '  sum(rate(a{m="x"}[5m]))\n'
        "  /\n"
        "    sum(rate(b[5m]))\n"
        "\n"
        '  or vector(0) # "quoted"\n'
    )
    assert assert_round_trip([Block("a\nb")]) == "- |-\n  a\n  b\n"


def test_literal_keys_mark_multi_line_values_without_a_copy() -> None:
    data = {
        "rules": [{"expr": "a\nb", "other": "a\nb", "single": "up"}],
        "expr": "x\n y",
        "list": ["a\nb"],
        "bad": {"expr": "a \nb"},
    }
    assert assert_round_trip(data, literal_keys={"expr"}) == (
        "rules:\n"
        "- expr: |-\n"
        "    a\n"
        "    b\n"
        '  other: "a\\nb"\n'
        "  single: up\n"
        "expr: |-\n"
        "  x\n"
        "   y\n"
        "list:\n"
        '- "a\\nb"\n'
        "bad:\n"
        '  expr: "a \\nb"\n'
    )
    assert "|" not in dump(data)
    assert data["expr"] == "x\n y"


@pytest.mark.parametrize(
    "expr",
    [
        "a \nb",  # trailing blank
        "a\nb ",
        "a\n \nb",
        " a\nb",  # leading blank sets the indentation
        "\na",
        "\n a\nb",  # so does the first non-empty line
        "a\nb\n",  # final newline would be stripped
        "a\n\n",
        "a\tb\nc",
        "a\r\nb",
        "a\nb\x85c",
        "a\nb\u2028c",
        "a\n\x00",
        "single line",
    ],
)
def test_unsafe_block_falls_back_to_quotes(expr: str) -> None:
    assert "|" not in assert_round_trip({"expr": Block(expr)})
    assert "|" not in assert_round_trip({"expr": expr}, literal_keys={"expr"})


@pytest.mark.parametrize("value", [{"k": "v"}, ["a", ["b"]], "v", Block("a\nb"), {}, [], 1.5])
def test_long_keys_are_explicit(value: Any) -> None:
    key = "k" * 1500
    text = assert_round_trip({"short": 1, key: value, "after": [key]})
    assert f"? {key}\n" in text


@pytest.mark.parametrize(
    "data",
    [
        (1, 2),
        {1, 2},
        b"bytes",
        object(),
        OrderedDict(a=1),
        {"a": [1, (2,)]},
        {1: "int key"},
        {None: "none key"},
        {("t",): 1},
        [{"ok": {"deep": 1j}}],
    ],
)
def test_unsupported_types_raise(data: Any) -> None:
    with pytest.raises(TypeError):
        dump(data)


def test_output_is_deterministic_and_keeps_key_order() -> None:
    data = {"z": 1, "a": {"y": [1, 2], "b": None}, "m": "x"}
    assert [line.split(":")[0] for line in dump(data).splitlines() if not line[0].isspace()] == [
        "z",
        "a",
        "m",
    ]


TRICKY_ALPHABET = (
    "aZy_0917 -:#?{}[],&*!|>'\"%@`~=<+.eExXobpTzm$/()\\\t\n\r\x00\x1b\x7f\x85\xa0\u2028\ufeffé—🚀"
)
SPECIAL = KEYWORDS + NUMBER_LIKE + INDICATORS
texts = st.one_of(
    st.text(),
    st.text(alphabet=TRICKY_ALPHABET, max_size=12),
    st.sampled_from(SPECIAL),
    st.builds(
        lambda *parts: "".join(parts),
        st.sampled_from(["", " ", "a", "{{ ", "- ", "? ", "1"]),
        st.sampled_from(SPECIAL),
        st.sampled_from(["", " ", ": ", " #", "}}", ":", "\n", "#", "-"]),
        st.sampled_from(["", "a", "x ", *SPECIAL]),
    ),
)
# Block lines mostly from PromQL-like characters, so that many blocks are
# eligible to be literal, with now and then a blank, a tab or a control character.
LINE_ALPHABET = 'ab ()[]{}="#:-/|>' + "'"
lines = st.builds(
    lambda lead, body, trail: lead + body + trail,
    st.sampled_from(["", "", "", " ", "  ", "\t"]),
    st.one_of(
        st.text(alphabet=LINE_ALPHABET, max_size=10),
        st.text(alphabet=TRICKY_ALPHABET, max_size=6),
        st.text(max_size=6),
    ),
    st.sampled_from(["", "", "", " ", "\n"]),
)
blocks = st.one_of(
    st.lists(st.text(alphabet=LINE_ALPHABET, max_size=12), min_size=2, max_size=5),
    st.lists(lines, min_size=1, max_size=4),
).map(lambda parts: Block("\n".join(parts)))
scalars = st.one_of(
    texts,
    blocks,
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from([1e16, -1e-5, 5e-324, -0.0, 1.7976931348623157e308, 0.1, 1e22]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(texts, children, max_size=4),
    ),
    max_leaves=25,
)


def all_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*map(all_keys, node.values()))
    if isinstance(node, list):
        return set().union(*map(all_keys, node))
    return set()


@settings(max_examples=300, derandomize=True, deadline=None)
@given(documents)
def test_any_plain_data_reads_back_equal_under_yaml_11_and_12(data: Any) -> None:
    assert_round_trip(data)
    # Every string value as a block candidate, too.
    assert_round_trip(data, literal_keys=all_keys(data))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(blocks, st.integers(min_value=0, max_value=3))
def test_blocks_read_back_equal_at_any_depth(block: Block, depth: int) -> None:
    data: Any = {"expr": block, "list": [block, "x"]}
    for _ in range(depth):
        data = {"groups": [data, {"k": block}]}
    assert_round_trip(data)
