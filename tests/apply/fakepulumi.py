"""A stand-in for the Pulumi CLI under the real Automation API: it records each call.

`LocalWorkspace(pulumi_command=FakePulumi())` runs the SDK's own code for
stack selection, creation, config and `up`, down to the argument lists it
would give the `pulumi` binary; this answers them as the CLI does. Calls mlcp
makes itself (a secret on standard input) run `command`, a real executable
that logs its arguments, standard input and backend (`executable_calls`).
"""

from __future__ import annotations

import atexit
import json
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.automation import CommandResult, PulumiCommand
from pulumi.automation._cmd import OnOutput
from pulumi.automation.errors import create_command_error
from semver import VersionInfo

UP_SUMMARY = {
    "kind": "update",
    "startTime": "2026-11-30T10:00:00.000Z",
    "endTime": "2026-11-30T10:03:00.000Z",
    "message": "",
    "environment": {},
    "config": {},
    "result": "succeeded",
    "resourceChanges": {"create": 12, "same": 3},
}


EXECUTABLE = """#!{python}
import json, os, sys
from pathlib import Path
entry = {{"argv": sys.argv[1:], "stdin": sys.stdin.read(), "cwd": os.getcwd(),
          "backend": os.environ.get("PULUMI_BACKEND_URL")}}
with Path(__file__).with_suffix(".log").open("a", encoding="utf-8") as log:
    log.write(json.dumps(entry) + "\\n")
code = int(os.environ.get("FAKE_PULUMI_EXIT", "0"))
if code:
    print("error: " + os.environ.get("FAKE_PULUMI_ERROR", "failed"), file=sys.stderr)
sys.exit(code)
"""


def fake_executable() -> Path:
    """A `pulumi` that logs each call as a JSON line in `pulumi.log` beside it."""
    folder = tempfile.mkdtemp(prefix="fake-pulumi-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "pulumi"
    path.write_text(EXECUTABLE.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@dataclass
class Call:
    args: list[str]
    cwd: str
    env: dict[str, str]


@dataclass
class FakePulumi(PulumiCommand):  # type: ignore[misc]
    stacks: set[str] = field(default_factory=set)
    fail_up: str | None = None  # the CLI's stderr when `up` should fail
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.command = str(fake_executable())
        self.version = VersionInfo.parse("3.200.0")

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: OnOutput | None = None,
        on_error: OnOutput | None = None,
    ) -> CommandResult:
        self.calls.append(Call(list(args), cwd, dict(additional_env)))
        stdout, stderr, code = self._answer(args, on_output)
        result = CommandResult(stdout=stdout, stderr=stderr, code=code)
        if code:
            raise create_command_error(result)
        return result

    def _answer(self, args: list[str], on_output: OnOutput | None) -> tuple[str, str, int]:
        words = [a for a in args if not a.startswith("--")]
        if words[:2] == ["stack", "select"]:
            name = args[args.index("--stack") + 1]
            if name not in self.stacks:
                return "", f"error: no stack named '{name}' found", 255
        elif words[:2] == ["stack", "init"]:
            self.stacks.add(words[2])
        elif words[:1] == ["up"]:
            if self.fail_up:
                return "", self.fail_up, 255
            if on_output:
                on_output("Updating (dev):")
        elif words[:2] == ["stack", "output"]:
            return "{}", "", 0
        elif words[:2] == ["stack", "history"]:
            return json.dumps([UP_SUMMARY]), "", 0
        return "", "", 0

    def commands(self) -> list[list[str]]:
        """Each call's arguments without the flags every call carries."""
        return [[a for a in c.args if a != "--non-interactive"] for c in self.calls]


def executable_calls(cli: FakePulumi) -> list[dict[str, Any]]:
    """What the fake `pulumi` executable was run with, in order."""
    log = Path(cli.command).with_suffix(".log")
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def workspace_factory(cli: FakePulumi) -> Any:
    from pulumi.automation import LocalWorkspace

    def make(**options: Any) -> Any:
        return LocalWorkspace(pulumi_command=cli, **options)

    return make
