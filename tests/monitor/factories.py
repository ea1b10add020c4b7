"""Small Model objects for the monitor's tests, built directly (no spec compiler needed)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from controlplane.model import (
    Drift,
    Feature,
    Latency,
    Model,
    OnCall,
    PsiThreshold,
    Quality,
    Rollout,
    Sla,
    TaskType,
)
from tests.render import factories


def make_model(
    name: str = "fraud-detector",
    numeric: tuple[str, ...] = ("amount", "age"),
    categorical: tuple[str, ...] = ("country",),
    *,
    task: TaskType = "classification",
    bins: int = 10,
    warn: float = 0.1,
    critical: float = 0.25,
    overrides: dict[str, PsiThreshold] | None = None,
    null_max_ratio: float = 2.0,
    null_min_rate: float = 0.01,
    out_of_range_max: float = 0.01,
    unseen_max: float = 0.005,
) -> Model:
    default = PsiThreshold(warn=warn, critical=critical)
    overrides = overrides or {}
    features = tuple(
        Feature(name=f, kind=kind, psi=overrides.get(f, default))
        for kind, names in (("numeric", numeric), ("categorical", categorical))
        for f in names
    )
    # The renderers' toy model, with what the monitor reads set here.
    return factories.model(
        name,
        team="risk-ml",
        owners=("@acme/risk-ml",),
        tier="critical",
        domain="fraud",
        description="test model",
        task=task,
        sla=Sla(
            latency=Latency(0.03, 0.08, 0.15),
            error_rate=0.001,
            availability=0.999,
            min_throughput=None,
        ),
        features=features,
        drift=Drift(
            psi=default,
            bins=bins,
            windows=(3600.0, 86400.0),
            null_max_ratio_to_training=null_max_ratio,
            null_min_rate=null_min_rate,
            out_of_range_max_rate=out_of_range_max,
            unseen_max_rate=unseen_max,
            volume_max_drop=0.3,
            volume_compare_to=604800.0,
        ),
        quality=Quality(label_delay=86400.0, metrics=(), proxies=()),
        rollout=Rollout(
            shadow=None,
            stages=(100,),
            bake_time=0.0,
            rollback_on=(),
            candidate=None,
            state="stable",
        ),
        oncall=OnCall(escalation_policy="Risk ML", urgency="high", slack=None),
    )


def make_frame(
    rows: int = 5000,
    *,
    seed: int = 0,
    shift: float = 0.0,
    null_share: float = 0.0,
    categories: tuple[str, ...] = ("US", "FR", "DE", "GB"),
) -> pa.Table:
    """Columns for ``make_model()``'s default features; ``shift`` moves amount and age."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0, 1.0, rows) * (1.0 + shift)
    if null_share:
        amount[rng.random(rows) < null_share] = np.nan
    age = rng.integers(0, 3650, rows) + int(shift * 365)
    country = rng.choice(list(categories), rows)
    return pa.table(
        {
            "amount": pa.array(amount, from_pandas=True),
            "age": pa.array(age),
            "country": pa.array(country),
        }
    )
