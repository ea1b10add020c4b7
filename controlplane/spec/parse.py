"""Structure: plain data to spec v1, every pydantic error turned into a located Diagnostic."""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
import types
import zoneinfo
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controlplane import units
from controlplane.diagnostics import Diagnostic
from controlplane.spec.load import Document, KeyPath
from controlplane.spec.types import OUT_OF_RANGE

M = TypeVar("M", bound=BaseModel)

# A value that fails its field's pattern: what the field holds (for the message), how to
# write one (the hint), and a likely fix of what was written, keyed by the field's path
# with list indexes left out.
_PATTERNS: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "metadata.name": (
        "model name",
        "use 3-63 lowercase letters, digits and dashes, starting with a letter",
        lambda v: re.sub(r"[^a-z0-9]+", "-", v.strip().lower()).strip("-"),
    ),
    "metadata.owners": (
        "owner",
        "write a GitHub user (@alice) or team (@acme/risk-ml)",
        lambda v: "@" + v.strip(),
    ),
    "oncall.slack": (
        "Slack channel",
        "write a channel such as #risk-ml-oncall",
        lambda v: "#" + v.strip().lstrip("#").lower(),
    ),
    "retraining.entrypoint": (
        "entrypoint",
        "write module.path:function, e.g. fraud_model.train:fit",
        lambda v: v.strip().replace("/", ".").removesuffix(".py"),
    ),
    "serving.instance_type": (
        "instance type",
        "write an instance type such as ml.c5.xlarge or m5.large",
        lambda v: v.strip().lower(),
    ),
    "retraining.compute.instance_type": (
        "instance type",
        "write an instance type such as m5.xlarge",
        lambda v: v.strip().lower(),
    ),
    "serving.cache.node_type": (
        "cache node type",
        "write an ElastiCache node type such as cache.t4g.small",
        lambda v: v.strip().lower(),
    ),
    "pagerduty.routing_key_dir": (
        "routing key folder",
        "write an absolute folder that Alertmanager can read, e.g. /etc/alertmanager/secrets/pagerduty",
        lambda v: "/" + v.strip().strip("/"),
    ),
    "pagerduty.routing_keys.dir": (
        "routing key folder",
        "write an absolute folder that Alertmanager can read, e.g. /etc/alertmanager/secrets/pagerduty",
        lambda v: "/" + v.strip().strip("/"),
    ),
    "pagerduty.routing_keys.mount": (
        "routing key folder",
        "write the absolute folder where Alertmanager sees the secrets, e.g. /etc/alertmanager/keys",
        lambda v: "/" + v.strip().strip("/"),
    ),
    "pagerduty.routing_keys.prefix": (
        "secret name prefix",
        "use letters, digits and /_+=.@- (as Secrets Manager names do), e.g. mlcp/routing-keys/",
        lambda v: re.sub(r"[^A-Za-z0-9/_+=.@-]+", "-", v.strip()),
    ),
    "quality.proxies.name": (
        "proxy name",
        "use lowercase letters, digits and underscores, starting with a letter, e.g. ctr",
        lambda v: re.sub(r"[^a-z0-9]+", "_", v.strip().lower()).strip("_"),
    ),
    "quality.proxies.numerator": (
        "Prometheus metric name",
        "write a metric name such as fraud_disputes_total (letters, digits, _ and :)",
        lambda v: re.sub(r"[^a-zA-Z0-9_:]+", "_", v.strip()).strip("_"),
    ),
    "quality.proxies.denominator": (
        "Prometheus metric name",
        "write a metric name such as mlcp_predictions_total (letters, digits, _ and :)",
        lambda v: re.sub(r"[^a-zA-Z0-9_:]+", "_", v.strip()).strip("_"),
    ),
    "aws.region": (
        "AWS region",
        "write a region such as eu-west-1",
        lambda v: v.strip().lower().replace("_", "-").replace(" ", "-"),
    ),
}
_UNIT_SUGGESTIONS: dict[str, Callable[[object], str]] = {
    "mlcp_duration": units.suggest_duration,
    "mlcp_rate": units.suggest_rate,
    "mlcp_number": units.suggest_rate,
    "mlcp_throughput": units.suggest_throughput,
    "mlcp_timestamp": units.suggest_timestamp,
    "mlcp_timezone": lambda v: did_you_mean(v, sorted(zoneinfo.available_timezones())),
}
_RANGE_WORDS = {
    "greater_than": ("gt", "must be above {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than": ("lt", "must be below {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "too_short": ("min_length", "must hold at least {} item(s)"),
    "too_long": ("max_length", "must hold at most {} item(s)"),
    "string_too_short": ("min_length", "must be at least {} character(s) long"),
    "string_too_long": ("max_length", "must be at most {} characters long"),
}
_YAML11_BOOLEANS = {"yes", "no", "y", "n", "on", "off"}
# pydantic's tags for the members of a scalar union, and the error types each one reports:
# a field that happens to be named `int` (a search space's range) is not a union member.
_UNION_TAGS: dict[object, tuple[str, ...]] = {
    "str": ("string_",),
    "int": ("int_",),
    "float": ("float_", "finite_"),
    "bool": ("bool_",),
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


def dotted(path: KeyPath) -> str:
    out = ""
    for segment in path:
        out += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if out else segment)
    return out or "the top level"


def did_you_mean(value: object, options: list[str]) -> str:
    match = difflib.get_close_matches(str(value), options, n=1, cutoff=0.7)
    return f"did you mean {match[0]!r}?" if match else ""


def _describe(value: object) -> str:
    """A value as a newcomer reads it: "the text 'yes'", "the number 2.3", never "str"."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int) and abs(value) > 10**40:
        return f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)


def _field_path(loc: KeyPath) -> str:
    return ".".join(p for p in loc if isinstance(p, str))


def _type_hint(kind: str, value: object, field: str) -> str:
    """How to write the value so that it has the type its field needs."""
    text = value.strip() if isinstance(value, str) else None
    if kind.startswith("bool"):
        if text is not None and text.lower() in _YAML11_BOOLEANS:
            return f"write true or false: YAML 1.2 reads {text} as text, not as a boolean"
        if text is not None and text.lower() in ("true", "false"):
            return f"write {text.lower()} without quotes: in quotes it is text"
        return "write true or false"
    if kind.startswith("string") and isinstance(value, int | float) and not isinstance(value, bool):
        if not field:  # a list item: names in lists (features, owners, signals) are never numbers
            return ""
        example = f'{field}: "…"'
        return (
            f"quote it ({example}) so that YAML keeps the text exactly as written; "
            f"unquoted, it is the number {value!r}"
        )
    if kind.startswith("string") and isinstance(value, bool):
        return "put the value in quotes if you mean it as text"
    if kind.startswith(("int", "float")) and text is not None and _is_number(text):
        return f"write {text} without quotes: in quotes it is text"
    if kind.startswith("int") and isinstance(value, float):
        return "write a whole number, without a fractional part"
    if kind.startswith("list") and isinstance(value, str | int | float) and value is not True:
        return f"write a list, even of one item: [{_flow_scalar(value)}]"
    if kind.startswith("int") and text is not None and units.PERCENT.fullmatch(text):
        return f"write {text.rstrip('%')} without %: this field takes a plain whole number"
    if kind.startswith("float") and text is not None and units.PERCENT.fullmatch(text):
        meant = float(text.rstrip("%")) / 100
        return f"this field takes a plain number, not a percentage: did you mean {meant:g}?"
    return ""


def _flow_scalar(value: object) -> str:
    """A scalar as it can be written inside [...] in YAML: quoted unless plainly safe."""
    text = str(value)
    if isinstance(value, str) and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*", text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pattern_problem(loc: KeyPath, value: object, pattern: object) -> tuple[str, str]:
    """The message and hint for a value that fails its field's pattern."""
    where, field = dotted(loc), _field_path(loc)
    noun, help_text, fix = _PATTERNS.get(field, ("value", f"it must match {pattern}", str))
    message = f"{where}: {value!r} is not a valid {noun}"
    if field == "metadata.name" and isinstance(value, str) and not 3 <= len(value) <= 63:
        message = f"{where}: {value!r} is {len(value)} characters long; a model name has 3-63"
        if re.fullmatch(r"[a-z0-9-]*", value):  # the characters are right: only the length is not
            return message, "shorten it to 63 characters" if value else "name the model"
    if isinstance(value, str) and isinstance(pattern, str):
        fixed = fix(value)
        if fixed != value and re.fullmatch(pattern, fixed):
            return message, f"did you mean {fixed!r}?"
    return message, help_text


def _missing_hint(field: Any, key: object) -> str:
    """What a missing key holds, when that is short to say: its choices or its own keys."""
    if get_origin(field) is Literal:
        return f"add {key}: one of {', '.join(map(str, get_args(field)))}"
    if isinstance(field, type) and issubclass(field, BaseModel):
        required = [f.alias or n for n, f in field.model_fields.items() if f.is_required()]
        keys = ", ".join(f"{name}: …" for name in required)
        return f"add {key}: {{{keys}}}" if required else ""
    return ""


def _range_problem(kind: str, where: str, value: object, ctx: dict[str, Any]) -> str:
    bound_key, words = _RANGE_WORDS[kind]
    bound = ctx.get(bound_key)
    shown = f"{bound:g}" if isinstance(bound, float) else str(bound)
    if kind.startswith(("too", "string")) and isinstance(value, str | list | dict):
        return f"{where} {words.format(shown)} (it has {len(value)})"
    got = _describe(value) if isinstance(value, int) and abs(value) > 10**40 else repr(value)
    return f"{where} {words.format(shown)} (got {got})"


def _diagnostic(model: type[BaseModel], doc: Document, err: ErrorDetails) -> Diagnostic:
    loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
    kind, value = err["type"], err.get("input")
    where = dotted(loc)
    location = doc.locate(loc)
    code, message, hint = "MLCP112", f"{where}: {err['msg'].lower()}", ""
    if kind == "extra_forbidden":
        parent = annotation_at(model, loc[:-1])
        fields = getattr(parent, "model_fields", {})
        options = [(f.alias or n) for n, f in fields.items()]
        location = doc.locate(loc, key=True)
        code, message = "MLCP110", f"unknown key {loc[-1]!r} in {dotted(loc[:-1])}"
        hint = did_you_mean(loc[-1], options) or f"allowed keys: {', '.join(sorted(options))}"
    elif kind == "missing":
        location = doc.locate(loc[:-1], key=True)
        code, message = "MLCP111", f"missing required key {loc[-1]!r} in {dotted(loc[:-1])}"
        hint = _missing_hint(annotation_at(model, loc), loc[-1])
    elif kind in ("literal_error", "enum"):
        options = [str(a) for a in get_args(annotation_at(model, loc))]
        code = "MLCP113"
        message = f"{where}: {value!r} is not one of {', '.join(options)}"
        hint = did_you_mean(value, options)
    elif kind == OUT_OF_RANGE:
        code, message = "MLCP115", f"{where}: {err['msg']}"
    elif kind in _UNIT_SUGGESTIONS:
        code, message = "MLCP114", f"{where}: {err['msg']}"
        hint = _UNIT_SUGGESTIONS[kind](value)
    elif kind == "string_pattern_mismatch":
        code = "MLCP114"
        message, hint = _pattern_problem(loc, value, err.get("ctx", {}).get("pattern"))
    elif kind in _RANGE_WORDS:
        code, message = "MLCP115", _range_problem(kind, where, value, err.get("ctx", {}))
    elif kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        code, message = "MLCP115", f"{where}: {_describe(value)} is too large"  # past a float
    elif kind == "finite_number" and value in (math.inf, -math.inf):  # 1e400 reads as infinity
        code, message = "MLCP115", f"{where}: the number is too large (it reads as infinite)"
    elif kind == "union_type":
        message = f"{where}: expected {err['msg']}, got {_describe(value)}"
    else:
        message = f"{where}: expected {_expected(kind)}, got {_describe(value)}"
        hint = _type_hint(kind, value, loc[-1] if loc and isinstance(loc[-1], str) else "")
        if kind.startswith("model") and not isinstance(value, dict):
            fields = getattr(annotation_at(model, loc), "model_fields", {})
            keys = ", ".join(f.alias or n for n, f in fields.items())
            hint = f"write it as key: value pairs; {where} takes {keys}" if keys else ""
    return Diagnostic(location.file, location.line, location.col, code, "error", message, hint)


def _expected(kind: str) -> str:
    for prefix, text in (
        ("model", "a mapping"),
        ("dict", "a mapping"),
        ("list", "a list"),
        ("string", "text"),
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
    problems = [_diagnostic(model, doc, err) for err in _merge_union_members(errors)]
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


def _merge_union_members(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """One error per value: pydantic reports a value that fits no member of a union
    (``choices: [str | int | float | bool]``) once per member, tagged with its type."""
    groups: dict[tuple[Any, ...], list[ErrorDetails]] = {}
    for err in errors:
        groups.setdefault(tuple(err["loc"][:-1]), []).append(err)
    out: list[ErrorDetails] = []
    for err in errors:
        group = groups[tuple(err["loc"][:-1])]
        members = all(
            e["loc"] and e["type"].startswith(_UNION_TAGS.get(e["loc"][-1], ("\0",))) for e in group
        )
        if len(group) < 2 or not members:
            out.append(err)
        elif err is group[0]:
            expected = _one_of([_expected(e["type"]) for e in group])
            out.append(
                ErrorDetails(
                    type="union_type",
                    loc=err["loc"][:-1],
                    msg=expected,
                    input=err.get("input"),
                    ctx={"expected": expected},
                )
            )
    return out


def _one_of(kinds: list[str]) -> str:
    """["text", "a whole number", "a number", "true or false"] → "text, a number or true/false"."""
    names = [k.replace("true or false", "true/false") for k in dict.fromkeys(kinds)]
    if "a number" in names and "a whole number" in names:
        names.remove("a whole number")
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def check_header(doc: Document, kind: Literal["Model", "Config"]) -> list[Diagnostic]:
    """apiVersion and kind decide which schema applies; check them before anything else."""
    out: list[Diagnostic] = []
    start = f"start the file with `apiVersion: mlcp/v1` and `kind: {kind}`"
    for key, expected in (("apiVersion", "mlcp/v1"), ("kind", kind)):
        value = doc.data.get(key)
        if key in doc.data and value == expected:
            continue
        near = _misspelled_key(doc, key)
        if key in doc.data:
            loc, message = doc.locate((key,)), f"{key} must be {expected!r} (got {value!r})"
            hint = _header_hint(key, value, kind) or start
        elif near is not None:
            loc = doc.locate((near,), key=True)
            message = f"{key} is missing; the key {near!r} looks like a misspelling of it"
            hint = f"did you mean {key!r}? keys are case-sensitive"
        else:
            loc, message, hint = (
                doc.locate(()),
                f"{key} must be {expected!r} (it is missing)",
                start,
            )
        out.append(Diagnostic(loc.file, loc.line, loc.col, "MLCP106", "error", message, hint))
    return out


def _header_hint(key: str, value: object, kind: str) -> str:
    if key == "apiVersion":
        return "write apiVersion: mlcp/v1, the version this mlcp reads"
    if value == "Config":
        return "a model spec says kind: Model; kind: Config is for mlcp.yaml at the specs root"
    if value == "Model":
        return "mlcp.yaml says kind: Config; a model spec belongs in a file of its own"
    return did_you_mean(value, [kind])


def _misspelled_key(doc: Document, wanted: str) -> str | None:
    """A top-level key that is probably `wanted` mistyped (apiversion, api_version, kinds)."""
    squashed = wanted.lower()
    for key in doc.data:
        if str(key).lower().replace("_", "").replace("-", "") == squashed:
            return str(key)
    match = difflib.get_close_matches(wanted, [str(k) for k in doc.data], n=1, cutoff=0.75)
    return match[0] if match else None
