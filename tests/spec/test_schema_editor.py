"""The schemas in the real editor: yaml-language-server, driven over LSP.

What a person sees while writing a spec: no diagnostic on a valid spec, a diagnostic on
the line `mlcp validate` names for a broken one, completions that insert values mlcp
accepts, and a description on every key they hover.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from controlplane.render.schema import dumps, json_schema
from controlplane.workers import check
from tests.conftest import ROOT, SPECS
from tests.spec.lsp import LanguageServer
from tests.spec.test_schema import STRUCTURAL

FIXTURES = ROOT / "tests" / "fixtures" / "invalid"
EXAMPLES = ["fraud-detector", "demand-forecast", "recommender"]
BROKEN = [*STRUCTURAL, "mlcp226-batch-fields-on-realtime"]
PROPERTY = 10  # CompletionItemKind.Property


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of specs/ beside build/schema/ rendered by this code (the specs' modeline)."""
    root = tmp_path_factory.mktemp("editor")
    shutil.copytree(SPECS, root / "specs")
    (root / "build" / "schema").mkdir(parents=True)
    (root / "broken").mkdir()
    for kind in ("model", "config"):
        (root / "build" / "schema" / f"{kind}.v1.json").write_text(dumps(json_schema(kind)))
    return root


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[LanguageServer]:
    model = (workspace / "build" / "schema" / "model.v1.json").as_uri()
    running = LanguageServer({"schemas": {model: "**/broken/*.yaml"}})
    yield running
    running.stop()


def mlcp_lines(path: Path) -> set[int]:
    """The 0-based lines `mlcp validate` reports in one file (the oracle for the editor)."""
    compiled = check([path.parent], jobs=1)
    return {d.line - 1 for d in compiled.diagnostics if Path(d.file).name == path.name}


def expected_lines(case: str) -> set[int]:
    """The 0-based lines of the errors in a fixture's .expected (mlcp's own output)."""
    text = (FIXTURES / f"{case}.expected").read_text(encoding="utf-8")
    return {int(m[1]) - 1 for m in re.finditer(rf"^{re.escape(case)}\.yaml:(\d+):", text, re.M)}


def server_lines(diagnostics: list[dict[str, Any]]) -> set[int]:
    return {d["range"]["start"]["line"] for d in diagnostics}


@pytest.mark.parametrize("name", [*EXAMPLES, "mlcp"])
def test_examples_have_no_diagnostic(server: LanguageServer, workspace: Path, name: str) -> None:
    path = workspace / "specs" / f"{name}.yaml"
    assert server.diagnose(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("case", BROKEN)
def test_broken_spec_has_a_diagnostic_on_each_line_mlcp_names(
    server: LanguageServer, workspace: Path, case: str
) -> None:
    text = (FIXTURES / f"{case}.yaml").read_text(encoding="utf-8")
    found = server_lines(server.diagnose(workspace / "broken" / f"{case}.yaml", text))
    assert expected_lines(case) <= found


def test_a_typo_in_tier_defaults_is_found_in_the_editor(
    server: LanguageServer, workspace: Path, tmp_path: Path
) -> None:
    text = (SPECS / "mlcp.yaml").read_text(encoding="utf-8")
    typo = text.replace("      availability: 99.9%", "      availabilty: 99.9%", 1)
    assert typo != text
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / "mlcp.yaml").write_text(typo, encoding="utf-8")
    named = mlcp_lines(specs / "mlcp.yaml")
    assert named == {typo.splitlines().index("      availabilty: 99.9%")}
    diagnostics = server.diagnose(workspace / "specs" / "mlcp-typo.yaml", typo)
    assert server_lines(diagnostics) == named


# -- completion ---------------------------------------------------------------------------


def _snippet_text(text: str) -> str:
    """What a snippet inserts when its placeholders are kept: ``${1:1w}`` → ``1w``."""
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{?\d+\}?", "", text)


def _blank_sections(text: str, keep: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """Each top-level block mapping's body replaced by one empty, indented line (a cursor),
    but for its lines starting with `keep`; the cursors' line numbers."""
    out: list[str] = []
    cursors: list[int] = []
    inside = False
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):  # a top-level key
            inside = line.rstrip().endswith(":")
            out.append(line)
            if inside:
                cursors.append(len(out))
                out.append("  ")
        elif not inside or line.strip().startswith(keep):
            out.append(line)
    return out, cursors


