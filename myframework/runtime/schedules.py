"""EventBridge schedule expressions: ``Rate``, ``Cron``, validation and next fire times.

``@app.schedule`` accepts a :class:`Rate`, a :class:`Cron` or a raw
``"rate(...)"`` / ``"cron(...)"`` string; :func:`validate_schedule` checks it
the way EventBridge does and returns the AWS string, so a bad expression fails
when the decorator runs instead of at deploy time.

:func:`parse_cron` and :func:`next_fire_time` are for running schedules
locally. Times are UTC epoch seconds; dates are computed with integer
arithmetic, so nothing beyond this module is imported.
"""
from .errors import RegistrationError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Iterable

_ACCEPTED = ("a Rate (Rate(5, unit=Rate.MINUTES)), a Cron (Cron(0, 12, '*', '*', '?', '*')) "
             "or an expression string such as 'rate(5 minutes)' or 'cron(0 12 * * ? *)'")
_CRON_EXAMPLE = "cron(0 12 * * ? *)"
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_MIN_YEAR = 1970
_MAX_YEAR = 2199


def _show(value: object) -> str:
    """``repr(value)``, shortened so a huge bad input cannot flood the message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _short(text: str) -> str:
    """``text`` as is (the expression an error is about), shortened if huge."""
    return text if len(text) <= 80 else text[:77] + "..."


class _Invalid(Exception):
    """Internal: a problem found while parsing; re-raised as RegistrationError with context."""


def _fail(message: str, where: str) -> RegistrationError:
    return RegistrationError("%s: %s" % (where, message) if where else message)


# -- expression objects ---------------------------------------------------------------------

class ScheduleExpression:
    """Base of :class:`Rate` and :class:`Cron`: ``to_string()`` is the AWS expression."""

    __slots__ = ()

    def to_string(self) -> str:
        raise NotImplementedError("%s must implement to_string()" % type(self).__name__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ScheduleExpression)
        return self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.to_string()))

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.to_string())


class Rate(ScheduleExpression):
    """Fire every ``value`` minutes, hours or days: ``Rate(5, unit=Rate.MINUTES)``."""

    __slots__ = ("unit", "value")

    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"

    def __init__(self, value: int, unit: str) -> None:
        label = "Rate(%s, %s)" % (_show(value), _show(unit))
        if isinstance(value, bool) or not isinstance(value, int):
            raise RegistrationError(
                "%s: value must be a whole number >= 1, got %s %s; e.g. Rate(5, unit=Rate.MINUTES)"
                % (label, type(value).__name__, _show(value)))
        if value < 1:
            raise RegistrationError(
                "%s: value must be at least 1, got %d; e.g. Rate(1, unit=Rate.MINUTES)"
                % (label, value))
        if not isinstance(unit, str) or unit not in _RATE_UNIT_SECONDS:
            raise RegistrationError(
                "%s: unit must be Rate.MINUTES, Rate.HOURS or Rate.DAYS, got %s"
                % (label, _show(unit)))
        self.value = value
        self.unit = unit

    def to_string(self) -> str:
        unit = self.unit.lower()
        if self.value == 1:
            unit = unit[:-1]  # EventBridge wants "rate(1 minute)", not "rate(1 minutes)"
        return "rate(%d %s)" % (self.value, unit)

    def __repr__(self) -> str:
        return "Rate(%r, unit=Rate.%s)" % (self.value, self.unit)


_RATE_UNIT_SECONDS = {Rate.MINUTES: 60, Rate.HOURS: 3600, Rate.DAYS: 86400}
_RATE_STRING_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600,
                      "day": 86400, "days": 86400}


class Cron(ScheduleExpression):
    """Fire at the times the six fields match (UTC), as in ``cron(0 12 * * ? *)``.

    Fields are ints or strings in EventBridge syntax; exactly one of
    ``day_of_month`` and ``day_of_week`` must be ``"?"``.
    """

    __slots__ = ("day_of_month", "day_of_week", "hours", "minutes", "month", "year")

    def __init__(self, minutes: "str | int", hours: "str | int", day_of_month: "str | int",
                 month: "str | int", day_of_week: "str | int", year: "str | int") -> None:
        values = (minutes, hours, day_of_month, month, day_of_week, year)
        label = "Cron(%s)" % ", ".join(_show(v) for v in values)
        for (name, _lo, _hi), value in zip(_FIELD_RANGES, values, strict=True):
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise RegistrationError("%s: %s must be a str or int, got %s %s"
                                        % (label, name, type(value).__name__, _show(value)))
            if isinstance(value, str):
                if not value:
                    raise RegistrationError("%s: %s is empty; use '*' for every value%s"
                                            % (label, name, _QUESTION_HINT.get(name, "")))
                if value.split() != [value]:
                    raise RegistrationError(
                        "%s: %s value %s contains whitespace; separate list items with commas, "
                        "e.g. '1,15'" % (label, name, _show(value)))
        self.minutes = minutes
        self.hours = hours
        self.day_of_month = day_of_month
        self.month = month
        self.day_of_week = day_of_week
        self.year = year
        try:
            _parse_cron_text(self.to_string())
        except _Invalid as exc:
            raise RegistrationError("%s: %s" % (label, exc)) from None

    def to_string(self) -> str:
        return "cron(%s %s %s %s %s %s)" % (self.minutes, self.hours, self.day_of_month,
                                            self.month, self.day_of_week, self.year)

    def __repr__(self) -> str:
        return "Cron(%r, %r, %r, %r, %r, %r)" % (self.minutes, self.hours, self.day_of_month,
                                                 self.month, self.day_of_week, self.year)


# -- cron parsing -----------------------------------------------------------------------------

_FIELD_RANGES = (("minutes", 0, 59), ("hours", 0, 23), ("day-of-month", 1, 31),
                 ("month", 1, 12), ("day-of-week", 1, 7), ("year", _MIN_YEAR, _MAX_YEAR))
# Wildcards other than letters each field accepts (EventBridge's table).
_FIELD_SYMBOLS = {"minutes": ",-*/", "hours": ",-*/", "day-of-month": ",-*?/",
                  "month": ",-*/", "day-of-week": ",-*?#", "year": ",-*/"}
_FIELD_HELP = {"minutes": "0-59 and , - * /", "hours": "0-23 and , - * /",
               "day-of-month": "1-31 and , - * ? / L W", "month": "1-12, JAN-DEC and , - * /",
               "day-of-week": "1-7, SUN-SAT and , - * ? L #", "year": "1970-2199 and , - * /"}
# Largest step accepted (as Quartz, whose syntax EventBridge follows).
_MAX_STEP = {"minutes": 59, "hours": 23, "day-of-month": 31, "month": 12,
             "year": _MAX_YEAR - _MIN_YEAR}
_NAMES = {
    "month": {name: i + 1 for i, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))},
    "day-of-week": {name: i + 1 for i, name in enumerate(
        ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))},
}
_RANGE_TEXT = {"minutes": "0-59", "hours": "0-23", "day-of-month": "1-31",
               "month": "1-12 (or JAN-DEC)", "day-of-week": "1-7 (or SUN-SAT)",
               "year": "1970-2199"}
_QUESTION_HINT = {"day-of-month": " or '?' to let day-of-week decide",
                  "day-of-week": " or '?' to let day-of-month decide"}


class CronFields:
    """A parsed cron expression: per field, the allowed values and special markers.

    ``days_of_month`` is ``None`` when day-of-month is ``?`` (day-of-week
    decides), else the plain days 1-31 it lists (empty for ``L``, ``LW`` and
    ``nW``, which the flags describe). Likewise ``days_of_week`` (1 = SUN ..
    7 = SAT) is ``None`` when day-of-week is ``?``, empty for ``nL`` / ``n#k``.
    """

    __slots__ = ("days_of_month", "days_of_week", "expression", "hours",
                 "last_day_of_month", "last_day_of_week", "last_weekday_of_month", "minutes",
                 "months", "nearest_weekday", "nth_day_of_week", "years")

    expression: str
    minutes: "frozenset[int]"
    hours: "frozenset[int]"
    months: "frozenset[int]"
    years: "frozenset[int]"
    days_of_month: "frozenset[int] | None"
    last_day_of_month: bool               # L
    last_weekday_of_month: bool           # LW
    nearest_weekday: "int | None"         # 15W -> 15
    days_of_week: "frozenset[int] | None"
    last_day_of_week: "int | None"        # 5L -> 5 (the month's last Thursday)
    nth_day_of_week: "tuple[int, int] | None"  # 3#2 -> (3, 2) (the month's second Tuesday)

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.minutes = self.hours = self.months = self.years = frozenset()
        self.days_of_month = self.days_of_week = None
        self.last_day_of_month = self.last_weekday_of_month = False
        self.nearest_weekday = self.last_day_of_week = None
        self.nth_day_of_week = None

    def __repr__(self) -> str:
        return "CronFields(%r)" % self.expression

    def days(self, year: int, month: int) -> "list[int]":
        """The days of ``month`` (1-12) in ``year`` the day fields select, ascending.

        Ignores the month and year fields (see :func:`next_fire_time`).
        """
        ndays = _days_in_month(year, month)
        first = (_days_from_civil(year, month, 1) + 4) % 7 + 1  # weekday of the 1st, 1 = SUN

        def weekday(day: int) -> int:
            return (first + day - 2) % 7 + 1

        if self.days_of_month is not None:
            if self.last_day_of_month:
                return [ndays]
            if self.last_weekday_of_month:
                return [ndays - {7: 1, 1: 2}.get(weekday(ndays), 0)]
            if self.nearest_weekday is not None:
                day = self.nearest_weekday
                if day > ndays:
                    return []
                wd = weekday(day)
                if wd == 7:  # Saturday: the Friday before, or Monday the 3rd for the 1st
                    return [day - 1 if day > 1 else day + 2]
                if wd == 1:  # Sunday: the Monday after, or the Friday before at month end
                    return [day + 1 if day < ndays else day - 2]
                return [day]
            return sorted(d for d in self.days_of_month if d <= ndays)
        if self.last_day_of_week is not None:
            return [ndays - (weekday(ndays) - self.last_day_of_week) % 7]
        if self.nth_day_of_week is not None:
            dow, nth = self.nth_day_of_week
            day = 1 + (dow - first) % 7 + 7 * (nth - 1)
            return [day] if day <= ndays else []
        allowed = self.days_of_week or frozenset()
        return [d for d in range(1, ndays + 1) if weekday(d) in allowed]


def _value(name: str, text: str, lo: int, hi: int) -> int:
    """One number or name of field ``name``, range-checked."""
    if text and set(text) <= _DIGITS:
        number = int(text)
        if not lo <= number <= hi:
            raise _Invalid("%s value %s is out of range %s" % (name, text, _RANGE_TEXT[name]))
        return number
    names = _NAMES.get(name)
    if names is not None and text.upper() in names:
        return names[text.upper()]
    if not text:
        raise _Invalid("%s has an empty value; expected %s" % (name, _RANGE_TEXT[name]))
    if text.startswith("-") and len(text) > 1 and set(text[1:]) <= _DIGITS:
        raise _Invalid("%s value %s is out of range %s" % (name, text, _RANGE_TEXT[name]))
    kind = "a number or name" if names is not None else "a number"
    raise _Invalid("%s value %s is not %s in %s" % (name, _show(text), kind, _RANGE_TEXT[name]))


def _item(name: str, item: str, lo: int, hi: int) -> "Iterable[int]":
    """The values of one comma-separated item: ``*``, ``v``, ``a-b``, with optional ``/step``."""
    if not item:
        raise _Invalid("%s has an empty list item; write e.g. 1,2 (no leading, trailing or "
                       "doubled commas)" % name)
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if "/" in step_text:
            raise _Invalid("%s item %s has more than one /; write start/step, e.g. 0/15"
                           % (name, _show(item)))
        if not step_text or not set(step_text) <= _DIGITS:
            raise _Invalid("%s item %s has step %s, which is not a whole number; write e.g. "
                           "0/15" % (name, _show(item), _show(step_text)))
        step = int(step_text)
        if not 1 <= step <= _MAX_STEP[name]:
            raise _Invalid("%s step %s in %s is out of range 1-%d"
                           % (name, step_text, _show(item), _MAX_STEP[name]))
        if not base:
            raise _Invalid("%s item %s has no start before /; write e.g. */%s or 0/%s"
                           % (name, _show(item), step_text, step_text))
    if base == "*":
        start, end = lo, hi
    elif "*" in base:
        raise _Invalid("%s item %s: * must stand alone (or as */step)" % (name, _show(item)))
    elif "-" in base.lstrip("-"):
        first, _dash, last = base.lstrip("-").partition("-")
        if base.startswith("-"):
            first = "-" + first
        if "-" in last or not last:
            raise _Invalid("%s range %s is not valid; write low-high, e.g. %s"
                           % (name, _show(base), _RANGE_TEXT[name].split(" ")[0]))
        start, end = _value(name, first, lo, hi), _value(name, last, lo, hi)
        if start > end:
            raise _Invalid("%s range %s runs backwards; write it low-high (%s-%s), or list the "
                           "values with commas to wrap around" % (name, base, last, first))
    else:
        start = _value(name, base, lo, hi)
        end = hi if slash else start
    return range(start, end + 1, step)


def _check_symbols(name: str, text: str) -> None:
    symbols = _FIELD_SYMBOLS[name]
    for char in text:
        if char in _DIGITS or char in _LETTERS or char in symbols:
            continue
        if char == "?":
            raise _Invalid("%s value %s: ? is only allowed in day-of-month or day-of-week"
                           % (name, _show(text)))
        raise _Invalid("%s value %s contains %s, which the %s field does not allow "
                       "(allowed: %s)" % (name, _show(text), _show(char), name, _FIELD_HELP[name]))


def _values(name: str, text: str, lo: int, hi: int) -> "frozenset[int]":
    if "?" in text:
        raise _Invalid("%s value %s: ? must be the whole field" % (name, _show(text)))
    values: set[int] = set()
    for item in text.split(","):
        values.update(_item(name, item, lo, hi))
    return frozenset(values)


def _day_of_month(fields: CronFields, text: str) -> None:
    name = "day-of-month"
    if text == "?":
        return
    upper = text.upper()
    if "L" in upper or "W" in upper:
        fields.days_of_month = frozenset()
        if upper == "L":
            fields.last_day_of_month = True
        elif upper == "LW":
            fields.last_weekday_of_month = True
        elif upper.endswith("W") and upper[:-1] and set(upper[:-1]) <= _DIGITS:
            fields.nearest_weekday = _value(name, upper[:-1], 1, 31)
        else:
            raise _Invalid("day-of-month value %s is not valid: L, LW and nW (e.g. 15W) must be "
                           "the whole field, not part of a list, range or step" % _show(text))
        return
    fields.days_of_month = _values(name, text, 1, 31)


def _day_of_week(fields: CronFields, text: str) -> None:
    name = "day-of-week"
    if text == "?":
        return
    upper = text.upper()
    if "#" in upper:
        if "," in upper or "-" in upper or upper.count("#") > 1:
            raise _Invalid("day-of-week value %s is not valid: a # expression must be the whole "
                           "field (e.g. 3#2 for the second Tuesday); EventBridge allows only "
                           "one" % _show(text))
        day, _hash, nth = upper.partition("#")
        dow = _value(name, day, 1, 7)
        if not nth or not set(nth) <= _DIGITS or not 1 <= int(nth) <= 5:
            raise _Invalid("day-of-week value %s: # index %s is out of range 1-5 (e.g. 3#2 is the "
                           "second Tuesday)" % (_show(text), _show(nth)))
        fields.days_of_week = frozenset()
        fields.nth_day_of_week = (dow, int(nth))
        return
    if "L" in upper:
        if upper == "L":  # the last day of the week: Saturday
            fields.days_of_week = frozenset((7,))
            return
        if upper.endswith("L") and "L" not in upper[:-1] and not set(upper[:-1]) & set(",-*/"):
            fields.days_of_week = frozenset()
            fields.last_day_of_week = _value(name, upper[:-1], 1, 7)
            return
        raise _Invalid("day-of-week value %s is not valid: L and nL (e.g. 6L for the last "
                       "Friday) must be the whole field, not part of a list or range"
                       % _show(text))
    fields.days_of_week = _values(name, text, 1, 7)


def _parse_cron_text(expression: str) -> CronFields:
    """Parse ``cron(...)`` (already stripped), raising :class:`_Invalid` with the problem."""
    inner = expression[len("cron("):-1]
    parts = inner.split()
    if len(parts) != 6:
        hint = " (the year field is required: add * at the end)" if len(parts) == 5 else ""
        raise _Invalid("found %d field%s; cron expressions need exactly 6: minutes hours "
                       "day-of-month month day-of-week year%s, e.g. %s"
                       % (len(parts), "" if len(parts) == 1 else "s", hint, _CRON_EXAMPLE))
    if inner.split(" ") != parts:
        raise _Invalid("separate the six fields with single spaces (no tabs, newlines, or "
                       "spaces after '(' or before ')'), e.g. %s" % _CRON_EXAMPLE)
    fields = CronFields(expression)
    for (name, lo, hi), text in zip(_FIELD_RANGES, parts, strict=True):
        _check_symbols(name, text)
        if name == "day-of-month":
            _day_of_month(fields, text)
        elif name == "day-of-week":
            _day_of_week(fields, text)
        else:
            values = _values(name, text, lo, hi)
            if name == "minutes":
                fields.minutes = values
            elif name == "hours":
                fields.hours = values
            elif name == "month":
                fields.months = values
            else:
                fields.years = values
    dom, dow = parts[2], parts[4]
    if dom == "?" and dow == "?":
        raise _Invalid("day-of-month and day-of-week are both ?; exactly one of them must be ?, "
                       "e.g. %s (every day) or cron(0 12 ? * MON *) (Mondays)" % _CRON_EXAMPLE)
    if dom != "?" and dow != "?":
        raise _Invalid("day-of-month (%s) and day-of-week (%s) are both set; use ? in "
                       "day-of-month or day-of-week, e.g. %s" % (dom, dow, _CRON_EXAMPLE))
    return fields


# -- validation -----------------------------------------------------------------------------

def _check_rate_text(expression: str) -> int:
    """Validate ``rate(...)`` (already stripped); return its period in seconds."""
    inner = expression[len("rate("):-1]
    parts = inner.split(" ")
    if len(parts) != 2 or parts != inner.split():
        raise _Invalid("write rate(value unit) with a single space, e.g. rate(5 minutes)")
    value_text, unit = parts
    if not set(value_text) <= _DIGITS:
        if value_text.replace(".", "", 1).isdigit():
            raise _Invalid("value %s must be a whole number; use a smaller unit instead, "
                           "e.g. rate(90 minutes)" % value_text)
        raise _Invalid("value %s must be a whole number >= 1 (digits only, no sign), e.g. "
                       "rate(5 minutes)" % _show(value_text))
    value = int(value_text)
    if value == 0:
        raise _Invalid("value %s must be at least 1, e.g. rate(1 minute)" % value_text)
    if value_text.startswith("0"):
        unit_hint = unit.lower().rstrip("s") if unit.lower().rstrip("s") in _RATE_STRING_UNITS \
            else "minute"
        raise _Invalid("value %s has a leading zero; write rate(%d %s%s)"
                       % (value_text, value, unit_hint,
                          "" if value == 1 else "s"))
    if unit not in _RATE_STRING_UNITS:
        if unit.lower() in _RATE_STRING_UNITS:
            raise _Invalid("unit %s must be lower case: rate(%d %s)"
                           % (_show(unit), value, unit.lower()))
        hint = ("; EventBridge schedules cannot be more frequent than rate(1 minute)"
                if unit.lower().startswith("sec") else "")
        raise _Invalid("unknown unit %s; use minute(s), hour(s) or day(s)%s"
                       % (_show(unit), hint))
    plural = unit.endswith("s")
    if value == 1 and plural:
        raise _Invalid("a value of 1 takes the singular unit: use \"rate(1 %s)\"" % unit[:-1])
    if value > 1 and not plural:
        raise _Invalid("a value above 1 takes the plural unit: use \"rate(%d %ss)\""
                       % (value, unit))
    return value * _RATE_STRING_UNITS[unit]


def _checked(expression: object, where: str) -> str:
    """The stripped expression string of ``expression``, or RegistrationError."""
    if isinstance(expression, ScheduleExpression):
        produced: object = expression.to_string()
        if not isinstance(produced, str):
            raise _fail("%s.to_string() returned %s %s, not a string"
                        % (type(expression).__name__, type(produced).__name__, _show(produced)),
                        where)
        text = produced
    elif isinstance(expression, str):
        text = expression
    else:
        raise _fail("expected %s; got %s %s"
                    % (_ACCEPTED, type(expression).__name__, _show(expression)), where)
    text = text.strip()
    if not text:
        raise _fail("the schedule expression is empty; expected %s" % _ACCEPTED, where)
    head = text[:5]
    if head in ("rate(", "cron(") and text.endswith(")"):
        return text
    if head.lower() in ("rate(", "cron(") and head not in ("rate(", "cron("):
        raise _fail("%s: write %s in lower case (expressions are case-sensitive)"
                    % (_show(text), head.lower()[:-1]), where)
    if head in ("rate(", "cron("):
        raise _fail("%s is missing its closing ')'" % _show(text), where)
    raise _fail("%s is not a schedule expression; expected %s" % (_show(text), _ACCEPTED), where)


def validate_schedule(expression: "str | ScheduleExpression", where: str = "") -> str:
    """Return the normalised AWS expression string, or raise :class:`RegistrationError`.

    Accepts a :class:`Rate`, a :class:`Cron` or a ``"rate(...)"`` /
    ``"cron(...)"`` string (surrounding whitespace is stripped). ``where``
    (e.g. ``"@schedule on cleanup"``) prefixes the error message.
    """
    text = _checked(expression, where)
    try:
        if text.startswith("rate("):
            _check_rate_text(text)
        else:
            _parse_cron_text(text)
    except _Invalid as exc:
        raise _fail("%s: %s" % (_short(text), exc), where) from None
    return text


def parse_cron(expression: "str | Cron") -> CronFields:
    """Parse a ``cron(...)`` expression into :class:`CronFields` (RegistrationError if invalid)."""
    text = _checked(expression, "")
    if not text.startswith("cron("):
        raise RegistrationError("parse_cron: %s is not a cron(...) expression" % _show(text))
    try:
        return _parse_cron_text(text)
    except _Invalid as exc:
        raise RegistrationError("%s: %s" % (_short(text), exc)) from None


# -- next fire time -------------------------------------------------------------------------

def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(days: int) -> "tuple[int, int, int]":
    """(year, month, day) of a count of days since 1970-01-01."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _iso(seconds: float) -> str:
    whole = int(seconds // 1)
    days, rest = divmod(whole, 86400)
    year, month, day = _civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (year, month, day, rest // 3600, rest // 60 % 60,
                                              rest % 60)


def next_fire_time(expression: "str | ScheduleExpression", after: float) -> float:
    """UTC epoch seconds of the first time strictly after ``after`` the schedule fires.

    ``rate(N unit)`` returns ``after + N * unit`` (EventBridge counts from
    when the rule was created; locally, from ``after``). ``cron(...)`` returns
    the next whole minute its fields match. Raises :class:`RegistrationError`
    for an invalid expression and ``ValueError`` if a cron expression never
    fires again before the end of 2199 (e.g. ``cron(0 0 30 2 ? *)``).
    """
    if isinstance(after, bool) or not isinstance(after, (int, float)):
        raise TypeError("next_fire_time: after must be epoch seconds (int or float), got %s %s"
                        % (type(after).__name__, _show(after)))
    if after != after or after in (float("inf"), float("-inf")):
        raise ValueError("next_fire_time: after must be a finite number, got %r" % (after,))
    text = _checked(expression, "")
    try:
        if text.startswith("rate("):
            period = _check_rate_text(text)
            try:
                return float(after + period)
            except OverflowError:
                raise ValueError("next_fire_time: %s after %r is beyond the range of a float"
                                 % (text, after)) from None
        fields = _parse_cron_text(text)
    except _Invalid as exc:
        raise RegistrationError("%s: %s" % (_short(text), exc)) from None
    start = int(after // 60) * 60 + 60  # the first whole minute strictly after `after`
    days, rest = divmod(start, 86400)
    year0, month0, day0 = _civil_from_days(days)
    hour0, minute0 = divmod(rest // 60, 60)
    if year0 < _MIN_YEAR:
        year0, month0, day0, hour0, minute0 = _MIN_YEAR, 1, 1, 0, 0
    months = sorted(fields.months)
    hours = sorted(fields.hours)
    minutes = sorted(fields.minutes)
    for year in range(year0, _MAX_YEAR + 1):
        if year not in fields.years:
            continue
        for month in months:
            if year == year0 and month < month0:
                continue
            first_day = day0 if (year, month) == (year0, month0) else 1
            for day in fields.days(year, month):
                if day < first_day:
                    continue
                today = (year, month, day) == (year0, month0, day0)
                for hour in hours:
                    if today and hour < hour0:
                        continue
                    for minute in minutes:
                        if today and hour == hour0 and minute < minute0:
                            continue
                        return float(_days_from_civil(year, month, day) * 86400 + hour * 3600
                                     + minute * 60)
    raise ValueError("%s never fires after %s (EventBridge years end at %d)"
                     % (text, _iso(after) if -1e13 < after < 1e13 else repr(after), _MAX_YEAR))


__all__ = [
    "Cron",
    "CronFields",
    "Rate",
    "ScheduleExpression",
    "next_fire_time",
    "parse_cron",
    "validate_schedule",
]
