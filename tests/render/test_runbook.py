"""Runbooks: golden files for the examples, every alert's `runbook_url` landing on its
section, the numbers as the spec writes them, and free text that cannot break the page.

The Markdown is read back by a real CommonMark parser (`tests.render.markdown_doc`);
anchors are computed the way GitHub computes them, not by `contract.runbook_anchor`.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import controlplane
from controlplane import buildcache
from controlplane.compile import compile_sources
from controlplane.render.runbook import markdown, render
from tests.conftest import ROOT, SPECS
from tests.golden import match_tree
from tests.memory import edited, example_sources
from tests.render.markdown_doc import headings, kinds, links, parse, plain, section, tables
from tests.render.monitoring_files import EXAMPLES, compiled_examples
from tests.spec.clirun import run_mlcp

GOLDEN = ROOT / "tests/golden/runbooks"
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
UNITS |= {"mo": 30 * 86400, "y": 365 * 86400}


def value(text: str) -> float:
    """A number as a person writes it in a spec: `150ms`, `4h`, `3%`, `0.85`, `2×`."""
    text = str(text).strip().rstrip("×")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|mo|m|h|d|w|y)", text)
    if match:
        return float(match.group(1)) * UNITS[match.group(2)]
    return float(text)


def same(shown: str, written: object) -> bool:
    return math.isclose(value(shown), value(str(written)), rel_tol=1e-9)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `mlcp build` writes for the example specs."""
    out = tmp_path_factory.mktemp("build")
    done = run_mlcp(["build", "--out", str(out), "-j", "1", str(SPECS)])
    assert done.code == 0, done.stdout + done.stderr
    return out


def spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"))
    return loaded


def runbook(built: Path, name: str) -> str:
    return (built / "runbooks" / f"{name}.md").read_text(encoding="utf-8")


def rules(built: Path, name: str) -> list[dict[str, Any]]:
    path = built / "monitoring/prometheus" / f"{name}.rules.yml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return [r for g in groups for r in g["rules"] if "alert" in r]


# --- golden files ----------------------------------------------------------------------------


