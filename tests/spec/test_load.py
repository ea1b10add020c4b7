"""The positional YAML loader: plain data, where every key and value was, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import MAX_BYTES, Document, Location, load_document, load_source
from tests.conftest import SPECS

SPEC = """\
apiVersion: mlcp/v1
kind: Model
metadata:
  name: churn-model
  owners: ["@acme/growth", "@dana"]
sla:
  latency: {p50: 40ms, p99: 200ms}
quality:
  metrics:
    - name: recall
      min: 0.8
"""


def load_text(tmp_path: Path, text: str | bytes, name: str = "spec.yaml") -> Document | Diagnostic:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return load_document(path, name)


def loaded(tmp_path: Path, text: str) -> Document:
    doc = load_text(tmp_path, text)
    assert isinstance(doc, Document), doc
    return doc


def refused(tmp_path: Path, text: str | bytes) -> Diagnostic:
    result = load_text(tmp_path, text)
    assert isinstance(result, Diagnostic), f"loaded: {result}"
    assert result.severity == "error"
    return result


# --- data and positions ----------------------------------------------------------


def test_plain_data(tmp_path: Path) -> None:
    doc = loaded(tmp_path, SPEC)
    assert doc.data == {
        "apiVersion": "mlcp/v1",
        "kind": "Model",
        "metadata": {"name": "churn-model", "owners": ["@acme/growth", "@dana"]},
        "sla": {"latency": {"p50": "40ms", "p99": "200ms"}},
        "quality": {"metrics": [{"name": "recall", "min": 0.8}]},
    }


def test_positions_of_keys(tmp_path: Path) -> None:
    doc = loaded(tmp_path, SPEC)
    assert doc.keys[("apiVersion",)] == Location("spec.yaml", 1, 1)
    assert doc.keys[("metadata", "name")] == Location("spec.yaml", 4, 3)
    assert doc.keys[("sla", "latency", "p99")] == Location("spec.yaml", 7, 24)
    assert doc.keys[("quality", "metrics", 0, "min")] == Location("spec.yaml", 11, 7)


def test_positions_of_values(tmp_path: Path) -> None:
    doc = loaded(tmp_path, SPEC)
    assert doc.values[("apiVersion",)] == Location("spec.yaml", 1, 13)
    assert doc.values[("metadata", "name")] == Location("spec.yaml", 4, 9)
    assert doc.values[("metadata", "owners", 1)] == Location("spec.yaml", 5, 28)
    assert doc.values[("sla", "latency")] == Location("spec.yaml", 7, 12)
    assert doc.values[("sla", "latency", "p99")] == Location("spec.yaml", 7, 29)
    assert doc.values[("quality", "metrics", 0)] == Location("spec.yaml", 10, 7)
    assert doc.values[("quality", "metrics", 0, "min")] == Location("spec.yaml", 11, 12)


def test_every_position_points_at_its_text(tmp_path: Path) -> None:
    """For each key, the recorded line and column start with the key's own text."""
    text = (SPECS / "fraud-detector.yaml").read_text(encoding="utf-8")
    doc = loaded(tmp_path, text)
    lines = text.splitlines()
    for path, loc in doc.keys.items():
        key = str(path[-1])
        assert lines[loc.line - 1][loc.col - 1 :].startswith(key), (path, loc)
    assert len(doc.keys) > 100


def test_locate_falls_back_to_the_nearest_located_parent(tmp_path: Path) -> None:
    doc = loaded(tmp_path, SPEC)
    # A missing key is reported at the key of its nearest parent, as a reader would look for it.
    assert doc.locate(("sla", "latency", "p95")) == doc.keys[("sla", "latency")]
    assert doc.locate(("sla", "latency", "p95"), key=True) == doc.keys[("sla", "latency")]
    assert doc.locate(("metadata", "name")) == doc.values[("metadata", "name")]
    assert doc.locate(("metadata", "name"), key=True) == doc.keys[("metadata", "name")]
    assert doc.locate(("nowhere", "at", "all")) == doc.values[()]
    assert Document("empty.yaml", {}).locate(("a",)) == Location("empty.yaml", 1, 1)


