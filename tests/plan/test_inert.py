"""Spec text in the pull-request comment is inert: the whole comment, read back by a CommonMark
parser with GitHub's tables, strikethrough and autolinks (markdown-it-py), holds no HTML, link,
image, heading, mention or second marker that a spec wrote; the hostile text still shows."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from controlplane.plan.inert import MARKER
from controlplane.plan.markdown import render_markdown
from controlplane.plan.types import (
    FieldChange,
    FileDiff,
    Finding,
    ModelPlan,
    Plan,
    ResourceChange,
    ServiceChange,
)
from tests.plan.repo import BASE_BRANCH, make_repo
from tests.spec.clirun import run_mlcp

TEAM = "risk-ml</td><h1>APPROVED BY SECURITY</h1>"
DESCRIPTION = (
    "See [the docs](https://evil.example/docs) ![t](https://evil.example/t.png) "
    "<!-- mlcp-plan --> ping @acme/ml-platform or bob@acme.com at www.evil.example, "
    "closes #1 and GH-2; ``` | <img src=x onerror=alert(1)> <b>bold</b> &amp; *em* ~~s~~"
)
POLICY = "# Risk <h2>On call</h2> @acme/sre https://evil.example/pd"
FOLDER = "```<b>x<i> @acme-ml #3 [l](x) <!-- mlcp-plan -->"  # a name holds no "/"
HOSTILE = [TEAM, DESCRIPTION, POLICY, FOLDER]


def _hostile(specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    text = spec.read_text(encoding="utf-8")
    for old, new in [
        ("  team: risk-ml\n", f"  team: {json.dumps(TEAM)}\n"),
        (
            "  description: Scores card transactions for manual review.\n",
            f"  description: {json.dumps(DESCRIPTION)}\n",
        ),
        ("  escalation_policy: Risk ML\n", f"  escalation_policy: {json.dumps(POLICY)}\n"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (specs / FOLDER).mkdir()
    (specs / FOLDER / "fraud-detector.yaml").write_text(text, encoding="utf-8")
    spec.unlink()


@pytest.fixture(scope="module")
def comment(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = make_repo(tmp_path_factory.mktemp("hostile") / "repo", _hostile)
    cwd = Path.cwd()
    os.chdir(root)
    try:
        run = run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "markdown"])
    finally:
        os.chdir(cwd)
    assert run.code == 0, run.stderr
    return run.stdout


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"linkify": True}).enable(
        ["table", "strikethrough", "linkify"]
    )
    # GitHub links URLs with a scheme, www. and e-mail addresses; not bare domains.
    parser.linkify.set({"fuzzy_link": False, "fuzzy_email": True})
    return parser


def _tokens(text: str) -> list[Token]:
    flat: list[Token] = []
    for token in _parser().parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


# The HTML mlcp writes itself: <details> sections with a <summary>, and the marker.
OWN_TAGS = re.compile(r"</?(details|summary|b|code)>")


def test_the_comment_has_one_marker_and_it_comes_first(comment: str) -> None:
    assert comment.count(MARKER) == 1
    assert comment.startswith(MARKER + "\n")


def test_spec_text_makes_no_html(comment: str) -> None:
    html = [t for t in _tokens(comment) if t.type in ("html_block", "html_inline")]
    assert html  # the sections are there
    for token in html:
        if token.content.strip() == MARKER:
            continue
        assert "<" not in OWN_TAGS.sub("", token.content), token.content


def test_spec_text_makes_no_link_image_or_heading(comment: str) -> None:
    tokens = _tokens(comment)
    assert [t.type for t in tokens if t.type in ("link_open", "image")] == []
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["mlcp plan"]


def test_spec_text_notifies_no_one_and_references_nothing(comment: str) -> None:
    for token in _tokens(comment):
        if token.type != "text":
            continue  # GitHub neither mentions nor links inside code and HTML
        text = token.content
        assert not re.search(r"(?<![\w`])@[A-Za-z0-9]", text), text  # GitHub's mention
        assert not re.search(r"[\w.+-]@[A-Za-z0-9]", text), text  # an e-mail autolink
        assert "://" not in text and "www." not in text.lower(), text  # URL autolinks
        assert not re.search(r"(#|\bGH-)\d", text), text  # issue references


def _shown(comment: str) -> str:
    """What a reader sees: text, code and (entities decoded) the summaries, joiners removed."""
    parts = []
    for token in _tokens(comment):
        if token.type in ("text", "code_inline", "fence", "code_block"):
            parts.append(token.content)
        elif token.type in ("html_block", "html_inline"):
            parts.append(_parser().renderInline(OWN_TAGS.sub("", token.content)))
    return "\n".join(parts).replace("\u2060", "")


def test_the_hostile_text_still_shows_as_written(comment: str) -> None:
    shown = _shown(comment)
    for value in [TEAM, DESCRIPTION, POLICY]:
        assert value in shown, value
    assert f"specs/{FOLDER}/fraud-detector.yaml" in shown


def _built_plan() -> str:
    """Every place a plan shows a value, each holding hostile text, diffs included."""
    diff = f"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-description: old\n+description: {DESCRIPTION}\n</details>\n"
    hostile_file = FileDiff(f"runbooks/{FOLDER}.md", "changed", 1, 1, diff)
    model = ModelPlan(
        name="fraud-detector",
        source=f"specs/{FOLDER}/fraud-detector.yaml",
        change="error",
        fields=(FieldChange(f"features[{TEAM}]", POLICY, DESCRIPTION, TEAM, True),),
        files=(hostile_file,),
        resources=(ResourceChange("update", TEAM, POLICY, (DESCRIPTION,)),),
        services=(ServiceChange("update", POLICY),),
        findings=(Finding("risk", DESCRIPTION), Finding("warning", TEAM)),
        diagnostics=(f"{FOLDER}:1:1: error MLCP107: {DESCRIPTION}", "```\n" + TEAM),
    )
    plan = Plan(
        base=f"main {FOLDER}",
        models=(model,),
        shared_files=(FileDiff(f"schema/{FOLDER}.json", "changed", 1, 1, diff),),
        shared_resources=(ResourceChange("create", POLICY, TEAM),),
        shared_services=(ServiceChange("create", DESCRIPTION),),
        base_diagnostics=(f"{FOLDER}: {DESCRIPTION}", TEAM),
    )
    return render_markdown(plan)


def test_every_field_of_a_plan_is_inert_diffs_included() -> None:
    comment = _built_plan()
    assert "```diff" in comment  # the diffs are shown, not left out for length
    test_the_comment_has_one_marker_and_it_comes_first(comment)
    test_spec_text_makes_no_html(comment)
    test_spec_text_makes_no_link_image_or_heading(comment)
    test_spec_text_notifies_no_one_and_references_nothing(comment)
    shown = _shown(comment)
    for value in [TEAM, DESCRIPTION, POLICY, FOLDER]:
        assert value in shown, value
