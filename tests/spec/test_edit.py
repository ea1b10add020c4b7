"""Round-trip spec edits: only the intended lines change, and the result still validates."""

from __future__ import annotations

import difflib

import pytest

from controlplane.compile import edit_spec
from controlplane.sources import Source
from controlplane.spec.edit import Delete, Replace, Set, SpecEditError, edit_text
from tests.memory import EXAMPLE_TEXTS, example_sources

CONFIG = example_sources()[1]
FRAUD = EXAMPLE_TEXTS["fraud-detector.yaml"]
FORECAST = EXAMPLE_TEXTS["demand-forecast.yaml"]


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a unified diff removes (-) and adds (+), in order."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")]


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


@pytest.mark.parametrize("name", sorted(EXAMPLE_TEXTS))
def test_no_edit_gives_the_text_back_byte_for_byte(name: str) -> None:
    assert edit_text(EXAMPLE_TEXTS[name], []) == EXAMPLE_TEXTS[name]


def test_setting_the_state_changes_that_line_only_and_validates() -> None:
    source = Source("specs/fraud-detector.yaml", FRAUD)
    text, compiled = edit_spec(source, [Set("rollout.state", "canary-5")], CONFIG)
    assert changed_lines(FRAUD, text) == ["-  state: shadow", "+  state: canary-5"]
    assert compiled.model.rollout.state == "canary-5"


def test_the_candidate_becomes_the_artifact_with_comments_and_quotes_kept() -> None:
    candidate = {
        "version": "1.5.0",
        "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
        "model_data": "s3://acme-models/fraud-detector/1.5.0/model.tar.gz",
    }
    edits = [
        Replace("serving.artifact", candidate),
        Delete("rollout.candidate"),
        Replace("rollout.state", "stable"),
    ]
    text, compiled = edit_spec(Source("specs/fraud-detector.yaml", FRAUD), edits, CONFIG)
    assert changed_lines(FRAUD, text) == [
        "-    version: 1.4.0",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.4.0",
        "-    model_data: s3://acme-models/fraud-detector/1.4.0/model.tar.gz",
        "+    version: 1.5.0",
        "+    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
        "+    model_data: s3://acme-models/fraud-detector/1.5.0/model.tar.gz",
        "-  candidate:",
        "-    version: 1.5.0",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
        "-    model_data: s3://acme-models/fraud-detector/1.5.0/model.tar.gz",
        "-  state: shadow",
        "+  state: stable",
    ]
    assert comments(text) == comments(FRAUD)
    assert '  slack: "#risk-ml-oncall"' in text.splitlines()
    assert compiled.model.serving.artifact.version == "1.5.0"
    assert compiled.model.rollout.candidate is None


def test_a_new_key_goes_before_the_sibling_named() -> None:
    candidate = {"version": "3.3.0", "image": "ecr/demand:3.3.0", "model_data": "s3://m/3.3.0"}
    edits = [Set("rollout.candidate", candidate, before="state")]
    text, compiled = edit_spec(Source("specs/demand-forecast.yaml", FORECAST), edits, CONFIG)
    assert changed_lines(FORECAST, text) == [
        "+  candidate:",
        "+    version: 3.3.0",
        "+    image: ecr/demand:3.3.0",
        "+    model_data: s3://m/3.3.0",
    ]
    assert text.splitlines()[text.splitlines().index("  candidate:") + 4] == "  state: stable"
    assert compiled.model.rollout.candidate is not None


def test_flow_style_and_end_of_line_comments_stay() -> None:
    text = edit_text(FRAUD, [Set("features.overrides.amount.psi.warn", 0.2)])
    assert changed_lines(FRAUD, text) == [
        "-    amount: {psi: {warn: 0.15, critical: 0.3}}   # amounts swing with seasons and promotions",
        "+    amount: {psi: {warn: 0.2, critical: 0.3}}    # amounts swing with seasons and promotions",
    ]
    text = edit_text(FRAUD, [Set("quality.metrics.0.min", 0.9)])
    assert changed_lines(FRAUD, text) == [
        "-    - {name: recall, min: 0.85, window: 1d}",
        "+    - {name: recall, min: 0.9, window: 1d}",
    ]


def test_comment_lines_after_a_deleted_or_replaced_key_stay() -> None:
    text = (
        "a: 1\nb: x  # about b\n# about c\nc:\n  d: 2  # about d\n  # after d\n\n# about e\ne: 3\n"
    )
    assert changed_lines(text, edit_text(text, [Delete("b")])) == ["-b: x  # about b"]
    assert changed_lines(text, edit_text(text, [Replace("c", 7)])) == [
        "-c:",
        "-  d: 2  # about d",
        "+c: 7",
    ]
    assert changed_lines(text, edit_text(text, [Set("c.z", 5)])) == ["+  z: 5"]


def test_the_indentation_of_the_file_is_kept() -> None:
    text = "top:\n    inner:\n        leaf: 1\n    items:\n    - one\n    - two\n"
    assert changed_lines(text, edit_text(text, [Set("top.inner.leaf", 2)])) == [
        "-        leaf: 1",
        "+        leaf: 2",
    ]
    assert changed_lines(text, edit_text(text, [Set("top.items", ["one", "three"])])) == [
        "-    - two",
        "+    - three",
    ]


def test_set_adds_the_mappings_a_path_needs_at_the_end() -> None:
    text = "a: 1  # one\n# closing remark\n"
    assert edit_text(text, [Set("rollout.candidate.version", "2.0.0")]) == (
        "a: 1  # one\n# closing remark\nrollout:\n  candidate:\n    version: 2.0.0\n"
    )


def test_windows_line_ends_stay() -> None:
    text = FRAUD.replace("\n", "\r\n")
    edited = edit_text(text, [Set("rollout.state", "canary-5")])
    assert edited == text.replace("  state: shadow\r\n", "  state: canary-5\r\n")


def test_formatting_the_dumper_would_change_stays_outside_the_edit() -> None:
    text = "a:   1    # spaced\nb: 'single'\nc:   [1,2]\n"
    # the replaced value keeps its quotes; the lines around it keep their spacing
    assert edit_text(text, [Set("b", "double")]) == "a:   1    # spaced\nb: 'double'\nc:   [1,2]\n"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Replace("rollout.since_when", "x"), "the spec has no field rollout.since_when"),
        (Delete("oncall.pager"), "the spec has no field oncall.pager"),
        (Set("task.type.name", "x"), "cannot add task.type.name: not a mapping"),
    ],
)
def test_a_missing_field_is_refused(edit: Set | Replace | Delete, message: str) -> None:
    with pytest.raises(SpecEditError, match=message):
        edit_text(FRAUD, [edit])


def test_an_edit_that_breaks_the_spec_is_refused_with_its_diagnostics() -> None:
    source = Source("specs/demand-forecast.yaml", FORECAST)
    with pytest.raises(SpecEditError) as refused:
        edit_spec(source, [Set("rollout.bake_time", "soon")], CONFIG)
    line = FORECAST.splitlines().index("  bake_time: 1d") + 1
    assert "would not validate" in str(refused.value)
    assert f"specs/demand-forecast.yaml:{line}:14: error" in str(refused.value)
