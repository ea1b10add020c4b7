"""The Pulumi program: compile the specs, declare every model's components.

Thin on purpose: the components live in `controlplane.infra`, the specs are the
data. `pulumi up` runs it from this folder; so does `mlcp apply` through the
Automation API. Config: `mlcp:specs` (default ../specs); the secret
`mlcp:cacheAuthToken` sets the Redis caches' AUTH token.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from controlplane.infra.program import load_and_declare

HERE = Path(__file__).resolve().parent
specs = HERE / (pulumi.Config("mlcp").get("specs") or "../specs")
load_and_declare(specs)
