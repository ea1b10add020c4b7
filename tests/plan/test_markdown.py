"""The pull-request comment: the summary first and whole, under GitHub's limit, one marker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.plan.markdown import LIMIT, MARKER, render_markdown
from controlplane.plan.types import Cost, FieldChange, FileDiff, ModelPlan, Plan
from tests.plan.repo import BASE_BRANCH, make_repo, replace
from tests.spec.clirun import run_mlcp


def changed_model(i: int) -> ModelPlan:
    diff = "".join(f"-    threshold: {n}\n+    threshold: {n + 1}\n" for n in range(60))
    return ModelPlan(
        name=f"model-{i:03d}",
        source=f"specs/model-{i:03d}.yaml",
        change="update",
        fields=(FieldChange("drift.psi.critical", "0.25", "0.3", "loosened", True),),
        files=(
            FileDiff(f"monitoring/prometheus/model-{i:03d}.rules.yml", "changed", 60, 60, diff),
        ),
        cost=Cost(100.0, 110.0, 400.0, 440.0),
    )


def test_two_hundred_models_stay_under_the_limit_and_keep_the_summary() -> None:
    plan = Plan(base="origin/main", models=tuple(changed_model(i) for i in range(200)))
    text = render_markdown(plan)
    assert len(text) <= LIMIT
    assert text.startswith(MARKER + "\n") and text.count(MARKER) == 1
    summary = text[: text.index("<details>")]
    for i in range(200):  # every model has its row in the summary table
        assert f"| ~ | `model-{i:03d}` | update |" in summary
    assert "Against `origin/main`: 0 to create, 200 to update, 0 to delete" in summary
    assert "$20,000.00 → $22,000.00 (**+$2,000.00**)" in summary
    shown = text.count("<summary><b>")
    assert 0 < shown < 200
    assert f"{200 - shown} more models do not fit in this comment" in text
    assert "Run `mlcp plan --base origin/main` to see them." in text


def test_small_plan_shows_every_diff() -> None:
    plan = Plan(base="main", models=(changed_model(1),))
    text = render_markdown(plan)
    assert "```diff\n--- " not in text  # the synthetic diff has no header lines
    assert "+    threshold: 60\n" in text
    assert "do not fit" not in text


def test_fence_outgrows_backticks_in_a_diff() -> None:
    model = changed_model(1)
    diff = FileDiff("runbooks/m.md", "changed", 1, 1, "-```yaml\n+````yaml\n")
    plan = Plan(base="main", models=(ModelPlan(**{**model.__dict__, "files": (diff,)}),))
    text = render_markdown(plan)
    assert "`````diff\n-```yaml\n+````yaml\n`````" in text


def _diff(lines: int, width: int = 40) -> str:
    """A diff of `lines` changed lines, each `width` characters and a newline."""
    return "".join(f"+{'x' * (width - 2)}\n" for _ in range(lines))


def _model(name: str, files: tuple[FileDiff, ...]) -> ModelPlan:
    return ModelPlan(name=name, source=f"specs/{name}.yaml", change="update", files=files)


def _shown(text: str, path: str) -> bool:
    return f"<details><summary><code>{path}</code>" in text


def test_large_promtool_tests_leave_the_rules_and_params_shown() -> None:
    # The second real use: 66 kB of promtool tests, a 0.8 kB params.yaml, a 10-line rules diff.
    tests = FileDiff("monitoring/prometheus/tests/m.test.yml", "changed", 1650, 0, _diff(1650))
    params = FileDiff("pipelines/m/params.yaml", "changed", 20, 0, _diff(20))
    rules = FileDiff("monitoring/prometheus/m.rules.yml", "changed", 10, 0, _diff(10))
    assert (len(tests.diff), len(params.diff), len(rules.diff)) == (66_000, 800, 400)
    text = render_markdown(Plan(base="main", models=(_model("m", (tests, params, rules)),)))
    assert len(text) <= LIMIT == 65_536  # GitHub refuses a longer comment
    assert _shown(text, rules.path) and _shown(text, params.path)
    assert not _shown(text, tests.path)
    assert (
        "Left out for length: 1 file, 66.0 kB: `monitoring/prometheus/tests/m.test.yml`. "
        "Run `mlcp plan --base main --format text` (or `git diff` on the build) to see it."
    ) in text
    # The rules come first, as a reviewer reads them; the tests last.
    assert text.index(rules.path) < text.index(params.path) < text.index(tests.path)


def test_rules_of_every_model_come_before_any_generated_tests() -> None:
    models = tuple(
        _model(
            f"m{i}",
            (
                FileDiff(
                    f"monitoring/prometheus/tests/m{i}.test.yml", "changed", 500, 0, _diff(500)
                ),
                FileDiff(f"monitoring/prometheus/m{i}.rules.yml", "changed", 300, 0, _diff(300)),
            ),
        )
        for i in range(3)
    )  # 3 × 12 kB of rules fit in 65,536 characters; then one 20 kB test diff does, not two
    text = render_markdown(Plan(base="main", models=models))
    assert len(text) <= LIMIT
    assert all(_shown(text, f"monitoring/prometheus/m{i}.rules.yml") for i in range(3))
    assert sum(_shown(text, f"monitoring/prometheus/tests/m{i}.test.yml") for i in range(3)) == 1
    assert text.count("Left out for length: 1 file, 20.0 kB") == 2


def test_comment_never_passes_the_limit() -> None:
    big = [FileDiff(f"runbooks/m{i}.md", "changed", 1, 1, _diff(n)) for i, n in enumerate(
        (1500, 1600, 1700, 1620, 1630, 10, 1))]  # fmt: skip
    for limit in (LIMIT, 30_000, 5_000):
        text = render_markdown(Plan(base="main", models=(_model("m", tuple(big)),)), limit)
        assert len(text) <= limit
        assert _shown(text, "runbooks/m6.md")  # the smallest still fits


def test_four_kilobyte_plan_shows_its_rules_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second real use: instances 2 -> 3 and a PSI bar 0.25 -> 0.3 on fraud-detector.
    def edit(specs: Path) -> None:
        replace("fraud-detector", "instances: {min: 2, max: 8}", "instances: {min: 3, max: 8}")(
            specs
        )
        replace("fraud-detector", "critical: 0.25, bins", "critical: 0.3, bins")(specs)

    monkeypatch.chdir(make_repo(tmp_path / "r", edit))
    run = run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "markdown"])
    assert run.code == 0 and run.stderr == ""
    text = run.stdout
    assert len(text) <= LIMIT
    files = json.loads(run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "json"]).stdout)
    [fraud] = files["models"]
    diffs = {f["path"]: f["diff"] for f in fraud["files"]}
    tests = "monitoring/prometheus/tests/fraud-detector.test.yml"
    rest = [p for p in diffs if p != tests]
    for path in rest:
        assert _shown(text, path), path
        assert diffs[path] in text
    # The promtool tests, read last, are shown whole when they fit, else named as left out.
    if _shown(text, tests):
        assert diffs[tests] in text
        assert "Left out for length" not in text
    else:
        left_out = f"Left out for length: 1 file, {len(diffs[tests]) / 1000:.1f} kB: `{tests}`."
        assert left_out in text
        assert len(text) + len(diffs[tests]) > LIMIT


KINDS = (
    "monitoring/prometheus/{m}.rules.yml",
    "runbooks/{m}.md",
    "pipelines/{m}/params.yaml",
    "infra/models/{m}.json",
    "monitoring/grafana/{m}.json",
    "monitoring/prometheus/tests/{m}.test.yml",
)


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(
        st.lists(st.integers(0, 600), min_size=len(KINDS), max_size=len(KINDS)),
        min_size=1,
        max_size=4,
    ),
    limit=st.integers(8_000, LIMIT),
)
def test_any_plan_stays_under_its_limit_and_names_every_diff_it_leaves_out(
    sizes: list[list[int]], limit: int
) -> None:
    models = tuple(
        _model(
            f"m{i}",
            tuple(
                FileDiff(kind.format(m=f"m{i}"), "changed", n, 0, _diff(n, 60))
                for kind, n in zip(KINDS, lines, strict=True)
                if n
            ),
        )
        for i, lines in enumerate(sizes)
    )
    text = render_markdown(Plan(base="main", models=models), limit)
    assert len(text) <= limit
    for model in models:
        if f"<b>~ {model.name}</b>" not in text:
            assert "more models do not fit" in text
            continue
        for f in model.files:
            if _shown(text, f.path):
                assert f.diff in text  # whole
            else:
                assert f"`{f.path}`." in text or f"`{f.path}`," in text  # named
