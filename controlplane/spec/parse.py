"""Structure: plain data to spec v1, every pydantic error turned into a located Diagnostic."""

from __future__ import annotations

import copy
import difflib
import types
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import Document, KeyPath

M = TypeVar("M", bound=BaseModel)

_UNIT_ERRORS = {"mlcp_duration", "mlcp_rate", "mlcp_throughput", "mlcp_number"}
_RANGE_ERRORS = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
}
_PATTERN_HELP = {
    "name": "use 3-63 lowercase letters, digits and dashes, starting with a letter",
    "owners": "write a GitHub user (@alice) or team (@acme/risk-ml)",
    "slack": "write a channel such as #risk-ml-oncall",
    "entrypoint": "write module.path:function, e.g. fraud_model.train:fit",
    "instance_type": "write an instance type such as ml.c5.xlarge or m5.large",
}


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so that the interesting type is left."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def annotation_at(model: type[BaseModel], path: KeyPath) -> Any:
    """The type a spec path holds, walking models, lists and dicts; None if unknown."""
    current: Any = model
    for segment in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {(f.alias or name): f for name, f in current.model_fields.items()}
            if not isinstance(segment, str) or segment not in fields:
                return None
            current = fields[segment].annotation
        elif get_origin(current) is list and isinstance(segment, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict and isinstance(segment, str):
            current = get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _dotted(path: KeyPath) -> str:
    out = ""
    for segment in path:
        out += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if out else segment)
    return out or "the top level"


def did_you_mean(value: object, options: list[str]) -> str:
    match = difflib.get_close_matches(str(value), options, n=1, cutoff=0.7)
    return f"did you mean {match[0]!r}?" if match else ""


def _describe(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    return f"{type(value).__name__} {value!r}"


def _diagnostic(model: type[BaseModel], doc: Document, err: ErrorDetails) -> Diagnostic:
    loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
    kind, value = err["type"], err.get("input")
    where = _dotted(loc)
    location = doc.locate(loc)
    code, message, hint = "MLCP112", f"{where}: {err['msg'].lower()}", ""
    if kind == "extra_forbidden":
        parent = annotation_at(model, loc[:-1])
        fields = getattr(parent, "model_fields", {})
        options = [(f.alias or n) for n, f in fields.items()]
        location = doc.locate(loc, key=True)
        code, message = "MLCP110", f"unknown key {loc[-1]!r} in {_dotted(loc[:-1])}"
        hint = did_you_mean(loc[-1], options) or f"allowed keys: {', '.join(sorted(options))}"
    elif kind == "missing":
        location = doc.locate(loc[:-1], key=True)
        code, message = "MLCP111", f"missing required key {loc[-1]!r} in {_dotted(loc[:-1])}"
    elif kind in ("literal_error", "enum"):
        options = [str(a) for a in get_args(annotation_at(model, loc))]
        code = "MLCP113"
        message = f"{where}: {value!r} is not one of {', '.join(options)}"
        hint = did_you_mean(value, options)
    elif kind in _UNIT_ERRORS:
        code, message = "MLCP114", f"{where}: {err['msg']}"
    elif kind == "string_pattern_mismatch":
        code, message = (
            "MLCP114",
            f"{where}: {value!r} is not a valid {loc[-1] if loc else 'value'}",
        )
        field = next((p for p in reversed(loc) if isinstance(p, str)), "")
        hint = _PATTERN_HELP.get(field, f"it must match {err.get('ctx', {}).get('pattern')}")
    elif kind in _RANGE_ERRORS:
        code, message = "MLCP115", f"{where}: {err['msg'].lower()}"
    else:
        message = f"{where}: expected {_expected(kind)}, got {_describe(value)}"
    return Diagnostic(location.file, location.line, location.col, code, "error", message, hint)


def _expected(kind: str) -> str:
    for prefix, text in (
        ("model", "a mapping"),
        ("dict", "a mapping"),
        ("list", "a list"),
        ("string", "a string"),
        ("int", "a whole number"),
        ("float", "a number"),
        ("bool", "true or false"),
    ):
        if kind.startswith(prefix):
            return text
    return "a valid value"


def validate(
    model: type[M], doc: Document, data: dict[str, Any]
) -> tuple[M | None, list[Diagnostic]]:
    """Validate data against a spec model; on failure, every error, located.

    When the only problems are unknown keys, the spec is also validated without
    them, so that a typo does not hide the semantic problems of the rest: the
    diagnostics are all reported, and the model returned is the one without them.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    problems = [_diagnostic(model, doc, err) for err in errors]
    if any(err["type"] != "extra_forbidden" for err in errors):
        return None, problems
    pruned = copy.deepcopy(data)
    for err in errors:
        *parents, last = err["loc"]
        node: Any = pruned
        for segment in parents:
            node = node[segment]
        node.pop(last, None)
    try:
        return model.model_validate(pruned), problems
    except ValidationError:
        return None, problems


def check_header(doc: Document, kind: Literal["Model", "Config"]) -> list[Diagnostic]:
    """apiVersion and kind decide which schema applies; check them before anything else."""
    out: list[Diagnostic] = []
    for key, expected in (("apiVersion", "mlcp/v1"), ("kind", kind)):
        value = doc.data.get(key)
        if value != expected:
            loc = doc.locate((key,)) if key in doc.data else doc.locate(())
            what = f"got {value!r}" if key in doc.data else "it is missing"
            out.append(
                Diagnostic(
                    loc.file,
                    loc.line,
                    loc.col,
                    "MLCP106",
                    "error",
                    f"{key} must be {expected!r} ({what})",
                    f"start the file with `apiVersion: mlcp/v1` and `kind: {kind}`",
                )
            )
    return out
