"""Synthetic tabular data for the three example models, with a drift knob.

`drift` in [0, 1] moves the data the way production data moves: numeric
features shift by `drift` standard deviations and grow more spread, categorical
mass flows from the common categories to the rare ones, and nulls rise. At 0
the data looks like the data the production profile was made from; the bundled
files use 0.02, well under every warn threshold; 0.5 and above is
critical drift for `mlcp stage validate`.

Every frame carries a `timestamp` (spread evenly over `days` up to `end`) and a
`label`; the ranking data a `query` too. Run `python examples/synthetic.py` to
rewrite `examples/data/` from fixed seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

END = pd.Timestamp("2026-11-01", tz="UTC")
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "BR"]
MCCS = ["5411", "5812", "5999", "4829", "5732", "6011", "7995", "5311", "4121", "5541"]
CHANNELS = ["web", "app", "pos"]


def _timestamps(rng: np.random.Generator, rows: int, days: int, end: pd.Timestamp) -> pd.Series:
    seconds = np.sort(rng.uniform(0, days * 86_400.0, rows))
    return pd.Series(end - pd.to_timedelta(days * 86_400.0 - seconds, unit="s"))


def _categories(rng: np.random.Generator, names: list[str], rows: int, drift: float) -> np.ndarray:
    # Zipf-like shares; drift flattens them (mass moves to the rare categories).
    weights = 1.0 / np.arange(1, len(names) + 1) ** (1.5 * (1 - drift))
    return rng.choice(names, size=rows, p=weights / weights.sum())


def _with_nulls(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype(float)
    out[rng.random(values.size) < share] = np.nan
    return out


def fraud(
    rows: int, drift: float = 0.0, seed: int = 0, days: int = 280, end: pd.Timestamp = END
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(4.0 + 0.6 * drift, 1.0 + 0.3 * drift, rows)
    age = np.floor(rng.exponential(400 * (1 - 0.5 * drift), rows))
    risk = rng.beta(2, 6 - 3 * drift, rows)
    country = _categories(rng, COUNTRIES, rows, drift)
    mcc = _categories(rng, MCCS, rows, drift)
    channel = _categories(rng, CHANNELS, rows, drift)
    risk = _with_nulls(rng, risk, 0.01 * (1 + drift))
    # Fraud: large amounts at risky merchants (a merchant of unknown risk is not flagged).
    label = (risk > 0.35) & (amount > 50)
    return pd.DataFrame(
        {
            "timestamp": _timestamps(rng, rows, days, end),
            "amount": amount.round(2),
            "account_age_days": age,
            "merchant_risk": risk,
            "country": country,
            "mcc": mcc,
            "channel": channel,
            "label": label.astype(np.int64),
        }
    )


def demand(
    rows: int, drift: float = 0.0, seed: int = 0, days: int = 370, end: pd.Timestamp = END
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.gamma(4.0, 25.0 * (1 + drift), rows)
    price = rng.uniform(2, 40, rows) * (1 + 0.5 * drift)
    promo = np.where(rng.random(rows) < 0.2, rng.uniform(0.05, 0.5, rows), 0.0)
    temperature = rng.normal(14 + 6 * drift, 8, rows)
    store = _categories(rng, ["hyper", "super", "express"], rows, drift)
    category = _categories(
        rng, ["dairy", "produce", "bakery", "frozen", "drinks", "snacks"], rows, drift
    )
    region = _categories(rng, ["north", "south", "east", "west"], rows, drift)
    lag_7 = base * rng.normal(1, 0.1, rows)
    lag_28 = base * rng.normal(1, 0.15, rows)
    units = 0.6 * lag_7 + 0.3 * lag_28 + 60 * promo - 0.4 * price + 0.3 * np.maximum(temperature, 0)
    units = np.maximum(units + rng.normal(0, 5, rows), 0)
    return pd.DataFrame(
        {
            "timestamp": _timestamps(rng, rows, days, end),
            "lag_7d_units": lag_7.round(1),
            "lag_28d_units": _with_nulls(rng, lag_28.round(1), 0.005),
            "price": price.round(2),
            "promo_depth": promo.round(3),
            "temperature": temperature.round(1),
            "store_format": store,
            "category": category,
            "region": region,
            "label": units.round(1),
        }
    )


def recommendations(
    rows: int, drift: float = 0.0, seed: int = 0, days: int = 185, end: pd.Timestamp = END
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_query = 10
    queries = rows // per_query
    rows = queries * per_query
    tenure = np.repeat(np.floor(rng.exponential(300, queries)), per_query)
    session = np.repeat(rng.gamma(2, 60 * (1 + drift), queries), per_query)
    price = rng.lognormal(3 + drift, 0.8, rows)
    popularity = rng.beta(1.5, 5 - 2 * drift, rows)
    device = np.repeat(_categories(rng, ["mobile", "desktop", "tablet"], queries, drift), per_query)
    country = np.repeat(_categories(rng, COUNTRIES, queries, drift), per_query)
    item_category = _categories(
        rng, ["books", "music", "games", "home", "garden", "toys"], rows, drift
    )
    appeal = 3 * popularity - 0.01 * price + rng.normal(0, 0.3, rows)
    clicked = appeal > np.quantile(appeal, 0.8)
    times = np.repeat(_timestamps(rng, queries, days, end).to_numpy(), per_query)
    return pd.DataFrame(
        {
            "timestamp": times,
            "query": np.repeat(np.arange(queries), per_query),
            "user_tenure_days": tenure,
            "session_length": session.round(1),
            "item_price": price.round(2),
            "item_popularity": popularity.round(4),
            "device": device,
            "country": country,
            "item_category": item_category,
            "label": clicked.astype(np.int64),
        }
    )


GENERATORS = {"fraud-detector": fraud, "demand-forecast": demand, "recommender": recommendations}
ROWS = 12_000  # a few seconds of training per trial: the demo stays quick


def write_examples(folder: Path) -> None:
    """The bundled data (drift 0.02) and the production profile's data (drift 0, earlier)."""
    sys.path.insert(0, str(folder.parent.parent))
    from controlplane.compile import find_model
    from controlplane.monitor import build_profile, profile_to_json

    for name, generate in GENERATORS.items():
        current = generate(ROWS, drift=0.02, seed=2)
        current.to_parquet(folder / f"{name}.parquet", index=False)
        reference = generate(ROWS, drift=0.0, seed=1, end=END - pd.Timedelta(days=30))
        model = find_model(folder.parent / "specs", name).model
        profile = build_profile(reference, model)
        (folder / f"{name}.profile.json").write_text(profile_to_json(profile), encoding="utf-8")


if __name__ == "__main__":
    write_examples(Path(__file__).resolve().parent / "data")
