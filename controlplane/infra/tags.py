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
TAG_SPEC_SHA = "mlcp:spec-sha"
PLATFORM = "mlcp"  # the logical name the shared resources start with; no model is named so

# Variant names stay the same across states, so a traffic shift reads as a weight change.
STABLE = "stable"
CANDIDATE = "candidate"


class MissingSpecSha(MlcpError):
    """A model declared without the sha256 of its spec: its resources could not be traced."""


def model_tags(model: Model, spec_sha: str) -> dict[str, str]:
    """The four tags every taggable resource of `model` carries."""
    if not spec_sha:
        raise MissingSpecSha(f"{model.name}: no spec sha256 to tag its resources with")
    return {
        TAG_MODEL: model.name,
        TAG_TEAM: model.team,
        TAG_TIER: model.tier,
        TAG_SPEC_SHA: spec_sha,
    }


def platform_tags(spec_shas: Iterable[str]) -> dict[str, str]:
    """The shared resources belong to no model, and are made from every spec: their
    spec sha is the sha256 of the sorted shas of the specs."""
    digest = hashlib.sha256("\n".join(sorted(spec_shas)).encode("ascii")).hexdigest()
    return {TAG_MODEL: PLATFORM, TAG_TEAM: "platform", TAG_TIER: "platform", TAG_SPEC_SHA: digest}
