"""The difference of two sets of generated files: unified diffs, and the alerts that move.

Whatever renderers a build has, their files show here: the plan compares the
artifacts, not what made them.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from controlplane.plan.types import AlertChange, FileDiff, Moved
from controlplane.render import Artifact

CONTEXT_LINES = 3
# Labels every alert of a model carries: they do not tell two alerts of the same name apart.
COMMON_LABELS = frozenset({"severity", "model", "team"})


def file_diffs(before: Sequence[Artifact], after: Sequence[Artifact]) -> list[FileDiff]:
    """Per file that was added, removed or changed, by path: a changed file's unified diff;
    an added or removed one is counted in lines (its text is the whole file)."""
    old = {a.path: a.content for a in before}
    new = {a.path: a.content for a in after}
    diffs = []
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        if a is None or b is None:  # a whole file: its lines, not a diff of them
            lines = (a or b or "").splitlines()
            status: Moved = "added" if a is None else "removed"
            added, removed = (len(lines), 0) if a is None else (0, len(lines))
            diffs.append(FileDiff(path, status, added, removed, ""))
            continue
        diff = list(
            difflib.unified_diff(
                a.splitlines(keepends=True), b.splitlines(keepends=True),
                f"a/{path}", f"b/{path}", n=CONTEXT_LINES,
            )
        )  # fmt: skip
        added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
        removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
        text = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
        status = "changed"
        diffs.append(FileDiff(path, status, added, removed, text))
    return diffs


def alert_changes(before: Iterable[Artifact], after: Iterable[Artifact]) -> list[AlertChange]:
    """Alerts added, removed or changed (expression, duration, labels) across rule files."""
    old, new = _alerts(before), _alerts(after)
    moved: list[tuple[str, Moved]] = [(key, "removed") for key in old.keys() - new.keys()]
    moved += [(key, "added") for key in new.keys() - old.keys()]
    moved += [(key, "changed") for key in old.keys() & new.keys() if old[key] != new[key]]
    counts = Counter((key.split("{")[0], action) for key, action in moved)
    return [AlertChange(name, action, n) for (name, action), n in sorted(counts.items())]


def _alerts(artifacts: Iterable[Artifact]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for artifact in artifacts:
        if not artifact.path.endswith((".rules.yml", ".rules.yaml")):
            continue
        document = yaml.load(artifact.content, Loader=yaml.CSafeLoader) or {}
        for group in document.get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    found[_alert_key(rule)] = rule
    return found


def _alert_key(rule: dict[str, Any]) -> str:
    labels = rule.get("labels", {})
    extra = ",".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in COMMON_LABELS)
    return f"{rule['alert']}{{{extra}}}" if extra else str(rule["alert"])
