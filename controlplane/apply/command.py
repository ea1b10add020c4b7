"""The `mlcp apply` command: parse, call `flow.apply`, exit 0 or 1 (2 when it refused)."""

from __future__ import annotations

from pathlib import Path

import click

from controlplane.apply.flow import apply
from controlplane.apply.tip import OVERRIDE_OPTION, TipPolicy
from controlplane.errors import EXIT_ERRORS, EXIT_OK
from controlplane.sources import default_specs


@click.command(name="apply")
@click.option("--stack", help="Pulumi stack to update (default: pulumi.stack in mlcp.yaml).")
@click.option(
    "--specs",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Specs folder (default: this folder when it holds mlcp.yaml, else specs/).",
)
@click.option("--prune", is_flag=True, help="Let PagerDuty delete services no spec declares.")
@click.option("--remote", default="origin", show_default=True, help="Git remote to fetch.")
@click.option(
    "--branch", default="main", show_default=True, help="Branch whose tip alone is applied."
)
@click.option(
    OVERRIDE_OPTION,
    "override",
    metavar="REASON",
    help="Emergency only: apply HEAD although it is not the branch's tip (or the remote "
    "cannot be reached); printed as a warning and recorded in the Pulumi update message.",
)
def apply_command(
    stack: str | None,
    specs: Path | None,
    prune: bool,
    remote: str,
    branch: str,
    override: str | None,
) -> int:
    """Apply the committed specs: PagerDuty, then the Pulumi stack of infra/.

    Refuses (exit 2) a HEAD that is not the tip of REMOTE/BRANCH, a dirty git tree,
    a stale build, a second concurrent apply or a missing Pulumi CLI; a step that
    fails stops the next (exit 1).
    """
    tip = TipPolicy(remote, branch, override)
    report = apply(specs or default_specs(), stack, prune=prune, progress=click.echo, tip=tip)
    return EXIT_ERRORS if report.failed else EXIT_OK
