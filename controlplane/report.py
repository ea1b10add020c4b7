"""Short human summaries printed after a command's main output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from controlplane.diagnostics import Diagnostic
from controlplane.sources import display
from controlplane.write import FileEntry

if TYPE_CHECKING:
    from controlplane.build import BuildResult


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def diagnostics_summary(diagnostics: Sequence[Diagnostic], valid_specs: int) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return (
        f"{plural(valid_specs, 'valid spec')}; "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    )


def stale_files(result: BuildResult) -> list[str]:
    """Under --check, each output file that is not as the build would write it:
    `missing: PATH`, `differs: PATH`, `stale: PATH` (one the build would remove) or
    `edited: PATH` (a stale one changed since, which the build leaves in place)."""
    writes = result.writes
    assert writes is not None
    out, missing = result.out.as_posix(), set(writes.missing)
    # The build's list of files to write holds both; the person wants to know which.
    found = [f"{'missing' if p in missing else 'differs'}: {out}/{p}" for p in writes.written]
    found += [f"stale: {out}/{path}" for path in writes.removed]
    return found + [f"edited: {out}/{path}" for path in writes.kept]


def build_summary(result: BuildResult, *, check: bool) -> tuple[str, bool]:
    """The build's closing lines, and whether the tree on disk is out of date (for --check)."""
    writes = result.writes
    assert writes is not None
    lines = []
    for model, counts in result.stats_by_model().items():
        figures = ", ".join(plural(n, k.rstrip("s")) for k, n in sorted(counts.items()))
        lines.append(f"  {model}: {figures}")
    changed = writes.written or writes.removed or writes.kept or writes.owned_changed
    stale = bool(changed) if check else False
    out = result.out.as_posix()
    owned = [_owned_line(result, entry, check=check) for entry in writes.owned]
    if check:
        lines += [f"  {line}" for line in stale_files(result)]
        verdict = f"{out} is out of date; run `mlcp build`" if stale else f"{out} is up to date"
    else:
        verdict = (
            f"wrote {plural(len(writes.written), 'file')} to {out} "
            f"({len(writes.unchanged)} unchanged, {len(writes.removed)} removed)"
        )
        lines += [
            f"  kept {out}/{path}: no spec makes it now, but it changed since mlcp wrote it"
            for path in writes.kept
        ]
    return "\n".join([verdict, *lines, *filter(None, owned)]), stale


def _owned_line(result: BuildResult, entry: FileEntry, *, check: bool) -> str:
    """A file outside the output folder (CODEOWNERS): said only when it changed."""
    if entry.status == "unchanged" or result.compilation.root is None:
        return ""
    shown = display(result.compilation.root / entry.path)
    if check:
        return f"  {'missing' if entry.status == 'missing' else 'differs'}: {shown}"
    return f"  wrote {shown}"
