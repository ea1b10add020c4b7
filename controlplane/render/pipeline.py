"""The retraining pipeline of each model: `pipelines/<model>/dvc.yaml` and `params.yaml`.

Stages are written out literally (no `foreach`), each with the deps, outs, params
and metrics it reads and writes, so `dvc repro` reruns only what changed and
`dvc metrics diff` compares runs. Every path is relative to the pipeline folder,
where DVC runs the commands; the specs and the training code are reached from
there through the project root (the folder holding the specs folder). DVC
runs each `cmd` through a shell, so every word in it is quoted for the shell.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence
from typing import Any

from controlplane import pipeline_layout as layout
from controlplane.model import Config, Model, SearchParam
from controlplane.render import Artifact
from controlplane.render.monitoring.yamlio import dumps

PIPELINES = "pipelines"
# Stages run in this order; each one's deps include an out of the one before.
STAGES = ("validate", "split", "tune", "train", "evaluate", "gate", "propose")


def shell_command(*words: str) -> str:
    """A `cmd` DVC hands to the shell: each word quoted, so a folder named `a;touch x` is a path."""
    return shlex.join(words)


def project_root(config: Config) -> str:
    """The project root as seen from the model's pipeline folder (build.out is relative to it)."""
    depth = len([p for p in posixpath.normpath(config.output_dir).split("/") if p not in ("", ".")])
    return posixpath.join(*[".."] * (depth + 2))


def render_model(model: Model, config: Config) -> list[Artifact]:
    """dvc.yaml and params.yaml of one model; nothing for a model that declares no retraining."""
    if model.retraining is None:
        return []
    folder = f"{PIPELINES}/{model.name}"
    stages = pipeline_stages(model, config)
    return [
        Artifact(
            f"{folder}/dvc.yaml",
            dumps({"stages": stages}, model.source),
            model.name,
            (("stages", len(stages)),),
        ),
        Artifact(f"{folder}/params.yaml", dumps(params(model), model.source), model.name),
    ]


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    return [a for m in sorted(models, key=lambda m: m.name) for a in render_model(m, config)]


def _stage(
    name: str,
    model: Model,
    specs: str,
    *,
    deps: Sequence[str],
    params: Sequence[str],
    outs: Sequence[str | dict[str, Any]] = (),
    metrics: Sequence[str] = (),
) -> dict[str, Any]:
    stage: dict[str, Any] = {
        "cmd": shell_command("mlcp", "stage", name, "--model", model.name, "--specs", specs),
        "deps": sorted(deps),
        "params": list(params),
    }
    if outs:
        stage["outs"] = list(outs)
    if metrics:
        stage["metrics"] = [{path: {"cache": False}} for path in metrics]
    return stage


def pipeline_stages(model: Model, config: Config) -> dict[str, dict[str, Any]]:
    assert model.retraining is not None
    root = project_root(config)
    specs = posixpath.normpath(posixpath.join(root, posixpath.dirname(model.source) or "."))
    code = posixpath.join(root, layout.entrypoint_package(model.retraining.entrypoint))
    return {
        "validate": _stage(
            "validate",
            model,
            specs,
            deps=[layout.SOURCE, layout.PRODUCTION],
            params=["data", "features", "checks"],
            metrics=[layout.VALIDATION],
        ),
        "split": _stage(
            "split",
            model,
            specs,
            deps=[layout.SOURCE, layout.VALIDATION],
            params=["data.window_seconds", "data.time_column", "split"],
            outs=[layout.TRAIN, layout.VALID, layout.TEST],
        ),
        "tune": _stage(
            "tune",
            model,
            specs,
            deps=[layout.TRAIN, layout.VALID, code],
            params=["data.label_column", "train.entrypoint", "tune", "gate.metric"],
            outs=[{layout.STUDY: {"cache": False, "persist": True}}],
            metrics=[layout.TUNING],
        ),
        "train": _stage(
            "train",
            model,
            specs,
            deps=[layout.TRAIN, layout.VALID, layout.TUNING, code],
            params=["data.label_column", "train"],
            outs=[layout.CANDIDATE, layout.CANDIDATE_PROFILE],
        ),
        "evaluate": _stage(
            "evaluate",
            model,
            specs,
            deps=[layout.TEST, layout.CANDIDATE, layout.PRODUCTION, code],
            params=["data.label_column", "train.entrypoint", "gate.metric", "gate.bars"],
            outs=[layout.PREDICTIONS],
            metrics=[layout.EVALUATION],
        ),
        "gate": _stage(
            "gate",
            model,
            specs,
            deps=[layout.PREDICTIONS],
            params=["gate"],
            metrics=[layout.GATE],
        ),
        "propose": _stage(
            "propose",
            model,
            specs,
            deps=[layout.GATE, layout.VALIDATION, layout.CANDIDATE],
            params=["propose"],
            metrics=[layout.PROPOSAL],
        ),
    }


def _space(param: SearchParam) -> dict[str, Any]:
    if param.kind == "categorical":
        return {"choices": list(param.choices)}
    low, high = param.low, param.high
    if param.kind == "int" and low is not None and high is not None:
        bounds: list[Any] = [int(low), int(high)]
    else:
        bounds = [low, high]
    return {param.kind: bounds, "log": param.log}


def params(model: Model) -> dict[str, Any]:
    """What the stages read, one group per concern, so a change reruns only its stages."""
    r = model.retraining
    assert r is not None
    bars = {
        m.name: {k: v for k, v in (("min", m.min), ("max", m.max)) if v is not None}
        | {"broken": m.broken}
        for m in model.quality.metrics
    }
    return {
        "model": model.name,
        "data": {
            "source": r.data_source,
            "window_seconds": r.data_window,
            "min_rows": r.min_rows,
            "time_column": layout.TIME_COLUMN,
            "label_column": layout.LABEL_COLUMN,
        },
        "features": {
            "numeric": [f.name for f in model.numeric_features],
            "categorical": [f.name for f in model.categorical_features],
        },
        "checks": {
            "psi": {
                f.name: {"warn": f.psi.warn, "critical": f.psi.critical} for f in model.features
            },
            "null_rate": {
                "max_ratio_to_training": model.drift.null_max_ratio_to_training,
                "min_rate": model.drift.null_min_rate,
            },
            "unseen_categories": {"max_rate": model.drift.unseen_max_rate},
        },
        "split": {"validation": layout.VALIDATION_SHARE, "test": layout.TEST_SHARE},
        "tune": {
            "trials": r.tuning_trials,
            "timeout_seconds": r.tuning_timeout,
            "seed": layout.SEED,
            "space": {p.name: _space(p) for p in r.search_space},
        },
        "train": {"entrypoint": r.entrypoint, "seed": layout.SEED},
        "gate": {
            "metric": r.gate.metric,
            "min_improvement": r.gate.min_improvement,
            "alpha": r.gate.alpha,
            "resamples": layout.RESAMPLES,
            "seed": layout.SEED,
            "bars": bars,
        },
        "propose": {"spec": model.source, "task": model.task},
    }
