"""The `mlcp` command: each subcommand parses options, calls one core function, reports."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from controlplane import __version__
from controlplane.compile import find_model
from controlplane.diagnostics import FORMATS, Diagnostic, format_diagnostics, promote_warnings
from controlplane.domain import TASKS, TIERS
from controlplane.errors import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, MlcpError
from controlplane.explain import explain, format_entries
from controlplane.render.schema import dumps, json_schema
from controlplane.report import build_summary, diagnostics_summary
from controlplane.scaffold import write_starter
from controlplane.sources import default_specs

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def _report(diagnostics: list[Diagnostic], fmt: str, strict: bool, files: int) -> int:
    shown = promote_warnings(diagnostics) if strict else diagnostics
    text = format_diagnostics(shown, fmt)
    if text or fmt == "json":
        click.echo(text)
    if fmt == "text":
        click.echo(diagnostics_summary(shown, files))
    return EXIT_ERRORS if any(d.is_error for d in shown) else EXIT_OK


class LazyGroup(click.Group):
    """Subcommands whose modules load only when called (numpy and pyarrow cost 0.3 s)."""

    lazy = {
        "profile": "controlplane.monitor.commands:profile_command",
        "drift": "controlplane.monitor.commands:drift_command",
        "apply": "controlplane.apply.command:apply_command",
        "postmortem": "controlplane.postmortem.command:postmortem_command",
        "oncall": "controlplane.oncall.commands:oncall_command",
        "plan": "controlplane.plan.command:plan_command",
        "promote": "controlplane.rollout.commands:promote_command",
        "rollback": "controlplane.rollout.commands:rollback_command",
        "shadow-report": "controlplane.rollout.commands:shadow_report_command",
        "stage": "controlplane.pipeline.commands:stage_group",
        "retrain": "controlplane.pipeline.commands:retrain_command",
        "init": "controlplane.init_repo:init_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlcp")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """mlcp: a declarative GitOps control plane for ML models in production."""
    ctx.obj = {"debug": debug}


@cli.result_callback()
@click.pass_context
def _exit_with(ctx: click.Context, /, status: int | None, **_: object) -> None:
    # A command returns its exit code; make click use it however it is invoked.
    ctx.exit(status or EXIT_OK)


@cli.command()
@paths_argument
@format_option
@strict_option
def validate(paths: tuple[Path, ...], fmt: str, strict: bool) -> int:
    """Check model specs (files or folders; default specs/) and report every problem."""
    from controlplane.workers import check  # many specs compile over the CPUs

    result = check(paths or (default_specs(),))
    return _report(result.diagnostics, fmt, strict, result.valid_count)


@cli.command()
@click.option("--kind", type=click.Choice(["model", "config"]), default="model", show_default=True)
def schema(kind: str) -> int:
    """Print the JSON Schema of spec v1 (model) or of mlcp.yaml (config)."""
    click.echo(dumps(json_schema(kind)), nl=False)
    return EXIT_OK


@cli.command(name="explain")
@click.argument("name")
@click.option(
    "--specs",
    type=click.Path(path_type=Path),
    help="Specs folder (default: this folder when it holds mlcp.yaml, else specs/).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def explain_command(name: str, specs: Path | None, fmt: str) -> int:
    """Show a model's normalized values and where each came from."""
    entries = explain(find_model(specs or default_specs(), name))
    if fmt == "json":
        click.echo(json.dumps([e.__dict__ for e in entries], indent=2))
    else:
        click.echo(format_entries(entries))
    return EXIT_OK


@cli.command()
@click.argument("name")
@click.option("--task", type=click.Choice(TASKS), required=True)
@click.option("--mode", type=click.Choice(["realtime", "batch"]), required=True)
@click.option("--tier", type=click.Choice(TIERS), default="standard")
@click.option("--team", default="ml-team", show_default=True)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="Folder for the spec (default: the specs folder, found as validate finds it).",
)
def new(name: str, task: str, mode: str, tier: str, team: str, directory: Path | None) -> int:
    """Write a valid, commented starter spec to DIR/NAME.yaml."""
    path = write_starter(directory or default_specs(), name, task, mode, tier, team)
    click.echo(
        f"wrote {path.as_posix()}; fill in the TODOs, then run `mlcp validate {path.as_posix()}`"
    )
    return EXIT_OK


@cli.command(name="build")
@paths_argument
@click.option(
    "--out", type=click.Path(path_type=Path), help="Output folder (default from mlcp.yaml)."
)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the tree on disk differs.")
@click.option(
    "--base",
    metavar="REF",
    help="With --check: the git revision (the target branch) whose manifest may vouch for "
    "the models its inputs match; the rest are rendered. Default: render everything.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes that compile and render (default: the CPU count; 1 works in this one).",
)
@format_option
@strict_option
def build_command(
    paths: tuple[Path, ...],
    out: Path | None,
    check: bool,
    base: str | None,
    jobs: int | None,
    fmt: str,
    strict: bool,
) -> int:
    """Validate the specs, then generate everything under the output folder."""
    from controlplane.build import build  # the renderers load only when building

    result = build(paths or (default_specs(),), out, check=check, base=base, jobs=jobs)
    status = _report(result.compilation.diagnostics, fmt, strict, result.compilation.valid_count)
    if status != EXIT_OK or result.writes is None:
        return EXIT_ERRORS
    summary, stale = build_summary(result, check=check)
    click.echo(summary)
    return EXIT_ERRORS if stale else EXIT_OK


def _command_name(args: list[str]) -> str:
    """`mlcp build` of `mlcp --debug build specs/`: the word that names the failing command."""
    words = [a for a in args if not a.startswith("-")]
    return (
        f"mlcp {words[0]}"
        if words and words[0] in cli.list_commands(click.Context(cli))
        else "mlcp"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: the one place that turns failures into exit codes."""
    args = list(argv if argv is not None else sys.argv[1:])
    try:
        status = cli.main(args=args, prog_name="mlcp", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("mlcp: aborted", err=True)
        return EXIT_USAGE
    except MlcpError as exc:
        click.echo(f"{_command_name(args)}: {exc}", err=True)
        return exc.exit_code
    except OSError as exc:  # a file the command had to read or write: the person can fix it
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"{_command_name(args)}: {where}{exc.strerror or exc}", err=True)
        return EXIT_USAGE
    except Exception as exc:  # the single catch-all: no tracebacks unless asked
        if "--debug" in args:
            raise
        click.echo(
            f"mlcp: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True
        )
        return EXIT_USAGE
    return status if isinstance(status, int) else EXIT_OK
