"""Schedule expressions: Rate, Cron, validate_schedule, parse_cron and next_fire_time."""
import calendar
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from myframework.runtime.errors import RegistrationError
from myframework.runtime.schedules import (
    Cron,
    CronFields,
    Rate,
    ScheduleExpression,
    next_fire_time,
    parse_cron,
    validate_schedule,
)


def ts(text: str) -> float:
    """Epoch seconds of a UTC ISO time such as ``2026-01-01T12:00:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# -- valid expressions ----------------------------------------------------------------------

AWS_DOC_EXAMPLES = [
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0 0 L * ? *)",
    "cron(0 0 ? * 6L *)",
    "cron(0 0 15W * ? *)",
]

OTHER_VALID = [
    "cron(* * * * ? *)",
    "cron(0 12 ? * * *)",
    "cron(0,30 9,12,18 * * ? *)",
    "cron(5-10 0-23 1-31 1-12 ? 1970-2199)",
    "cron(*/5 */2 */3 */4 ? */10)",
    "cron(10-50/5 1-23/2 1-31/7 1-12/3 ? 2020-2030/2)",
    "cron(59 23 31 12 ? 2199)",
    "cron(0 0 1 JAN,APR,JUL,OCT ? *)",
    "cron(0 0 1 jan-mar ? *)",
    "cron(0 0 1 Feb/2 ? *)",
    "cron(0 0 ? * mon-fri *)",
    "cron(0 0 ? * SUN,SAT *)",
    "cron(0 0 ? * 1-7 *)",
    "cron(0 0 ? * L *)",
    "cron(0 0 ? * FRIL *)",
    "cron(0 0 ? * 7#5 *)",
    "cron(0 0 ? * MON#1 *)",
    "cron(0 0 LW * ? *)",
    "cron(0 0 1W * ? *)",
    "cron(0 0 31W * ? *)",
    "cron(00 09 01 01 ? 2030)",
    "cron(0 0 1 * ? 2026,2027)",
]


@pytest.mark.parametrize("expression", AWS_DOC_EXAMPLES + OTHER_VALID)
def test_valid_cron_strings_are_returned_unchanged(expression: str) -> None:
    assert validate_schedule(expression) == expression
    assert isinstance(parse_cron(expression), CronFields)


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1, Rate.MINUTES, "rate(1 minute)"),
    (5, Rate.MINUTES, "rate(5 minutes)"),
    (1, Rate.HOURS, "rate(1 hour)"),
    (2, Rate.HOURS, "rate(2 hours)"),
    (1, Rate.DAYS, "rate(1 day)"),
    (3, Rate.DAYS, "rate(3 days)"),
    (10_000, Rate.MINUTES, "rate(10000 minutes)"),
])
def test_rate_to_string_uses_singular_for_one_and_plural_otherwise(
        value: int, unit: str, expected: str) -> None:
    rate = Rate(value, unit=unit)
    assert rate.to_string() == expected
    assert (rate.value, rate.unit) == (value, unit)
    assert validate_schedule(rate) == expected
    assert validate_schedule(expected) == expected
    assert isinstance(rate, ScheduleExpression)


def test_rate_repr_equality_and_hash() -> None:
    assert repr(Rate(5, unit=Rate.MINUTES)) == "Rate(5, unit=Rate.MINUTES)"
    assert Rate(5, Rate.MINUTES) == Rate(5, Rate.MINUTES)
    assert Rate(5, Rate.MINUTES) != Rate(5, Rate.HOURS)
    assert len({Rate(5, Rate.MINUTES), Rate(5, Rate.MINUTES)}) == 1


def test_cron_object_keeps_its_values_and_renders_the_aws_string() -> None:
    cron = Cron(0, 12, "*", "*", "?", "*")
    assert cron.to_string() == "cron(0 12 * * ? *)"
    assert validate_schedule(cron) == "cron(0 12 * * ? *)"
    assert (cron.minutes, cron.hours, cron.day_of_month, cron.month, cron.day_of_week,
            cron.year) == (0, 12, "*", "*", "?", "*")
    assert Cron("0/5", "8-17", "?", "*", "MON-FRI", "*").to_string() == \
        "cron(0/5 8-17 ? * MON-FRI *)"
    assert Cron(0, 12, "*", "*", "?", "*") == Cron("0", "12", "*", "*", "?", "*")
    assert repr(cron) == "Cron(0, 12, '*', '*', '?', '*')"
    assert isinstance(cron, ScheduleExpression)


@pytest.mark.parametrize("raw", [
    "  rate(5 minutes)", "rate(5 minutes)\n", "\t rate(5 minutes) \r\n",
])
def test_surrounding_whitespace_is_stripped(raw: str) -> None:
    assert validate_schedule(raw) == "rate(5 minutes)"


def test_surrounding_whitespace_is_stripped_for_cron_too() -> None:
    assert validate_schedule("\n cron(0 12 * * ? *) ") == "cron(0 12 * * ? *)"


# -- rate errors ----------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "fragments"), [
    ("rate(1 minutes)", ["rate(1 minutes)", 'use "rate(1 minute)"']),
    ("rate(1 hours)", ['use "rate(1 hour)"']),
    ("rate(1 days)", ['use "rate(1 day)"']),
    ("rate(5 minute)", ["rate(5 minute)", 'use "rate(5 minutes)"']),
    ("rate(2 hour)", ['use "rate(2 hours)"']),
    ("rate(7 day)", ['use "rate(7 days)"']),
    ("rate(0 minutes)", ["value 0", "at least 1"]),
    ("rate(-5 minutes)", ["'-5'", "whole number"]),
    ("rate(+5 minutes)", ["'+5'", "no sign"]),
    ("rate(1.5 hours)", ["1.5", "whole number", "rate(90 minutes)"]),
    ("rate(05 minutes)", ["leading zero", "rate(5 minutes)"]),
    ("rate(five minutes)", ["'five'", "whole number"]),
    ("rate(5 Minutes)", ["'Minutes'", "lower case", "rate(5 minutes)"]),
    ("rate(5 mins)", ["'mins'", "minute(s), hour(s) or day(s)"]),
    ("rate(30 seconds)", ["'seconds'", "rate(1 minute)"]),
    ("rate(5 weeks)", ["'weeks'"]),
    ("rate(5  minutes)", ["single space"]),
    ("rate(5\tminutes)", ["single space"]),
    ("rate( 5 minutes)", ["single space"]),
    ("rate(5)", ["rate(value unit)"]),
    ("rate()", ["rate(value unit)"]),
    ("rate(5 minutes", ["closing ')'"]),
    ("RATE(5 minutes)", ["lower case"]),
])
def test_invalid_rate_strings(expression: str, fragments: list[str]) -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule(expression)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


@pytest.mark.parametrize(("value", "fragment"), [
    (0, "at least 1, got 0"),
    (-1, "at least 1, got -1"),
    (True, "got bool True"),
    (False, "got bool False"),
    (1.0, "got float 1.0"),
    (2.5, "got float 2.5"),
    ("5", "got str '5'"),
    (None, "got NoneType None"),
])
def test_rate_rejects_values_that_are_not_positive_ints(value: object, fragment: str) -> None:
    with pytest.raises(RegistrationError, match="value") as info:
        Rate(value, unit=Rate.MINUTES)  # type: ignore[arg-type]
    assert fragment in str(info.value)


@pytest.mark.parametrize("unit", ["minutes", "MINUTE", "SECONDS", "WEEKS", "", None, 5])
def test_rate_rejects_units_other_than_the_constants(unit: object) -> None:
    with pytest.raises(RegistrationError) as info:
        Rate(5, unit=unit)  # type: ignore[arg-type]
    message = str(info.value)
    assert "Rate.MINUTES, Rate.HOURS or Rate.DAYS" in message
    assert repr(unit) in message


# -- cron errors ----------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "fragments"), [
    # ranges of each field
    ("cron(60 12 * * ? *)", ["minutes value 60 is out of range 0-59"]),
    ("cron(0 24 * * ? *)", ["hours value 24 is out of range 0-23"]),
    ("cron(0 12 0 * ? *)", ["day-of-month value 0 is out of range 1-31"]),
    ("cron(0 12 32 * ? *)", ["day-of-month value 32 is out of range 1-31"]),
    ("cron(0 12 * 13 ? *)", ["month value 13 is out of range 1-12"]),
    ("cron(0 12 * 0 ? *)", ["month value 0 is out of range 1-12"]),
    ("cron(0 12 ? * 8 *)", ["cron(0 12 ? * 8 *): day-of-week value 8 is out of range 1-7 "
                            "(or SUN-SAT)"]),
    ("cron(0 12 ? * 0 *)", ["day-of-week value 0 is out of range 1-7"]),
    ("cron(0 12 * * ? 1969)", ["year value 1969 is out of range 1970-2199"]),
    ("cron(0 12 * * ? 2200)", ["year value 2200 is out of range 1970-2199"]),
    ("cron(0 12 * * ? 2020-2200)", ["year value 2200"]),
    ("cron(0 5-25 * * ? *)", ["hours value 25"]),
    # names
    ("cron(0 12 * JANUARY ? *)", ["month value 'JANUARY'", "JAN-DEC"]),
    ("cron(0 12 ? * MONDAY *)", ["day-of-week value 'MONDAY'", "SUN-SAT"]),
    ("cron(0 12 ? * JAN *)", ["day-of-week value 'JAN'"]),
    ("cron(0 12 * MON ? *)", ["month value 'MON'"]),
    ("cron(0 MON * * ? *)", ["hours value 'MON' is not a number"]),
    ("cron(0 12 * * ? MMXX)", ["year value 'MMXX'"]),
    # ranges and steps
    ("cron(0 12 ? * FRI-MON *)", ["day-of-week range FRI-MON runs backwards", "MON-FRI"]),
    ("cron(50-10 * * * ? *)", ["minutes range 50-10 runs backwards"]),
    ("cron(0 12 * DEC-JAN ? *)", ["month range DEC-JAN runs backwards"]),
    ("cron(1-2-3 12 * * ? *)", ["minutes range '1-2-3' is not valid"]),
    ("cron(5- 12 * * ? *)", ["minutes range '5-'"]),
    ("cron(*/0 * * * ? *)", ["minutes step 0", "out of range 1-59"]),
    ("cron(0/60 * * * ? *)", ["minutes step 60", "1-59"]),
    ("cron(0 0/24 * * ? *)", ["hours step 24", "1-23"]),
    ("cron(0/x * * * ? *)", ["minutes item '0/x' has step 'x'"]),
    ("cron(0/ * * * ? *)", ["minutes item '0/' has step ''"]),
    ("cron(/5 * * * ? *)", ["minutes item '/5' has no start"]),
    ("cron(0/5/2 * * * ? *)", ["more than one /"]),
    ("cron(60/5 * * * ? *)", ["minutes value 60 is out of range"]),
    ("cron(0 12 * 13/2 ? *)", ["month value 13"]),
    ("cron(0 12 ? * */2 *)", ["day-of-week value '*/2' contains '/'",
                              "1-7, SUN-SAT and , - * ? L #"]),
    ("cron(5* * * * ? *)", ["minutes item '5*'", "* must stand alone"]),
    # lists
    ("cron(1,,2 * * * ? *)", ["minutes has an empty list item"]),
    ("cron(1, * * * ? *)", ["minutes has an empty list item"]),
    # ? placement and the day-of-month / day-of-week rule
    ("cron(0 12 * * * *)", ["day-of-month (*) and day-of-week (*) are both set",
                            "use ? in day-of-month or day-of-week, e.g. cron(0 12 * * ? *)"]),
    ("cron(0 12 1 * MON *)", ["day-of-month (1) and day-of-week (MON) are both set"]),
    ("cron(0 12 ? * ? *)", ["both ?", "exactly one of them must be ?"]),
    ("cron(? 12 * * ? *)", ["minutes value '?'", "only allowed in day-of-month or day-of-week"]),
    ("cron(0 ? * * ? *)", ["hours value '?'"]),
    ("cron(0 12 * ? ? *)", ["month value '?'"]),
    ("cron(0 12 * * ? ?)", ["year value '?'"]),
    ("cron(0 12 ?,1 * ? *)", ["day-of-month value '?,1'", "? must be the whole field"]),
    # L, W and #
    ("cron(0 12 1,L * ? *)", ["day-of-month value '1,L'", "must be the whole field"]),
    ("cron(0 12 L-2 * ? *)", ["day-of-month value 'L-2'"]),
    ("cron(0 12 WL * ? *)", ["day-of-month value 'WL'"]),
    ("cron(0 12 W * ? *)", ["day-of-month value 'W'"]),
    ("cron(0 12 1-5W * ? *)", ["day-of-month value '1-5W'"]),
    ("cron(0 12 32W * ? *)", ["day-of-month value 32 is out of range 1-31"]),
    ("cron(0 12 0W * ? *)", ["day-of-month value 0 is out of range"]),
    ("cron(0 12 ? * 3#6 *)", ["day-of-week value '3#6'", "# index '6' is out of range 1-5"]),
    ("cron(0 12 ? * 3#0 *)", ["# index '0'"]),
    ("cron(0 12 ? * 3# *)", ["# index ''"]),
    ("cron(0 12 ? * 8#1 *)", ["day-of-week value 8 is out of range 1-7"]),
    ("cron(0 12 ? * 3#1,6#3 *)", ["day-of-week value '3#1,6#3'", "only one"]),
    ("cron(0 12 ? * 8L *)", ["day-of-week value 8"]),
    ("cron(0 12 ? * 1,5L *)", ["day-of-week value '1,5L'", "whole field"]),
    ("cron(0 12 ? * 1#2#3 *)", ["day-of-week value '1#2#3'"]),
    ("cron(0 12 L * ? 2020L)", ["year value '2020L' is not a number"]),
    ("cron(L 12 * * ? *)", ["minutes value 'L' is not a number"]),
    ("cron(0 12 * * L *)", ["both set"]),
    ("cron(0 12 15W * 1 *)", ["both set"]),
    ("cron(0 12 # * ? *)", ["day-of-month value '#' contains '#'"]),
    ("cron(0 12 * L ? *)", ["month value 'L'"]),
    # garbage characters, negative numbers
    ("cron(0 1x * * ? *)", ["hours value '1x' is not a number"]),
    ("cron(0 12 * * ? *!)", ["year value '*!' contains '!'"]),
    ("cron(0 12 * * ? *))", ["year value '*)' contains ')'"]),
    ("cron(0 12 * * ? (*))", ["year value '(*)' contains '('"]),
    ("cron(-1 12 * * ? *)", ["minutes value -1 is out of range 0-59"]),
    ("cron(0 1\u0662 * * ? *)", ["hours value", "contains"]),
    ("cron(0 12 * * ? \u00b2)", ["year value", "contains"]),
    # field count and spacing
    ("cron(0 12 * * ?)", ["found 5 fields", "exactly 6", "add * at the end"]),
    ("cron(0 12 * * ? * *)", ["found 7 fields"]),
    ("cron(*)", ["found 1 field;"]),
    ("cron()", ["found 0 fields;"]),
    ("cron(0  12 * * ? *)", ["single spaces"]),
    ("cron(0\t12 * * ? *)", ["single spaces"]),
    ("cron( 0 12 * * ? *)", ["single spaces"]),
    ("cron(0 12 * * ? * )", ["single spaces"]),
    ("cron(0 12 * * ? *", ["closing ')'"]),
    ("Cron(0 12 * * ? *)", ["write cron in lower case"]),
])
def test_invalid_cron_strings_name_the_field_and_value(expression: str,
                                                       fragments: list[str]) -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule(expression)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_errors_start_with_the_expression() -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule("cron(0 12 ? * 8 *)")
    assert str(info.value) == \
        "cron(0 12 ? * 8 *): day-of-week value 8 is out of range 1-7 (or SUN-SAT)"


@pytest.mark.parametrize("expression", [
    "cron(0 12 ? * 8 *)", "rate(0 minutes)", "every 5 minutes", 5, None,
])
def test_where_prefixes_the_message(expression: object) -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule(expression, where="@schedule on cleanup")  # type: ignore[arg-type]
    assert str(info.value).startswith("@schedule on cleanup: ")
    with pytest.raises(RegistrationError) as info:
        validate_schedule(expression)  # type: ignore[arg-type]
    assert not str(info.value).startswith(":")
    assert "@schedule" not in str(info.value)


@pytest.mark.parametrize(("expression", "fragment"), [
    (5, "got int 5"),
    (None, "got NoneType None"),
    (5.0, "got float 5.0"),
    (b"rate(5 minutes)", "got bytes b'rate(5 minutes)'"),
    (["rate(5 minutes)"], "got list"),
    ({"rate": 5}, "got dict"),
    ("every 5 minutes", "'every 5 minutes' is not a schedule expression"),
    ("at(2026-01-01T00:00:00)", "'at(2026-01-01T00:00:00)' is not a schedule expression"),
    ("", "empty"),
    ("   ", "empty"),
    ("0 12 * * ? *", "'0 12 * * ? *' is not a schedule expression"),
    ("*/5 * * * *", "is not a schedule expression"),
])
def test_other_inputs_are_rejected_listing_what_is_accepted(expression: object,
                                                            fragment: str) -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule(expression)  # type: ignore[arg-type]
    message = str(info.value)
    assert fragment in message, message
    if "empty" not in fragment:
        assert "rate(5 minutes)" in message
        assert "cron(0 12 * * ? *)" in message


def test_a_huge_bad_value_is_shortened_in_the_message() -> None:
    with pytest.raises(RegistrationError) as info:
        validate_schedule("x" * 100_000)
    assert len(str(info.value)) < 400


def test_a_mutated_rate_is_revalidated() -> None:
    rate = Rate(5, Rate.MINUTES)
    rate.value = 0
    with pytest.raises(RegistrationError, match="at least 1"):
        validate_schedule(rate)


def test_a_schedule_expression_returning_a_non_string_is_rejected() -> None:
    class Broken(ScheduleExpression):
        def to_string(self) -> str:
            return 5  # type: ignore[return-value]

    with pytest.raises(RegistrationError, match=r"Broken\.to_string\(\) returned int 5"):
        validate_schedule(Broken())


def test_custom_schedule_expression_subclass_is_validated_by_its_string() -> None:
    class Hourly(ScheduleExpression):
        def to_string(self) -> str:
            return "rate(1 hour)"

    assert validate_schedule(Hourly()) == "rate(1 hour)"


# -- Cron constructor -----------------------------------------------------------------------

@pytest.mark.parametrize(("args", "fragments"), [
    ((0, 24, "*", "*", "?", "*"), ["Cron(0, 24, '*', '*', '?', '*')",
                                   "hours value 24 is out of range 0-23"]),
    ((-1, 0, "*", "*", "?", "*"), ["minutes value -1 is out of range 0-59"]),
    ((0, 0, "*", "*", 8, "*"), ["day-of-week value 8 is out of range"]),
    ((0, 0, "?", "*", 8, "*"), ["day-of-week value 8 is out of range"]),
    ((0, 0, "*", "*", "*", "*"), ["both set"]),
    ((0, 0, "?", "*", "?", "*"), ["both ?"]),
    ((0, 0, "", "*", "?", "*"), ["day-of-month is empty", "'?'"]),
    ((0, 0, "*", "", "?", "*"), ["month is empty"]),
    ((0, 0, "1 15", "*", "?", "*"), ["day-of-month value '1 15' contains whitespace", "1,15"]),
    ((0, 0, "*", "*", "? ", "*"), ["day-of-week value '? ' contains whitespace"]),
    ((0.5, 0, "*", "*", "?", "*"), ["minutes must be a str or int, got float 0.5"]),
    ((0, True, "*", "*", "?", "*"), ["hours must be a str or int, got bool True"]),
    ((0, 0, "*", "*", "?", None), ["year must be a str or int, got NoneType None"]),
    ((0, 0, "*", "*", "?", 1969), ["year value 1969"]),
])
def test_cron_constructor_validates(args: tuple[object, ...], fragments: list[str]) -> None:
    with pytest.raises(RegistrationError) as info:
        Cron(*args)  # type: ignore[arg-type]
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# -- parse_cron -----------------------------------------------------------------------------

def test_parse_cron_fields() -> None:
    fields = parse_cron("cron(0/15 8-17/3 * JAN,mar ? 2026-2030/2)")
    assert fields.minutes == {0, 15, 30, 45}
    assert fields.hours == {8, 11, 14, 17}
    assert fields.days_of_month == frozenset(range(1, 32))
    assert fields.months == {1, 3}
    assert fields.days_of_week is None
    assert fields.years == {2026, 2028, 2030}
    assert fields.expression == "cron(0/15 8-17/3 * JAN,mar ? 2026-2030/2)"


@pytest.mark.parametrize(("expression", "attribute", "value"), [
    ("cron(0 0 L * ? *)", "last_day_of_month", True),
    ("cron(0 0 LW * ? *)", "last_weekday_of_month", True),
    ("cron(0 0 15W * ? *)", "nearest_weekday", 15),
    ("cron(0 0 ? * 6L *)", "last_day_of_week", 6),
    ("cron(0 0 ? * FRIL *)", "last_day_of_week", 6),
    ("cron(0 0 ? * 2#1 *)", "nth_day_of_week", (2, 1)),
    ("cron(0 0 ? * mon#3 *)", "nth_day_of_week", (2, 3)),
    ("cron(0 0 ? * L *)", "days_of_week", {7}),
    ("cron(0 0 ? * MON-FRI *)", "days_of_week", {2, 3, 4, 5, 6}),
    ("cron(0 0 ? * SUN,sat *)", "days_of_week", {1, 7}),
])
def test_parse_cron_special_markers(expression: str, attribute: str, value: object) -> None:
    fields = parse_cron(expression)
    assert getattr(fields, attribute) == value


def test_parse_cron_accepts_a_cron_object_and_rejects_rates() -> None:
    assert parse_cron(Cron(0, 12, "*", "*", "?", "*")).hours == {12}
    with pytest.raises(RegistrationError, match="not a cron"):
        parse_cron("rate(5 minutes)")
    with pytest.raises(RegistrationError, match="hours value 24"):
        parse_cron("cron(0 24 * * ? *)")


def _reference_days(expression: str, year: int, month: int) -> list[int]:
    """The days a day-of-month / day-of-week expression selects, computed with datetime."""
    dom, dow = expression.split(" ")[2], expression.split(" ")[4]
    ndays = calendar.monthrange(year, month)[1]
    days = [date(year, month, d) for d in range(1, ndays + 1)]

    def aws_dow(d: date) -> int:  # 1 = SUN .. 7 = SAT
        return (d.weekday() + 1) % 7 + 1

    if dom == "L":
        return [ndays]
    if dom == "LW":
        last = days[-1]
        while last.weekday() >= 5:
            last -= timedelta(days=1)
        return [last.day]
    if dom.endswith("W"):
        n = int(dom[:-1])
        if n > ndays:
            return []
        target = date(year, month, n)
        # the weekday nearest to the target within the same month
        candidates = [d for d in days if d.weekday() < 5]
        best = min(candidates, key=lambda d: (abs((d - target).days), d))
        return [best.day]
    if dow.endswith("L"):
        wanted = int(dow[:-1])
        return [max(d.day for d in days if aws_dow(d) == wanted)]
    if "#" in dow:
        wanted, nth = (int(x) for x in dow.split("#"))
        matches = [d.day for d in days if aws_dow(d) == wanted]
        return [matches[nth - 1]] if nth <= len(matches) else []
    raise AssertionError(expression)


SPECIAL_DAY_EXPRESSIONS = (
    ["cron(0 0 L * ? *)", "cron(0 0 LW * ? *)"]
    + ["cron(0 0 %dW * ? *)" % n for n in range(1, 32)]
    + ["cron(0 0 ? * %dL *)" % n for n in range(1, 8)]
    + ["cron(0 0 ? * %d#%d *)" % (n, k) for n in range(1, 8) for k in range(1, 6)]
)


@pytest.mark.parametrize("expression", SPECIAL_DAY_EXPRESSIONS)
def test_special_day_markers_match_a_datetime_reference(expression: str) -> None:
    fields = parse_cron(expression)
    for year in (2024, 2025, 2026, 2100):
        for month in range(1, 13):
            assert fields.days(year, month) == _reference_days(expression, year, month), \
                (expression, year, month)


# -- next_fire_time -------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "after", "expected"), [
    ("cron(0 12 * * ? *)", "2026-01-01T12:00:00", "2026-01-02T12:00:00"),
    ("cron(0 12 * * ? *)", "2026-01-01T11:59:59", "2026-01-01T12:00:00"),
    ("cron(0 12 * * ? *)", "2026-01-01T11:59:59.999", "2026-01-01T12:00:00"),
    ("cron(15 12 * * ? *)", "2026-01-01T12:15:30", "2026-01-02T12:15:00"),
    ("cron(0/15 * * * ? *)", "2026-01-01T12:07:30", "2026-01-01T12:15:00"),
    ("cron(0/15 * * * ? *)", "2026-01-01T12:15:00", "2026-01-01T12:30:00"),
    ("cron(0/15 * * * ? *)", "2026-01-01T23:50:00", "2026-01-02T00:00:00"),
    ("cron(* * * * ? *)", "2026-01-01T00:00:00", "2026-01-01T00:01:00"),
    ("cron(59 23 31 12 ? *)", "2026-12-31T23:59:00", "2027-12-31T23:59:00"),
    # 2026-01-01 is a Thursday; the first Monday is the 5th
    ("cron(0 9 ? * 2#1 *)", "2026-01-01T00:00:00", "2026-01-05T09:00:00"),
    ("cron(0 9 ? * MON#1 *)", "2026-01-05T09:00:00", "2026-02-02T09:00:00"),
    # fifth Thursday: Jan 29, then none in Feb or Mar, then Apr 30
    ("cron(0 0 ? * 5#5 *)", "2026-02-01T00:00:00", "2026-04-30T00:00:00"),
    ("cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00:00", "2026-01-05T18:00:00"),
    ("cron(0/5 8-17 ? * MON-FRI *)", "2026-01-02T17:55:00", "2026-01-05T08:00:00"),
    ("cron(0/5 8-17 ? * MON-FRI *)", "2026-01-05T08:02:00", "2026-01-05T08:05:00"),
    ("cron(0 8 1 * ? *)", "2026-01-15T00:00:00", "2026-02-01T08:00:00"),
    # L: the last day of the month
    ("cron(0 0 L * ? *)", "2026-02-01T00:00:00", "2026-02-28T00:00:00"),
    ("cron(0 0 L * ? *)", "2024-02-01T00:00:00", "2024-02-29T00:00:00"),
    ("cron(0 0 L * ? *)", "2026-01-31T00:00:00", "2026-02-28T00:00:00"),
    # LW: Jan 31 2026 is a Saturday -> Friday 30th
    ("cron(0 0 LW * ? *)", "2026-01-01T00:00:00", "2026-01-30T00:00:00"),
    # 6L: the last Friday of January 2026 is the 30th
    ("cron(0 0 ? * 6L *)", "2026-01-01T00:00:00", "2026-01-30T00:00:00"),
    # L alone in day-of-week: Saturday
    ("cron(0 0 ? * L *)", "2026-01-01T00:00:00", "2026-01-03T00:00:00"),
    # 15W: Nov 15 2025 is a Saturday -> Friday 14th; Feb 15 2026 is a Sunday -> Monday 16th
    ("cron(0 0 15W * ? *)", "2025-11-01T00:00:00", "2025-11-14T00:00:00"),
    ("cron(0 0 15W * ? *)", "2026-02-01T00:00:00", "2026-02-16T00:00:00"),
    ("cron(0 0 15W * ? *)", "2026-01-01T00:00:00", "2026-01-15T00:00:00"),
    # 1W: Nov 1 2025 is a Saturday -> Monday 3rd (never into the previous month)
    ("cron(0 0 1W * ? *)", "2025-10-31T00:00:00", "2025-11-03T00:00:00"),
    # 31W: Aug 31 2025 is a Sunday -> Friday 29th; months without a 31st are skipped
    ("cron(0 0 31W * ? *)", "2025-08-01T00:00:00", "2025-08-29T00:00:00"),
    ("cron(0 0 31W * ? *)", "2025-09-01T00:00:00", "2025-10-31T00:00:00"),
    # leap days
    ("cron(0 0 29 2 ? *)", "2025-01-01T00:00:00", "2028-02-29T00:00:00"),
    ("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00", "2104-02-29T00:00:00"),  # 2100 is not leap
    ("cron(0 0 29 2 ? *)", "1999-03-01T00:00:00", "2000-02-29T00:00:00"),  # 2000 is
    # years
    ("cron(0 0 1 1 ? 2030)", "2026-06-01T00:00:00", "2030-01-01T00:00:00"),
    ("cron(30 6 1 JAN,JUL ? 2026/2)", "2026-01-01T06:30:00", "2026-07-01T06:30:00"),
    ("cron(30 6 1 JAN,JUL ? 2026/2)", "2026-07-01T06:30:00", "2028-01-01T06:30:00"),
    # before 1970, the search starts at 1970
    ("cron(0 0 1 1 ? *)", "1960-05-05T00:00:00", "1970-01-01T00:00:00"),
])
def test_next_fire_time_cron(expression: str, after: str, expected: str) -> None:
    assert iso(next_fire_time(expression, ts(after))) == expected


def test_next_fire_time_returns_a_float_and_accepts_ints_and_objects() -> None:
    result = next_fire_time(Cron(0, 12, "*", "*", "?", "*"), int(ts("2026-01-01T00:00:00")))
    assert isinstance(result, float)
    assert iso(result) == "2026-01-01T12:00:00"


@pytest.mark.parametrize(("expression", "seconds"), [
    ("rate(1 minute)", 60),
    ("rate(5 minutes)", 300),
    ("rate(1 hour)", 3600),
    ("rate(2 hours)", 7200),
    ("rate(1 day)", 86400),
    ("rate(3 days)", 3 * 86400),
])
def test_next_fire_time_rate(expression: str, seconds: int) -> None:
    after = ts("2026-01-01T00:00:07.5")
    assert next_fire_time(expression, after) == after + seconds
    assert next_fire_time(" %s " % expression, after) == after + seconds


def test_next_fire_time_rate_object() -> None:
    assert next_fire_time(Rate(2, Rate.HOURS), 1000.0) == 1000.0 + 7200


@pytest.mark.parametrize(("expression", "after"), [
    ("cron(0 0 30 2 ? *)", "2026-01-01T00:00:00"),
    ("cron(0 0 31 4,6,9,11 ? *)", "2026-01-01T00:00:00"),
    ("cron(0 0 1 1 ? 2020)", "2026-01-01T00:00:00"),
    ("cron(0 0 * * ? *)", "2199-12-31T00:00:00"),
    ("cron(0 0 29 2 ? 2197-2199)", "2026-01-01T00:00:00"),
])
def test_next_fire_time_gives_up_when_nothing_matches(expression: str, after: str) -> None:
    with pytest.raises(ValueError, match="never fires") as info:
        next_fire_time(expression, ts(after))
    assert not isinstance(info.value, RegistrationError)
    assert expression in str(info.value)


def test_next_fire_time_after_the_last_year() -> None:
    with pytest.raises(ValueError, match="never fires"):
        next_fire_time("cron(* * * * ? *)", 1e300)


def test_next_fire_time_rejects_invalid_expressions_and_times() -> None:
    with pytest.raises(RegistrationError, match="hours value 24"):
        next_fire_time("cron(0 24 * * ? *)", 0.0)
    with pytest.raises(RegistrationError, match="singular"):
        next_fire_time("rate(1 minutes)", 0.0)
    with pytest.raises(ValueError, match="finite"):
        next_fire_time("rate(5 minutes)", float("nan"))
    with pytest.raises(ValueError, match="finite"):
        next_fire_time("cron(0 12 * * ? *)", float("inf"))
    with pytest.raises(TypeError, match="epoch seconds"):
        next_fire_time("rate(5 minutes)", "0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="epoch seconds"):
        next_fire_time("rate(5 minutes)", True)


# -- properties -----------------------------------------------------------------------------

@given(value=st.integers(min_value=1, max_value=10**9),
       unit=st.sampled_from([Rate.MINUTES, Rate.HOURS, Rate.DAYS]),
       padding=st.sampled_from(["", " ", "\n", "\t "]))
def test_rate_round_trips_through_its_string(value: int, unit: str, padding: str) -> None:
    expression = validate_schedule(Rate(value, unit=unit))
    assert validate_schedule(expression) == expression
    assert validate_schedule(padding + expression + padding) == expression
    assert next_fire_time(expression, 0.0) == value * {"MINUTES": 60, "HOURS": 3600,
                                                        "DAYS": 86400}[unit]


CRON_ALPHABET = "0123456789*?,-/#LW JANFEBMONSUNFRIlw"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
    st.text(),
    st.text(alphabet=CRON_ALPHABET).map(lambda s: "cron(%s)" % s),
    st.lists(st.text(alphabet=CRON_ALPHABET, min_size=1, max_size=6), min_size=6, max_size=6)
    .map(lambda parts: "cron(%s)" % " ".join(parts)),
    st.text(alphabet="0123456789 minutesdayhour.+-").map(lambda s: "rate(%s)" % s),
))
def test_arbitrary_text_raises_only_registration_error(text: str) -> None:
    error = ""
    try:
        expression = validate_schedule(text, where="@schedule on fuzz")
    except RegistrationError as exc:
        error = str(exc)
    if error:
        assert error.startswith("@schedule on fuzz: ")
        return
    assert expression == text.strip()
    # a valid expression can be run locally: it fires later, or provably never
    after = ts("2026-01-01T00:00:00")
    fired: float | None = None
    try:
        fired = next_fire_time(expression, after)
    except RegistrationError:  # pragma: no cover - validated above, so a bug
        raise
    except ValueError as exc:
        error = str(exc)
    if fired is None:
        assert "never fires" in error
    else:
        assert fired > after


@settings(max_examples=200, deadline=None)
@given(minute=st.integers(0, 59), hour=st.integers(0, 23), day=st.integers(1, 28),
       month=st.integers(1, 12), start=st.integers(0, 200 * 365 * 86400))
def test_next_fire_time_matches_the_fields_and_skips_nothing(
        minute: int, hour: int, day: int, month: int, start: int) -> None:
    expression = "cron(%d %d %d %d ? *)" % (minute, hour, day, month)
    fired = datetime.fromtimestamp(next_fire_time(expression, start), timezone.utc)
    assert (fired.minute, fired.hour, fired.day, fired.month, fired.second) == \
        (minute, hour, day, month, 0)
    assert fired.timestamp() > start
    # the same date one year earlier is not after `start` (so nothing was skipped)
    assert fired.replace(year=fired.year - 1).timestamp() <= start
