"""The indented JSON writer: byte for byte what the standard library writes, on any data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.render.jsonwrite import dumps
from controlplane.render.monitoring import promql


def reference(data: Any) -> str:
    """The format every JSON artifact had when written by json.dumps (the oracle)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_same_bytes_as_json_dumps(data: Any) -> None:
    assert dumps(data) == reference(data)


def test_hand_written_layout() -> None:
    data = {"b": [1, 2.5, {}], "a": {"é": None, "x": []}, "c": True}
    expected = (
        "{\n"
        '  "a": {\n'
        '    "x": [],\n'
        '    "\u00e9": null\n'
        "  },\n"
        '  "b": [\n'
        "    1,\n"
        "    2.5,\n"
        "    {}\n"
        "  ],\n"
        '  "c": true\n'
        "}\n"
    )
    assert dumps(data) == expected


class Point:
    def __init__(self, x: int) -> None:
        self.x = x


def test_default_turns_other_objects_into_data() -> None:
    data = {"p": Point(3), "q": [Point(4)]}
    as_dict = lambda p: {"x": p.x}  # noqa: E731
    assert dumps(data, default=as_dict) == reference({"p": {"x": 3}, "q": [{"x": 4}]})


def test_unknown_objects_and_non_string_keys_are_refused() -> None:
    with pytest.raises(TypeError, match="Point"):
        dumps([Point(1)])
    with pytest.raises(TypeError, match="keys must be str"):
        dumps({1: "one"})


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_promql_string_is_the_json_string_literal(text: str) -> None:
    assert promql.string(text) == json.dumps(text, ensure_ascii=False)
