"""`mlcp profile` and `mlcp drift`: parse options, call one core function, report.

Bad input raises ``MonitorError``; ``cli.main`` turns it into one line and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from controlplane.compile import find_model
from controlplane.model import Model
from controlplane.monitor.build import build_profile
from controlplane.monitor.drift import compute_drift
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import (
    DEFAULT_MAX_CATEGORIES,
    short_of_rows,
)
from controlplane.monitor.profile_json import load_profile, profile_to_json
from controlplane.monitor.report import format_table, report_json, write_textfile
from controlplane.monitor.source import DEFAULT_CHUNK_ROWS
from controlplane.sources import default_specs
from controlplane.write import replace_file

EXIT_OK, EXIT_CRITICAL = 0, 1
Progress = Callable[[int, int | None], None]


def resolve_model(name: str, specs: Path | None) -> Model:
    """The compiled model called ``name`` under ``specs`` (by default as `mlcp validate` finds
    them)."""
    specs = specs or default_specs()
    if not specs.exists():
        raise MonitorError(f"{specs}: no such specs folder")
    return find_model(specs, name).model  # UnknownModel is an MlcpError too: exit 2


def _progress(label: str, enabled: bool | None) -> Progress | None:
    if not (sys.stderr.isatty() if enabled is None else enabled):
        return None

    def report(done: int, total: int | None) -> None:
        share = f" ({done / total:.0%})" if total else ""
        end = "\n" if total and done >= total else ""
        click.echo(f"\r{label}: {done:,} rows{share}", nl=False, err=True)
        click.echo(end, nl=False, err=True)

    return report


model_option = click.option("--model", "model_name", required=True, help="Model name in the specs.")
specs_option = click.option(
    "--specs",
    type=click.Path(path_type=Path),
    help="Specs folder (default: this folder when it holds mlcp.yaml, else specs/).",
)
chunk_option = click.option("--chunk-rows", type=click.IntRange(min=1), default=DEFAULT_CHUNK_ROWS)
progress_option = click.option(
    "--progress/--no-progress", default=None, help="Progress on stderr (default: on a terminal)."
)
data_argument = click.argument("data", type=click.Path(path_type=Path))


@click.command("profile")
@model_option
@specs_option
@click.option("--out", type=click.Path(path_type=Path), required=True, help="profile.json to write")
@click.option("--max-categories", type=click.IntRange(min=1), default=DEFAULT_MAX_CATEGORIES)
@chunk_option
@progress_option
@data_argument
@click.pass_context
def profile_command(
    ctx: click.Context,
    model_name: str,
    specs: Path | None,
    out: Path,
    max_categories: int,
    chunk_rows: int,
    progress: bool | None,
    data: Path,
) -> None:
    """Write the reference profile of DATA (Parquet or CSV) for a model's features."""
    model = resolve_model(model_name, specs)
    tick = _progress("profiling", progress)
    built = build_profile(
        data, model, chunk_rows=chunk_rows, max_categories=max_categories, progress=tick
    )
    replace_file(out, profile_to_json(built).encode("utf-8"))  # a link there is replaced
    warning = short_of_rows(built, model, str(data))
    if warning:
        click.echo(f"mlcp profile: warning: {warning}", err=True)
    click.echo(f"{out}: {built.rows} rows, {len(built.features)} features")
    ctx.exit(EXIT_OK)


@click.command("drift")
@model_option
@specs_option
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--textfile", type=click.Path(path_type=Path), help="Also write a .prom textfile.")
@chunk_option
@progress_option
@data_argument
@click.pass_context
def drift_command(
    ctx: click.Context,
    model_name: str,
    specs: Path | None,
    profile_path: Path,
    fmt: str,
    textfile: Path | None,
    chunk_rows: int,
    progress: bool | None,
    data: Path,
) -> None:
    """Compare DATA with the reference profile; exit 1 when any feature is critical."""
    model = resolve_model(model_name, specs)
    reference = load_profile(profile_path)
    tick = _progress("checking drift", progress)
    report = compute_drift(data, model, reference, chunk_rows=chunk_rows, progress=tick)
    if textfile is not None:
        write_textfile(report, textfile)
    click.echo(report_json(report) if fmt == "json" else format_table(report))
    ctx.exit(EXIT_CRITICAL if report.status == "critical" else EXIT_OK)
