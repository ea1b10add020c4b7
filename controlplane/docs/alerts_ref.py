"""The alerts mlcp generates, from their declarations (``alerts.DECLARATIONS``)."""

from __future__ import annotations

from controlplane import alerts
from controlplane.alerts import AlertDeclaration
from controlplane.docs.markdown import cell, code
from controlplane.units import MINUTE

INTRO = """# Alerts

Every alert mlcp generates for a model, as declared once in `controlplane/alerts.py`: the
Prometheus rules, promtool scenarios, dashboards, inhibitions and runbooks read the same
declarations. A **page** wakes on-call; a **ticket** waits for working hours.
"""


def _for(seconds: float) -> str:
    minutes = seconds / MINUTE
    return f"{minutes / 60:g}h" if minutes % 60 == 0 else f"{minutes:g}m"


def _alert(d: AlertDeclaration) -> list[str]:
    title = d.name + (f" ({d.variant})" if d.variant else "")
    lines = [
        f"## {title}",
        "",
        d.meaning,
        "",
        "| | |",
        "|---|---|",
        f"| fires when | {cell(d.fires_when)} |",
        f"| severity | {d.severity} |",
        f"| layer | {d.category} |",
        f"| condition | {cell(d.condition)} |",
        f"| threshold | {cell(d.threshold)} |",
        f"| holds for | {_for(d.for_seconds)}: {cell(d.for_why)} |",
        f"| series | {cell(code(d.series))} |",
        f"| dashboard panel | {cell(d.panel)} |",
    ]
    for inhibition in d.inhibits:
        held = ", ".join(f"{label}={value}" for label, value in inhibition.target)
        lines.append(f"| holds back | {cell(code(held))}: {cell(inhibition.why)} |")
    return [*lines, ""]


def render() -> str:
    lines = [INTRO, alerts.readme_table(), ""]
    for declaration in alerts.DECLARATIONS:
        lines += _alert(declaration)
    return "\n".join(lines)