def test_example_runbooks_match_golden(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    models, config = compiled_examples(monkeypatch)
    artifacts = {Path(a.path).name: a.content for a in render(models, config)}
    assert sorted(artifacts) == [f"{name}.md" for name in EXAMPLES]
    match_tree(GOLDEN, artifacts, update_golden)


# --- every alert lands on its section --------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_runbook_url_resolves_to_its_alerts_heading(built: Path, name: str) -> None:
    text = runbook(built, name)
    by_anchor = {h.anchor: h for h in headings(text)}
    base = yaml.safe_load((SPECS / "mlcp.yaml").read_text(encoding="utf-8"))["runbooks"]["base_url"]
    alerts = rules(built, name)
    assert alerts
    for rule in alerts:
        url = rule["annotations"]["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page == f"{base.rstrip('/')}/{name}.md", url
        assert anchor in by_anchor, f"{url} names no heading of {name}.md"
        assert by_anchor[anchor].text == rule["alert"]
        assert by_anchor[anchor].level == 2


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_section_per_alert_of_the_rules_and_no_other(built: Path, name: str) -> None:
    text = runbook(built, name)
    sections = {h.text for h in headings(text) if h.level == 2 and h.text.startswith("MLCP")}
    assert sections == {r["alert"] for r in rules(built, name)}
    anchors = [h.anchor for h in headings(text)]
    assert len(anchors) == len(set(anchors)), "a repeated heading would shift GitHub's anchors"


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_link_inside_the_runbook_resolves(built: Path, name: str) -> None:
    text = runbook(built, name)
    anchors = {h.anchor for h in headings(text)}
    inside = [link for link in links(text) if link.startswith("#")]
    assert inside
    assert [link for link in inside if link[1:] not in anchors] == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_rules_for_is_the_for_the_runbook_gives(built: Path, name: str) -> None:
    text = runbook(built, name)
    for alert in {r["alert"] for r in rules(built, name)}:
        written = sorted(value(r["for"]) for r in rules(built, name) if r["alert"] == alert)
        table = tables(section(text, alert))[0]
        assert table[0][-1] == "for"
        assert sorted(value(row[-1]) for row in table[1:]) == written, alert


# --- the numbers, as the spec writes them ----------------------------------------------------


def rows_of(text: str, alert: str) -> dict[str, list[str]]:
    """An alert section's rule table by its rule column (`metric=ctr`, `—` when alone)."""
    return {row[0]: row for row in tables(section(text, alert))[0][1:]}


def table_after(text: str, heading: str) -> dict[str, list[str]]:
    return {row[0]: row for row in tables(section(text, heading))[0][1:]}


@pytest.mark.parametrize("name", EXAMPLES)
def test_sla_targets_are_the_specs(built: Path, name: str) -> None:
    written_spec = spec(name)
    config = yaml.safe_load((SPECS / "mlcp.yaml").read_text(encoding="utf-8"))
    # What the spec omits, mlcp.yaml's default for its tier says.
    tier_default = config["defaults"][written_spec["metadata"]["tier"]].get("sla", {})
    sla = {**tier_default, **written_spec["sla"]}
    table = table_after(runbook(built, name), "SLA")
    written = {f"latency {q}": v for q, v in sla.get("latency", {}).items()}
    written |= {"error rate": sla.get("error_rate"), "availability": sla.get("availability")}
    written["minimum throughput"] = sla.get("min_throughput")
    for objective, target in written.items():
        if target is None:
            assert objective not in table
        else:
            shown = table[objective][1]
            assert same(shown.removesuffix("/s"), str(target).removesuffix("/s")), objective


@pytest.mark.parametrize("name", EXAMPLES)
def test_quality_bars_and_windows_are_the_specs(built: Path, name: str) -> None:
    text, quality = runbook(built, name), spec(name)["quality"]
    pairs = [(m, ("MLCPModelBroken", "MLCPModelQualityLow")) for m in quality["metrics"]]
    pairs += [
        (p, ("MLCPProxyMetricBroken", "MLCPProxyMetricDegraded"))
        for p in quality.get("proxies", [])
    ]
    for bar, (broken, low) in pairs:
        alert = broken if bar.get("broken") else low
        row = rows_of(text, alert)[f"metric={bar['name']}"]
        sign, shown = row[2].split(" ", 1)
        if "min" in bar:
            assert sign == "<" and same(shown, bar["min"]), row
        else:
            assert sign == ">" and same(shown, bar["max"]), row
        assert same(row[3], bar["window"]), row
        assert row[1] == ("page" if bar.get("broken") else "ticket")


@pytest.mark.parametrize("name", EXAMPLES)
def test_drift_thresholds_are_the_specs(built: Path, name: str) -> None:
    text, written = runbook(built, name), spec(name)
    drift, features = written.get("drift", {}), written["features"]
    overrides = features.get("overrides", {})
    for level, alert in (
        ("warn", "MLCPFeatureDriftWarning"),
        ("critical", "MLCPFeatureDriftCritical"),
    ):
        rows = rows_of(text, alert)
        for feature in features["numeric"] + features["categorical"]:
            bar = overrides.get(feature, {}).get("psi", drift.get("psi", {})).get(level)
            if bar is not None:  # only what the spec writes: defaults are not its words
                assert rows[f"feature={feature}"][2] == f"psi >= {bar:g}"
    for key, alert, figure in (
        ("out_of_range", "MLCPFeatureOutOfRange", "out_of_range_rate"),
        ("unseen_categories", "MLCPUnseenCategories", "unseen_rate"),
    ):
        if key in drift:
            shown = rows_of(text, alert)["—"][2]
            assert shown.startswith(f"{figure} > ") and same(
                shown.removeprefix(f"{figure} > "), drift[key]["max_rate"]
            )
    if "volume" in drift:
        shown = rows_of(text, "MLCPVolumeDrop")["—"][2]
        drop, compare_to = drift["volume"]["max_drop"], drift["volume"]["compare_to"]
        match = re.fullmatch(r"< (\S+) of (\S+) earlier \(a drop over (\S+)\)", shown)
        assert match, shown
        assert same(match.group(3), drop) and same(match.group(2), compare_to)
        assert math.isclose(value(match.group(1)), 1 - value(drop))


@pytest.mark.parametrize("name", EXAMPLES)
def test_shadow_divergence_bar_is_the_specs(built: Path, name: str) -> None:
    written = spec(name)
    tier_default = yaml.safe_load((SPECS / "mlcp.yaml").read_text(encoding="utf-8"))["defaults"]
    shadow = written.get("rollout", {}).get("shadow") or tier_default.get(
        written["metadata"]["tier"], {}
    ).get("rollout", {}).get("shadow")
    text = runbook(built, name)
    if shadow is None:
        assert "MLCPShadowDivergence" not in text
        return
    row = rows_of(text, "MLCPShadowDivergence")["—"]
    sign, shown = row[2].split(" ", 1)
    assert sign == ">" and same(shown, shadow["max_divergence"]), row
    assert (row[1], row[3]) == ("ticket", "1h"), row


@pytest.mark.parametrize("name", EXAMPLES)
def test_fallback_rollout_and_retraining_are_the_specs(built: Path, name: str) -> None:
    text, written = runbook(built, name), spec(name)
    fallback = section(text, "Fallback")
    recovery = re.search(r"Recovery target: \*\*(\S+)\*\*", fallback)
    assert recovery and same(recovery.group(1), written["fallback"]["recovery"])
    assert f"mlcp rollback {name}\n" in fallback
    rollout = section(text, "Rollout")
    assert f"Current state: `{written['rollout'].get('state', 'stable')}`" in rollout
    bake = re.search(r"each stage bakes (\S+)\.", rollout)
    assert bake and same(bake.group(1), written["rollout"]["bake_time"])
    stages = re.search(r"Canary stages: (.*);", rollout)
    assert (
        stages
        and [int(s.strip().rstrip("%")) for s in stages.group(1).split(",")]
        == (written["rollout"]["stages"])
    )
    if "shadow" in written["rollout"]:
        shadow = re.search(r"Shadow: (\S+), .* under (\S+)\.", rollout)
        assert shadow and same(shadow.group(1), written["rollout"]["shadow"]["duration"])
        assert same(shadow.group(2), written["rollout"]["shadow"]["max_divergence"])
    assert f"`mlcp promote {name}`" in rollout
    retraining = section(text, "Retraining")
    assert f"Cadence: `{written['retraining']['cadence']}`" in retraining
    window = re.search(r"the last (\S+), at least (\d+) rows", retraining)
    assert window and same(window.group(1), written["retraining"]["data"]["window"])
    assert int(window.group(2)) == written["retraining"]["data"]["min_rows"]
    assert f"`mlcp retrain {name}`" in retraining


# --- free text cannot break the page ---------------------------------------------------------

HOSTILE_DESCRIPTION = (
    "1. Scores | cards\\n\\n# Not a heading\\n```\\n<!-- hide the rest\\n<details>"
    "\\n---\\n| a | b |\\n> quoted *bold* [link](http://x) $x$ &amp; ~~s~~ \\\\"
)
HOSTILE_TEAM = "risk | ml ## also not a heading"  # a line break is refused (MLCP107)
HOSTILE_POLICY = "- Risk `` ``` `` ML | <b>on-call</b>"


def hostile_runbook() -> str:
    text = edited(
        "fraud-detector.yaml",
        "description: Scores card transactions for manual review.",
        f'description: "{HOSTILE_DESCRIPTION}"',
    )
    text = text.replace("  team: risk-ml", f'  team: "{HOSTILE_TEAM}"')
    text = text.replace("escalation_policy: Risk ML", f"escalation_policy: '{HOSTILE_POLICY}'")
    specs, config = example_sources(fraud_detector=text)
    compilation = compile_sources(specs, config)
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    model = next(m for m in compilation.models if m.name == "fraud-detector")
    assert "\n" in model.description and "|" in model.team
    return render([model], compilation.config)[0].content


def clean_runbook() -> str:
    specs, config = example_sources()
    compilation = compile_sources(specs, config)
    model = next(m for m in compilation.models if m.name == "fraud-detector")
    return render([model], compilation.config)[0].content


def test_free_text_keeps_the_structure_of_the_page() -> None:
    hostile, clean = hostile_runbook(), clean_runbook()
    assert kinds(hostile) == kinds(clean)
    assert [(h.level, h.text) for h in headings(hostile)] == [
        (h.level, h.text) for h in headings(clean)
    ]
    assert [[len(row) for row in t] for t in tables(hostile)] == [
        [len(row) for row in t] for t in tables(clean)
    ]
    inline = [c.type for t in parse(hostile) if t.type == "inline" for c in t.children or []]
    assert "html_inline" not in inline
    assert "link_open" in inline  # the runbook's own links, but none from the spec:
    assert "http://x" not in [h for h in links(hostile)]


def test_free_text_reads_as_written_on_one_line() -> None:
    hostile = hostile_runbook()
    description = yaml.safe_load(f'd: "{HOSTILE_DESCRIPTION}"')["d"]
    purpose = next(
        plain(t) for t in parse(hostile) if t.type == "inline" and plain(t).startswith("Purpose")
    )
    assert purpose == "Purpose: " + " ".join(description.split()).strip()
    about = {row[0]: row[1] for row in tables(hostile)[0][1:]}
    team = yaml.safe_load(f'd: "{HOSTILE_TEAM}"')["d"]
    assert about["team"] == " ".join(team.split())
    assert f"escalation policy {HOSTILE_POLICY}," in about["on-call"]


def test_an_edited_template_renders_every_model_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates are a link out of the package: the build cache's key must still see them."""
    package = Path(controlplane.__file__).parent
    shutil.copytree(package, tmp_path / "controlplane", symlinks=True)
    shutil.copytree(package / "templates", tmp_path / "templates")
    assert (tmp_path / "controlplane/templates").is_symlink()
    monkeypatch.setattr(controlplane, "__file__", str(tmp_path / "controlplane/__init__.py"))
    before = buildcache.generator_digest.__wrapped__()
    template = tmp_path / "templates/runbook.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nmore\n", encoding="utf-8")
    assert buildcache.generator_digest.__wrapped__() != before


def test_the_oncall_guide_excerpt_is_what_mlcp_writes() -> None:
    guide = (ROOT / "docs" / "oncall.md").read_text(encoding="utf-8")
    excerpt = re.search(r"````markdown\n(## MLCPModelBroken\n.*?)````\n", guide, re.S)
    assert excerpt, "the on-call guide shows a runbook section"
    golden = (GOLDEN / "fraud-detector.md").read_text(encoding="utf-8")
    lines = [line for line in excerpt.group(1).splitlines() if line]
    assert [line for line in lines if line not in golden.splitlines()] == []


@pytest.mark.parametrize("content", ["a ` b", "``x``", "`lead", "x | y", "<b>"])
def test_a_code_span_holds_any_text(content: str) -> None:
    inline = parse(f"before {markdown.code(content)} after")[1]
    spans = [c.content for c in inline.children or [] if c.type == "code_inline"]
    assert spans == [content]


def test_a_fenced_block_holds_any_text() -> None:
    body = "x\n```\n# not a heading\n````\ny"
    tokens = parse(f"{markdown.fenced(body, 'promql')}\n\n# after\n")
    assert [(t.type, t.content) for t in tokens if t.type == "fence"] == [("fence", body + "\n")]
    assert [h.text for h in headings(markdown.fenced(body) + "\n\n# after\n")] == ["after"]


@pytest.mark.parametrize("start", ["# x", "- x", "+ x", "1. x", "2) x", "=== x", "> x", "    x"])
def test_text_at_a_line_start_stays_a_paragraph(start: str) -> None:
    assert kinds(str(markdown.text(start))) == ["paragraph_open", "inline", "paragraph_close"]


def test_a_model_without_fallback_or_retraining_says_so() -> None:
    text = edited(
        "demand-forecast.yaml", "fallback:\n  strategy: previous_version\n  recovery: 5m\n", ""
    )
    text = re.sub(r"\nretraining:\n(  .*\n)+", "\n", text)
    specs, config = example_sources(demand_forecast=text)
    compilation = compile_sources(specs, config)
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    model = next(m for m in compilation.models if m.name == "demand-forecast")
    assert model.fallback is None and model.retraining is None
    page = render([model], compilation.config)[0].content
    assert "The spec declares no fallback strategy and no recovery target." in section(
        page, "Fallback"
    )
    assert "`mlcp rollback demand-forecast`" in section(page, "MLCPModelBroken")
    assert "Recovery target: none declared." in section(page, "MLCPModelBroken")
    assert section(page, "Retraining").strip() == "The spec declares no retraining."
    assert [h.text for h in headings(page)] == [
        h.text for h in headings((GOLDEN / "demand-forecast.md").read_text(encoding="utf-8"))
    ]


def test_every_kind_of_bar_is_stated_in_the_runbook() -> None:
    from typing import get_args

    from controlplane.alerts import DECLARATIONS, BarKind
    from controlplane.render.runbook.bars import BARS

    assert set(BARS) == set(get_args(BarKind)) == {d.bar for d in DECLARATIONS}


def test_an_alerts_bar_is_the_kind_its_declaration_names() -> None:
    from controlplane.alerts import declared

    # Written by hand from the README's alert table: what each alert compares.
    assert declared("MLCPLatencyP99AboveSLA").bar == "latency"
    assert declared("MLCPErrorBudgetBurn", variant="fast").bar == "burn"
    assert declared("MLCPFeatureDriftCritical").bar == "data"
    assert declared("MLCPProxyMetricDegraded").bar == "quality"
    assert declared("MLCPMonitorAbsent").bar == "absent"


def test_likely_causes_come_from_the_alert_declarations(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from controlplane import alerts

    volume = alerts.declared("MLCPVolumeDrop")
    # The causes a declaration carries are the ones its section lists, in order.
    retold = replace(volume, causes=("a caller renamed its route;", "a *holiday*."))
    monkeypatch.setattr(
        alerts, "DECLARATIONS", tuple(retold if d is volume else d for d in alerts.DECLARATIONS)
    )
    models, config = compiled_examples(monkeypatch)
    fraud = next(m for m in models if m.name == "fraud-detector")
    page = render([fraud], config)[0].content
    drop = section(page, "MLCPVolumeDrop")
    assert "- a caller renamed its route;\n- a *holiday*.\n" in drop
    assert "a real lull" not in drop
    # Without causes of its own, an alert lists its layer's, with the model's values.
    latency = section(page, "MLCPLatencyP99AboveSLA")
    assert (
        "- a code change: a new model version or candidate taking traffic"
        f" (rollout state `{fraud.rollout.state}`);\n" in latency
    )
    assert f"traffic above what {fraud.serving.instances_max} instances serve;" in latency
