"""Units people write in specs, parsed once: durations, rates, throughput, cron.

Every parser returns the normalized value or raises ``ValueError`` with a
message fit to show the person who wrote the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# Seconds in the units a spec writes; a month (`mo`) is 30 days, a year 365.
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
MONTH, YEAR = 30 * DAY, 365 * DAY

_DURATION_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "m": MINUTE,
    "h": HOUR,
    "d": DAY,
    "w": 7 * DAY,
    "mo": MONTH,
    "y": YEAR,
}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|mo|m|h|d|w|y)$")
PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_THROUGHPUT = re.compile(r"^(\d+(?:\.\d+)?)/(s|m|h)$")

# The plausible extremes of what a spec writes: past them a value is a slip of the keyboard
# (a digit too many), and far past them a float overflows to infinity.
MAX_DURATION = 10 * YEAR
MAX_THROUGHPUT = 1e6  # requests per second: more than any one model's endpoint serves
DURATION_PATTERN = r"^\d+(\.\d+)?(ms|s|m|h|d|w|mo|y)$"
PERCENT_PATTERN = r"^\d+(\.\d+)?%$"
THROUGHPUT_PATTERN = r"^\d+(\.\d+)?/(s|m|h)$"
# An ISO 8601 moment with its offset: what `date -u +%FT%TZ` prints.
TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"


def _shown(value: object) -> str:
    """A refused value as the person wrote it: '2 h', 86400, true, a mapping."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing (null)"
    if isinstance(value, int) and abs(value) > 10**40:
        return f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, str):
        return _abridged(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class OutOfRange(ValueError):
    """A value written right but past its plausible range (or past what a float holds)."""


def _abridged(text: str) -> str:
    """A long value as a message quotes it: its start, and how long it is."""
    return repr(text) if len(text) <= 40 else f"{text[:24]!r}… ({len(text)} characters)"


def _finite(number: str | int | float, written: object) -> float:
    """A number as a float, refused when it is too large for one (1e400, 1 and 400 zeros)."""
    try:
        result = float(number)
    except OverflowError:
        result = math.inf
    if math.isinf(result):
        raise OutOfRange(f"{_shown(written)} is too large")
    return result


def parse_duration(value: object) -> float:
    """``"150ms"`` → 0.15, ``"9mo"`` → 23328000.0 (a month is 30 days)."""
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if match:
            seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
            if seconds <= MAX_DURATION:
                return seconds
            raise OutOfRange(f"the duration {_abridged(value)} is longer than 10 years")
    raise ValueError(
        f"expected a duration such as 150ms, 30s, 5m, 2h, 1d, 1w or 9mo, got {_shown(value)}"
    )


def parse_timestamp(value: object) -> float:
    """``"2026-11-30T08:00:00Z"`` → seconds since the epoch; the offset must be written."""
    if isinstance(value, str) and re.match(TIMESTAMP_PATTERN, value):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass  # a date that does not exist (2026-02-30), refused below
    raise ValueError(
        f"expected a moment with its offset such as 2026-11-30T08:00:00Z, got {_shown(value)}"
    )


def format_timestamp(seconds: float) -> str:
    """Seconds since the epoch as `parse_timestamp` reads them, in UTC."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rate(value: object) -> float:
    """A rate as a fraction: ``"0.1%"`` → 0.001, ``0.001`` → 0.001."""
    if isinstance(value, bool):
        raise ValueError(f"expected a rate such as 0.5% or 0.005, got {_shown(value)}")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite rate, got {_shown(value)}")
        return _finite(value, value)
    if isinstance(value, str):
        match = PERCENT.fullmatch(value)
        if match:
            return _finite(match.group(1), value) / 100.0
    raise ValueError(f"expected a rate such as 0.5% or 0.005, got {_shown(value)}")


def parse_number(value: object) -> float:
    """A bound that may be written as a percentage: ``"3%"`` → 0.03, ``12.5`` → 12.5."""
    try:
        return parse_rate(value)
    except OutOfRange:
        raise
    except ValueError:
        raise ValueError(
            f"expected a number or a percentage such as 3%, got {_shown(value)}"
        ) from None


def parse_throughput(value: object) -> float:
    """Requests per second: ``"50/s"`` → 50.0, ``"600/m"`` → 10.0."""
    if isinstance(value, str):
        match = _THROUGHPUT.fullmatch(value)
        if match:
            per = {"s": 1.0, "m": MINUTE, "h": HOUR}[match.group(2)]
            rate = float(match.group(1)) / per
            if rate <= MAX_THROUGHPUT:
                return rate
            raise OutOfRange(
                f"the throughput {_abridged(value)} is over {MAX_THROUGHPUT:,.0f} requests a second"
            )
    raise ValueError(f"expected a throughput such as 50/s or 3000/m, got {_shown(value)}")


# --- what a refused value probably meant -----------------------------------
# Each returns a hint for the person who wrote the value ("did you mean '2h'?"),
# or "" when no single fix is clearly meant: a hint never guesses.

_UNIT_WORDS = {
    "ms": ("msec", "msecs", "millis", "millisecond", "milliseconds"),
    "s": ("sec", "secs", "second", "seconds"),
    "m": ("min", "mins", "minute", "minutes"),
    "h": ("hr", "hrs", "hour", "hours"),
    "d": ("day", "days"),
    "w": ("wk", "wks", "week", "weeks"),
    "mo": ("mon", "month", "months"),
    "y": ("yr", "yrs", "year", "years"),
}
_NUMBER_AND_WORD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z%/ ]+?)\s*$")
_PER_WORDS = {
    "s": ("rps", "qps", "/sec", "/second", "persecond", "persec", "req/s", "requests/s", "/s"),
    "m": ("rpm", "/min", "/minute", "perminute", "permin", "req/m", "requests/m", "/m"),
    "h": ("rph", "/hour", "/hr", "perhour", "req/h", "requests/h", "/h"),
}


def _did_you_mean(candidate: str, parse: Callable[[object], float]) -> str:
    try:
        parse(candidate)
    except ValueError:
        return ""
    return f"did you mean {candidate!r}?"


def _plain_number(value: float, example: int) -> str:
    """A bare number as a hint repeats it (12 → 12), or an example when it is past a float."""
    try:
        number = float(value)
    except OverflowError:  # 1 and 400 zeros
        return str(example)
    return f"{number:g}" if math.isfinite(number) else str(example)


def suggest_duration(value: object) -> str:
    """``"2 hours"`` → did you mean '2h'?; a bare number is told to carry a unit."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"a duration needs a unit, e.g. {_plain_number(value, 30)}s for seconds"
    match = _NUMBER_AND_WORD.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return ""
    number, word = match.group(1), match.group(2).strip()
    if word == "M":  # minutes or months: no guess
        return f"write {number}m for minutes or {number}mo for months"
    word = word.lower()
    unit = word if word in _DURATION_UNITS else None
    unit = unit or next((u for u, words in _UNIT_WORDS.items() if word in words), None)
    return _did_you_mean(f"{number}{unit}", parse_duration) if unit else ""


def suggest_timestamp(value: object) -> str:
    """``"2026-11-30 08:00"`` → the same moment in UTC with its offset written, if that is meant."""
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return "write the moment as date -u +%FT%TZ prints it"
    if moment.tzinfo is None:
        return f"if the time is UTC, write {moment.strftime('%Y-%m-%dT%H:%M:%S')}Z"
    return f"did you mean '{moment.isoformat()}'?"


def suggest_rate(value: object) -> str:
    """``"1 percent"`` → did you mean '1%'?; ``"0.5"`` in quotes is told both readings."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if PERCENT.fullmatch(text) is None and re.fullmatch(r"\d+(\.\d+)?", text):
        return f"write {text}% for a percentage, or {text} without quotes for a fraction"
    match = _NUMBER_AND_WORD.fullmatch(text)
    if match and match.group(2).strip().lower() in ("%", "percent", "pct", "per cent"):
        return _did_you_mean(f"{match.group(1)}%", parse_rate)
    return ""


def suggest_throughput(value: object) -> str:
    """``"50 rps"`` → did you mean '50/s'?; a bare number is told to carry a unit."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f"a throughput needs a unit, e.g. {_plain_number(value, 50)}/s for requests per second"
        )
    match = _NUMBER_AND_WORD.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return ""
    word = match.group(2).replace(" ", "").lower()
    unit = next((u for u, words in _PER_WORDS.items() if word in words), None)
    return _did_you_mean(f"{match.group(1)}/{unit}", parse_throughput) if unit else ""


