"""Finding DVC for tests: the one installed beside this Python, as `mlcp retrain` finds it."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import require_tool


def dvc_tool() -> str:
    beside = Path(sys.executable).parent / "dvc"
    return str(beside) if beside.exists() else require_tool("dvc")
