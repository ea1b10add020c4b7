"""Semantic rules run because `check.RULES` lists them, not because a module was imported."""

from __future__ import annotations

import importlib
import pkgutil

from controlplane import spec
from controlplane.spec.check import RULES
from controlplane.spec.rulebook import Rule


def test_every_rule_the_spec_package_defines_runs_once() -> None:
    defined = set()
    for info in pkgutil.iter_modules(spec.__path__):
        module = importlib.import_module(f"{spec.__name__}.{info.name}")
        defined |= {v for v in vars(module).values() if isinstance(v, Rule)}
    codes = [r.code for r in RULES]
    assert set(RULES) == defined
    assert codes == sorted(set(codes)), "one rule per code, in code order"
    assert len(RULES) >= 40
