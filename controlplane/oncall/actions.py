"""One service's change, planned or made: the calls to PagerDuty and its routing key."""

from __future__ import annotations

from typing import Any

import pagerduty

from controlplane.model import Config
from controlplane.oncall import client as api
from controlplane.oncall.changes import Change
from controlplane.oncall.keystore import KeyStore, KeyStoreError
from controlplane.oncall.live import LiveService, Resolved, routing_key
from controlplane.oncall.result import Outcome
from controlplane.render.oncall import EVENTS_V2, DesiredService

FAILURES = (pagerduty.Error, api.GaveUp, OSError, KeyStoreError)
CONFLICT = (
    "PagerDuty has a service of this name that mlcp does not manage; "
    "it is left alone: rename it, or set pagerduty.service_prefix"
)


class Actions:
    def __init__(
        self,
        client: pagerduty.RestApiV2Client,
        token: str,
        config: Config,
        policies: dict[str, Resolved],
        keys: KeyStore,
        *,
        apply: bool,
    ) -> None:
        self.client, self.token, self.config = client, token, config
        self.policies, self.keys, self.apply = policies, keys, apply

    def attempt(self, change: Change, *, prune: bool) -> Outcome:
        """The change's outcome; a failure is this service's, never the run's."""
        try:
            return self._outcome(change, prune)
        except FAILURES as error:
            return Outcome("failed", change.service, api.failure_text(error, self.token))

    def _outcome(self, change: Change, prune: bool) -> Outcome:
        wanted, live = change.desired, change.live
        if change.kind == "conflict":
            return Outcome("conflict", change.service, CONFLICT)
        if change.kind == "orphan":
            assert live is not None
            return self._orphan(change.service, live, prune)
        assert wanted is not None
        if change.kind == "create":
            return self._create(wanted)
        assert live is not None
        if change.kind == "update":
            fields = ", ".join(change.fields)
            if not self.apply:
                return self._key_plan(
                    Outcome("update", wanted.name, f"would restore {fields}"), wanted, live
                )
            self.client.rput(f"/services/{live.id}", json=self._body(wanted))
            restored = Outcome("update", wanted.name, f"restored {fields}")
            return self._keyed(restored, wanted, routing_key(self.client, live))
        unchanged = Outcome("unchanged", wanted.name, "as the spec says")
        if not self.apply:
            return self._key_plan(unchanged, wanted, live)
        return self._keyed(unchanged, wanted, routing_key(self.client, live))

    def _body(self, wanted: DesiredService) -> dict[str, Any]:
        policy = self.policies[wanted.escalation_policy].id
        reference = {"id": policy, "type": "escalation_policy_reference"}
        return {"type": "service", **wanted.fields(), "escalation_policy": reference}

    def _create(self, wanted: DesiredService) -> Outcome:
        policy = self.policies[wanted.escalation_policy]
        about = f"for {wanted.model}, escalation policy {policy.reference} ({policy.id})"
        if not self.apply:
            return Outcome("create", wanted.name, "would create " + about)
        created: dict[str, Any] = self.client.rpost("/services", json=self._body(wanted))
        try:
            integration: dict[str, Any] = self.client.rpost(
                f"/services/{created['id']}/integrations",
                json={"type": EVENTS_V2, "name": wanted.integration_name},
            )
        except FAILURES:
            # Without its marker the service would look foreign next time: take it back.
            self.client.rdelete(f"/services/{created['id']}")
            raise
        done = Outcome("create", wanted.name, f"service {created['id']} {about}")
        return self._keyed(done, wanted, str(integration["integration_key"]))

    def _keyed(self, done: Outcome, wanted: DesiredService, key: str) -> Outcome:
        """Keep the routing key; if that fails, the service's change still shows."""
        where = self.keys.where(wanted.name)
        try:
            written = self.keys.write(wanted.name, key)
        except OSError as error:
            problem = f"routing key file {where}: {error.strerror or error}"
            return Outcome("failed", done.service, f"{done.detail}, but {problem}")
        except KeyStoreError as error:
            return Outcome("failed", done.service, f"{done.detail}, but {error}")
        if not written:
            return done
        return Outcome(done.kind, done.service, f"{done.detail}; routing key written to {where}")

    def _key_plan(self, planned: Outcome, wanted: DesiredService, live: LiveService) -> Outcome:
        """Say whether apply would write the key (a missing or outdated one)."""
        where = self.keys.where(wanted.name)
        try:
            current = self.keys.read(wanted.name)
        except KeyStoreError as error:
            detail = f"{planned.detail}; would write {where} (it cannot be read: {error})"
            return Outcome(planned.kind, planned.service, detail)
        if current is not None and current == (live.routing_key or current):
            return planned
        what = "write" if current is None else "rewrite"
        return Outcome(planned.kind, planned.service, f"{planned.detail}; would {what} {where}")

    def _orphan(self, service: str, live: LiveService, prune: bool) -> Outcome:
        if not prune:
            return Outcome("keep", service, "no spec wants it; `apply --prune` deletes it")
        if not self.apply:
            return Outcome("delete", service, f"would delete {live.id}: no spec wants it")
        self.client.rdelete(f"/services/{live.id}")
        self.keys.remove(service)
        return Outcome(
            "delete", service, f"service {live.id} and its routing key: no spec wants it"
        )

    def sweep(self, service: str) -> Outcome:
        """A key mlcp keeps for a service PagerDuty no longer has (its delete went through,
        the key's did not): prune removes it."""
        where = self.keys.where(service)
        if not self.apply:
            return Outcome("delete", service, f"would delete {where}: no service needs it")
        try:
            self.keys.remove(service)
        except KeyStoreError as error:
            return Outcome("failed", service, str(error))
        return Outcome("delete", service, f"{where}: no service needs it")
