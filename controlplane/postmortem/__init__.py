"""`mlcp postmortem`: the runbook's postmortem template for one alert of a model,
pre-filled from Prometheus when one is given."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import controlplane
from controlplane import units
from controlplane.compile import find_model
from controlplane.errors import MlcpError
from controlplane.model import Model
from controlplane.postmortem.facts import Window, degraded, gather
from controlplane.prometheus_api import Prometheus
from controlplane.render.monitoring.guide import AlertGuide, alert_guides
from controlplane.render.runbook import render_text
from controlplane.render.runbook.sections import PostmortemFacts

TEMPLATE = "postmortem.md.j2"


class PostmortemError(MlcpError):
    """An alert the model does not have, or a time that cannot be read: exit 2."""


@dataclass(frozen=True)
class Request:
    specs: Path
    name: str
    alert: str
    since: str  # as typed: an RFC 3339 time, or a duration before now (`6h`)
    around: str  # a duration each side of the first firing
    prometheus: str | None


def moment(text: str, now: float) -> float:
    """Unix seconds of `2026-11-30T08:00:00Z` (UTC unless it says otherwise) or of `6h` ago."""
    if re.fullmatch(units.DURATION_PATTERN, text):
        return now - units.parse_duration(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PostmortemError(
            f"--since: expected a time such as 2026-11-30T08:00:00Z or a duration such as 6h, "
            f"got {text!r}"
        ) from None
    if parsed.tzinfo is None:  # an on-call timeline is in UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def guides_of(model: Model, alert: str) -> list[AlertGuide]:
    guides = alert_guides(model)
    mine = [g for g in guides if g.declaration.name == alert]
    if mine:
        return mine
    names = list(dict.fromkeys(g.declaration.name for g in guides))
    close = difflib.get_close_matches(alert, names, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise PostmortemError(
        f"{model.name} has no alert named {alert!r}; {hint}its alerts: {', '.join(names)}"
    )


def postmortem(request: Request, now: float) -> str:
    """The postmortem text: the template, filled from the spec and (if given) Prometheus."""
    model = find_model(request.specs, request.name).model
    guides = guides_of(model, request.alert)
    since = moment(request.since, now)
    if since >= now:
        raise PostmortemError(f"--since {request.since} is not in the past")
    if not re.fullmatch(units.DURATION_PATTERN, request.around):
        raise PostmortemError(f"--around: expected a duration such as 30m, got {request.around!r}")
    if request.prometheus is None:
        facts = PostmortemFacts(
            alert=request.alert,
            severity=" or ".join(dict.fromkeys(g.declaration.severity for g in guides)),
            metric=degraded(model, guides[0]) if len(guides) == 1 else "",
        )
    else:
        window = Window(since, now, units.parse_duration(request.around))
        facts = gather(Prometheus(request.prometheus), model, guides, window)
    values = {"version": controlplane.__version__, "model": model, "pm": facts}
    return render_text(TEMPLATE, values)
