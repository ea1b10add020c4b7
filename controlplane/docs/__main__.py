"""``python -m controlplane.docs [--check]``: write docs/reference/ (or only compare it)."""

from __future__ import annotations

import sys
from pathlib import Path

from controlplane.docs import FOLDER, render

# The reference describes this source tree's code: it lives beside it, wherever this runs from.
ROOT = Path(__file__).resolve().parents[2]


def rendered() -> dict[str, str]:
    return {artifact.path: artifact.content for artifact in render()}


def stale(root: Path, wanted: dict[str, str]) -> list[str]:
    """The reference files that differ from what the code renders, or should not be there."""
    folder = root / FOLDER
    present = (
        {p.relative_to(root).as_posix() for p in folder.glob("*.md")} if folder.is_dir() else set()
    )
    differ = [
        path
        for path, content in wanted.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != content
    ]
    return sorted({*differ, *(present - set(wanted))})


def write(root: Path) -> list[str]:
    """Bring docs/reference/ up to date; the files changed or removed."""
    wanted = rendered()
    changed = stale(root, wanted)
    (root / FOLDER).mkdir(parents=True, exist_ok=True)
    for path in changed:
        if path in wanted:
            (root / path).write_text(wanted[path], encoding="utf-8")
        else:
            (root / path).unlink()
    return changed


def main(argv: list[str], root: Path = ROOT) -> int:
    if argv == ["--check"]:
        changed = stale(root, rendered())
        for path in changed:
            print(f"{path}: not what the code renders; run: python -m controlplane.docs")
        return 1 if changed else 0
    if argv:
        print("usage: python -m controlplane.docs [--check]", file=sys.stderr)
        return 2
    for path in write(root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