_FORMAT_UNITS = ("y", "w", "d", "h", "m", "s")


def format_duration(seconds: float, *, largest: str = "y") -> str:
    """A duration in the largest unit (up to ``largest``) that divides it exactly.

    7200 → "2h", 5400 → "90m", 0.15 → "150ms"; with largest="d", a week is "7d",
    as Prometheus recording-rule names spell their windows.
    """
    whole = round(seconds)
    if whole <= 0 or abs(seconds - whole) > 1e-9:
        return f"{round(seconds * 1000)}ms"
    for unit in _FORMAT_UNITS[_FORMAT_UNITS.index(largest) :]:
        size = int(_DURATION_UNITS[unit])
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


# --- cron ------------------------------------------------------------------

_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    (
        "day of week",
        0,
        7,
        {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
    ),
)
_CRON_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


def _cron_value(text: str, low: int, high: int, names: dict[str, int], field: str) -> int:
    number = names.get(text.lower()) if names else None
    if number is None:
        if not text.isdigit():
            raise ValueError(f"cron {field} field: {text!r} is not a number")
        number = int(text)
    if not low <= number <= high:
        raise ValueError(f"cron {field} field: {number} is outside {low}-{high}")
    return number


def _check_cron_field(text: str, low: int, high: int, names: dict[str, int], field: str) -> None:
    for part in text.split(","):
        body, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(f"cron {field} field: step {step!r} must be a positive number")
        if body == "*":
            continue
        start, dash, end = body.partition("-")
        first = _cron_value(start, low, high, names, field)
        if dash and _cron_value(end, low, high, names, field) < first:
            raise ValueError(f"cron {field} field: range {body!r} runs backwards")


