"""The proposal as git sees it: a branch with one commit, made without touching the
working tree or the checked-out branch (DVC is running in that tree), then pushed and
opened as a pull request when a remote and a token are configured."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import git

from controlplane.gitwrite import commit_file
from controlplane.pipeline.context import PipelineError

TOKEN_ENVS = ("MLCP_GITHUB_TOKEN", "GITHUB_TOKEN")
API_URL_ENV = "GITHUB_API_URL"
GITHUB_REMOTE = re.compile(r"github\.com[:/](?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Proposal:
    branch: str
    commit: str
    base: str
    pushed: bool
    pull_request: str | None  # its URL once opened


def repo_of(path: Path) -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        raise PipelineError(f"{path}: not inside a git repository, nothing to commit to") from None


def token() -> str | None:
    return next((os.environ[name] for name in TOKEN_ENVS if os.environ.get(name)), None)


def open_pull_request(
    repo: git.Repo, branch: str, base: str, title: str, body: str, auth: str
) -> str:
    """Push the branch to origin and open the pull request on GitHub; the PR's URL."""
    origin = repo.remotes.origin
    match = GITHUB_REMOTE.search(origin.url)
    if match is None:
        raise PipelineError(f"remote origin {origin.url} is not a GitHub repository")
    try:
        origin.push(f"refs/heads/{branch}:refs/heads/{branch}", force=True).raise_if_error()
    except git.GitCommandError as error:
        raise PipelineError(f"pushing {branch} to origin failed: {error.stderr.strip()}") from None
    api = os.environ.get(API_URL_ENV, "https://api.github.com").rstrip("/")
    request = urllib.request.Request(
        f"{api}/repos/{match['owner']}/{match['repo']}/pulls",
        data=json.dumps({"title": title, "head": branch, "base": base, "body": body}).encode(),
        headers={"Authorization": f"Bearer {auth}", "Accept": "application/vnd.github+json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            created = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise PipelineError(f"opening the pull request failed: HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise PipelineError(f"opening the pull request failed: {error.reason}") from None
    return str(created.get("html_url", ""))


def propose_change(repo: git.Repo, branch: str, path: str, text: str, message: str) -> Proposal:
    base = repo.active_branch.name if not repo.head.is_detached else "main"
    sha = commit_file(repo, branch, path, text, message)
    auth = token()
    if auth is None or "origin" not in [r.name for r in repo.remotes]:
        return Proposal(branch, sha, base, pushed=False, pull_request=None)
    title, _, body = message.partition("\n")
    url = open_pull_request(repo, branch, base, title, body.strip(), auth)
    return Proposal(branch, sha, base, pushed=True, pull_request=url)
