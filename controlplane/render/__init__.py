"""Renderers: pure functions from normalized models to artifacts.

Each module here exposes ``render(models, config) -> list[Artifact]``; one
that makes files per model also exposes the part for one model,
``render_model(model, config)``, so that a build renders models apart, in
parallel, and only those whose inputs changed. A renderer reads only ``controlplane.model``; it never touches the disk, the
clock, the environment or the network. ``controlplane.write`` is the only
code that writes the output tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from controlplane.model import Config, Model


@dataclass(frozen=True)
class Artifact:
    """One generated file: a path relative to the output folder, and its text."""

    path: str  # posix, relative to the output folder
    content: str
    model: str | None = None  # the model it belongs to, None for shared files
    stats: tuple[tuple[str, int], ...] = field(default=())  # e.g. (("rules", 40), ("alerts", 12))


Renderer = Callable[[Sequence[Model], Config], list[Artifact]]
ModelRenderer = Callable[[Model, Config], list[Artifact]]
"""The part of a renderer that makes one model's files, reading no other model."""
