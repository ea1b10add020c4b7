"""The `mlcp apply` command: parse, call `flow.apply`, exit 0 or 1 (2 when it refused)."""

from __future__ import annotations

from pathlib import Path

import click

from controlplane.apply.flow import apply
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
def apply_command(stack: str | None, specs: Path | None, prune: bool) -> int:
    """Apply the committed specs: PagerDuty, then the Pulumi stack of infra/.

    Refuses (exit 2) a dirty git tree, a stale build, a second concurrent apply
    or a missing Pulumi CLI; a step that fails stops the next (exit 1).
    """
    report = apply(specs or default_specs(), stack, prune=prune, progress=click.echo)
    return EXIT_ERRORS if report.failed else EXIT_OK
