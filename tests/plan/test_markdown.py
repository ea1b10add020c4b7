"""The pull-request comment: the summary first and whole, under GitHub's limit, one marker."""

from __future__ import annotations

from controlplane.plan.markdown import LIMIT, MARKER, render_markdown
from controlplane.plan.types import Cost, FieldChange, FileDiff, ModelPlan, Plan


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