def test_scalars_follow_yaml_1_2(tmp_path: Path) -> None:
    doc = loaded(
        tmp_path,
        "a: yes\nb: 'no'\nc: 0x1F\nd: 1_000\ne: 2024-01-01\nf: \"1.0\"\ng: 1.0\n"
        "h: ~\ni: true\nj: -7\nk: 1.4.0\nl: .inf\nm: !!str 5\n",
    )
    assert doc.data == {
        "a": "yes",
        "b": "no",
        "c": 31,
        "d": "1_000",
        "e": "2024-01-01",
        "f": "1.0",
        "g": 1.0,
        "h": None,
        "i": True,
        "j": -7,
        "k": "1.4.0",
        "l": float("inf"),
        "m": "5",
    }


def test_byte_order_mark_and_explicit_document_markers(tmp_path: Path) -> None:
    assert loaded(tmp_path, "\ufeffa: 1\n").data == {"a": 1}
    assert loaded(tmp_path, "---\na: 1\n...\n").data == {"a": 1}
    assert loaded(tmp_path, '"<<": 1\n').data == {"<<": 1}


# --- refusals ----------------------------------------------------------------------


def test_duplicate_key_points_at_the_second(tmp_path: Path) -> None:
    found = refused(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\n")
    assert (found.line, found.col, found.code) == (4, 3, "MLCP104")
    assert found.message == "duplicate key 'c' (first defined at line 3)"


def test_duplicate_key_in_a_flow_mapping(tmp_path: Path) -> None:
    found = refused(tmp_path, "a: {b: 1, b: 2}\n")
    assert (found.line, found.col, found.code) == (1, 11, "MLCP104")


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: &x 1\nb: *x\n", 1, 4),
        ("a: &x 1\n", 1, 4),
        ("a: &x [1]\n", 1, 4),
        ("a:\n  <<: {b: 1}\n", 2, 3),
    ],
)
def test_anchors_aliases_and_merge_keys_are_refused(
    tmp_path: Path, text: str, line: int, col: int
) -> None:
    found = refused(tmp_path, text)
    assert (found.line, found.col, found.code) == (line, col, "MLCP105")


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    found = refused(tmp_path, "\n".join(lines) + "\n")
    assert (found.line, found.col, found.code) == (1, 5, "MLCP105")


def test_billion_laughs_with_aliases_only_after_a_plain_anchor(tmp_path: Path) -> None:
    """Even when the anchors sit deep in a document, nothing is expanded before refusing."""
    body = "spec:\n  deep:\n    base: &b [x, x, x, x, x, x, x, x, x, x]\n"
    body += "".join(f"    l{i}: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" for i in range(40))
    found = refused(tmp_path, body)
    assert (found.line, found.code) == (3, "MLCP105")


@pytest.mark.parametrize(
    "text",
    [
        "a: !percent 1\n",
        "a: !!int '5'\n",
        "a: !!python/object:os.system [ls]\n",
        "a: !custom {b: 1}\n",
        "a: !!set {b, c}\n",
    ],
)
def test_tags_are_refused(tmp_path: Path, text: str) -> None:
    found = refused(tmp_path, text)
    assert (found.line, found.col, found.code) == (1, 4, "MLCP105")
    assert found.message.startswith("the tag ")


def test_a_complex_key_is_refused(tmp_path: Path) -> None:
    found = refused(tmp_path, "? [a, b]\n: c\n")
    assert (found.line, found.code, found.message) == (1, "MLCP112", "a key must be a plain string")


@pytest.mark.parametrize(
    ("text", "code", "message", "line"),
    [
        ("", "MLCP101", "the file is empty", 1),
        ("  \n\n\t\n", "MLCP101", "the file is empty", 1),
        ("# only a comment\n", "MLCP101", "the file holds no YAML, only comments", 1),
        ("---\n...\n", "MLCP101", "the file holds no YAML, only comments", 1),
        ("~\n", "MLCP103", "the top level must be a mapping of keys, not a single value", 1),
        ("a: 1\n---\nb: 2\n", "MLCP102", "the file holds more than one YAML document", 2),
        ("- a\n- b\n", "MLCP103", "the top level must be a mapping of keys, not a list", 1),
        (
            "just text\n",
            "MLCP103",
            "the top level must be a mapping of keys, not a single value",
            1,
        ),
        ("a: [1, 2\n", "MLCP100", "invalid YAML: the '[' opened here is never closed", 1),
        ("a: b: c\n", "MLCP100", "invalid YAML: a value holds ': '", 1),
    ],
)
def test_what_is_not_one_mapping(
    tmp_path: Path, text: str, code: str, message: str, line: int
) -> None:
    found = refused(tmp_path, text)
    assert (found.code, found.line) == (code, line)
    assert found.message.startswith(message), found.message


