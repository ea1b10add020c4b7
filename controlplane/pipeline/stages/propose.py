"""`mlcp stage propose`: when the gate passed, a branch and commit that put the candidate
in the rollout's first state (shadow), with the evidence in the message; pushed and opened as a pull request when a
remote and a token are configured. Merging it is the approval: nothing is promoted here."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

from controlplane import pipeline_layout as layout
from controlplane.gitwrite import LinkRefused, refuse_links, repo_relative
from controlplane.pipeline.context import PipelineError, Stage
from controlplane.pipeline.gitops import propose_change, repo_of
from controlplane.pipeline.proposal import (
    candidate_artifact,
    commit_message,
    edited_spec,
    first_state,
    next_version,
)
from controlplane.sources import CONFIG_NAME, Source


def _committed(repo: Any, path: str) -> str:
    try:
        return str(repo.head.commit.tree[path].data_stream.read().decode("utf-8"))
    except KeyError:
        raise PipelineError(f"{path} is not committed: commit the spec before proposing") from None


def propose(stage: Stage) -> dict[str, Any]:
    decision = stage.read_json(layout.GATE)
    if not decision["passed"]:
        return {
            "proposed": False,
            "reason": f"the gate rejected the candidate: {decision['reason']}",
        }
    model, validation = stage.model, stage.read_json(layout.VALIDATION)
    spec = stage.project_root / str(stage.param("propose.spec"))
    repo = repo_of(spec.parent)
    root = Path(str(repo.working_tree_dir))
    path = repo_relative(root, spec)  # as named: a link is refused, never edited through
    try:
        refuse_links(repo.head.commit.tree, path)
    except LinkRefused as error:
        raise PipelineError(str(error)) from None
    config_path = (PurePosixPath(path).parent / CONFIG_NAME).as_posix()
    config = (
        Source(config_path, _committed(repo, config_path))
        if (spec.parent / CONFIG_NAME).exists()
        else None
    )
    run_id = hashlib.sha256(stage.require(layout.CANDIDATE).read_bytes()).hexdigest()[:12]
    candidate = candidate_artifact(model, next_version(model, run_id))
    text = edited_spec(Source(path, _committed(repo, path)), config, candidate, first_state(model))
    message = commit_message(model, candidate, decision, validation)
    branch = f"retrain/{model.name}-{candidate['version']}"
    proposal = propose_change(repo, branch, path, text, message)
    return {
        "proposed": True,
        "branch": proposal.branch,
        "commit": proposal.commit,
        "base": proposal.base,
        "candidate": candidate,
        "pushed": proposal.pushed,
        "pull_request": proposal.pull_request,
        "title": message.partition("\n")[0],
    }


def run(stage: Stage) -> str:
    result = propose(stage)
    stage.write_json(layout.PROPOSAL, result)
    if not result["proposed"]:
        return f"nothing to propose: {result['reason']}"
    if result["pull_request"]:
        return f"opened {result['pull_request']} ({result['branch']})"
    return (
        f"committed {result['commit'][:12]} on branch {result['branch']}; no remote and token"
        f" configured, so not pushed. It would open a pull request into {result['base']}:"
        f" {result['title']!r}"
    )
