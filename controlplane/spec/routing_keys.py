"""pagerduty.routing_keys in mlcp.yaml: each key belongs to one store (MLCP498).

`store: file` writes key files to `dir`; `store: aws-secretsmanager` puts one secret per
service under `prefix` (encrypted with `kms_key_id`) that Alertmanager sees as a file in
`mount`. A key of the other store, a secret store without its mount, or the folder
written twice (`pagerduty.routing_key_dir` beside `routing_keys`) would leave
Alertmanager reading keys from somewhere mlcp does not put them.
"""

from __future__ import annotations

from controlplane.diagnostics import Diagnostic
from controlplane.spec.config import PagerDuty
from controlplane.spec.load import Document

CODE = "MLCP498"
TITLE = "pagerduty.routing_keys holds the keys of its store, and a secret store its mount"
OWN_KEYS = {"file": ("dir",), "aws-secretsmanager": ("prefix", "mount", "kms_key_id")}


def check_routing_keys(pagerduty: PagerDuty, doc: Document) -> list[Diagnostic]:
    """MLCP498 at each key that does not fit the declared store."""
    keys = pagerduty.routing_keys
    if keys is None:
        return []
    problems: list[tuple[tuple[str, ...], str, str]] = []  # where, message, hint
    if "routing_key_dir" in pagerduty.model_fields_set:
        problems.append(
            (
                ("pagerduty", "routing_key_dir"),
                "pagerduty.routing_key_dir and pagerduty.routing_keys both say where the keys go",
                "remove routing_key_dir: write the folder as routing_keys.dir (store file) "
                "or routing_keys.mount (store aws-secretsmanager)",
            )
        )
    for store, names in OWN_KEYS.items():
        for name in names:
            if store != keys.store and name in keys.model_fields_set:
                problems.append(
                    (
                        ("pagerduty", "routing_keys", name),
                        f"pagerduty.routing_keys.{name} is for store {store}, not {keys.store}",
                        f"remove it, or set store: {store}",
                    )
                )
    if keys.store == "aws-secretsmanager" and keys.mount is None:
        problems.append(
            (
                ("pagerduty", "routing_keys"),
                "store aws-secretsmanager needs mount: the folder where Alertmanager sees "
                "each secret as a file",
                "add mount: /etc/alertmanager/keys (where the Secrets Store CSI driver, or "
                "your volume, puts the secrets)",
            )
        )
    out = []
    for path, message, hint in problems:
        at = doc.locate(path, key=path[-1] == "routing_keys")  # a missing key: at its parent
        out.append(Diagnostic(at.file, at.line, at.col, CODE, "error", message, hint))
    return out
