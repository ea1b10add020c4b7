"""`mlcp oncall plan` and `mlcp oncall apply`: thin commands over `controlplane.oncall.run`."""

from __future__ import annotations

from pathlib import Path

import click

from controlplane.errors import EXIT_ERRORS, EXIT_OK
from controlplane.sources import default_specs

specs_argument = click.argument(
    "specs", required=False, type=click.Path(path_type=Path, exists=True, file_okay=False)
)


@click.group(name="oncall")
def oncall_command() -> None:
    """PagerDuty services as the specs say (PAGERDUTY_TOKEN; PAGERDUTY_API_URL if not US)."""


def _report(specs: Path | None, *, apply: bool, prune: bool) -> int:
    from controlplane.oncall import run  # the pagerduty client loads only when called

    result = run(specs or default_specs(), apply=apply, prune=prune)
    for line in result.lines():
        click.echo(line)
    return EXIT_ERRORS if result.failed else EXIT_OK


@oncall_command.command(name="plan")
@specs_argument
@click.option("--prune", is_flag=True, help="Show the deletions `apply --prune` would make.")
def plan_command(specs: Path | None, prune: bool) -> int:
    """Show what apply would create, update, leave or delete; change nothing."""
    return _report(specs, apply=False, prune=prune)


@oncall_command.command(name="apply")
@specs_argument
@click.option("--prune", is_flag=True, help="Delete managed services that no spec wants.")
def apply_command(specs: Path | None, prune: bool) -> int:
    """Create and update the services, write their routing keys (mode 0600)."""
    return _report(specs, apply=True, prune=prune)
