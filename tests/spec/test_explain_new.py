"""`explain` (where each value came from) and `new` (the starter spec), below the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from controlplane.compile import Compiled, compile_paths, compile_sources
from controlplane.explain import Entry, explain
from controlplane.scaffold import ScaffoldError, starter_spec, write_starter
from controlplane.sources import Source
from tests.conftest import SPECS
from tests.memory import EXAMPLE_TEXTS, edited, example_sources


def compiled(folder: Path, name: str) -> Compiled:
    result = compile_paths([folder])
    assert result.ok, result.diagnostics
    return next(c for c in result.compiled if c.model.name == name)


def compiled_in_memory(name: str, **texts: str) -> tuple[Compiled, dict[str, str]]:
    """The model compiled from the examples (some texts replaced), and each source's text."""
    specs, config = example_sources(**texts)
    result = compile_sources(specs, config)
    assert result.ok, result.diagnostics
    item = next(c for c in result.compiled if c.model.name == name)
    return item, {s.path: str(s.text) for s in [*specs, config]}


def text_in(sources: dict[str, str], where: str) -> str:
    file, line, col = where.rsplit(":", 2)
    return sources[file].splitlines()[int(line) - 1][int(col) - 1 :]


def entries_by_path(item: Compiled) -> dict[str, Entry]:
    return {e.path: e for e in explain(item)}


def text_at(where: str) -> str:
    file, line, col = where.rsplit(":", 2)
    lines = Path(file).read_text(encoding="utf-8").splitlines()
    return lines[int(line) - 1][int(col) - 1 :]


@pytest.mark.parametrize("name", ["fraud-detector", "demand-forecast", "recommender"])
def test_every_spec_value_points_at_its_text(name: str) -> None:
    """A scalar that came from the spec is found, as written, where explain says it is."""
    entries = explain(compiled(SPECS, name))
    checked = 0
    for entry in entries:
        if entry.origin != "spec" or entry.value.startswith(("[", "{")):
            continue
        written = entry.value.split(" = ")[0]  # units show "as written = as meant"
        at = text_at(entry.where)
        number = re.match(r"-?[0-9]+(\.[0-9]+)?(?=[,}\]\s]|$)", at)
        if number and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", written):  # 2 is shown as 2.0
            assert float(number.group(0)) == float(written), (entry, at)
        else:
            assert at.startswith((written, f'"{written}"')), (entry, at)
        checked += 1
    assert checked > 40


def test_paths_are_unique_and_origins_known() -> None:
    entries = explain(compiled(SPECS, "recommender"))
    paths = [e.path for e in entries]
    assert len(paths) == len(set(paths))
    for entry in entries:
        assert entry.origin in {"spec", "built-in default", "derived"} or entry.origin.startswith(
            ("tier default (", "repo default")
        ), entry
        assert (entry.where == "") == (entry.origin not in {"spec"} and "tier" not in entry.origin)


def test_tier_defaults_point_into_mlcp_yaml() -> None:
    text = EXAMPLE_TEXTS["fraud-detector.yaml"]
    for line in ("  bake_time: 2h\n", "  availability: 99.9%\n", "  urgency: high\n"):
        assert text.count(line) == 1
        text = text.replace(line, "")
    item, sources = compiled_in_memory("fraud-detector", fraud_detector=text)

    entries = entries_by_path(item)
    for path, written in (
        ("rollout.bake_time", "2h"),
        ("sla.availability", "99.9%"),
        ("oncall.urgency", "high"),
    ):
        entry = entries[path]
        assert entry.origin == "tier default (critical)", entry
        assert entry.where.startswith("specs/mlcp.yaml:"), entry
        assert text_in(sources, entry.where).startswith(written), entry
    assert entries["rollout.stages"].origin == "spec"


