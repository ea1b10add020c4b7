"""The difference between the desired services and PagerDuty: what to create,
update, leave or delete, decided without calling PagerDuty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from controlplane.oncall.live import LiveService
from controlplane.render.oncall import DesiredService, owner_marker

Kind = Literal["create", "update", "unchanged", "orphan", "conflict"]


@dataclass(frozen=True)
class Change:
    kind: Kind
    service: str  # the service's name as the specs want it (or as PagerDuty has it, orphans)
    desired: DesiredService | None = None
    live: LiveService | None = None
    fields: tuple[str, ...] = ()  # for an update: what differs, PagerDuty's field names


def owned_by_us(live: LiveService, prefix: str) -> bool:
    """A service this repository manages: mlcp's marker with our prefix, exactly (another
    repository's mlcp manages its own, even when its prefix begins with ours)."""
    return live.marker is not None and live.marker.startswith(owner_marker(prefix))


def differences(desired: DesiredService, live: LiveService, policy_id: str | None) -> list[str]:
    wanted = desired.fields()
    changed = [key for key, value in wanted.items() if live.fields.get(key) != value]
    if policy_id is not None and live.escalation_policy_id != policy_id:
        changed.append("escalation_policy")
    return sorted(changed)


def plan_changes(
    desired: Sequence[DesiredService],
    live: Sequence[LiveService],
    policy_ids: dict[str, str | None],
    prefix: str,
) -> list[Change]:
    """One change per desired service and per managed service no spec wants any more."""
    managed = {s.marker: s for s in live if s.marker and owned_by_us(s, prefix)}
    foreign = {s.name: s for s in live if s.marker is None}
    changes: list[Change] = []
    for wanted in sorted(desired, key=lambda d: d.name):
        current = managed.pop(wanted.integration_name, None)
        if current is not None:
            fields = differences(wanted, current, policy_ids.get(wanted.escalation_policy))
            kind: Kind = "update" if fields else "unchanged"
            changes.append(Change(kind, wanted.name, wanted, current, tuple(fields)))
        elif wanted.name in foreign:
            changes.append(Change("conflict", wanted.name, wanted, foreign[wanted.name]))
        else:
            changes.append(Change("create", wanted.name, wanted))
    for marker, gone in sorted(managed.items()):
        changes.append(Change("orphan", marker.removeprefix(owner_marker(prefix)), live=gone))
    return changes
