"""`mlcp oncall plan` / `apply`: make PagerDuty hold the services the specs want.

Idempotent: a second apply finds nothing to change. A service without mlcp's
marker is never changed or deleted; a managed service whose spec is gone is
deleted only with `prune`. Each service is applied on its own: a failure is
reported on its line and the others go on; the run then fails as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pagerduty

from controlplane.compile import Compilation, Compiled, compile_paths
from controlplane.diagnostics import Diagnostic
from controlplane.model import Config
from controlplane.oncall import client as api
from controlplane.oncall.actions import FAILURES, Actions
from controlplane.oncall.changes import Change, plan_changes
from controlplane.oncall.keystore import KeyStore, KeyStoreError, open_store
from controlplane.oncall.live import Resolved, read_services, resolve_policy
from controlplane.oncall.result import Outcome, Reconciliation
from controlplane.render.oncall import desired_service
from controlplane.spec.load import Document, Location

UNKNOWN_POLICY = "MLCP501"
T = TypeVar("T")


def run(specs: Path, *, apply: bool, prune: bool) -> Reconciliation:
    """Plan (or, with `apply`, make) the changes that bring PagerDuty to the specs."""
    compilation = compile_paths([specs])
    if not compilation.ok:
        return Reconciliation(apply, diagnostics=compilation.diagnostics)
    token, url = api.token_from_environment(), api.url_from_environment()
    keys = open_store(compilation.config)
    with api.connect(token, url) as client:
        return Reconciler(client, token, compilation, keys, apply=apply, prune=prune).run()


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
        keys: KeyStore,
        *,
        apply: bool,
        prune: bool,
    ) -> None:
        self.client, self.token, self.compilation, self.keys = client, token, compilation, keys
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
        actions = Actions(
            self.client, self.token, self.config, self.policies, self.keys, apply=self.apply
        )
        changes = plan_changes(desired, live, ids, self.config.pagerduty_service_prefix)
        for change in changes:
            if change.desired is not None and self._policy_problem(change, compiled):
                continue
            self.result.outcomes.append(actions.attempt(change, prune=self.prune))
        if self.prune:
            for service in self._stray_keys({c.service for c in changes}):
                self.result.outcomes.append(actions.sweep(service))
        return self.result

    def _stray_keys(self, services: set[str]) -> list[str]:
        """Keys the store holds for mlcp whose service no change is about (a managed
        service that PagerDuty no longer has); the store lists only what is mlcp's."""
        try:
            held = self.keys.managed()
        except KeyStoreError as error:
            self.result.outcomes.append(Outcome("failed", "routing keys", str(error)))
            return []
        ours = self.config.pagerduty_service_prefix
        return [s for s in held if s.startswith(ours) and s not in services]

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
            problem = "could not be looked up: " + self._text(error)
            return Resolved(reference, None, problem, looked_up=False)

    def _policy_problem(self, change: Change, compiled: dict[str, Compiled]) -> bool:
        """Report a service whose escalation policy did not resolve; True if it did not."""
        assert change.desired is not None
        resolved = self.policies[change.desired.escalation_policy]
        if resolved.id is not None:
            return False
        message = f"escalation policy {resolved.reference!r} {resolved.problem}"
        if resolved.looked_up:  # the spec names what PagerDuty does not have
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
