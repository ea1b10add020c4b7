"""The example specs as in-memory sources: compile them, edited, with no file on disk."""

from __future__ import annotations

from controlplane.sources import CONFIG_NAME, Source
from tests.conftest import SPECS

EXAMPLE_TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(SPECS.glob("*.yaml"))}


def edited(name: str, old: str, new: str) -> str:
    """An example's text with one exact passage replaced (it must occur once)."""
    text = EXAMPLE_TEXTS[name]
    assert text.count(old) == 1, f"{old!r} is not in {name} exactly once"
    return text.replace(old, new)


def example_sources(**texts: str) -> tuple[list[Source], Source]:
    """The model specs and mlcp.yaml, named as a build names them; `texts` replaces some.

    Keys are file stems with underscores (``fraud_detector=...``, ``mlcp=...``).
    """
    replaced = {f"{key.replace('_', '-')}.yaml": text for key, text in texts.items()}
    everything = {**EXAMPLE_TEXTS, **replaced}
    specs = [Source(f"specs/{n}", t) for n, t in everything.items() if n != CONFIG_NAME]
    return specs, Source(f"specs/{CONFIG_NAME}", everything[CONFIG_NAME])


def line_and_col(text: str, needle: str, at: str | None = None) -> tuple[int, int]:
    """1-based line and column of `at` (default `needle`) on the one line holding `needle`."""
    lines = text.splitlines()
    found = [i for i, line in enumerate(lines) if needle in line]
    assert len(found) == 1, f"{needle!r} is not on exactly one line"
    return found[0] + 1, lines[found[0]].index(at or needle) + 1
