"""A stand-in for the Pulumi CLI under the real Automation API: it records each call.

`LocalWorkspace(pulumi_command=FakePulumi())` runs the SDK's own code for
stack selection, creation, config and `up`, down to the argument lists it
would give the `pulumi` binary; this answers them as the CLI does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
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
        self.command = "pulumi"
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


def workspace_factory(cli: FakePulumi) -> Any:
    from pulumi.automation import LocalWorkspace

    def make(**options: Any) -> Any:
        return LocalWorkspace(pulumi_command=cli, **options)

    return make
