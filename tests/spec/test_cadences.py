"""The named retraining cadences are one table (units.CADENCES): the check, its title, the
JSON Schema, the starter spec, the README and the plan's cost all read it."""

from __future__ import annotations

import re

import pytest

from controlplane import units
from controlplane.plan.cost import runs_per_month
from controlplane.render.schema import json_schema
from controlplane.scaffold import starter_spec
from controlplane.spec.check import RULES
from tests.conftest import ROOT

# What a person may write, as the issue lists it: `cadence: hourly` is accepted.
NAMED = ["hourly", "daily", "weekly", "biweekly", "monthly"]


def test_the_table_names_every_cadence() -> None:
    assert list(units.CADENCES) == NAMED


def _readme_row(code: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| {code} \| (.*) \|$", readme, flags=re.MULTILINE)
    assert row is not None
    return row.group(1)


def _schema_description() -> str:
    schema = json_schema("model")
    retraining = schema["$defs"]["Retraining"]["properties"]["cadence"]
    return str(retraining["description"])


def _starter_comment() -> str:
    text = starter_spec("churn", "classification", "realtime", "standard", "ml-team")
    line = next(line for line in text.splitlines() if line.strip().startswith("cadence:"))
    return line.partition("#")[2]


@pytest.mark.parametrize(
    "where",
    [
        lambda: next(r.title for r in RULES if r.code == "MLCP224"),
        lambda: _readme_row("MLCP224"),
        _schema_description,
        _starter_comment,
    ],
    ids=["diagnostic title", "README", "JSON Schema", "starter spec"],
)
def test_every_cadence_is_named_wherever_cadences_are_listed(where: object) -> None:
    assert callable(where)
    text = where()
    assert [name for name in NAMED if re.search(rf"\b{name}\b", text)] == NAMED, text


# How often each name runs, counted by hand: a year of 365 days, 12 months.
@pytest.mark.parametrize(
    ("cadence", "per_year"),
    [
        ("hourly", 8760),
        ("daily", 365),
        ("weekly", 365 / 7),
        ("biweekly", 365 / 14),
        ("monthly", 12),
    ],
)
def test_the_cost_counts_the_runs_the_schedule_makes(cadence: str, per_year: float) -> None:
    assert runs_per_month(cadence) == pytest.approx(per_year / 12)
    schedule = units.cadence_schedule(cadence)
    every = re.fullmatch(r"rate\((\d+) (hour|day)s?\)", schedule)
    if every:  # the EventBridge rate the schedule fires at, in runs a year
        hours = int(every[1]) * (24 if every[2] == "day" else 1)
        assert per_year == pytest.approx(8760 / hours)
    else:
        assert schedule == "cron(0 3 1 * ? *)"  # 03:00 on the 1st of every month: 12 a year
