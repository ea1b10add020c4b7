"""Small, safe pieces of PromQL and Go-template text.

Everything from a spec that lands in a rule goes through here: names become
quoted PromQL strings, numbers their shortest exact form, free text an inert
template literal. So a feature called `a"b` or a team called `{{ x }}` can
neither break an expression nor run as a template.
"""

from __future__ import annotations

import functools
import json.encoder
import re
from collections.abc import Callable, Mapping

from controlplane import contract, units

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
TEMPLATE_DELIMITER = re.compile(r"\{\{|\}\}")


def string(value: str) -> str:
    """A PromQL double-quoted string literal (Go escapes, which JSON's are a subset of)."""
    return _quote(value)


# What `json.dumps(value, ensure_ascii=False)` returns for a string, from its C escaper
# and without its encoder object: a model quotes a few hundred distinct values
# thousands of times.
_quote: Callable[[str], str] = functools.lru_cache(maxsize=4096)(json.encoder.encode_basestring)


def number(value: float) -> str:
    """The shortest text that parses back to exactly this float (2.0 -> "2")."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def duration(seconds: float) -> str:
    """A Prometheus duration in its largest exact unit, days at most: 604800 -> "7d"."""
    return units.format_duration(seconds, largest="d")


def selector(metric: str, matchers: Mapping[str, str], extra: tuple[str, ...] = ()) -> str:
    """metric{label="value", ...}, falling back to __name__ for a name PromQL cannot spell.

    extra holds matchers already written out, such as `bin!="null"`.
    """
    return _selector(metric, tuple(matchers.items()), extra)


# A model's promtool tests name the same few hundred series a thousand times over (each
# feature's bins in every scenario); bounded like _quote, so many models do not grow it.
@functools.lru_cache(maxsize=4096)
def _selector(metric: str, matchers: tuple[tuple[str, str], ...], extra: tuple[str, ...]) -> str:
    parts = [f"{name}={string(value)}" for name, value in matchers] + list(extra)
    if metric and not METRIC_NAME.fullmatch(metric):
        parts.insert(0, f"__name__={string(metric)}")
        metric = ""
    return f"{metric}{{{', '.join(parts)}}}"


def of_model(name: str, model: str, extra: tuple[str, ...] = (), /, **matchers: str) -> str:
    """A selector of one model's series."""
    return selector(name, {contract.MODEL: model, **matchers}, extra)


def increase_by_model(series: str, model: str, window: str) -> str:
    """How much one model's counter grew over the window, summed over its replicas."""
    return f"sum by ({contract.MODEL}) (increase({of_model(series, model)}[{window}]))"


def recorded(
    name: str, window: float | str, model: str, extra: tuple[str, ...] = (), /, **matchers: str
) -> str:
    """A selector of one model's recorded series."""
    label = window if isinstance(window, str) else duration(window)
    return of_model(contract.recorded(name, label), model, extra, **matchers)


def literal_text(text: str) -> str:
    """Free text made inert inside a Prometheus/Alertmanager Go template.

    Only `{{` and `}}` mean anything to text/template; each becomes an action
    that prints it back as a string constant.
    """
    return TEMPLATE_DELIMITER.sub(lambda m: '{{ "' + m.group() + '" }}', text)
