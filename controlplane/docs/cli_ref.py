"""The command-line reference: each `mlcp` command's help, as `--help` prints it."""

from __future__ import annotations

from collections.abc import Iterator

import click

from controlplane.cli import cli

WIDTH = 100  # fixed, so the page does not depend on the terminal it was generated in
INTRO = """# Command line

Each command's `--help`, for every visible `mlcp` command and subcommand.
"""


def _commands(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[click.Command, click.Context]]:
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _commands(sub, _context(sub, name, ctx))


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """The context `mlcp ... --help` would build (its settings, no callbacks), at a fixed width."""
    return command.make_context(
        name,
        [],
        parent=parent,
        resilient_parsing=True,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
    )


def render() -> str:
    lines = [INTRO]
    for command, ctx in _commands(cli, _context(cli, "mlcp", None)):
        lines += [f"## {ctx.command_path}", "", "```text", command.get_help(ctx), "```", ""]
    return "\n".join(lines)
