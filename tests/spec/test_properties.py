"""Whatever a spec file holds, `mlcp validate` answers with located diagnostics, never a crash.

The examples are mutated the ways people and editors break YAML: keys deleted or
duplicated, values of the wrong type, junk keys, stray unicode, a file cut short.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests import yamltree
from tests.conftest import SPECS
from tests.spec.clirun import run_mlcp

EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted(SPECS.glob("*.yaml"))}
MODEL_EXAMPLES = sorted(name for name in EXAMPLES if name != "mlcp.yaml")
CODE = re.compile(r"^MLCP\d{3}$")
KEYS = ["file", "line", "col", "code", "severity", "message"]

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["150ms", "9mo", "0.1%", "50/s", "0 3 * * *", "critical", "", "@x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def data_mutation(draw: st.DrawFn, text: str) -> str:
    """Load the example, change one node (delete, retype, add a junk key), dump it again."""
    data = YAML(typ="safe", pure=True).load(text)
    path = draw(st.sampled_from(list(yamltree.paths(data))))
    parent, last = yamltree.parent(data, path), path[-1]
    action = draw(st.sampled_from(["delete", "retype", "junk-key"]))
    if action == "delete":
        del parent[last]
    elif action == "retype":
        parent[last] = draw(values)
    else:
        target = parent[last] if isinstance(parent[last], dict) else parent
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=12))] = draw(values)
        else:
            target.append(draw(values))
    return yamltree.dump(data)


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """Edit the text itself: duplicate or drop a line, insert unicode, cut the file short."""
    lines = text.splitlines(keepends=True)
    action = draw(st.sampled_from(["duplicate-line", "drop-line", "insert", "truncate"]))
    if action == "duplicate-line":
        index = draw(st.integers(0, len(lines) - 1))
        return "".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])
    if action == "drop-line":
        index = draw(st.integers(0, len(lines) - 1))
        return "".join([*lines[:index], *lines[index + 1 :]])
    position = draw(st.integers(0, len(text)))
    if action == "truncate":
        return text[:position]
    junk = draw(st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(["\t", ":", "- ", "{"])))
    return text[:position] + junk + text[position:]


@st.composite
def mutated_spec(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(MODEL_EXAMPLES))
    text = EXAMPLES[name]
    mutate = draw(st.sampled_from([data_mutation, text_mutation]))
    return name, draw(mutate(text))


def _check(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
        (folder / name).write_text(text, encoding="utf-8")
        lines = {p.name: len(p.read_bytes().splitlines()) for p in folder.iterdir()}
        with contextlib.chdir(folder):
            as_json = run_mlcp(["validate", "--format", "json", name])
            as_text = run_mlcp(["validate", name])

    for result in (as_json, as_text):
        assert result.code in (0, 1), result
        assert "Traceback" not in result.stdout + result.stderr
        assert "internal error" not in result.stderr
        assert result.stderr == ""

    records = json.loads(as_json.stdout)
    assert isinstance(records, list)
    for record in records:
        assert list(record) == KEYS, record
        assert record["file"] in lines, record
        # A YAML error at the end of the file may point just past the last line.
        assert 1 <= record["line"] <= lines[record["file"]] + 1, record
        assert record["col"] >= 1, record
        assert CODE.match(record["code"]), record
        assert record["severity"] in ("error", "warning"), record
        assert record["message"].strip(), record
        event(record["code"])
    has_error = any(r["severity"] == "error" for r in records)
    assert as_json.code == (1 if has_error else 0)
    assert as_text.code == as_json.code
    shown = [line for line in as_text.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    assert len(shown) == len(records)


@PROPERTY
@given(mutated_spec())
def test_mutated_specs_get_located_diagnostics(case: tuple[str, str]) -> None:
    name, text = case
    _check(name, text)


@PROPERTY
@given(st.sampled_from(MODEL_EXAMPLES), st.text(max_size=200))
def test_arbitrary_text_gets_located_diagnostics(name: str, text: str) -> None:
    _check(name, text)


def test_examples_are_clean_under_the_same_checks() -> None:
    """The unmutated examples pass the same harness with no diagnostic at all."""
    for name in MODEL_EXAMPLES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
            (folder / name).write_text(EXAMPLES[name], encoding="utf-8")
            with contextlib.chdir(folder):
                result = run_mlcp(["validate", "--format", "json", name])
        assert (result.code, json.loads(result.stdout)) == (0, []), name
