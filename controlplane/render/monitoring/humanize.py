"""How an alert prints its value: the Go template, and the same text made in Python.

An alert's description shows `$value` through one of Prometheus's template
functions. The generated promtool tests must name the exact annotation an
alert will carry, so each format here has a Python twin that reproduces
Prometheus's output (`humanizePercentage`, `humanizeDuration`, printf) for
the value the test computed from its own input counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

ValueFormat = Literal["percent", "duration", "number", "psi"]

TEMPLATES: dict[ValueFormat, str] = {
    "percent": "{{ $value | humanizePercentage }}",
    "duration": "{{ $value | humanizeDuration }}",
    "number": '{{ printf "%.4g" $value }}',
    "psi": '{{ printf "%.3f" $value }}',
}

SMALL_PREFIXES = ("m", "u", "n", "p", "f", "a", "z", "y")


def percent(value: float) -> str:
    """humanizePercentage: `%.4g%%` of value * 100."""
    return f"{value * 100:.4g}%"


def number(value: float) -> str:
    return f"{value:.4g}"


def psi(value: float) -> str:
    return f"{value:.3f}"


def duration(value: float) -> str:
    """humanizeDuration, as Prometheus 2.x writes it."""
    if math.isnan(value) or math.isinf(value):
        return f"{value:.4g}"
    if value == 0:
        return f"{value:.4g}s"
    if abs(value) >= 1:
        return _long_duration(value)
    prefix = ""
    for candidate in SMALL_PREFIXES:
        if abs(value) >= 1:
            break
        prefix = candidate
        value *= 1000
    return f"{value:.4g}{prefix}s"


def _long_duration(value: float) -> str:
    sign = "-" if value < 0 else ""
    whole = int(abs(value))
    seconds, minutes = whole % 60, (whole // 60) % 60
    hours, days = (whole // 3600) % 24, whole // 86400
    if days:
        return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
    if hours:
        return f"{sign}{hours}h {minutes}m {seconds}s"
    if minutes:
        return f"{sign}{minutes}m {seconds}s"
    return f"{sign}{abs(value):.4g}s"


FORMATTERS: dict[ValueFormat, Callable[[float], str]] = {
    "percent": percent,
    "duration": duration,
    "number": number,
    "psi": psi,
}


def expand(fmt: ValueFormat, value: float) -> str:
    """What Prometheus prints for TEMPLATES[fmt] when $value is value."""
    return FORMATTERS[fmt](value)
