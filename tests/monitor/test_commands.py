from __future__ import annotations

import json
import re
from pathlib import Path

import click
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from prometheus_client.parser import text_string_to_metric_families

from controlplane import contract
from controlplane.monitor import load_profile, profile_to_json
from controlplane.monitor.commands import drift_command, profile_command
from tests.spec.clirun import run_mlcp


def fraud_frame(rows: int, seed: int, shift: float = 0.0) -> pa.Table:
    """Columns of specs/fraud-detector.yaml's features."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "amount": rng.lognormal(3.0 + shift, 1.0, rows),
            "account_age_days": rng.integers(0, 3000, rows),
            "merchant_risk": rng.random(rows),
            "country": rng.choice(["US", "FR", "DE"], rows),
            "mcc": rng.choice([5411, 5812, 7995], rows),
            "channel": rng.choice(["web", "app", "pos"], rows),
        }
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    pq.write_table(fraud_frame(3000, seed=1), tmp_path / "train.parquet")
    pq.write_table(fraud_frame(2000, seed=2), tmp_path / "same.parquet")
    pq.write_table(fraud_frame(2000, seed=3, shift=1.5), tmp_path / "drifted.parquet")
    return tmp_path


def run(command: click.Command, *args: str | Path) -> tuple[int, str, str]:
    """The command run as `mlcp` runs it: through `cli.main`, which maps errors to exit codes."""
    result = run_mlcp([str(command.name), *(str(a) for a in args)])
    return result.code, result.stdout, result.stderr


def profile(data: Path, examples: Path) -> Path:
    out = data / "profile.json"
    code, stdout, _ = run(
        profile_command,
        "--model",
        "fraud-detector",
        "--specs",
        examples,
        "--out",
        out,
        data / "train.parquet",
    )
    assert (code, stdout) == (0, f"{out}: 3000 rows, 6 features\n")
    return out


def test_profile_writes_a_deterministic_profile(data: Path, examples: Path) -> None:
    out = profile(data, examples)
    first = out.read_text()
    assert profile_to_json(load_profile(out)) == first
    profile(data, examples)
    assert out.read_text() == first
    assert sorted(json.loads(first)["features"]) == sorted(
        ["amount", "account_age_days", "merchant_risk", "country", "mcc", "channel"]
    )


def test_drift_is_ok_on_data_like_training(data: Path, examples: Path) -> None:
    out = profile(data, examples)
    code, stdout, _ = run(
        drift_command,
        "--model",
        "fraud-detector",
        "--specs",
        examples,
        "--profile",
        out,
        data / "same.parquet",
    )
    assert code == 0
    lines = stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "feature",
        "kind",
        "psi",
        "nulls (x training)",
        "out_of_range",
        "unseen",
        "status",
    ]
    assert lines[-1] == "fraud-detector: 2000 rows, 6 features, 0 critical, 0 warn"
    assert all(line.split()[-1] == "ok" for line in lines[1:-1])


def test_drift_exits_1_when_critical_and_writes_a_textfile(data: Path, examples: Path) -> None:
    out = profile(data, examples)
    prom = data / "drift.prom"
    code, stdout, _ = run(
        drift_command,
        "--model",
        "fraud-detector",
        "--specs",
        examples,
        "--profile",
        out,
        "--format",
        "json",
        "--textfile",
        prom,
        data / "drifted.parquet",
    )
    assert code == 1
    report = json.loads(stdout)
    amount = next(f for f in report["features"] if f["feature"] == "amount")
    assert (report["status"], amount["status"]) == ("critical", "critical")
    figures = {
        (s.name, s.labels.get("feature")): s.value
        for family in text_string_to_metric_families(prom.read_text())
        for s in family.samples
    }
    assert figures[(contract.BATCH_FEATURE_PSI, "amount")] == pytest.approx(amount["psi"])
    assert figures[(contract.BATCH_FEATURE_DRIFT_STATUS, "amount")] == 2
    assert figures[(contract.BATCH_ROWS, None)] == 2000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "nope"],
            "mlcp drift: no valid model named 'nope' under {specs} (known: demand-forecast, fraud-detector, recommender)\n",
        ),
        (
            ["--model", "fraud-detector", "--profile", "{data}/absent.json"],
            "mlcp drift: {data}/absent.json: No such file or directory\n",
        ),
        (
            ["--model", "fraud-detector", "{data}/absent.parquet"],
            "mlcp drift: {data}/absent.parquet: no such file\n",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    data: Path, examples: Path, args: list[str], message: str
) -> None:
    out = profile(data, examples)
    full = ["--specs", str(examples), "--profile", str(out), *args]
    if not any(a.endswith(".parquet") for a in args):
        full.append(str(data / "same.parquet"))
    full = [a.format(data=data) for a in full]
    code, stdout, stderr = run(drift_command, *full)
    assert (code, stdout, stderr) == (2, "", message.format(data=data, specs=examples))


def test_profile_reports_a_bad_column_type(tmp_path: Path, examples: Path) -> None:
    frame = fraud_frame(10, seed=1).set_column(0, "amount", pa.array(["x"] * 10))
    pq.write_table(frame, tmp_path / "bad.parquet")
    code, stdout, stderr = run(
        profile_command,
        "--model",
        "fraud-detector",
        "--specs",
        examples,
        "--out",
        tmp_path / "p.json",
        tmp_path / "bad.parquet",
    )
    assert (code, stdout) == (2, "")
    # Named by its file, as every other problem of the data is.
    assert stderr == (
        f"mlcp profile: {tmp_path / 'bad.parquet'}: feature 'amount' is numeric but its column "
        "has type string\n"
    )
    assert not (tmp_path / "p.json").exists()


def test_specs_default_to_the_working_folder_when_it_holds_mlcp_yaml(
    data: Path, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rule as `mlcp validate`: inside the specs folder, --specs may be left out.
    monkeypatch.chdir(examples)
    out = data / "profile.json"
    code, stdout, _ = run(
        profile_command, "--model", "fraud-detector", "--out", out, data / "train.parquet"
    )
    assert (code, stdout) == (0, f"{out}: 3000 rows, 6 features\n")
    monkeypatch.chdir(examples.parent)
    code, _, _ = run(
        drift_command, "--model", "fraud-detector", "--profile", out, data / "same.parquet"
    )
    assert code == 0
