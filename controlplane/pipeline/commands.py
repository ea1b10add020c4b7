"""`mlcp stage NAME` (what DVC runs) and `mlcp retrain NAME`: parse, call one core function,
report. Failures are `MlcpError`s: `cli.main` prints them and maps them to exit codes."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from controlplane.errors import EXIT_OK
from controlplane.pipeline.context import Stage
from controlplane.render.pipeline import STAGES
from controlplane.sources import default_specs

specs_option = click.option(
    "--specs",
    type=click.Path(path_type=Path),
    help="Specs folder (default: this folder when it holds mlcp.yaml, else specs/).",
)


@click.group("stage")
def stage_group() -> None:
    """Run one stage of a model's retraining pipeline, in its pipeline folder (DVC does)."""


# One line each for --help; the stage modules load only when their stage runs.
HELP = {
    "validate": "Check the data: schema, rows, null shares, PSI against production, window.",
    "split": "Split by time: the most recent rows are the held-out test set.",
    "tune": "Search the spec's space with a seeded Optuna study stored in SQLite.",
    "train": "Fit the candidate with the best parameters; write its reference profile.",
    "evaluate": "Predict the held-out rows with the candidate and the production model.",
    "gate": "Decide: better by min_improvement at p < alpha, and the spec's bars met.",
    "propose": "On a pass, commit the candidate into shadow on a branch (a PR if configured).",
}


def _stage_command(name: str) -> click.Command:
    @click.command(name, help=HELP[name])
    @click.option("--model", "model_name", required=True, help="Model name in the specs.")
    @specs_option
    def command(model_name: str, specs: Path | None) -> int:
        stage = Stage(model_name, specs or default_specs())
        stage.param("model")  # outside a pipeline folder, say so before anything else
        module = importlib.import_module(f"controlplane.pipeline.stages.{name}")
        click.echo(module.run(stage))
        return EXIT_OK

    return command


for _name in STAGES:
    stage_group.add_command(_stage_command(_name))


def _progress(stage: str, ran: bool) -> None:
    place = f"[{STAGES.index(stage) + 1}/{len(STAGES)}]" if stage in STAGES else "[-]"
    click.echo(f"{place} {stage}: {'running' if ran else 'unchanged, skipped'}", err=True)


@click.command("retrain")
@click.argument("name")
@specs_option
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("retrain"),
    show_default=True,
    help="Folder for the git + DVC workspace (made if missing, reused if present).",
)
@click.option("--remote", help="DVC remote URL (default: a local remote inside the workspace).")
@click.option(
    "--production",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The production model (a pickle of what fit returned) to compare the candidate with.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Stage lines (default: on a terminal)."
)
def retrain_command(
    name: str,
    specs: Path | None,
    workspace: Path,
    remote: str | None,
    production: Path | None,
    progress: bool | None,
) -> int:
    """Prepare a retraining workspace for model NAME and run its pipeline with `dvc repro`."""
    from controlplane.pipeline.report import retrain_summary
    from controlplane.pipeline.retrain import retrain

    show = sys.stderr.isatty() if progress is None else progress
    result = retrain(
        name,
        specs or default_specs(),
        workspace,
        remote=remote,
        production=production,
        progress=_progress if show else None,
    )
    click.echo(retrain_summary(result))
    return EXIT_OK
