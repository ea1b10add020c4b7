"""The loader reads YAML 1.2, as ruamel.yaml writes and reads it, whichever parser runs.

libyaml (the fast path) implements YAML 1.1; ruamel.yaml's pure-Python parser
implements YAML 1.2. One test per class of text where the two differ, then a
property: the example specs, mutated and written by ruamel's round-trip dumper
(what a tool that edits a spec while keeping its comments writes), load to the
data ruamel itself loads, with the same positions through either parser.
"""

from __future__ import annotations

import copy
import io
import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.cyaml import CParser
from ruamel.yaml.error import YAMLError

from controlplane.diagnostics import Diagnostic
from controlplane.spec import load
from controlplane.spec.load import Document, Location, load_source
from tests.conftest import SPECS

EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted(SPECS.glob("*.yaml"))}


def loaded(text: str) -> Document:
    doc = load_source(text.encode("utf-8"), "spec.yaml")
    assert isinstance(doc, Document), doc
    return doc


def refused(text: str) -> Diagnostic:
    found = load_source(text.encode("utf-8"), "spec.yaml")
    assert isinstance(found, Diagnostic), f"loaded: {found}"
    return found


def libyaml_refuses(text: str) -> bool:
    parser = CParser(text)
    try:
        while parser.check_event():
            parser.get_event()
    except Exception:
        return True
    return False


def parser_used(text: str) -> str:
    if not load._libyaml_reads_as_yaml_1_2(text):
        return "the YAML 1.2 parser (a character libyaml reads differently)"
    try:
        list(load._libyaml_events(text))
    except YAMLError as error:
        if load._libyaml_events_with_colons(text, error) is not None:
            return "libyaml, with colons standing in"
        return "the YAML 1.2 parser (libyaml refuses it)"
    return "libyaml"


@pytest.fixture
def pure_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader as it runs where libyaml is not installed."""
    monkeypatch.setattr(load, "CParser", None)


def loaded_both_ways(text: str) -> Document:
    """Load through the fast path and through the YAML 1.2 parser alone: same result."""
    fast = load_source(text.encode("utf-8"), "spec.yaml")
    saved, load.CParser = load.CParser, None
    try:
        pure = load_source(text.encode("utf-8"), "spec.yaml")
    finally:
        load.CParser = saved
    assert isinstance(fast, Document), fast
    assert isinstance(pure, Document), pure
    assert same(fast.data, pure.data)
    assert fast.keys == pure.keys
    assert fast.values == pure.values
    return fast


# --- one test per class of divergence --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data"),
    [
        # a URL, as ruamel writes it inside a flow mapping
        (
            "data: {source: s3://bucket/path/, window: 9mo}\n",
            {"data": {"source": "s3://bucket/path/", "window": "9mo"}},
        ),
        ("a: [s3://x, b]\n", {"a": ["s3://x", "b"]}),
        (
            "a: {url: http://host:8080/p?q=1#frag}\n",
            {"a": {"url": "http://host:8080/p?q=1#frag"}},
        ),
        (
            "a: {entrypoint: fraud_model.train:fit}\n",
            {"a": {"entrypoint": "fraud_model.train:fit"}},
        ),
        ("a: [12:30, é:1, 😀:x]\n", {"a": ["12:30", "é:1", "😀:x"]}),
        ("a: [b, c:]\n", {"a": ["b", "c:"]}),
        # a key with ':' in it, and no value
        ("a: {b:c}\n", {"a": {"b:c": None}}),
    ],
)
def test_a_colon_inside_a_plain_scalar_in_flow_context(text: str, data: dict[str, Any]) -> None:
    assert libyaml_refuses(text)
    assert loaded(text).data == data


def test_a_spec_ruamel_rewrote_stays_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml reads it once its flow-scalar colons stand in: the slow parser is not needed."""
    yaml, out = YAML(typ="rt"), io.StringIO()
    yaml.dump(yaml.load(EXAMPLES["fraud-detector.yaml"]), out)
    rewritten = out.getvalue()
    assert "{source: s3://acme-data/transactions/," in rewritten
    assert libyaml_refuses(rewritten)
    expected = loaded_both_ways(rewritten)

    def not_called(text: str) -> None:
        raise AssertionError("the pure-Python parser ran")

    monkeypatch.setattr(load, "_yaml_1_2_events", not_called)
    assert loaded(rewritten) == expected
    assert loaded(rewritten).data == loaded(EXAMPLES["fraud-detector.yaml"]).data