def test_binary_and_non_utf8(tmp_path: Path) -> None:
    binary = refused(tmp_path, b"a: 1\x00\n")
    assert (binary.code, binary.message) == ("MLCP101", "the file is binary, not YAML text")
    latin = refused(tmp_path, "a: 1\nteam: croissé\n".encode("latin-1"))
    assert (latin.code, latin.message, latin.line, latin.col) == (
        "MLCP101",
        "the file is not valid UTF-8",
        2,
        13,
    )
    # the column counts characters: 'é' before the bad byte is one column, not two bytes
    mixed = refused(tmp_path, "a: 1\nteam: é".encode() + b"\xe9\n")
    assert (mixed.line, mixed.col) == (2, 8)


def test_deep_nesting_is_refused_without_a_crash(tmp_path: Path) -> None:
    found = refused(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert found.code == "MLCP101"
    assert "nests" in found.message


def test_a_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    found = load_document(tmp_path / "gone.yaml", "gone.yaml")
    assert isinstance(found, Diagnostic)
    assert (found.file, found.code) == ("gone.yaml", "MLCP101")
    assert found.message.startswith("cannot read the file")


# --- the 1 MiB limit -----------------------------------------------------------------


def _padded(size: int) -> bytes:
    head = b"apiVersion: mlcp/v1\nkind: Model\n"
    filler = b"# " + b"x" * 98 + b"\n"
    body = head + filler * ((size - len(head)) // len(filler))
    return body + b"#" * (size - len(body) - 1) + b"\n"


def test_a_file_of_exactly_1_mib_loads(tmp_path: Path) -> None:
    raw = _padded(MAX_BYTES)
    assert len(raw) == MAX_BYTES
    doc = load_text(tmp_path, raw)
    assert isinstance(doc, Document)
    assert doc.data == {"apiVersion": "mlcp/v1", "kind": "Model"}


def test_a_file_over_1_mib_is_refused_before_parsing(tmp_path: Path) -> None:
    raw = _padded(MAX_BYTES + 1)
    found = refused(tmp_path, raw)
    assert (found.code, found.line, found.col) == ("MLCP101", 1, 1)
    assert found.message == f"the file is {MAX_BYTES + 1} bytes; a spec may be at most 1 MiB"


def test_a_large_file_is_refused_through_the_cli(tmp_path: Path) -> None:
    from tests.spec.clirun import run_mlcp

    (tmp_path / "huge.yaml").write_bytes(_padded(3 * MAX_BYTES))
    result = run_mlcp(["validate", str(tmp_path / "huge.yaml")])
    assert result.code == 1
    assert "error MLCP101: the file is 3145728 bytes; a spec may be at most 1 MiB" in result.stdout


def test_a_source_loads_from_memory_as_from_its_file(tmp_path: Path) -> None:
    """The compiler can load a spec held in memory (a git object, a test) like a file."""
    raw = (SPECS / "fraud-detector.yaml").read_bytes()
    in_memory = load_source(raw, "specs/fraud-detector.yaml")
    (tmp_path / "fraud-detector.yaml").write_bytes(raw)
    from_disk = load_document(tmp_path / "fraud-detector.yaml", "specs/fraud-detector.yaml")
    assert isinstance(in_memory, Document)
    assert in_memory == from_disk
    refusal = load_source(b"a: 1\na: 2\n", "memory.yaml")
    assert isinstance(refusal, Diagnostic)
    assert (refusal.file, refusal.line, refusal.code) == ("memory.yaml", 2, "MLCP104")
