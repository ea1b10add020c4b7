"""Profile <-> JSON: versioned, deterministic (sorted keys, shortest round-trip floats)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import (
    FORMAT,
    CategoricalProfile,
    FeatureProfile,
    NumericProfile,
    Profile,
    quantile_method,
    reference_shares,
    require_reference,
)
from controlplane.monitor.profile_schema import profile_problem


def _number(value: float | None) -> float | str | None:
    # JSON has no infinity; spell it as a string rather than emit invalid JSON.
    if value is not None and not math.isfinite(value):
        return str(value)
    return value


def _feature_json(feature: FeatureProfile) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": feature.kind,
        "type": feature.dtype,
        "null_share": feature.nulls / feature.rows if feature.rows else 0.0,
        "nulls": feature.nulls,
        "bins": list(feature.labels),
        "shares": list(reference_shares(feature)),
    }
    if isinstance(feature, NumericProfile):
        body.update(
            min=_number(feature.min),
            max=_number(feature.max),
            edges=list(feature.edges),
            counts=list(feature.counts),
        )
    else:
        body.update(
            categories=list(feature.categories),
            counts=list(feature.counts),
            other=feature.other,
            tail=list(feature.tail),
            tail_truncated=feature.tail_truncated,
        )
    return body


def profile_to_json(profile: Profile) -> str:
    document = {
        "format": FORMAT,
        "model": profile.model,
        "rows": profile.rows,
        "bins": profile.bins,
        "max_categories": profile.max_categories,
        "quantiles": quantile_method(),
        "columns": {f.name: f.dtype for f in profile.features},
        "features": {f.name: _feature_json(f) for f in profile.features},
    }
    return json.dumps(document, sort_keys=True, indent=2, allow_nan=False) + "\n"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _feature_from(name: str, body: dict[str, Any], rows: int) -> FeatureProfile:
    if body["kind"] == "numeric":
        return NumericProfile(
            name=name,
            dtype=str(body["type"]),
            rows=rows,
            nulls=int(body["nulls"]),
            min=_float(body["min"]),
            max=_float(body["max"]),
            edges=tuple(float(e) for e in body["edges"]),
            counts=tuple(int(c) for c in body["counts"]),
        )
    return CategoricalProfile(
        name=name,
        dtype=str(body["type"]),
        rows=rows,
        nulls=int(body["nulls"]),
        categories=tuple(str(c) for c in body["categories"]),
        counts=tuple(int(c) for c in body["counts"]),
        other=int(body["other"]),
        tail=tuple(str(c) for c in body["tail"]),
        tail_truncated=bool(body["tail_truncated"]),
    )


def profile_from_json(text: str, origin: str = "profile") -> Profile:
    try:
        document = json.loads(text)
    except RecursionError:
        raise MonitorError(f"{origin}: malformed profile (nested too deep)") from None
    except ValueError as error:
        raise MonitorError(f"{origin}: malformed profile (not JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        shown = document.get("format") if isinstance(document, dict) else None
        raise MonitorError(f"{origin}: not an {FORMAT} profile (format={shown!r})")
    problem = profile_problem(document)
    if problem is not None:
        raise MonitorError(f"{origin}: malformed profile ({problem})")
    try:
        rows = int(document["rows"])
        features = tuple(
            _feature_from(name, body, rows) for name, body in document["features"].items()
        )
        return Profile(
            model=str(document["model"]),
            rows=rows,
            bins=int(document["bins"]),
            max_categories=int(document["max_categories"]),
            features=features,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise MonitorError(
            f"{origin}: malformed profile ({type(error).__name__}: {error})"
        ) from None


def load_profile(path: str | Path) -> Profile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise MonitorError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError:  # a Parquet file given as --profile, or the like
        raise MonitorError(
            f"{path}: not an {FORMAT} profile (not UTF-8 text); pass the JSON that "
            "`mlcp profile --out` wrote"
        ) from None
    profile = profile_from_json(text, str(path))
    require_reference(profile.rows, profile.features, str(path))  # named by its file
    return profile