@pytest.mark.parametrize(
    ("text", "data"),
    [
        # the stand-in character is in the file already: the YAML 1.2 parser reads it
        ("a: {b: \ue000, c: s3://x}\n", {"a": {"b": "\ue000", "c": "s3://x"}}),
        # a ':' before a flow indicator ends the scalar in YAML 1.2 (ruamel reads it on)
        ("a: [b, c:]\n", {"a": ["b", "c:"]}),
        # several colons, in keys and values, over several lines
        (
            "a: {k:1: http://h:80/x, l: [a:b,\n  c:d]}\n",
            {"a": {"k:1": "http://h:80/x", "l": ["a:b", "c:d"]}},
        ),
    ],
)
def test_colons_that_stand_in_for_libyaml(text: str, data: dict[str, Any]) -> None:
    assert loaded_both_ways(text).data == data == YAML(typ="safe", pure=True).load(text)


def test_plain_scalars_that_start_with_a_colon_in_flow_context() -> None:
    text = "a: [::vector, :y, -x]\n"
    assert libyaml_refuses(text)
    assert loaded(text).data == {"a": ["::vector", ":y", "-x"]}


def test_a_tab_at_the_start_of_block_scalar_content() -> None:
    text = "a: |\n  \tindented with a tab\n"
    assert libyaml_refuses(text)
    assert loaded(text).data == {"a": "\tindented with a tab\n"}


@pytest.mark.parametrize("char", ["\u2028", "\u2029"])
def test_line_and_paragraph_separators_are_text(char: str) -> None:
    """YAML 1.1 reads U+2028 and U+2029 as line breaks; YAML 1.2 as ordinary characters."""
    text = f"a: x{char}y\nb: [x{char}y]\n"
    assert libyaml_refuses(text)
    assert loaded(text).data == {"a": f"x{char}y", "b": [f"x{char}y"]}


@pytest.mark.parametrize(
    "text",
    [
        "a: x\x85y\n",  # NEL, a line break to YAML 1.1
        "k: \x85? q\n",  # libyaml reads an empty value, YAML 1.2 a mapping
        "a: 1\n\ufeffb: 2\n",  # a byte order mark past the start of the file
    ],
)
def test_characters_libyaml_reads_differently_go_to_the_yaml_1_2_parser(text: str) -> None:
    assert loaded(text).data == YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize(
    "text", ["%YAML 1.2\n---\na: yes\n", "# a comment first\n%YAML 1.2\n---\na: yes\n"]
)
def test_a_yaml_1_2_directive_is_read(text: str) -> None:
    assert loaded_both_ways(text).data == {"a": "yes"}


@pytest.mark.parametrize(
    ("text", "line", "declared"),
    [
        ("%YAML 1.1\n---\na: yes\n", 1, "1.1"),
        ("# spec\n%YAML 1.1\n---\na: yes\n", 2, "1.1"),
        ("%YAML 1.3\n---\na: yes\n", 1, "1.3"),
        ("%YAML 2.0\n---\na: yes\n", 1, "2.0"),
    ],
)
def test_another_yaml_version_is_refused(text: str, line: int, declared: str) -> None:
    """Under 1.1, `yes` would be true: reading such a file as 1.2 would change its meaning."""
    found = refused(text)
    assert (found.code, found.line, found.col) == ("MLCP100", line, 1)
    assert found.message == f"the file declares YAML {declared}; a spec is YAML 1.2"


def test_an_empty_value_is_located_just_past_its_colon_by_both_parsers() -> None:
    doc = loaded_both_ways("a:\nb: {c: , d: 1}\ne:\n  f:\n")
    assert doc.data == {"a": None, "b": {"c": None, "d": 1}, "e": {"f": None}}
    assert doc.values[("a",)] == Location("spec.yaml", 1, 3)
    assert doc.values[("b", "c")] == Location("spec.yaml", 2, 7)
    assert doc.values[("e", "f")] == Location("spec.yaml", 4, 5)


def test_a_syntax_error_is_found_by_yaml_1_2_rules() -> None:
    """libyaml stops at the URL (valid YAML 1.2); the error reported is the real one below."""
    text = "a: {source: s3://bucket/x}\nb: [1, 2\nc: 3\n"
    found = refused(text)
    assert (found.code, found.line, found.col) == ("MLCP100", 2, 4)
    assert found.message == "invalid YAML: the '[' opened here is still open at line 3"


@pytest.mark.parametrize(
    "text",
    [
        "a: {source: s3://x/, b: &anchor 1}\n",
        "a: {source: s3://x/, b: !tag 1}\n",
        "a: {source: s3://x/, b: 1, b: 2}\n",
        "a: {source: s3://x/}\n<<: {b: 1}\n",
        "a: {source: s3://x/}\n---\nb: 1\n",
    ],
)
def test_the_yaml_1_2_parser_keeps_every_refusal(text: str) -> None:
    assert libyaml_refuses(text)
    assert refused(text).code in {"MLCP102", "MLCP104", "MLCP105"}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_examples_load_alike_through_both_parsers(name: str) -> None:
    """Same data, and every key and value at the same line and column."""
    doc = loaded_both_ways(EXAMPLES[name])
    assert len(doc.values) > 20


