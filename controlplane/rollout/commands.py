"""`mlcp promote` and `mlcp rollback`: parse options, call one core function, report.

A gate that says no (`Refused`) exits 1; a usage problem exits 2; both print one line.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from controlplane.compile import find_model
from controlplane.errors import EXIT_ERRORS, EXIT_OK, UsageError
from controlplane.model import Model
from controlplane.rollout import evidence as read
from controlplane.rollout.emergency import Shift, sagemaker_client, shift_to_stable
from controlplane.rollout.run import Outcome, promote, rollback, spec_region
from controlplane.rollout.shadow_report import format_report, shadow_report, write_report
from controlplane.rollout.steps import Evidence
from controlplane.sources import default_specs

specs_option = click.option(
    "--specs",
    type=click.Path(path_type=Path),
    help="Specs folder (default: this folder when it holds mlcp.yaml, else specs/).",
)


def _evidence(prometheus: str | None, report: Path | None) -> Evidence | None:
    if prometheus and report:
        raise UsageError("give the divergence from --prometheus or from --report, not both")
    if prometheus:
        return lambda model, seconds: read.from_prometheus(prometheus, model, seconds)
    if report:
        return lambda model, _: read.from_report(report, model)
    return None


def _report(outcome: Outcome) -> None:
    step, committed = outcome.step, outcome.committed
    if outcome.shift is not None:
        moved = outcome.shift
        click.echo(f"endpoint {moved.endpoint}: all traffic on stable after {moved.seconds:.1f}s")
    click.echo(f"{step.model}: {step.before} → {step.after}")
    if outcome.divergence is not None:
        figure = outcome.divergence
        click.echo(f"shadow divergence: {figure.value:.2%} over {figure.comparisons} requests")
    click.echo(f"committed {committed.sha[:12]} on branch {committed.branch} ({committed.path})")
    click.echo(f"next: git push -u origin {committed.branch}, and open a pull request")


@click.command("promote")
@click.argument("name")
@click.option("--to", metavar="STATE", help="The state to move to (default: the next one).")
@click.option("--prometheus", metavar="URL", help="Read the shadow divergence from Prometheus.")
@click.option("--report", type=click.Path(path_type=Path), help="A `mlcp shadow-report` JSON file.")
@specs_option
def promote_command(
    name: str, to: str | None, prometheus: str | None, report: Path | None, specs: Path | None
) -> int:
    """Move a model's rollout one step (stable → shadow → canary-N… → full → stable) on a new branch."""
    evidence = _evidence(prometheus, report)
    _report(promote(specs or default_specs(), name, to=to, now=time.time(), evidence=evidence))
    return EXIT_OK


@click.command("rollback")
@click.argument("name")
@click.option(
    "--emergency", is_flag=True, help="First move all endpoint traffic to stable (AWS credentials)."
)
@click.option(
    "--endpoint", metavar="NAME", help="The SageMaker endpoint (default: the model name)."
)
@click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True)
@specs_option
def rollback_command(
    name: str, emergency: bool, endpoint: str | None, timeout: float, specs: Path | None
) -> int:
    """Set a model's rollout back to stable, as a commit on a new branch."""
    specs = specs or default_specs()
    client = sagemaker_client(spec_region(specs)) if emergency else None

    def shift(model: Model) -> Shift:
        return shift_to_stable(client, endpoint or model.name, timeout=timeout)

    _report(rollback(specs, name, now=time.time(), shift=shift if client else None))
    return EXIT_OK


@click.command("shadow-report")
@click.argument("name")
@click.argument("captures", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(path_type=Path), help="Write the report as JSON here.")
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Score cut-off.")
@specs_option
def shadow_report_command(
    name: str, captures: tuple[Path, ...], output: Path | None, threshold: float, specs: Path | None
) -> int:
    """The shadow divergence of NAME from SageMaker data-capture files (or folders).

    Exits 1 when it is above rollout.shadow.max_divergence.
    """
    model = find_model(specs or default_specs(), name).model
    report = shadow_report(model, list(captures), threshold=threshold)
    click.echo(format_report(report))
    if output:
        write_report(report, output)
    return EXIT_OK if report.within else EXIT_ERRORS
