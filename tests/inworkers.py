"""Make the compiler fail the test if a spec is compiled in the parent process."""

from __future__ import annotations

import os

import pytest

from controlplane import compile as compile_module
from controlplane import workers


def compile_only_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for a handful of specs, and an assertion that none compiles here."""
    monkeypatch.setattr(workers, "SERIAL_BELOW", 0)
    here = os.getpid()
    compile_one = compile_module._compile_one

    def only_in_workers(*args: object, **kwargs: object) -> object:
        assert os.getpid() != here, "a spec was compiled in the parent"
        return compile_one(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compile_module, "_compile_one", only_in_workers)