def test_the_pure_parser_alone_keeps_the_refusals(pure_only: None) -> None:
    assert refused("a: &x 1\nb: *x\n").code == "MLCP105"
    assert refused("a: 1\na: 2\n").code == "MLCP104"
    assert loaded("a: {source: s3://x/}\n").data == {"a": {"source": "s3://x/"}}


# --- ruamel's round-trip dumper, property-tested ---------------------------------------

# The YAML 1.2 core schema (YAML 1.2.2, section 10.3.2), transcribed from the spec. Where
# ruamel's resolver departs from it (ruamel writes the string '-.5e3' unquoted, and the
# core schema reads that text as a float), the specification decides.
CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def plain(node: Any) -> Any:
    """ruamel's round-trip types as plain Python data."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def same(ours: Any, theirs: Any) -> bool:
    """Equal data with types kept apart (True is not 1), NaN equal to NaN, -0.0 not 0.0."""
    if isinstance(theirs, str) and not isinstance(ours, str):
        return bool(CORE_FLOAT.fullmatch(theirs)) and same(ours, float(theirs))
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, float):
        if math.isnan(ours) or math.isnan(theirs):
            return math.isnan(ours) and math.isnan(theirs)
        return ours == theirs and math.copysign(1.0, ours) == math.copysign(1.0, theirs)
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(
            same(a, b) for a, b in zip(ours, theirs, strict=True)
        )
    return bool(ours == theirs)


TRICKY = [
    "s3://acme-data/transactions/",
    "http://host:8080/p?q=1#frag",
    "fraud_model.train:fit",
    "a: b",
    "a:b",
    "12:30",
    "::vector",
    ":x",
    "-x",
    "- x",
    "?x",
    "x #not a comment",
    "#hash",
    "x#y",
    "it's",
    '"quoted"',
    "'single'",
    "{not: a map}",
    "[not, a, list]",
    "a, b",
    "yes",
    "no",
    "on",
    "off",
    "True",
    "false",
    "null",
    "~",
    "",
    " ",
    "0x1F",
    "0o17",
    "010",
    "1_000",
    "1e5",
    "-.5e3",
    ".inf",
    "NaN",
    "1.4.0",
    "0.1%",
    "150ms",
    "@acme/risk-ml",
    "`tick`",
    "%percent",
    "!bang",
    "&amp",
    "*star",
    "|pipe",
    ">fold",
    "café",
    "日本語",
    "😀",
    "line\nbreak",
    "trailing space ",
    "tab\there",
    "x\u2028y",
    "x\x85y",
    "back\\slash",
]

texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(":#'\"{}[],&*!|>%@`?- /.\\\t\n")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=16,
)
scalars = st.one_of(
    st.sampled_from(TRICKY),
    texts,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _containers(node: Any) -> Iterator[CommentedMap | CommentedSeq]:
    if isinstance(node, CommentedMap | CommentedSeq):
        yield node
        for child in node.values() if isinstance(node, CommentedMap) else node:
            yield from _containers(child)


def _flow_mapping(values: list[Any]) -> CommentedMap:
    mapping = CommentedMap((f"k{i}", v) for i, v in enumerate(values))
    mapping.fa.set_flow_style()
    return mapping


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """An example spec, edited through ruamel's round-trip API, then dumped by it."""
    name = draw(st.sampled_from([n for n in sorted(EXAMPLES) if n != "mlcp.yaml"]))
    yaml = YAML(typ="rt")
    data = yaml.load(EXAMPLES[name])
    containers = list(_containers(data))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["set", "set", "nested", "flow", "block", "add"]))
        if action in ("flow", "block"):
            style = target.fa.set_flow_style if action == "flow" else target.fa.set_block_style
            style()
            continue
        value = (
            _flow_mapping(draw(st.lists(scalars, min_size=1, max_size=3)))
            if action == "nested"
            else draw(scalars)
        )
        if isinstance(target, CommentedSeq):
            if action == "add" or not target:
                target.append(copy.deepcopy(value))
            else:
                target[draw(st.integers(0, len(target) - 1))] = copy.deepcopy(value)
        elif action == "add" or not target:
            target[draw(st.sampled_from(["extra", "s3://k", "a b", "é", "true", "1"]))] = value
        else:
            target[draw(st.sampled_from(sorted(target)))] = copy.deepcopy(value)
    if draw(st.booleans()):
        yaml.version = (1, 2)  # writes a `%YAML 1.2` directive
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_examples())
def test_what_ruamel_writes_loads_to_what_ruamel_reads(text: str) -> None:
    try:
        theirs = plain(YAML(typ="rt").load(text))
    except Exception:  # ruamel writes a few things it cannot read back (`[?x]`)
        reject()
    event(parser_used(text))
    doc = loaded_both_ways(text)
    assert same(doc.data, theirs), text
