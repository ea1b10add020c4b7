"""`mlcp plan`: the command; the work is `planner.make_plan`."""

from __future__ import annotations

from pathlib import Path

import click

from controlplane.errors import EXIT_ERRORS, EXIT_OK
from controlplane.plan.jsonout import dumps
from controlplane.plan.markdown import render_markdown
from controlplane.plan.planner import make_plan
from controlplane.plan.textout import render_text
from controlplane.sources import default_specs

RENDERERS = {"text": render_text, "markdown": render_markdown, "json": dumps}


@click.command(name="plan")
@click.argument("specs", required=False, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REF",
    help="Git revision to plan against (a branch, tag or commit); default: an empty tree.",
)
@click.option(
    "--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True
)
def plan_command(specs: Path | None, base: str | None, fmt: str) -> int:
    """Show what the specs in the working tree change against REF: models, alerts,
    resources, generated files and monthly cost. Exit 1 when a spec does not compile."""
    plan = make_plan(specs or default_specs(), base)
    click.echo(RENDERERS[fmt](plan), nl=False)
    return EXIT_OK if plan.ok else EXIT_ERRORS
