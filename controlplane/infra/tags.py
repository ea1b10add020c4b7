"""What every cloud resource of a model carries, and the names its resources derive from.

No pulumi here: the build's cache keys and the plan read these without loading the SDK.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from controlplane.errors import MlcpError
from controlplane.model import Model

TAG_MODEL = "mlcp:model"
TAG_TEAM = "mlcp:team"
TAG_TIER = "mlcp:tier"
# The sha256 of a model's spec is kept once, as an input of its component (the platform's:
# of every spec), not as a tag on each AWS resource: a tag would make every edit of a spec,
# a comment included, update every resource of the model.
SPEC_SHA = "specSha"
PLATFORM = "mlcp"  # the logical name the shared resources start with; no model is named so

# Variant names stay the same across states, so a traffic shift reads as a weight change.
STABLE = "stable"
CANDIDATE = "candidate"


class MissingSpecSha(MlcpError):
    """A model declared without the sha256 of its spec: its resources could not be traced."""


def model_tags(model: Model) -> dict[str, str]:
    """The three tags every taggable resource of `model` carries."""
    return {TAG_MODEL: model.name, TAG_TEAM: model.team, TAG_TIER: model.tier}


def spec_sha(model: Model) -> str:
    """The sha256 of the model's spec file, which its component records."""
    if not model.spec_sha256:
        raise MissingSpecSha(f"{model.name}: no spec sha256 to trace its resources to")
    return model.spec_sha256


def platform_tags() -> dict[str, str]:
    """The shared resources belong to no model."""
    return {TAG_MODEL: PLATFORM, TAG_TEAM: "platform", TAG_TIER: "platform"}


def platform_spec_sha(spec_shas: Iterable[str]) -> str:
    """The shared resources are made from every spec: the sha256 of their sorted shas."""
    return hashlib.sha256("\n".join(sorted(spec_shas)).encode("ascii")).hexdigest()
