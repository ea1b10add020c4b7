"""Units as people write them: durations, rates, throughput, cron, and EventBridge schedules."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane import units
from controlplane.spec.types import Duration, Number, Rate, Throughput

DAY = 86400.0


# --- durations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("150ms", 0.15),
        ("30s", 30.0),
        ("5m", 300.0),
        ("2h", 7200.0),
        ("1.5h", 5400.0),
        ("1d", DAY),
        ("1w", 7 * DAY),
        ("9mo", 9 * 30 * DAY),
        ("12mo", 360 * DAY),
        ("1y", 365 * DAY),
        ("0s", 0.0),
    ],
)
def test_duration(text: str, seconds: float) -> None:
    assert units.parse_duration(text) == pytest.approx(seconds)


def test_month_is_not_minute() -> None:
    assert units.parse_duration("1mo") == 30 * DAY
    assert units.parse_duration("1m") == 60.0


@pytest.mark.parametrize(
    "value", ["2sec", "2H", "h", "", "-1h", "1e3s", ".5h", "5", "2 hours", 5, 2.5, None, True]
)
def test_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as 150ms"):
        units.parse_duration(value)


def test_duration_error_names_the_value() -> None:
    with pytest.raises(ValueError, match=r"got '2sec'$"):
        units.parse_duration("2sec")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (7200, "2h"),
        (0.15, "150ms"),
        (90, "90s"),
        (7 * DAY, "1w"),
        (365 * DAY, "1y"),
        (1.5, "1500ms"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert units.format_duration(seconds) == text


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(min_value=1, max_value=int(units.MAX_DURATION)))
def test_format_duration_round_trips_whole_seconds(seconds: int) -> None:
    assert units.parse_duration(units.format_duration(seconds)) == seconds


# --- rates and numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fraction"),
    [("0.1%", 0.001), ("5%", 0.05), ("99.95%", 0.9995), ("100%", 1.0), (0.001, 0.001), (1, 1.0)],
)
def test_rate(value: object, fraction: float) -> None:
    assert units.parse_rate(value) == pytest.approx(fraction)


@pytest.mark.parametrize("value", ["1 percent", "%", "-1%", "0.1", "five%", True, False, None, []])
def test_rate_rejects(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape("expected a rate such as 0.5% or 0.005")):
        units.parse_rate(value)


def test_number_accepts_plain_numbers_and_percentages() -> None:
    assert units.parse_number("3%") == pytest.approx(0.03)
    assert units.parse_number(12.5) == 12.5
    with pytest.raises(ValueError, match=re.escape("expected a number or a percentage such as 3%")):
        units.parse_number("twelve")


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.decimals(min_value=0, max_value=1000, places=3))
def test_percent_equals_its_fraction(value: object) -> None:
    assert units.parse_rate(f"{value}%") == pytest.approx(float(str(value)) / 100)


# --- throughput --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per_second"), [("50/s", 50.0), ("600/m", 10.0), ("3600/h", 1.0), ("0.5/s", 0.5)]
)
def test_throughput(text: str, per_second: float) -> None:
    assert units.parse_throughput(text) == pytest.approx(per_second)


@pytest.mark.parametrize("value", ["50 rps", "50/d", "50", "/s", 50, None])
def test_throughput_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="expected a throughput such as 50/s"):
        units.parse_throughput(value)


# --- the pydantic field types keep the text and the value ---------------------------


def test_unit_types_keep_what_was_written() -> None:
    duration = Duration.parse("2h")
    assert (str(duration), duration.value) == ("2h", 7200.0)
    assert Rate.parse("0.1%").value == pytest.approx(0.001)
    assert Rate.parse(0.25).text == "0.25"
    assert Throughput.parse("600/m").value == pytest.approx(10.0)
    assert Number.parse("3%").value == pytest.approx(0.03)
    assert Duration.parse(duration) is duration


# --- cron --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "normal"),
    [
        ("0 3 * * *", "0 3 * * *"),
        ("  0   3 * * *  ", "0 3 * * *"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("0 9-17 * * mon-fri", "0 9-17 * * mon-fri"),
        ("0 0 1,15 * *", "0 0 1,15 * *"),
        ("0 0 * jan,jul *", "0 0 * jan,jul *"),
        ("0-30/5 * * * *", "0-30/5 * * * *"),
        ("0 3 * * 7", "0 3 * * 7"),
        ("0 3 * * SUN", "0 3 * * SUN"),
        ("@daily", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@hourly", "0 * * * *"),
    ],
)
def test_cron_valid(cron: str, normal: str) -> None:
    assert units.normalize_cron(cron) == normal


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 25 * * *", "cron hour field: 25 is outside 0-23"),
        ("60 * * * *", "cron minute field: 60 is outside 0-59"),
        ("0 0 0 * *", "cron day of month field: 0 is outside 1-31"),
        ("0 0 * 13 *", "cron month field: 13 is outside 1-12"),
        ("0 0 * * 8", "cron day of week field: 8 is outside 0-7"),
        ("* * *", "expected a cron expression with 5 fields"),
        ("0 3 * * * *", "got 6 in"),
        ("", "got 0 in"),
        ("*/0 * * * *", "step '0' must be a positive number"),
        ("*/x * * * *", "step 'x' must be a positive number"),
        ("0 5-3 * * *", "range '5-3' runs backwards"),
        ("a b c d e", "cron minute field: 'a' is not a number"),
        ("0,,5 * * * *", "'' is not a number"),
        ("0 0 * foo *", "cron month field: 'foo' is not a number"),
        ("@sometimes", "expected a cron expression with 5 fields"),
    ],
)
def test_cron_invalid(cron: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        units.normalize_cron(cron)


# --- EventBridge -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "eventbridge"),
    [
        ("0 3 * * *", "cron(0 3 * * ? *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),
        ("0 0 * * 0", "cron(0 0 ? * 1 *)"),
        ("0 0 * * 7", "cron(0 0 ? * 1 *)"),
        ("0 0 * * 0,3", "cron(0 0 ? * 1,4 *)"),
        ("0 6 1 * *", "cron(0 6 1 * ? *)"),
        ("0 9 * * mon-fri", "cron(0 9 ? * mon-fri *)"),
    ],
)
def test_cron_to_eventbridge(cron: str, eventbridge: str) -> None:
    assert units.cron_to_eventbridge(cron) == eventbridge


_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}


def _weekdays(field: str, *, eventbridge: bool) -> set[int]:
    """The days (0 = Sunday) a day-of-week field fires on, in cron or EventBridge numbering."""
    low, high = (1, 7) if eventbridge else (0, 7)

    def number(text: str) -> int:
        return _DAYS[text.lower()] + (1 if eventbridge else 0) if text.isalpha() else int(text)

    days: set[int] = set()
    for part in field.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            first, last = low, high
        elif "-" in body:
            start, end = body.split("-")
            first, last = number(start), number(end)
        else:
            first = number(body)
            last = high if step else first
        assert first <= last, f"range {part!r} runs backwards"
        days.update(range(first, last + 1, int(step or 1)))
    return {(d - 1) % 7 if eventbridge else d % 7 for d in days}


@pytest.mark.parametrize(
    "weekdays", ["1-5", "0", "7", "0,3", "*/2", "1/2", "5-7", "6-7", "sat,sun", "mon-fri"]
)
def test_eventbridge_fires_on_the_same_weekdays(weekdays: str) -> None:
    expression = units.cron_to_eventbridge(f"0 6 * * {weekdays}")
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    assert fields[2] == "?"
    assert _weekdays(fields[4], eventbridge=True) == _weekdays(weekdays, eventbridge=False), (
        expression
    )


def test_eventbridge_does_not_drop_the_day_of_month() -> None:
    """`0 0 1 * 1` fires on the 1st and on Mondays; EventBridge cannot say both, so refuse."""
    with pytest.raises(ValueError):
        units.cadence_schedule("0 0 1 * 1")


@pytest.mark.parametrize(
    ("cadence", "schedule"),
    [
        ("daily", "rate(1 day)"),
        ("weekly", "rate(7 days)"),
        ("biweekly", "rate(14 days)"),
        ("monthly", "cron(0 3 1 * ? *)"),
        ("0 4 * * 1", "cron(0 4 ? * 2 *)"),
        ("@daily", "cron(0 0 * * ? *)"),
    ],
)
def test_cadence_schedule(cadence: str, schedule: str) -> None:
    assert units.cadence_schedule(cadence) == schedule


def test_cadence_schedule_rejects_a_bad_cron() -> None:
    with pytest.raises(ValueError, match="cron hour field: 24 is outside 0-23"):
        units.cadence_schedule("0 24 * * *")


# --- timestamps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        # 2026-11-30 is day 20,787 after 1970-01-01 (56 years with 14 leap days, then 333 days)
        ("2026-11-30T08:00:00Z", 20787 * DAY + 8 * 3600),
        ("2026-11-30T10:00:00+02:00", 20787 * DAY + 8 * 3600),
        ("1970-01-01T00:00:00.5Z", 0.5),
    ],
)
def test_timestamp(text: str, seconds: float) -> None:
    assert units.parse_timestamp(text) == seconds


@pytest.mark.parametrize(
    "value", ["2026-11-30T08:00:00", "2026-11-30", "2026-02-30T08:00:00Z", "yesterday", 1700000000]
)
def test_timestamp_needs_a_real_moment_and_its_offset(value: object) -> None:
    with pytest.raises(ValueError, match="with its offset such as 2026-11-30T08:00:00Z"):
        units.parse_timestamp(value)


def test_format_timestamp_reads_back() -> None:
    assert units.format_timestamp(20787 * DAY + 8 * 3600) == "2026-11-30T08:00:00Z"


# --- a whole value, not a prefix ---------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (units.parse_duration, "5m\n"),
        (units.parse_rate, "0.5%\n"),
        (units.parse_throughput, "50/s\n"),
    ],
)
def test_a_trailing_line_break_is_refused(parse: Callable[[object], float], text: str) -> None:
    # `$` matches before a trailing newline; the whole value must match.
    with pytest.raises(ValueError):
        parse(text)


# --- values past their range ------------------------------------------------------

OVERFLOW = "1" + "0" * 400


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (units.parse_rate, 10**400, "a number of 401 digits is too large"),
        (units.parse_rate, OVERFLOW + "%", f"{OVERFLOW[:24]!r}… (402 characters) is too large"),
        (units.parse_number, OVERFLOW + "%", f"{OVERFLOW[:24]!r}… (402 characters) is too large"),
        (
            units.parse_duration,
            OVERFLOW + "d",
            f"the duration {OVERFLOW[:24]!r}… (402 characters) is longer than 10 years",
        ),
        (units.parse_duration, "11y", "the duration '11y' is longer than 10 years"),
        (
            units.parse_throughput,
            "2000000/s",
            "the throughput '2000000/s' is over 1,000,000 requests a second",
        ),
    ],
)
def test_a_value_past_its_range_is_refused_as_out_of_range(
    parse: Callable[[object], float], value: object, message: str
) -> None:
    with pytest.raises(units.OutOfRange) as raised:
        parse(value)
    assert str(raised.value) == message


def test_the_largest_values_in_range_are_read() -> None:
    assert units.parse_duration("10y") == 10 * 365 * DAY
    assert units.parse_throughput("1000000/s") == 1e6
    assert units.parse_number(1e300) == 1e300


def test_a_bare_number_past_a_float_gets_an_example_unit_not_an_overflow() -> None:
    assert units.suggest_duration(10**400) == "a duration needs a unit, e.g. 30s for seconds"
    assert units.suggest_duration(12) == "a duration needs a unit, e.g. 12s for seconds"
    assert units.suggest_throughput(10**400) == (
        "a throughput needs a unit, e.g. 50/s for requests per second"
    )
    assert units.suggest_throughput(float("inf")) == (
        "a throughput needs a unit, e.g. 50/s for requests per second"
    )
