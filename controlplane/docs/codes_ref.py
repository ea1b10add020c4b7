"""The diagnostic codes of `mlcp validate`, from their declarations (``spec.codes``)."""

from __future__ import annotations

from controlplane.docs.markdown import cell
from controlplane.spec.check import RULES
from controlplane.spec.codes import all_codes

GROUPS = {
    "1": "Structure: the file, its YAML and its keys and types (also in the JSON Schema)",
    "2": "Rules: what one spec's values must say together",
    "3": "Policies: what mlcp.yaml's `policies` require of a tier",
    "4": "Across files: what the specs of one repository must say together",
    "5": "Live: found against the live system by `mlcp oncall`",
}
INTRO = """# Diagnostic codes

Every problem `mlcp validate` reports carries a code, a location (`file:line:col`) and,
where one helps, a hint. An error fails the check; a warning fails it only with `--strict`.
"""


def render() -> str:
    severity = {rule.code: rule.severity for rule in RULES}
    lines = [INTRO.rstrip()]
    current = ""
    for code, title in all_codes().items():
        group = code.removeprefix("MLCP")[0]
        if group != current:
            current = group
            lines += ["", f"## {GROUPS[group]}", "", "| code | severity | what it says |"]
            lines.append("|---|---|---|")
        level = severity.get(code, "warning" if "(warning)" in title else "error")
        lines.append(f"| {code} | {level} | {cell(title)} |")
    return "\n".join(lines) + "\n"