def test_builtin_defaults_and_derived_values() -> None:
    entries = entries_by_path(compiled_in_memory("demand-forecast")[0])
    assert entries["drift.psi.bins"] == Entry("drift.psi.bins", "10", "built-in default", "")
    assert entries["serving.cache"].value == "-"
    assert entries["retraining.schedule"] == Entry(
        "retraining.schedule", "rate(7 days)", "derived", ""
    )
    assert entries["serving.gpu"].value == "false"
    # demand-forecast runs at "0 3 * * *", stable, stages [25, 100] and no shadow phase.
    assert entries["serving.cron"] == Entry("serving.cron", "0 3 * * *", "derived", "")
    assert entries["rollout.next_state"] == Entry("rollout.next_state", "canary-25", "derived", "")


def test_escalation_policy_falls_back_to_the_repo_default() -> None:
    text = edited("recommender.yaml", "  escalation_policy: Discovery ML\n", "")
    item, _ = compiled_in_memory("recommender", recommender=text)
    entry = entries_by_path(item)["oncall.escalation_policy"]
    assert (entry.value, entry.origin) == ("ML Platform", "repo default (mlcp.yaml)")


@pytest.mark.parametrize("tier", ["critical", "standard", "experimental"])
@pytest.mark.parametrize("task", ["classification", "regression", "ranking"])
def test_starter_specs_compile_under_the_example_config(task: str, tier: str) -> None:
    _, config = example_sources()
    for mode in ("realtime", "batch"):
        text = starter_spec("churn-model", task, mode, tier, "growth-ml")
        result = compile_sources([Source("specs/churn-model.yaml", text)], config)
        # Only the placeholders are questioned: one warning per TODO the template writes.
        codes = [d.code for d in result.diagnostics]
        assert (codes, len(result.models)) == (["MLCP299"] * 7, 1), (mode, result.diagnostics)


# --- new -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["realtime", "batch"])
@pytest.mark.parametrize("task", ["classification", "regression", "ranking"])
def test_starter_spec_is_plain_yaml_with_the_choices(task: str, mode: str) -> None:
    text = starter_spec("churn-model", task, mode, "critical", "growth-ml")
    data = YAML(typ="safe", pure=True).load(text)
    assert data["metadata"] == {
        "name": "churn-model",
        "team": "growth-ml",
        "owners": ["@growth-ml"],
        "tier": "critical",
        "domain": "other",
        "description": "TODO one sentence on what the model decides.",
    }
    assert (data["task"]["type"], data["serving"]["mode"]) == (task, mode)
    assert data["retraining"]["entrypoint"] == "churn_model.train:fit"
    assert ("schedule" in data["serving"]) == (mode == "batch")
    assert "TODO" in text


def test_starter_spec_validates_its_inputs() -> None:
    with pytest.raises(ScaffoldError, match="invalid model name 'Churn'"):
        starter_spec("Churn", "ranking", "batch", "standard", "ml-team")
    with pytest.raises(ScaffoldError, match="invalid team"):
        starter_spec("churn", "ranking", "batch", "standard", "ML Team: {x}")


def test_write_starter_creates_the_folder_and_never_overwrites(tmp_path: Path) -> None:
    target = write_starter(tmp_path / "a" / "b", "churn", "ranking", "batch", "standard", "ml")
    assert target == tmp_path / "a" / "b" / "churn.yaml"
    before = target.read_bytes()
    with pytest.raises(ScaffoldError, match="already exists"):
        write_starter(tmp_path / "a" / "b", "churn", "regression", "realtime", "standard", "ml")
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("tier", "urgency"),
    # The README: high for critical and standard models, low for experimental ones.
    [("critical", "high"), ("standard", "high"), ("experimental", "low")],
)
def test_starter_spec_pages_at_its_tiers_default_urgency(tier: str, urgency: str) -> None:
    text = starter_spec("a-long-model-name", "ranking", "realtime", tier, "a-long-team-name")
    assert YAML(typ="safe", pure=True).load(text)["oncall"]["urgency"] == urgency
    # The comments of the metadata block line up, whatever the length of the values.
    metadata = text.split("metadata:\n")[1].split("task:")[0]
    assert len({line.index("#") for line in metadata.splitlines() if "#" in line}) == 1
