"""`mlcp new`: a valid, commented starter spec."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import jinja2

from controlplane.domain import DEFAULT_URGENCY, Tier
from controlplane.errors import MlcpError
from controlplane.prose import TEMPLATES
from controlplane.spec.v1 import NAME_PATTERN
from controlplane.units import CADENCES

_METRICS = {
    "classification": [
        "{name: recall, min: 0.8, window: 1d}",
        "{name: false_negative_rate, max: 5%, window: 4h, broken: true}   # pages on-call",
    ],
    "regression": [
        "{name: mae, max: 10, window: 1d}",
        "{name: rmse, max: 20, window: 1d, broken: true}   # pages on-call",
    ],
    "ranking": [
        "{name: ndcg, min: 0.3, window: 1d, broken: true}   # pages on-call",
        "{name: map, min: 0.2, window: 1d}",
    ],
}
_GATE = {"classification": "f1", "regression": "rmse", "ranking": "ndcg"}
_BROKEN = {"classification": "false_negative_rate", "regression": "rmse", "ranking": "ndcg"}


class ScaffoldError(MlcpError):
    """A name that cannot be a model or team, or a spec that already exists: exit 2."""


def starter_spec(name: str, task: str, mode: str, tier: str, team: str) -> str:
    if not re.match(NAME_PATTERN, name):
        raise ScaffoldError(
            f"invalid model name {name!r}: use 3-63 lowercase letters, digits and dashes"
        )
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,62}$", team):
        raise ScaffoldError(f"invalid team {team!r}: use lowercase letters, digits and dashes")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML text, not HTML; every value is checked above or fixed here
    )
    system = ["latency_p99", "error_rate"] if mode == "realtime" else ["error_rate"]
    return env.get_template("new-spec.yaml.j2").render(
        name=name,
        task=task,
        mode=mode,
        tier=tier,
        urgency=DEFAULT_URGENCY[cast(Tier, tier)],
        team=team,
        module=name.replace("-", "_"),
        metrics=_METRICS[task],
        gate=_GATE[task],
        rollback_on=", ".join([*system, _BROKEN[task]]),
        cadences=" | ".join(CADENCES),
    )


def write_starter(directory: Path, name: str, task: str, mode: str, tier: str, team: str) -> Path:
    text = starter_spec(name, task, mode, tier, team)
    target = directory / f"{name}.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    try:  # created exclusively: never over a file, nor through a link (dangling or not)
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; pick another name or edit it") from None
    return target
