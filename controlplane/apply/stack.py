"""The Pulumi step of `mlcp apply`: the stack of `infra/`, through the Automation API.

What to update is settled first, as data (`StackRequest`, from mlcp.yaml and
the environment), so every refusal happens before anything changes. Then a
`LocalWorkspace` on `infra/` selects or creates the stack, sets its config
(the region from mlcp.yaml, secrets from the environment, stored encrypted by
Pulumi) and runs `up`. The workspace is made by a factory that tests replace
to see the exact Pulumi CLI calls without the CLI.

A secret never goes on a command line, where any user of the machine can read
it (`ps`, /proc/PID/cmdline): the Automation API's `set_all_config` puts values
in the arguments, so plain values go that way and each secret is handed to
`pulumi config set --secret KEY` on its standard input instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlplane.apply.errors import ApplyRefused, PulumiMissing
from controlplane.model import Config

BACKEND_VARIABLE = "PULUMI_BACKEND_URL"
INSTALL_HINT = (
    "install it with `curl -fsSL https://get.pulumi.com | sh` "
    "(or see https://www.pulumi.com/docs/iac/download-install/; in GitHub Actions, "
    "pulumi/actions), then run mlcp apply again"
)
WorkspaceFactory = Callable[..., Any]  # pulumi.automation.LocalWorkspace or a test's stand-in
Progress = Callable[[str], None]


@dataclass(frozen=True)
class StackRequest:
    """Everything the Pulumi step needs, settled before anything is applied."""

    work_dir: Path  # the Pulumi project: <project root>/infra
    stack: str
    backend: str
    backend_from: str  # "mlcp.yaml" or the variable it came from
    secrets_provider: str | None = None
    config: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)  # values: never printed

    def describe(self) -> str:
        return f"stack {self.stack} of {self.work_dir} on {self.backend} (from {self.backend_from})"


def stack_request(
    config: Config,
    root: Path,
    stack: str | None,
    environ: Mapping[str, str],
    specs: Path | None = None,
) -> StackRequest:
    """The stack to update, from --stack, mlcp.yaml's pulumi section and the environment.

    The program compiles the same specs folder that apply checked (`mlcp:specs`, relative
    to `infra/`; `<root>/specs` unless told), never a default of its own."""
    settings = config.pulumi
    name = stack or settings.stack
    if not name:
        raise ApplyRefused("no stack to update: pass --stack NAME or set pulumi.stack in mlcp.yaml")
    backend, backend_from = settings.backend, "mlcp.yaml"
    if not backend:
        backend, backend_from = environ.get(BACKEND_VARIABLE, ""), BACKEND_VARIABLE
    if not backend:
        raise ApplyRefused(
            f"no Pulumi backend: set pulumi.backend in mlcp.yaml or {BACKEND_VARIABLE} "
            "(e.g. s3://BUCKET, file:///PATH or https://api.pulumi.com)"
        )
    work_dir = root / "infra"
    if not (work_dir / "Pulumi.yaml").is_file():
        raise ApplyRefused(f"{work_dir}/Pulumi.yaml not found: the Pulumi project to apply")
    return StackRequest(
        work_dir,
        name,
        backend,
        backend_from,
        settings.secrets_provider,
        {"aws:region": config.region, "mlcp:specs": _relative(specs or root / "specs", work_dir)},
        _secrets(settings.secrets, environ),
    )


def _secrets(wanted: tuple[tuple[str, str], ...], environ: Mapping[str, str]) -> dict[str, str]:
    options = [key for key, _ in wanted if key.startswith("-")]
    if options:  # the key goes on the command line: it must not read as an option
        raise ApplyRefused(f"mlcp.yaml's pulumi.secrets key {options[0]!r} starts with '-'")
    missing = [f"{variable} (for {key})" for key, variable in wanted if not environ.get(variable)]
    if missing:
        raise ApplyRefused(
            "mlcp.yaml's pulumi.secrets need environment variables that are not set: "
            + ", ".join(missing)
        )
    return {key: environ[variable] for key, variable in wanted}


def open_workspace(request: StackRequest, factory: WorkspaceFactory | None = None) -> Any:
    """A workspace on the project; refuses clearly when the Pulumi CLI is missing."""
    from pulumi import automation as auto  # the SDK loads only for apply

    make = factory or auto.LocalWorkspace
    try:
        return make(
            work_dir=str(request.work_dir),
            env_vars={BACKEND_VARIABLE: request.backend},
            secrets_provider=request.secrets_provider,
        )
    except FileNotFoundError:
        raise PulumiMissing(f"the Pulumi CLI is not installed: {INSTALL_HINT}") from None
    except auto.InvalidVersionError as exc:
        raise PulumiMissing(f"the Pulumi CLI is too old ({exc}): {INSTALL_HINT}") from None


def select_stack(request: StackRequest, workspace: Any) -> Any:
    """Select the stack, or create it with the secrets provider; set its config and secrets."""
    from pulumi import automation as auto

    stack = auto.Stack.create_or_select(request.stack, workspace)
    values = {k: auto.ConfigValue(value=v) for k, v in sorted(request.config.items())}
    stack.set_all_config(values)  # plain values only: these are seen in the arguments
    for key, value in sorted(request.secrets.items()):
        set_secret(workspace, request.stack, key, value)
    return stack


class SecretNotSet(Exception):
    """`pulumi config set --secret` failed; the message holds the CLI's words, never the value."""


def set_secret(workspace: Any, stack: str, key: str, value: str) -> None:
    """`pulumi config set KEY --secret` with the value on standard input, as the CLI reads it
    when no value is given and it is not on a terminal: never in an argument list."""
    env = {**os.environ, **workspace.env_vars}
    if workspace.pulumi_home:
        env["PULUMI_HOME"] = workspace.pulumi_home
    command = [workspace.pulumi_command.command, "config", "set", key, "--secret"]
    command += ["--stack", stack, "--non-interactive"]
    done = subprocess.run(
        command, input=value, cwd=workspace.work_dir, env=env, capture_output=True, text=True
    )
    if done.returncode:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        detail = said[-1].strip() if said else f"exit {done.returncode}"
        raise SecretNotSet(f"pulumi config set {key} --secret failed: {detail}")


def up(stack: Any, message: str, progress: Progress) -> list[str]:
    """Run `pulumi up`, streaming its output; the summary as report lines."""
    result = stack.up(
        message=message, color="never", on_output=lambda line: progress(f"    {line}")
    )
    changes = result.summary.resource_changes or {}
    counted = ", ".join(f"{n} {kind}" for kind, n in sorted(changes.items())) or "no changes"
    return [f"stack {stack.name}: {result.summary.result} ({counted})"]


def environment() -> Mapping[str, str]:
    return os.environ


def _relative(specs: Path, work_dir: Path) -> str:
    return Path(os.path.relpath(specs.resolve(), work_dir.resolve())).as_posix()
