"""The README and the guides under docs/: every link lands, nothing the README once said is
lost, and the tables that restate code (diagnostic codes, commands) are the code's own lists."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from controlplane.spec.codes import all_codes
from tests.conftest import ROOT
from tests.spec.clirun import run_mlcp

README = ROOT / "README.md"
GUIDES = sorted((ROOT / "docs").glob("*.md"))
CODE_GUIDES = [ROOT / "ARCHITECTURE.md", ROOT / "CONTRIBUTING.md"]
PAGES = [README, *GUIDES, *CODE_GUIDES, *sorted((ROOT / "docs" / "reference").glob("*.md"))]
DIAGNOSTICS_GUIDE = ROOT / "docs" / "specs.md"
COMMANDS_GUIDE = ROOT / "docs" / "commands.md"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def tokens(path: Path) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(read(path))


def heading_texts(path: Path) -> list[str]:
    """Each heading's text as rendered: code spans without their backticks."""
    found = tokens(path)
    return [
        "".join(c.content for c in found[i + 1].children or [] if c.type in ("text", "code_inline"))
        for i, token in enumerate(found)
        if token.type == "heading_open"
    ]


def github_anchor(text: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, each space a '-'."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """A page's anchors; a repeated heading gets -1, -2, … as GitHub numbers them."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for text in heading_texts(path):
        anchor = github_anchor(text)
        counts[anchor] = counts.get(anchor, -1) + 1
        found.add(f"{anchor}-{counts[anchor]}" if counts[anchor] else anchor)
    return found


def links(path: Path) -> list[str]:
    """Every link target of a page (code blocks and code spans hold none)."""
    return [
        str(child.attrs["href"])
        for token in tokens(path)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of a page whose file (inside `root`) or heading does not exist."""
    broken = []
    for href in links(path):
        if re.match(r"^[a-z][a-z+.-]*:", href):
            continue  # https:, mailto:: not a file of the repository
        target, _, anchor = href.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists() or root.resolve() not in (file, *file.parents):
            broken.append(f"{href}: no such file")
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            broken.append(f"{href}: no such heading")
    return broken


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_every_relative_link_lands_on_a_file_and_heading(path: Path) -> None:
    assert broken_links(path) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Pull requests: `mlcp plan`", "pull-requests-mlcp-plan"),
        ("On-call: PagerDuty services from the specs", "on-call-pagerduty-services-from-the-specs"),
        ("Drift, and why epsilon is 1e-4", "drift-and-why-epsilon-is-1e-4"),
        ("Layering: `specs/mlcp.yaml`", "layering-specsmlcpyaml"),
        ("Serving `/metrics`", "serving-metrics"),
        ("Gunicorn (multiprocess mode)", "gunicorn-multiprocess-mode"),
        ("Why these `for` durations", "why-these-for-durations"),
        ("MLCPModelBroken", "mlcpmodelbroken"),
    ],
)
def test_anchors_are_githubs(tmp_path: Path, heading: str, anchor: str) -> None:
    """Worked out by hand from GitHub's rule (lowercase, punctuation dropped, spaces to '-',
    a repeat numbered); the first two were links of the README before it was split."""
    page = tmp_path / "page.md"
    page.write_text(f"# {heading}\n\n## {heading}\n", encoding="utf-8")
    assert anchors(page) == {anchor, f"{anchor}-1"}


def test_a_link_to_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Top\n\n[a](#top) [b](#nowhere) [c](missing.md) [d](page.md#top)\n"
        "[e](https://example.com/x.md) `[f](missing.md)`\n\n```\n[g](#nowhere)\n```\n",
        encoding="utf-8",
    )
    assert links(page) == [
        "#top",
        "#nowhere",
        "missing.md",
        "page.md#top",
        "https://example.com/x.md",
    ]
    assert broken_links(page, root=tmp_path) == [
        "#nowhere: no such heading",
        "missing.md: no such file",
    ]
    assert broken_links(page, root=tmp_path / "elsewhere")[0] == "#top: no such file"


# Every heading of the README as it stood before it was split into guides (commit 83e8dba, and
# "Where the routing keys live", added on main before the split merged): each must still head
# a section of the README or of a guide.
HEADINGS_BEFORE_THE_SPLIT = [
    "mlcp",
    "A spec, briefly",
    "Layering: `specs/mlcp.yaml`",
    "Editor support",
    "Commands",
    "Diagnostics",
    "Generated output",
    "Pull requests: `mlcp plan`",
    "mlcp plan",
    "Infrastructure",
    "Alerts",
    "What fires, and when",
    "Why these `for` durations",
    "Recording rules",
    "Routing",
    "Inhibition",
    "Proving it",
    "On-call runbooks",
    "On-call: PagerDuty services from the specs",
    "In CI",
    "Where the routing keys live",
    "A page, end to end",
    "Promotion and rollback",
    "Runtime monitor",
    "In serving code: one line",
    "Shadow comparisons",
    "Serving `/metrics`",
    "Gunicorn (multiprocess mode)",
    "Reference profiles",
    "Drift, and why epsilon is 1e-4",
    "Tests with a real Prometheus",
    "Delivery: from pull request to production",
    "Code owners",
    "`mlcp apply`",
    "Batch jobs: checkpoints",
    "Retraining",
    "Promotion gate",
    "Development",
]


def test_every_section_of_the_old_readme_is_in_the_readme_or_a_guide() -> None:
    now = {text for page in [README, *GUIDES] for text in heading_texts(page)}
    assert [h for h in HEADINGS_BEFORE_THE_SPLIT if h.replace("`", "") not in now] == []


def test_the_readme_links_every_guide() -> None:
    linked = {(README.parent / href.partition("#")[0]).resolve() for href in links(README)}
    assert [rel(g) for g in [*GUIDES, *CODE_GUIDES] if g.resolve() not in linked] == []


def test_the_readme_stays_short() -> None:
    assert len(read(README).splitlines()) <= 200


def test_the_diagnostics_guide_lists_every_code_once() -> None:
    listed = re.findall(r"^\| (MLCP\d{3}) \|", read(DIAGNOSTICS_GUIDE), flags=re.MULTILINE)
    assert sorted(listed) == sorted(all_codes())
    assert len(listed) == len(set(listed))


def test_no_other_page_keeps_a_table_of_codes() -> None:
    """One hand-kept table of codes (the generated reference has its own, checked apart)."""
    for page in [README, *GUIDES]:
        if page != DIAGNOSTICS_GUIDE:
            assert re.findall(r"^\| MLCP\d{3} \|", read(page), flags=re.MULTILINE) == [], page


def test_the_diagnostics_guide_marks_warnings() -> None:
    from controlplane.spec.check import RULES

    guide = read(DIAGNOSTICS_GUIDE)
    for rule in RULES:
        row = re.search(rf"^\| {rule.code} \| (.*) \|$", guide, flags=re.MULTILINE)
        assert row is not None, rule.code
        assert row.group(1).startswith("warning:") == (rule.severity == "warning"), rule.code


def mlcp_commands() -> set[str]:
    """The commands `mlcp --help` lists, with a group's subcommands as `oncall plan`."""
    found: set[str] = set()
    for group in ([], ["oncall"]):
        help_text = run_mlcp([*group, "--help"]).stdout
        names = re.findall(r"^  ([a-z][a-z-]+)  ", help_text.split("Commands:")[1], re.M)
        found |= {" ".join([*group, name]) for name in names}
    return found


def commands_named(path: Path) -> set[str]:
    """The commands a page's table rows start with: `mlcp oncall plan […]` names `oncall plan`."""
    cells = re.findall(r"^\| (`mlcp [^|]*)\|", read(path), flags=re.MULTILINE)
    named = set()
    for cell in cells:
        for span in re.findall(r"`mlcp ([a-z][a-z -]*)", cell):
            words = span.split()
            named.add(" ".join(words[:2]) if words[0] == "oncall" else words[0])
    return named


def test_the_commands_guide_lists_every_command_and_no_other() -> None:
    expected = mlcp_commands()
    assert "validate" in expected and "oncall plan" in expected
    assert commands_named(COMMANDS_GUIDE) == expected - {"oncall"}


def test_the_readme_names_only_commands_mlcp_has() -> None:
    named = commands_named(README)
    assert {"validate", "build", "plan", "apply"} <= named
    assert named - mlcp_commands() == set()


# Paths the pages name that exist only after a build, or outside the repository.
GENERATED_OR_EXTERNAL = ("build/", "/", ".venv/")


@pytest.mark.parametrize("path", [README, *GUIDES], ids=rel)
def test_pages_point_only_at_files_the_repository_has(path: Path) -> None:
    """A path in backticks is written from the repository's root, in the README and guides alike."""
    quoted = re.findall(r"`([A-Za-z0-9_.][A-Za-z0-9_./-]*/[A-Za-z0-9_./-]*)`", read(path))
    named = [p for p in quoted if "://" not in p and not p.startswith(GENERATED_OR_EXTERNAL)]
    repo_paths = [p for p in named if (ROOT / p.split("/")[0]).exists() or "." in p.split("/")[-1]]
    missing = sorted({p for p in repo_paths if not (ROOT / p).exists()})
    assert missing == []
