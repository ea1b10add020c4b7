"""mlcp.yaml's tier defaults checked on their own lines, whether or not a spec inherits them.

A default is checked the way a spec inherits it: laid under a minimal spec of its tier
(one per task type and serving mode, completing the sections the defaults leave partial)
and validated with every rule. What is reported is what every such spec would be told
about a line of mlcp.yaml: a value wrong whatever inherits it (`availability: 99.5`,
meant 99.5 %), not one that only some specs trip on, nor a key or a combination a spec
may still supply (a retraining section without its data, a PSI bar beside the spec's).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from typing import Any

from controlplane.diagnostics import Diagnostic
from controlplane.domain import TASKS
from controlplane.spec.check import check_spec
from controlplane.spec.config import ConfigSpec
from controlplane.spec.layers import layer
from controlplane.spec.load import Document
from controlplane.spec.parse import validate
from controlplane.spec.v1 import ModelSpec

PROBE = "<a spec of the tier>"  # the file the probe specs' own diagnostics name: never shown
_SERVING = {
    "realtime": {"mode": "realtime", "instance_type": "ml.c5.large"},
    "batch": {"mode": "batch", "instance_type": "c6i.large", "schedule": "0 3 * * *"},
}
_ARTIFACT = {"version": "1.0.0", "image": "probe:1.0.0", "model_data": "s3://probe/model.tar.gz"}
_GATE = {"classification": "f1", "regression": "rmse", "ranking": "ndcg"}
# What a spec must add to a section the defaults may leave partial (its required keys).
_COMPLETIONS: dict[tuple[str, ...], dict[str, Any]] = {
    ("retraining",): {
        "cadence": "weekly",
        "data": {"source": "probe.parquet", "window": "9mo"},
        "entrypoint": "probe.train:fit",
    },
    ("fallback",): {"strategy": "previous_version"},
    ("serving", "cache"): {"ttl": "1h"},
    ("serving", "checkpoint"): {"every": "10m"},
    ("serving", "batching"): {"max_batch_size": 8, "max_delay": "10ms"},
    ("rollout", "candidate"): _ARTIFACT,
}
# Checks that weigh a default against what a spec may set beside it (a missing key, the
# other PSI bar, the rollout's candidate, the latencies' order): a spec's own business.
COMBINATIONS = frozenset(
    {
        "MLCP111",
        "MLCP201",
        "MLCP205",
        "MLCP206",
        "MLCP207",
        "MLCP208",
        "MLCP209",
        "MLCP210",
        "MLCP212",
        "MLCP216",
        "MLCP218",
        "MLCP219",
        "MLCP222",
        "MLCP225",
        "MLCP235",
        "MLCP239",
        "MLCP245",
    }
)


def in_defaults(diagnostic: Diagnostic, tier: str) -> Diagnostic:
    """A problem found in a tier default says so: it sits in mlcp.yaml, not in a spec."""
    return replace(diagnostic, message=f"{diagnostic.message} (in defaults.{tier})")


def check_tier_defaults(config: ConfigSpec, config_doc: Document | None) -> list[Diagnostic]:
    if config_doc is None:
        return []
    out: list[Diagnostic] = []
    for tier, defaults in config.defaults.items():
        found = [
            set(_probe(tier, task, mode, defaults, config, config_doc))
            for task, mode in product(TASKS, _SERVING)
        ]
        out += sorted(set.intersection(*found))
    return out


def _probe(
    tier: str, task: str, mode: str, defaults: dict[str, Any], config: ConfigSpec, doc: Document
) -> list[Diagnostic]:
    """What a minimal spec of the tier is told about mlcp.yaml's lines."""
    minimal: dict[str, Any] = {
        "apiVersion": "mlcp/v1",
        "kind": "Model",
        "metadata": {"name": "tier-default-probe", "team": "probe", "tier": tier},
        "task": {"type": task},
        "serving": {**_SERVING[mode], "artifact": _ARTIFACT},
    }
    for path, completion in _COMPLETIONS.items():
        if _get(defaults, path) is not None:
            _put(minimal, path, completion)
    if "retraining" in defaults:
        _put(minimal, ("retraining", "gate"), {"metric": _GATE[task]})
    layered = layer(Document(PROBE, _without(minimal, defaults)), defaults, doc, tier)
    spec, problems = validate(ModelSpec, layered.doc, layered.data)
    if spec is not None:
        problems += check_spec(spec, layered.doc, config)
    return [
        in_defaults(d, tier) for d in problems if d.file == doc.file and d.code not in COMBINATIONS
    ]


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], value: dict[str, Any]) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = {**value, **data.get(path[-1], {})}


def _without(minimal: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The minimal spec less what the defaults set, so that every default is inherited."""
    kept: dict[str, Any] = {}
    for key, value in minimal.items():
        if key not in defaults:
            kept[key] = value
        elif isinstance(value, dict) and isinstance(defaults[key], dict):
            kept[key] = _without(value, defaults[key])
    return kept
