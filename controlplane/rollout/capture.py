"""SageMaker data-capture files: the predictions each variant made, by inference id.

SageMaker writes one JSON object per line (``captureData.endpointOutput`` with
``data``, ``encoding`` and ``observedContentType``; ``eventMetadata`` with
``inferenceId``) under ``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/``, so
the variant of a file is the folder named ``stable`` or ``candidate`` above it.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlplane.contract import VARIANT_CANDIDATE, VARIANT_STABLE
from controlplane.rollout.errors import EvidenceError

VARIANTS = (VARIANT_STABLE, VARIANT_CANDIDATE)
# Keys a serving container commonly wraps its answer in.
_WRAPPERS = ("predictions", "prediction", "outputs", "output", "scores", "items", "label")


@dataclass
class Captured:
    """Each variant's predictions by inference id, and the records that carry none."""

    by_variant: dict[str, dict[str, Any]] = field(default_factory=lambda: {v: {} for v in VARIANTS})
    without_id: int = 0
    files: int = 0


def capture_files(paths: list[Path]) -> Iterator[tuple[str, Path]]:
    """(variant, file) for each .jsonl file under ``paths``; the variant from its folders."""
    for path in paths:
        if not path.exists():
            raise EvidenceError(f"no such capture file or folder: {path}")
        files = sorted(p for p in path.rglob("*.jsonl") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            named = [v for v in VARIANTS if v in file.resolve().parts]
            if len(named) != 1:
                raise EvidenceError(
                    f"{file}: cannot tell the variant: its path must pass through exactly one"
                    f" folder named {VARIANT_STABLE} or {VARIANT_CANDIDATE}, as SageMaker writes it"
                )
            yield named[0], file


def read_captures(paths: list[Path]) -> Captured:
    captured = Captured()
    for variant, file in capture_files(paths):
        captured.files += 1
        with file.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                inference_id, prediction = _record(line, f"{file}:{number}")
                if inference_id is None:
                    captured.without_id += 1
                else:
                    captured.by_variant[variant][inference_id] = prediction
    return captured


def _record(line: str, where: str) -> tuple[str | None, Any]:
    try:
        record = json.loads(line)
        output = record["captureData"]["endpointOutput"]
        data, encoding = output["data"], output.get("encoding", "JSON").upper()
        kind = output.get("observedContentType", "application/json")
    except (ValueError, KeyError, TypeError):
        raise EvidenceError(f"{where}: not a SageMaker data-capture record") from None
    text = data
    if encoding == "BASE64":
        try:
            text = base64.b64decode(data).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise EvidenceError(f"{where}: the BASE64 output does not decode to text") from None
    inference_id = record.get("eventMetadata", {}).get("inferenceId")
    return inference_id, _prediction(text, "csv" in kind.lower() or encoding == "CSV", where)


def _prediction(text: str, is_csv: bool, where: str) -> Any:
    if is_csv:
        cells = next(csv.reader(io.StringIO(text.strip())), [])
        values = [_number_or_text(c.strip()) for c in cells]
        return values[0] if len(values) == 1 else values
    try:
        value = json.loads(text)
    except ValueError:
        raise EvidenceError(f"{where}: the output is neither JSON nor CSV: {text[:40]!r}") from None
    while isinstance(value, dict):
        key = next((k for k in _WRAPPERS if k in value), None)
        if key is None:
            raise EvidenceError(f"{where}: no prediction in the output keys {sorted(value)}")
        value = value[key]
    return value


def _number_or_text(cell: str) -> Any:
    try:
        return float(cell) if any(c in cell for c in ".eE") else int(cell)
    except ValueError:
        return cell
