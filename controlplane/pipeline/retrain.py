"""`mlcp retrain NAME`: prepare a workspace for one model's pipeline and run `dvc repro`.

Preparing copies the specs and the training code into the workspace, renders the
model's dvc.yaml and params.yaml there (as `mlcp build` does), fetches the data
and the production profile (and model, when given) and tracks them with DVC.
Running streams DVC's log and reports each stage as it starts or is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlplane import pipeline_layout as layout
from controlplane.compile import compile_paths, find_model
from controlplane.model import Model
from controlplane.pipeline import workspace
from controlplane.pipeline.context import PipelineError, StageFailed
from controlplane.pipeline.fetch import fetch_file, fetch_table
from controlplane.render import pipeline
from controlplane.spec.output import output_problem
from controlplane.write import put_artifacts

# "Running stage 'build/pipelines/m/dvc.yaml:tune':", "Stage '…:split' didn't change, skipping"
STAGE_LINE = re.compile(r"^(Running stage|Stage) '(?:[^']*:)?(?P<stage>[\w-]+)'(?P<rest>.*)$")
Progress = Callable[[str, bool], None]  # stage name, ran (False: unchanged, skipped)


@dataclass
class RetrainResult:
    model: str
    pipeline: Path  # the pipeline folder in the workspace
    ran: list[str]
    skipped: list[str]
    gate: dict[str, Any] | None
    proposal: dict[str, Any] | None


def prepare(
    name: str, specs: Path, ws: Path, *, remote: str | None, production: Path | None
) -> tuple[Model, Path]:
    """The model compiled from the workspace's copy of the specs, and its pipeline folder.

    The inputs are fetched before the workspace is touched, and a workspace this call starts
    (missing or empty) is removed again when setting it up fails: a failed setup leaves
    nothing for the next run to trip over."""
    if not specs.is_dir():
        raise PipelineError(f"{specs}: no such specs folder")
    original = find_model(specs, name).model
    if original.retraining is None:
        raise PipelineError(f"{name}: its spec declares no retraining")
    with tempfile.TemporaryDirectory(prefix="mlcp-inputs-") as scratch:
        inputs = Path(scratch)
        _fetch_inputs(original, specs.resolve(), inputs, production)
        with _undone_on_failure(ws):
            return _set_up(name, original, specs, ws, remote, inputs)


def _set_up(
    name: str, original: Model, specs: Path, ws: Path, remote: str | None, inputs: Path
) -> tuple[Model, Path]:
    assert original.retraining is not None
    repo = workspace.open_repo(ws)
    root = specs.resolve().parent
    workspace.copy_into(specs, ws / specs.resolve().name)
    package = layout.entrypoint_package(original.retraining.entrypoint)
    for candidate in (root / package, root / f"{package}.py"):
        workspace.copy_into(candidate, ws / candidate.name)
    compilation = compile_paths([ws / specs.resolve().name])
    model = next((c.model for c in compilation.compiled if c.model.name == name), None)
    if model is None:
        raise PipelineError(f"{name}: its spec does not compile in the workspace {ws}")
    out = ws / compilation.config.output_dir
    # MLCP499's rule, and no link out of the workspace: writes stay in the output folder.
    problem = output_problem(compilation.config.output_dir, specs.resolve().name)
    if problem is None and not out.resolve().is_relative_to(ws.resolve()):
        problem = f"build.out {compilation.config.output_dir!r} leads out of the workspace"
    if problem is not None:
        raise PipelineError(f"{name}: {problem} (run `mlcp validate`)")
    put_artifacts(out, pipeline.render_model(model, compilation.config), check=False)
    folder = out / pipeline.PIPELINES / name
    workspace.init_dvc(ws, remote)
    workspace.copy_into(inputs, folder)
    rel = folder.resolve().relative_to(ws.resolve())
    workspace.ignore(ws, f"/{(rel / layout.STUDY).parent.as_posix()}/")
    workspace.run_dvc(ws, "add", "--quiet", str(rel / layout.SOURCE), str(rel / layout.PRODUCTION))
    workspace.commit_all(repo, f"Retraining workspace for {name}: specs, code and pipeline")
    return model, folder


@contextmanager
def _undone_on_failure(ws: Path) -> Iterator[None]:
    """Empty a workspace that was missing or empty before, when what is inside fails."""
    existed = ws.exists()
    fresh = not existed or (ws.is_dir() and not any(ws.iterdir()))
    try:
        yield
    except BaseException:
        if fresh:
            for child in list(ws.iterdir()) if ws.is_dir() else []:
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            if not existed and ws.exists():
                ws.rmdir()
        raise


def _fetch_inputs(model: Model, specs: Path, folder: Path, production: Path | None) -> None:
    assert model.retraining is not None
    fetch_table(model.retraining.data_source, specs, folder / layout.SOURCE)
    note = folder / layout.PRODUCTION_NOTE
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(
        "The production model (model.pkl) and its reference profile (profile.json),\n"
        "when there are any: evaluate compares the candidate with this model, and\n"
        "validate compares the data with this profile.\n",
        encoding="utf-8",
    )
    if model.profile:
        fetch_file(model.profile, specs, folder / layout.PRODUCTION_PROFILE)
    if production is not None:
        workspace.copy_into(production, folder / layout.PRODUCTION_MODEL)


def run(ws: Path, folder: Path, progress: Progress | None) -> tuple[list[str], list[str], str]:
    """`dvc repro` of one dvc.yaml: the stages run, those skipped, and DVC's whole log."""
    dvc_yaml = (folder / "dvc.yaml").resolve().relative_to(ws.resolve())
    process = subprocess.Popen(
        [*workspace.dvc_command(), "repro", str(dvc_yaml)],
        cwd=ws,
        env=workspace.dvc_env(ws),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ran: list[str] = []
    skipped: list[str] = []
    log: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        log.append(line)
        match = STAGE_LINE.match(line.strip())
        if match:
            stage, fresh = match["stage"], match[1] == "Running stage"
            if fresh or "didn't change" in match["rest"]:
                (ran if fresh else skipped).append(stage)
                if progress is not None:
                    progress(stage, fresh)
    if process.wait() != 0:
        failed = ran[-1] if ran else "repro"
        raise StageFailed(f"stage {failed} failed:\n{_tail(log)}")
    return ran, skipped, "".join(log)


def _tail(log: list[str], lines: int = 20) -> str:
    """What the failing stage printed, and DVC's error: from its command line on."""
    starts = [i for i, line in enumerate(log) if line.startswith("> ")]
    kept = [line.rstrip() for line in log[starts[-1] + 1 if starts else 0 :] if line.strip()]
    return "\n".join(kept[-lines:])


def retrain(
    name: str,
    specs: Path,
    ws: Path,
    *,
    remote: str | None = None,
    production: Path | None = None,
    progress: Progress | None = None,
) -> RetrainResult:
    model, folder = prepare(name, specs, ws, remote=remote, production=production)
    ran, skipped, _ = run(ws, folder, progress)
    workspace.run_dvc(ws, "push", "--quiet")
    repo = workspace.open_repo(ws)
    workspace.commit_all(repo, f"Retraining run of {name}: dvc.lock")
    return RetrainResult(
        model.name,
        folder,
        ran,
        skipped,
        _json(folder / layout.GATE),
        _json(folder / layout.PROPOSAL),
    )


def _json(path: Path) -> dict[str, Any] | None:
    import json

    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