def _with_completions(server: LanguageServer, path: Path, text: str) -> tuple[str, list[int]]:
    """The document with every key offered at each cursor inserted; the inserted lines."""
    lines, cursors = _blank_sections(text, keep=("mode:",))
    uri = server.open(path, "\n".join(lines) + "\n")
    inserts: dict[int, list[str]] = {}
    for line in cursors:
        indent = lines[line]
        items = server.completion(uri, line, len(indent))
        assert items, f"no completion in {lines[line - 1]!r}"
        body: list[str] = []
        for item in items:
            if item.get("kind") != PROPERTY:
                continue
            edit = item.get("textEdit", {}).get("newText", item.get("insertText", item["label"]))
            body += [indent + part for part in _snippet_text(edit).split("\n")]
        inserts[line] = body
    result: list[str] = []
    inserted: list[int] = []
    for number, line in enumerate(lines):
        if number in inserts:
            inserted += range(len(result), len(result) + len(inserts[number]))
            result += inserts[number]
        else:
            result.append(line)
    return "\n".join(result) + "\n", inserted


_VALUE = re.compile(r"^\s*(- \S|[\w.-]+:\s*[^\s#])")


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_completion_inserts_a_value_mlcp_refuses(
    server: LanguageServer, workspace: Path, tmp_path: Path, name: str
) -> None:
    """Every key offered in every section, inserted with the values the editor fills in."""
    text = (workspace / "specs" / f"{name}.yaml").read_text(encoding="utf-8")
    completed, inserted = _with_completions(
        server, workspace / "specs" / f"{name}-completed.yaml", text
    )
    lines = completed.splitlines()
    filled = {n for n in inserted if _VALUE.match(lines[n])}
    assert filled, "the completions filled in no value"
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / f"{name}.yaml").write_text(completed, encoding="utf-8")
    refused = {n: lines[n] for n in mlcp_lines(specs / f"{name}.yaml") & filled}
    assert refused == {}
    assert server.errors == []


def test_a_realtime_model_is_not_offered_batch_keys(
    server: LanguageServer, workspace: Path
) -> None:
    text = "\n".join(
        [
            "# yaml-language-server: $schema=../build/schema/model.v1.json",
            "apiVersion: mlcp/v1",
            "kind: Model",
            "serving:",
            "  mode: MODE",
            "  ",
            "",
        ]
    )
    offered = {}
    for mode in ("realtime", "batch"):
        uri = server.open(workspace / "specs" / f"{mode}-keys.yaml", text.replace("MODE", mode))
        offered[mode] = {item["label"] for item in server.completion(uri, 5, 2)}
    assert {"schedule", "spot", "checkpoint"} & offered["realtime"] == set()
    assert {"schedule", "spot", "checkpoint"} <= offered["batch"]
    assert "batching" in offered["realtime"]
    assert "batching" not in offered["batch"]
    assert server.errors == []


def test_tier_defaults_are_completed_as_a_partial_spec(
    server: LanguageServer, workspace: Path
) -> None:
    text = "\n".join(
        [
            "# yaml-language-server: $schema=../build/schema/config.v1.json",
            "apiVersion: mlcp/v1",
            "kind: Config",
            "defaults:",
            "  critical:",
            "    sla:",
            "      ",
            "",
        ]
    )
    uri = server.open(workspace / "specs" / "defaults-keys.yaml", text)
    offered = {item["label"] for item in server.completion(uri, 6, 6)}
    assert {"availability", "error_rate", "latency", "min_throughput"} <= offered
    assert server.errors == []


# -- hover --------------------------------------------------------------------------------


# Maps from a name the user chooses to a plain value, described on the map itself.
NAMED_VALUES = ("prices", "pulumi.secrets")


def _keys(node: Any) -> Iterator[tuple[str, int, int]]:
    """Every mapping key of a YAML document: (dotted path, 0-based line, column)."""
    stack: list[tuple[str, Any]] = [("", node)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, CommentedMap) and path not in NAMED_VALUES:
            for key, sub in value.items():
                line, col = value.lc.key(key)
                dotted = f"{path}.{key}" if path else str(key)
                yield dotted, line, col
                stack.append((dotted, sub))
        elif isinstance(value, CommentedSeq):
            stack += [(f"{path}[]", sub) for sub in value]


def _hover_text(hover: str) -> str:
    """A hover without its source line and headings."""
    kept = [
        line
        for line in hover.splitlines()
        if line.strip() and not line.startswith("Source:") and not line.startswith("#")
    ]
    return "\n".join(kept).strip()


@pytest.mark.parametrize("name", [*EXAMPLES, "mlcp"])
def test_every_key_hovers_with_a_description(
    server: LanguageServer, workspace: Path, name: str
) -> None:
    path = workspace / "specs" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    uri = server.open(path, text)
    data = YAML(typ="rt").load(text)
    bare: list[str] = []
    repeated: list[str] = []
    for dotted, line, col in _keys(data):
        hover = server.hover(uri, line, col + 1)
        shown = _hover_text(hover or "")
        if not shown:
            bare.append(dotted)
        if "||" in (hover or ""):
            repeated.append(f"{dotted}: {hover!r}")
    assert bare == []
    assert repeated == []
