"""`mlcp oncall plan` / `apply`: make PagerDuty hold the services the specs want.

Idempotent: a second apply finds nothing to change. A service without mlcp's
marker is never changed or deleted; a managed service whose spec is gone is
deleted only with `prune`. Each service is applied on its own: a failure is
reported on its line and the others go on; the run then fails as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pagerduty

from controlplane.compile import Compilation, Compiled, compile_paths
from controlplane.diagnostics import Diagnostic
from controlplane.model import Config
from controlplane.oncall import client as api
from controlplane.oncall.changes import Change, plan_changes
from controlplane.oncall.keys import write_key
from controlplane.oncall.live import (
    LiveService,
    Resolved,
    read_services,
    resolve_policy,
    routing_key,
)
from controlplane.oncall.result import Outcome, Reconciliation
from controlplane.render.oncall import EVENTS_V2, DesiredService, desired_service
from controlplane.spec.load import Document, Location

UNKNOWN_POLICY = "MLCP501"
FAILURES = (pagerduty.Error, api.GaveUp, OSError)
T = TypeVar("T")


def run(specs: Path, *, apply: bool, prune: bool) -> Reconciliation:
    """Plan (or, with `apply`, make) the changes that bring PagerDuty to the specs."""
    compilation = compile_paths([specs])
    if not compilation.ok:
        return Reconciliation(apply, diagnostics=compilation.diagnostics)
    token, url = api.token_from_environment(), api.url_from_environment()
    with api.connect(token, url) as client:
        return Reconciler(client, token, compilation, apply=apply, prune=prune).run()


def policy_location(compiled: Compiled, config_doc: Document | None) -> Location:
    """Where the model's escalation policy is written: its spec (or its tier's default),
    else mlcp.yaml's `pagerduty.default_escalation_policy`."""
    path = ("oncall", "escalation_policy")
    if compiled.layered.origin_of(path) is not None or config_doc is None:
        return compiled.layered.doc.locate(path)
    return config_doc.locate(("pagerduty", "default_escalation_policy"))


class Reconciler:
    def __init__(
        self,
        client: pagerduty.RestApiV2Client,
        token: str,
        compilation: Compilation[Compiled],
        *,
        apply: bool,
        prune: bool,
    ) -> None:
        self.client, self.token, self.compilation = client, token, compilation
        self.config: Config = compilation.config
        self.apply, self.prune = apply, prune
        self.result = Reconciliation(apply)
        self.policies: dict[str, Resolved] = {}

    def run(self) -> Reconciliation:
        compiled = {c.model.name: c for c in self.compilation.compiled}
        desired = [desired_service(c.model, self.config) for c in compiled.values()]
        live = self._fatal(lambda: read_services(self.client), "reading the services")
        for reference in sorted({d.escalation_policy for d in desired}):
            self.policies[reference] = self._resolve(reference)
        ids = {ref: resolved.id for ref, resolved in self.policies.items()}
        for change in plan_changes(desired, live, ids, self.config.pagerduty_service_prefix):
            if change.desired is not None and self._policy_problem(change, compiled):
                continue
            self.result.outcomes.append(self._attempt(change))
        return self.result

    # --- reading ----------------------------------------------------------------------------

    def _fatal(self, call: Callable[[], T], doing: str) -> T:
        try:
            return call()
        except FAILURES as error:
            text = api.failure_text(error, self.token)
            raise api.PagerDutyError(f"PagerDuty failed while {doing}: {text}") from None

    def _resolve(self, reference: str) -> Resolved:
        try:
            return resolve_policy(self.client, reference)
        except FAILURES as error:
            return Resolved(reference, None, "could not be looked up: " + self._text(error))

    def _policy_problem(self, change: Change, compiled: dict[str, Compiled]) -> bool:
        """Report a service whose escalation policy did not resolve; True if it did not."""
        assert change.desired is not None
        resolved = self.policies[change.desired.escalation_policy]
        if resolved.id is not None:
            return False
        message = f"escalation policy {resolved.reference!r} {resolved.problem}"
        if not resolved.problem.startswith("could not"):
            where = policy_location(compiled[change.desired.model], self.compilation.config_doc)
            hint = "use the exact name or the id of an escalation policy in PagerDuty"
            self.result.diagnostics.append(
                Diagnostic(
                    where.file, where.line, where.col, UNKNOWN_POLICY, "error", message, hint
                )
            )
        self.result.outcomes.append(Outcome("failed", change.service, message))
        return True

    def _text(self, error: BaseException) -> str:
        return api.failure_text(error, self.token)

    # --- one service ------------------------------------------------------------------------

    def _attempt(self, change: Change) -> Outcome:
        try:
            return self._outcome(change)
        except FAILURES as error:
            return Outcome("failed", change.service, self._text(error))

    def _outcome(self, change: Change) -> Outcome:
        wanted = change.desired
        if change.kind == "conflict":
            return Outcome(
                "conflict",
                change.service,
                "PagerDuty has a service of this name that mlcp does not manage; "
                "it is left alone: rename it, or set pagerduty.service_prefix",
            )
        if change.kind == "orphan":
            return self._orphan(change)
        assert wanted is not None
        if change.kind == "create":
            return self._create(wanted)
        assert change.live is not None
        fields = ", ".join(change.fields)
        if change.kind == "update":
            if self.apply:
                self.client.rput(f"/services/{change.live.id}", json=self._body(wanted))
            detail = f"restored {fields}" if self.apply else f"would restore {fields}"
            return Outcome("update", wanted.name, detail + self._key(wanted, change.live))
        return Outcome(
            "unchanged", wanted.name, "as the spec says" + self._key(wanted, change.live)
        )

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
        self._write(wanted, str(integration["integration_key"]))
        detail = (
            f"service {created['id']} {about}; routing key written to {wanted.routing_key_file}"
        )
        return Outcome("create", wanted.name, detail)

    def _key(self, wanted: DesiredService, live: LiveService) -> str:
        if not self.apply:
            return ""
        written = self._write(wanted, routing_key(self.client, live))
        return f"; routing key written to {wanted.routing_key_file}" if written else ""

    def _write(self, wanted: DesiredService, key: str) -> bool:
        return write_key(Path(wanted.routing_key_file), key)

    def _orphan(self, change: Change) -> Outcome:
        assert change.live is not None
        if not self.prune:
            return Outcome("keep", change.service, "no spec wants it; `apply --prune` deletes it")
        if not self.apply:
            return Outcome(
                "delete", change.service, f"would delete {change.live.id}: no spec wants it"
            )
        self.client.rdelete(f"/services/{change.live.id}")
        key = Path(self.config.pagerduty_routing_key_dir) / change.service
        key.unlink(missing_ok=True)
        return Outcome(
            "delete",
            change.service,
            f"service {change.live.id} and its routing key file: no spec wants it",
        )
