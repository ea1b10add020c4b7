"""`mlcp init [DIR]`: start a team's repository of model specs.

What is written: `specs/mlcp.yaml` and one starter spec (as `mlcp new` writes it),
`infra/` (this repository's own Pulumi program), `.github/workflows/` (this
repository's own plan, plan-comment and apply workflows, installing mlcp from
`requirements.txt` where this repository installs itself), the hashed locks of
mlcp's dependencies (`requirements/`), `requirements.txt` and a README section.
Nothing is overwritten: when any of these files exists, nothing is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import click

from controlplane import __version__
from controlplane.domain import TASKS, TIERS
from controlplane.errors import EXIT_OK, MlcpError
from controlplane.prose import TEMPLATES
from controlplane.scaffold import starter_spec
from controlplane.sources import CONFIG_NAME
from controlplane.spec.config import REGION_PATTERN

STARTER = Path(__file__).parent / "starter"  # this repository's infra/ and workflows
INFRA = ("Pulumi.yaml", "__main__.py")
WORKFLOWS = ("plan.yml", "plan-comment.yml", "apply.yml")  # ci.yml tests mlcp itself
LOCKS = ("build.txt", "ci.txt")  # mlcp's dependencies, pinned with their hashes
# This repository's workflows install (or build a wheel of) mlcp from its own source,
# the last word `.`; a team's from its pin in requirements.txt.
OWN_INSTALL = re.compile(r"^( +python -m pip (?:install|wheel) --no-deps [^\n]*?) \.$", re.M)
INSTALLS = {"plan.yml": 1, "plan-comment.yml": 0, "apply.yml": 1}
README = "README.md"
SECTION = "## Models: mlcp\n"


class InitRefused(MlcpError):
    """A file `mlcp init` would write already exists, or an option is not valid: nothing is
    written (exit 2)."""


@dataclass(frozen=True)
class Starter:
    """What `mlcp init` asks for: the starter spec's name and shape, and the team."""

    model: str = "example-model"
    task: str = "classification"
    mode: str = "realtime"
    tier: str = "standard"
    team: str = "ml-team"
    region: str = "us-east-1"


def starter_files(starter: Starter) -> dict[str, str]:
    """Path (posix, relative to the repository) -> text, the README section last."""
    if not re.fullmatch(REGION_PATTERN, starter.region):  # it lands in mlcp.yaml as written
        raise InitRefused(f"invalid region {starter.region!r}: an AWS region such as eu-west-1")
    spec = starter_spec(starter.model, starter.task, starter.mode, starter.tier, starter.team)
    files = {
        f"specs/{CONFIG_NAME}": _render(
            "init-mlcp.yaml.j2", team=starter.team, region=starter.region
        ),
        f"specs/{starter.model}.yaml": spec,
        "requirements.txt": f"mlcp=={__version__}\n",
    }
    for name in INFRA:
        files[f"infra/{name}"] = (STARTER / "infra" / name).read_text(encoding="utf-8")
    for name in WORKFLOWS:
        files[f".github/workflows/{name}"] = _team_workflow(name)
    for name in LOCKS:
        files[f"requirements/{name}"] = (STARTER / "requirements" / name).read_text("utf-8")
    files[README] = _render("init-readme.md.j2", starter=f"specs/{starter.model}.yaml")
    return files


def _team_workflow(name: str) -> str:
    own = (STARTER / "workflows" / name).read_text(encoding="utf-8")
    team, count = OWN_INSTALL.subn(r"\1 -r requirements.txt", own)
    if count != INSTALLS[name]:  # the lines a team's copy changes: they must be there
        raise RuntimeError(f"workflows/{name}: {count} installs of mlcp's own source")
    return team


def _render(template: str, **values: str) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML and Markdown; the values are checked names and regions
    )
    return env.get_template(template).render(**values)


def init_repository(root: Path, starter: Starter) -> list[str]:
    """Write the starter repository under `root`; the paths written. An existing README
    gets the section appended; any other existing file refuses the whole init."""
    files = starter_files(starter)
    readme = root / README
    existing = [path for path in files if path != README and os.path.lexists(root / path)]
    if readme.is_file() and SECTION in readme.read_text(encoding="utf-8"):
        existing.append(f"{README} (its mlcp section)")
    if existing:
        raise InitRefused(
            f"{root.as_posix()} already has {', '.join(sorted(existing))}; nothing was written"
            " (move them aside, or start in an empty folder)"
        )
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path == README and target.is_file():
            before = target.read_text(encoding="utf-8").rstrip("\n")
            target.write_text(f"{before}\n\n{text}", encoding="utf-8")
            continue
        with open(target, "x", encoding="utf-8") as stream:  # never through a link
            stream.write(text)
    return list(files)


@click.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--model", default=Starter.model, show_default=True, help="The starter spec's name.")
@click.option("--task", type=click.Choice(TASKS), default=Starter.task, show_default=True)
@click.option(
    "--mode", type=click.Choice(["realtime", "batch"]), default=Starter.mode, show_default=True
)
@click.option("--tier", type=click.Choice(TIERS), default=Starter.tier, show_default=True)
@click.option("--team", default=Starter.team, show_default=True, help="Owners of the starter.")
@click.option("--region", default=Starter.region, show_default=True, help="AWS region.")
def init_command(
    directory: Path | None, model: str, task: str, mode: str, tier: str, team: str, region: str
) -> int:
    """Start a team's repository in DIRECTORY (default: here): specs, infra, workflows."""
    root = directory or Path(".")
    written = init_repository(root, Starter(model, task, mode, tier, team, region))
    click.echo(f"wrote {len(written)} files under {root.as_posix()}: {', '.join(written)}")
    click.echo("next: fill in the TODOs, then `mlcp validate`, `mlcp build` and commit")
    return EXIT_OK
