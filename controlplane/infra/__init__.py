"""Infrastructure as code: the Pulumi components of the platform and of every model.

`infra/__main__.py` declares the program (`program.load_and_declare`) in a real
`pulumi up`; `preview_offline` runs the same program under Pulumi's mocks. Both load pulumi when called, so
importing this package (as `mlcp validate` does not, and the build does) is cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from controlplane.model import Config, Model


def preview_offline(models: Sequence[Model], config: Config) -> list[dict[str, Any]]:
    """Every resource the program declares, under Pulumi's mocks, sorted deterministically."""
    from controlplane.infra import preview

    return preview.preview_offline(models, config)


__all__ = ["preview_offline"]
