"""Infrastructure as code: the Pulumi components of the platform and of every model.

`declare` is what `infra/__main__.py` runs in a real `pulumi up`; `preview_offline`
runs the same program under Pulumi's mocks. Both load pulumi when called, so
importing this package (as `mlcp validate` does not, and the build does) is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from controlplane.model import Config, Model

if TYPE_CHECKING:
    from controlplane.infra.platform import Platform


def declare(
    models: Sequence[Model], config: Config, *, spec_shas: Mapping[str, str] | None = None
) -> Platform:
    """Declare the platform and every model's components in the running Pulumi program."""
    from controlplane.infra import program

    return program.declare(models, config, spec_shas=spec_shas)


def preview_offline(
    models: Sequence[Model], config: Config, *, spec_shas: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every resource the program declares, under Pulumi's mocks, sorted deterministically."""
    from controlplane.infra import preview

    return preview.preview_offline(models, config, spec_shas=spec_shas)


__all__ = ["declare", "preview_offline"]
