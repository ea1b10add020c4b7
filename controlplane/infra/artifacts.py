"""build/infra: the offline Pulumi preview, as JSON.

Each model's resources are previewed apart (`infra/models/<model>.json`), so a
build previews again only the models that changed; `infra/resources.json` is the
whole program's list: the platform's resources, previewed with every model, and
each model's, taken from those files (see `controlplane.build`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from controlplane.infra import records
from controlplane.model import Config, Model
from controlplane.render import Artifact

RESOURCES = "infra/resources.json"
MODELS = "infra/models"


def model_path(name: str) -> str:
    return f"{MODELS}/{name}.json"


def render_model(model: Model, config: Config) -> list[Artifact]:
    from controlplane.infra.preview import preview_model  # pulumi loads only to render

    found = preview_model(model, config)
    stats = (("resources", records.count_resources(found)),)
    return [Artifact(model_path(model.name), records.document(found), model.name, stats)]


def render_resources(
    models: Sequence[Model], config: Config, fragments: Mapping[str, str]
) -> Artifact:
    """resources.json from the platform's preview and each model's file (its text by name)."""
    from controlplane.infra.preview import preview_platform

    platform = preview_platform(models, config)
    texts = [records.document(platform), *(fragments[name] for name in sorted(fragments))]
    stats = (("resources", records.count_resources(platform)),)
    return Artifact(RESOURCES, records.join_documents(texts), None, stats)