def normalize_cron(value: str) -> str:
    """Validate a five-field cron expression (or an @macro) and return its five fields."""
    text = _CRON_MACROS.get(value.strip(), value.strip())
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected a cron expression with 5 fields (minute hour day month weekday), "
            f"got {len(fields)} in {value!r}"
        )
    for part, (field, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        _check_cron_field(part, low, high, names, field)
    return " ".join(fields)


@dataclass(frozen=True)
class Cadence:
    """A named retraining cadence: its EventBridge schedule and how often that runs."""

    schedule: str
    runs_per_year: float  # a year of 365 days


# The one table of named cadences: the check, its title, the JSON Schema, the starter
# spec, the README and the plan's cost all read it.
CADENCES: dict[str, Cadence] = {
    "hourly": Cadence("rate(1 hour)", 365 * 24),
    "daily": Cadence("rate(1 day)", 365),
    "weekly": Cadence("rate(7 days)", 365 / 7),
    "biweekly": Cadence("rate(14 days)", 365 / 14),
    "monthly": Cadence("cron(0 3 1 * ? *)", 12),  # 03:00 UTC on the 1st
}


def _field_values(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    """Every value a (validated) cron field matches."""
    values: set[int] = set()
    for part in text.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            first, last = low, high
        else:
            start, dash, end = body.partition("-")
            first = names[start.lower()] if start.lower() in names else int(start)
            if dash:
                last = names[end.lower()] if end.lower() in names else int(end)
            else:
                last = high if step else first
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _compress(values: list[int]) -> str:
    runs: list[str] = []
    start = previous = values[0]
    for value in [*values[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if value is not None:
            start = previous = value
    return ",".join(runs)


def cron_to_eventbridge(cron: str) -> str:
    """A five-field cron as an EventBridge ``cron()`` expression (six fields, one ``?``).

    EventBridge numbers weekdays 1-7 from Sunday (cron: 0-7 from Sunday) and has
    no step in that field, so numeric weekdays are expanded and renumbered. It
    cannot say "the 1st or a Monday" (cron's meaning when both day fields are
    set), so such an expression is refused.
    """
    minute, hour, dom, month, dow = cron.split()
    if dow == "*":
        return f"cron({minute} {hour} {dom} {month} ? *)"
    if dom != "*":
        raise ValueError(
            f"{cron!r} restricts both the day of month and the day of week, "
            "which an EventBridge schedule cannot express; keep one of them"
        )
    if any(ch.isdigit() for ch in dow) or "/" in dow:
        _, low, high, names = _CRON_FIELDS[4]
        days = sorted({d % 7 + 1 for d in _field_values(dow, low, high, names)})
        dow = _compress(days)
    return f"cron({minute} {hour} ? {month} {dow} *)"


def cadence_schedule(cadence: str) -> str:
    """The EventBridge schedule expression of a retraining cadence (a name or a cron)."""
    if cadence in CADENCES:
        return CADENCES[cadence].schedule
    return cron_to_eventbridge(normalize_cron(cadence))


def cadence_runs_per_year(cadence: str) -> float:
    """How often a retraining cadence (a name or a cron) runs in a year."""
    if cadence in CADENCES:
        return CADENCES[cadence].runs_per_year
    return cron_fires_per_year(normalize_cron(cadence))


def cron_fires_per_year(cron: str, year: int = 2026) -> int:
    """How often a (validated, five-field) cron fires in a calendar year.

    When both day fields are restricted cron fires on either (its OR rule).
    """
    fields = [
        _field_values(part, low, high, names)
        for part, (_, low, high, names) in zip(cron.split(), _CRON_FIELDS, strict=True)
    ]
    minutes, hours, days, months, weekdays = fields
    weekdays = {d % 7 for d in weekdays}
    dom_star, dow_star = cron.split()[2] == "*", cron.split()[4] == "*"
    day = date(year, 1, 1)
    matched = 0
    while day.year == year:
        on_dom, on_dow = day.day in days, (day.isoweekday() % 7) in weekdays
        if day.month in months and (
            (on_dom and on_dow) if dom_star or dow_star else (on_dom or on_dow)
        ):
            matched += 1
        day += timedelta(days=1)
    return matched * len(hours) * len(minutes)
