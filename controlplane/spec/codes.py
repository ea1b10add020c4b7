"""Every diagnostic code, with its title: the README's table is checked against this."""

from __future__ import annotations

from controlplane.spec import output, routing_keys
from controlplane.spec.check import RULES

STRUCTURE = {
    "MLCP100": "the file is not valid YAML",
    "MLCP101": "the file cannot be a spec: empty, over 1 MiB, not UTF-8, binary, nested too deep",
    "MLCP102": "the file holds more than one YAML document",
    "MLCP103": "the top level is not a mapping",
    "MLCP104": "a key appears twice in one mapping",
    "MLCP105": "anchors, aliases, merge keys and custom tags are not allowed",
    "MLCP106": "apiVersion is not mlcp/v1, or kind is not Model (Config for mlcp.yaml)",
    "MLCP107": "a path, key or value holds a control character (line break, tab, escape, …)",
    "MLCP110": "unknown key (with a did-you-mean)",
    "MLCP111": "a required key is missing",
    "MLCP112": "a value has the wrong type",
    "MLCP113": "a value is not one of the allowed choices (with a did-you-mean)",
    "MLCP114": "a value is not in its format: duration, rate, throughput, name, slack channel, …",
    "MLCP115": "a number or list is out of its allowed range",
}
CROSS_FILE = {
    "MLCP401": "two specs declare the same model name",
    "MLCP402": "metadata.name differs from the file name (warning)",
    "MLCP403": "no model specs were found under the given paths",
    routing_keys.CODE: routing_keys.TITLE,
    output.CODE: output.TITLE,
}
# Found against the live system by `mlcp oncall plan` / `apply`, not by `mlcp validate`.
LIVE = {
    "MLCP501": "oncall.escalation_policy names no escalation policy in PagerDuty (mlcp oncall)",
}


def all_codes() -> dict[str, str]:
    codes = dict(STRUCTURE)
    codes.update({r.code: r.title for r in RULES})
    codes.update(CROSS_FILE)
    codes.update(LIVE)
    return dict(sorted(codes.items()))
