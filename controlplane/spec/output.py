"""build.out in mlcp.yaml: a folder inside the project, apart from the specs (MLCP499).

A build owns its output folder: it writes there and removes files it made
there before. So that folder may not be the project root, hold the specs or
lie among them, and may not leave the project (whose pull requests review it).
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import Document

CODE = "MLCP499"
TITLE = "build.out is a folder inside the project, apart from the specs"
HINT = "name a folder below the project root, beside the specs folder: build"


def check_build_out(out: str, doc: Document, config_path: str) -> list[Diagnostic]:
    """MLCP499 at build.out when it does not name a folder a build may own.

    `config_path` is mlcp.yaml's name relative to the project root (specs/mlcp.yaml):
    the folder that holds it is the specs folder, and build.out is relative to the root."""
    problem = output_problem(out, PurePosixPath(config_path).parent.as_posix())
    if problem is None:
        return []
    at = doc.locate(("build", "out"))
    return [Diagnostic(at.file, at.line, at.col, CODE, "error", problem, HINT)]


def output_problem(out: str, specs: str) -> str | None:
    """Why `out` (relative to the project root) cannot be the output folder, if it cannot."""
    pure = PurePosixPath(out)
    if pure.is_absolute():
        return f"build.out {out!r} is absolute: the output folder lies inside the project"
    if ".." in pure.parts:
        return f"build.out {out!r} goes up with '..': the output folder lies inside the project"
    folder = posixpath.normpath(out)
    if folder == ".":
        return f"build.out {out!r} is the project root: a build owns its output folder"
    if specs == ".":  # mlcp.yaml named at the root: no specs folder to keep apart
        return None
    if specs == folder or specs.startswith(folder + "/"):
        return f"build.out {out!r} holds the specs folder {specs}/"
    if folder.startswith(specs + "/"):
        return f"build.out {out!r} lies inside the specs folder {specs}/"
    return None
