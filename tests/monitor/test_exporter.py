from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from controlplane import contract
from controlplane.monitor import ModelMonitor, build_profile, compute_drift
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import reference_shares
from tests.monitor.factories import make_frame, make_model

MODEL = make_model()
PROFILE = build_profile(make_frame(5000, seed=1, null_share=0.05), MODEL)


def samples(monitor: ModelMonitor) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = generate_latest(monitor.registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def bin_counts(monitor: ModelMonitor, feature: str) -> dict[str, float]:
    found = samples(monitor)
    return {
        dict(labels)["bin"]: value
        for (name, labels), value in found.items()
        if name == contract.FEATURE_VALUES_TOTAL and dict(labels)["feature"] == feature
    }


def test_every_bin_series_exists_at_zero_before_any_observation() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    for feature in PROFILE.features:
        assert bin_counts(monitor, feature.name) == dict.fromkeys(feature.labels, 0.0)
    found = samples(monitor)
    stable = frozenset({("model", MODEL.name), ("variant", "stable")})
    assert found[(contract.PREDICTIONS_TOTAL, stable)] == 0.0
    assert found[(contract.PREDICTION_ERRORS_TOTAL, stable)] == 0.0
    for outcome in contract.OUTCOMES:
        key = frozenset({("model", MODEL.name), ("outcome", outcome)})
        assert found[(contract.LABEL_OUTCOMES_TOTAL, key)] == 0.0


def test_reference_gauges_come_from_the_profile() -> None:
    """Shares known by construction: country is 60% US, 30% FR, 10% null in training."""
    model = make_model(numeric=("amount",), categorical=("country",))
    frame = pa.table(
        {
            "amount": pa.array([float(v) for v in range(1, 21)]),
            "country": pa.array(["US"] * 12 + ["FR"] * 6 + [None] * 2),
        }
    )
    found = samples(ModelMonitor(model, build_profile(frame, model)))

    def ratio(feature: str, label: str) -> float:
        key = frozenset({("model", model.name), ("feature", feature), ("bin", label)})
        return found[(contract.FEATURE_REFERENCE_RATIO, key)]

    def training_null(feature: str) -> float:
        key = frozenset({("model", model.name), ("feature", feature)})
        return found[(contract.FEATURE_TRAINING_NULL_RATIO, key)]

    assert ratio("country", "US") == pytest.approx(0.6)
    assert ratio("country", "FR") == pytest.approx(0.3)
    assert ratio("country", "null") == pytest.approx(0.1)
    # Never seen in training: floored at epsilon, so PSI stays finite.
    assert ratio("country", "unseen") == contract.PSI_EPSILON
    assert ratio("country", "other") == contract.PSI_EPSILON
    assert training_null("country") == pytest.approx(0.1)
    assert training_null("amount") == 0.0
    amount = [
        v
        for (name, labels), v in found.items()
        if name == contract.FEATURE_REFERENCE_RATIO and ("feature", "amount") in labels
    ]
    # Twenty distinct values in ten bins: two values, 10%, per bin; no nulls.
    assert sorted(amount) == pytest.approx([contract.PSI_EPSILON] + [0.1] * 10)


def test_a_profile_missing_a_feature_is_a_clear_error() -> None:
    wider = make_model(numeric=("amount", "age", "income"))
    with pytest.raises(MonitorError, match="profile has no feature\\(s\\): income"):
        ModelMonitor(wider, PROFILE)


def test_observe_row_by_row_counts_what_the_batch_drift_counts() -> None:
    frame = make_frame(2000, seed=7, shift=0.4, null_share=0.1, categories=("US", "FR", "ZZ"))
    one_by_one, batched = ModelMonitor(MODEL, PROFILE), ModelMonitor(MODEL, PROFILE)
    for row in frame.to_pylist():
        one_by_one.observe(row)
    batched.observe_batch(frame)
    report = compute_drift(frame, MODEL, PROFILE)
    for feature in PROFILE.features:
        counted = bin_counts(one_by_one, feature.name)
        assert counted == bin_counts(batched, feature.name)
        shares = [counted[label] / 2000 for label in feature.labels]
        from controlplane.monitor.drift import psi

        assert psi(shares, reference_shares(feature)) == pytest.approx(
            report.feature_named(feature.name).psi, abs=1e-12
        )
    out = {
        dict(k[1])["feature"]: v
        for k, v in samples(one_by_one).items()
        if k[0] == contract.FEATURE_OUT_OF_RANGE_TOTAL
    }
    assert out["amount"] == pytest.approx(report.feature_named("amount").out_of_range_rate * 2000)
    assert out == {
        dict(k[1])["feature"]: v
        for k, v in samples(batched).items()
        if k[0] == contract.FEATURE_OUT_OF_RANGE_TOTAL
    }


def test_missing_odd_and_unknown_values() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    monitor.observe({"amount": float("nan"), "age": None, "country": None})
    monitor.observe({"country": "XX"})
    monitor.observe({"amount": 1e15, "age": -5})
    assert bin_counts(monitor, "amount")["null"] == 2
    assert bin_counts(monitor, "age")["null"] == 2
    assert bin_counts(monitor, "age")["b00"] == 1
    assert bin_counts(monitor, "country")["null"] == 2
    assert bin_counts(monitor, "country")["unseen"] == 1
    found = samples(monitor)
    key = frozenset({("model", MODEL.name), ("feature", "amount")})
    assert found[(contract.FEATURE_OUT_OF_RANGE_TOTAL, key)] == 1


def test_concurrent_observers_lose_no_count() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    rows = make_frame(500, seed=3).to_pylist()

    def work() -> None:
        for row in rows:
            monitor.observe(row)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(bin_counts(monitor, "amount").values()) == 8 * 500


def test_latency_errors_and_variants() -> None:
    monitor = ModelMonitor(MODEL, PROFILE, variants=("stable", "candidate"))
    monitor.record_latency(0.02)
    monitor.record_latency(0.2, variant="candidate")
    monitor.record_error(variant="candidate")
    found = samples(monitor)
    candidate = frozenset({("model", MODEL.name), ("variant", "candidate")})
    assert found[(contract.PREDICTIONS_TOTAL, candidate)] == 1
    assert found[(contract.PREDICTION_ERRORS_TOTAL, candidate)] == 1
    assert found[(contract.PREDICTION_LATENCY_SECONDS + "_sum", candidate)] == pytest.approx(0.2)


def test_classification_outcomes() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    monitor.record_outcomes([1, 1, 0, 0, 1], [0.9, 0.2, 0.7, 0.1, 0.6])
    found = samples(monitor)
    got = {
        o: found[
            (contract.LABEL_OUTCOMES_TOTAL, frozenset({("model", MODEL.name), ("outcome", o)}))
        ]
        for o in contract.OUTCOMES
    }
    assert got == {"tp": 2, "fp": 1, "tn": 1, "fn": 1}


def test_regression_sums() -> None:
    model = make_model(task="regression")
    monitor = ModelMonitor(model, build_profile(make_frame(100), model))
    monitor.record_outcomes([3.0, -1.0, 2.0], [2.5, 0.0, 2.0])
    found = samples(monitor)
    key = frozenset({("model", model.name)})
    assert found[(contract.LABEL_ERROR_SUM, key)] == pytest.approx(1.5)
    assert found[(contract.LABEL_SQUARED_ERROR_SUM, key)] == pytest.approx(1.25)
    assert found[(contract.LABEL_COUNT, key)] == 3
    assert found[(contract.LABEL_TARGET_SUM, key)] == pytest.approx(4.0)
    assert found[(contract.LABEL_TARGET_SQUARED_SUM, key)] == pytest.approx(14.0)


def test_ranking_ndcg_and_average_precision_per_query() -> None:
    model = make_model(task="ranking")
    monitor = ModelMonitor(model, build_profile(make_frame(100), model))
    # Query a: relevances [3, 0, 1] ranked by score as [0, 1, 3]... computed by hand below.
    relevance = [3, 0, 1, 0, 0, 2]
    scores = [0.1, 0.9, 0.5, 0.3, 0.2, 0.8]
    queries = ["a", "a", "a", "b", "b", "c"]
    monitor.record_outcomes(relevance, scores, query_ids=queries)
    # a: order by score -> rel [0, 1, 3]; DCG = 0 + 1/log2(3) + 7/log2(4); IDCG = 7 + 1/log2(3).
    ndcg_a = (1 / math.log2(3) + 7 / 2) / (7 + 1 / math.log2(3))
    ap_a = (1 / 2 + 2 / 3) / 2
    # b has no relevant item and is skipped; c is a single relevant item: NDCG 1, AP 1.
    found = samples(monitor)
    key = frozenset({("model", model.name)})
    assert found[(contract.RANKING_NDCG_SUM, key)] == pytest.approx(ndcg_a + 1.0)
    assert found[(contract.RANKING_AP_SUM, key)] == pytest.approx(ap_a + 1.0)
    assert found[(contract.RANKING_QUERIES_TOTAL, key)] == 2
    with pytest.raises(ValueError, match="query_ids"):
        monitor.record_outcomes(relevance, scores)


def test_series_names_are_exactly_the_contract() -> None:
    names = {name for name, _ in samples(ModelMonitor(MODEL, PROFILE))}
    contract_names = {
        contract.PREDICTIONS_TOTAL,
        contract.PREDICTION_ERRORS_TOTAL,
        contract.FEATURE_VALUES_TOTAL,
        contract.FEATURE_REFERENCE_RATIO,
        contract.FEATURE_OUT_OF_RANGE_TOTAL,
        contract.FEATURE_TRAINING_NULL_RATIO,
        contract.LABEL_OUTCOMES_TOTAL,
    }
    histogram = {contract.PREDICTION_LATENCY_SECONDS + s for s in ("_bucket", "_sum", "_count")}
    # prometheus_client also exposes the creation time of its own counters.
    created = {n for n in names if n.endswith("_created")}
    assert names - created == contract_names | histogram


MULTIPROCESS_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from controlplane.monitor import ModelMonitor, build_profile
from tests.monitor.factories import make_frame, make_model
model = make_model()
monitor = ModelMonitor(model, build_profile(make_frame(500, seed=1), model))
monitor.observe({{"amount": 10.0, "age": 3, "country": "XX"}})
monitor.observe_batch(make_frame(99, seed=2))
registry = CollectorRegistry()
multiprocess.MultiProcessCollector(registry)
sys.stdout.write(generate_latest(registry).decode())
"""


def test_multiprocess_mode_writes_through_prometheus_client_files(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two "workers" sharing the directory
        run = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_SCRIPT.format(root=root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(run.stdout):
        for s in family.samples:
            if s.name == contract.FEATURE_VALUES_TOTAL and s.labels["feature"] == "country":
                totals[s.labels["bin"]] = s.value
    assert totals["unseen"] == 2
    assert sum(totals.values()) == 2 * 100
    assert np.isclose(sum(v for k, v in totals.items() if k != "unseen"), 198)


def test_an_empty_category_is_a_null_and_a_spelled_boolean_its_category() -> None:
    """What a CSV row carries ("" for a null, "True" for a boolean) counts as the
    frame's null and boolean do, and no series has an empty bin label."""
    model = make_model(numeric=("amount",), categorical=("country", "flag"))
    training = pa.table(
        {
            "amount": [1.0, 2.0, 3.0, 4.0],
            "country": ["US", "", None, "FR"],
            "flag": [True, False, None, True],
        }
    )
    profile = build_profile(training, model)
    assert profile.feature("country").nulls == 2
    monitor = ModelMonitor(model, profile)
    for country, flag in (("", "True"), (None, True), ("US", "true"), ("FR", "FALSE")):
        monitor.observe({"amount": 1.0, "country": country, "flag": flag})
    assert bin_counts(monitor, "country") == {
        "US": 1.0,
        "FR": 1.0,
        "other": 0.0,
        "unseen": 0.0,
        "null": 2.0,
    }
    assert bin_counts(monitor, "flag") == {
        "true": 3.0,
        "false": 1.0,
        "other": 0.0,
        "unseen": 0.0,
        "null": 0.0,
    }
    assert all(dict(labels).get("bin") != "" for _, labels in samples(monitor))
