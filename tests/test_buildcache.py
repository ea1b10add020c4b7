"""The build cache's keys: different inputs never share one, equal inputs always do."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from controlplane.buildcache import canonical

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Hidden:
    shown: int
    secret: str = field(repr=False)


def test_every_field_counts_even_one_its_repr_hides() -> None:
    assert repr(Hidden(1, "a")) == repr(Hidden(1, "b"))
    assert canonical(Hidden(1, "a")) != canonical(Hidden(1, "b"))


def test_values_of_different_types_differ() -> None:
    texts = [canonical(v) for v in (1, 1.0, True, "1", (1,), [1], None, "None", b"1")]
    assert len(set(texts)) == len(texts)


def test_sets_and_dicts_do_not_depend_on_their_order() -> None:
    assert canonical(frozenset({"a", "b", "c"})) == canonical(frozenset({"c", "b", "a"}))
    assert canonical({"x": 1, "y": 2}) == canonical({"y": 2, "x": 1})


def test_the_key_of_a_set_is_the_same_in_every_process() -> None:
    """String hashing is salted per process; a key must not be."""
    code = "from controlplane.buildcache import canonical; print(canonical(frozenset('abcdefgh')))"
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_an_object_without_a_canonical_form_is_refused() -> None:
    class Opaque:
        pass

    with pytest.raises(TypeError, match="no canonical form for Opaque"):
        canonical({"k": Opaque()})
