"""Generated files on disk that are not what the head's specs render, for the reviewer.

This is `mlcp build --check`'s own comparison (with the same base: units whose
inputs are the base's take their digests from its manifest, the rest are
rendered), read as a reviewer needs it. A file that differs from what the specs
render but is byte for byte as the base has it was only not rebuilt after a spec
changed: a note. Any other difference is a risk: someone edited, deleted or
added a file that mlcp generates, and the diff of the specs does not show it.
"""

from __future__ import annotations

from pathlib import Path

from controlplane.build import BuildResult, render_tree
from controlplane.compile import Checked, Compilation
from controlplane.gitread import read_file
from controlplane.plan.types import GeneratedFile
from controlplane.sources import display
from controlplane.write import MANIFEST, confine_output

HAND_EDITED = "hand-edited generated file"
HAND_DELETED = "generated file deleted by hand"
HAND_ADDED = "file no spec makes, added to the generated output"
NOT_REBUILT = "generated file not rebuilt since the specs changed (run `mlcp build`)"


def generated_files(
    compilation: Compilation[Checked], base: str | None
) -> tuple[GeneratedFile, ...]:
    """Every generated file on disk that the specs do not make as it is, by path; none when
    neither the disk nor the base holds a build (nothing generated to compare)."""
    out = compilation.output_dir
    if not (out / MANIFEST).exists() and (base is None or read_file(out / MANIFEST, base) is None):
        return ()
    # As `mlcp build` does first: a committed `build -> ..` names no file outside the project.
    confine_output(out, compilation.root, [], compilation.config.output_dir)
    result = BuildResult(compilation, out)
    render_tree(result, check=True, base=base)
    writes = result.writes
    assert writes is not None
    missing = set(writes.missing)
    found = [(out / p, HAND_DELETED if p in missing else HAND_EDITED) for p in writes.written]
    found += [(out / p, HAND_ADDED) for p in writes.removed]
    if compilation.root is not None:  # CODEOWNERS, named from where the command runs
        root = compilation.root
        found += [
            (Path(display(root / e.path)), HAND_DELETED if e.status == "missing" else HAND_EDITED)
            for e in writes.owned
            if e.status != "unchanged"
        ]
    return tuple(_finding(path, problem, base) for path, problem in sorted(found))


def _finding(path: Path, problem: str, base: str | None) -> GeneratedFile:
    shown = path.as_posix()
    # A link is never as the base has it: read_file gives None for a link, and for no file.
    if base is not None and not path.is_symlink() and _on_disk(path) == read_file(path, base):
        return GeneratedFile("note", shown, NOT_REBUILT)
    return GeneratedFile("risk", shown, problem)


def _on_disk(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
