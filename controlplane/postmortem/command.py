"""The `mlcp postmortem` command: parse, call `postmortem`, write the text."""

from __future__ import annotations

import time
from pathlib import Path

import click

from controlplane.errors import EXIT_OK
from controlplane.postmortem import Request, postmortem
from controlplane.sources import default_specs
from controlplane.write import replace_file


@click.command("postmortem")
@click.argument("name")
@click.option("--alert", required=True, help="The alert that paged, e.g. MLCPModelBroken.")
@click.option(
    "--since",
    required=True,
    help="Where to look from: a time (2026-11-30T08:00:00Z) or a duration before now (6h).",
)
@click.option("--prometheus", metavar="URL", help="Pre-fill from this Prometheus's HTTP API.")
@click.option("--around", default="30m", show_default=True, help="Series shown each side.")
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--specs", type=click.Path(path_type=Path), help="Specs folder (default: specs/).")
def postmortem_command(
    name: str,
    alert: str,
    since: str,
    prometheus: str | None,
    around: str,
    out: Path | None,
    specs: Path | None,
) -> int:
    """Write the postmortem template of NAME for one alert, pre-filled from Prometheus."""
    request = Request(specs or default_specs(), name, alert, since, around, prometheus)
    text = postmortem(request, now=time.time())
    if out is None:
        click.echo(text, nl=False)
    else:
        replace_file(out, text.encode("utf-8"))  # a link at that name is replaced
        click.echo(f"wrote {out.as_posix()}", err=True)
    return EXIT_OK
