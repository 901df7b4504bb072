"""``cron(minutes hours day-of-month month day-of-week year)`` as EventBridge reads it.

The dialect (CRON: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):

=============  ================  ====================
field          values            wildcards
=============  ================  ====================
minutes        0-59              , - * /
hours          0-23              , - * /
day-of-month   1-31              , - * ? / L W
month          1-12 or JAN-DEC   , - * /
day-of-week    1-7 or SUN-SAT    , - * ? L #
year           1970-2199         , - * /
=============  ================  ====================

* Day-of-month and day-of-week cannot both be set: one of them must be ``?`` (a ``*`` counts as
  set). Both ``?`` is refused too (nothing would say which days).
* ``L``: alone in day-of-month, the last day of the month; alone in day-of-week, the last day
  of the week (7, Saturday); ``nL`` in day-of-week, the last such weekday of the month (``6L``:
  the last Friday).
* ``W``: ``nW``, the weekday (Mon-Fri) nearest to day n, never leaving the month (1W on a
  Saturday is Monday the 3rd); ``LW``, the last weekday of the month.
* ``#``: ``d#k``, the k-th weekday d of the month (``2#1``: the first Monday). "If you use a '#'
  character, you can define only one expression in the day-of-week field" (CRON).
* Names are read in any case (AWS's own workshop enters ``mon-sun``); 1 = Sunday.
* Nothing here can fire more often than once a minute, which is AWS's other limit ("Cron
  expressions that lead to rates faster than 1 minute are not supported").

Where AWS's page is silent, the rules follow Quartz's CronExpression, whose dialect AWS's
mirrors (``?``, ``L``, ``W``, ``#``, 1 = Sunday): ``L``, ``LW``, ``nW``, ``nL`` and ``d#k`` stand
alone in their field; ``n/s`` runs from n to the field's maximum; a range may wrap (``22-2`` in
hours, ``FRI-MON``; the older AWS guide's own example is ``0/30 20-2 ? * MON-FRI *``), except in
the year; ``nW`` for a day the month does not have never fires that month. Quartz's ``L-n``
offsets are not in AWS's documentation and are refused.

Matching is on wall-clock minutes (naive datetimes); which instant a wall-clock minute is, in
a time zone with daylight saving, is :mod:`.zones`'s business.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sim.services.schedules import limits
from sim.services.schedules.errors import ExpressionSyntaxError

MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
DAY_NAMES = {
    name: number
    for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
FIELD_ORDER = "minutes hours day-of-month month day-of-week year"
_SATURDAY = 7
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]
    wraps: bool = True

    @property
    def span(self) -> str:
        text = f"{self.low}-{self.high}"
        if self.names:
            first, last = next(iter(self.names)), list(self.names)[-1]
            text += f" or {first}-{last}"
        return text


MINUTES = _Field("minutes", limits.MINUTE_MIN, limits.MINUTE_MAX, {})
HOURS = _Field("hours", limits.HOUR_MIN, limits.HOUR_MAX, {})
DAY_OF_MONTH = _Field("day-of-month", limits.DAY_OF_MONTH_MIN, limits.DAY_OF_MONTH_MAX, {})
MONTH = _Field("month", limits.MONTH_MIN, limits.MONTH_MAX, MONTH_NAMES)
DAY_OF_WEEK = _Field("day-of-week", limits.DAY_OF_WEEK_MIN, limits.DAY_OF_WEEK_MAX, DAY_NAMES)
YEAR = _Field("year", limits.YEAR_MIN, limits.YEAR_MAX, {}, wraps=False)


def aws_day_of_week(day: date) -> int:
    """AWS's day-of-week number of ``day``: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# -- day rules: which days of a month a day field selects ------------------------------------
@dataclass(frozen=True)
class AnyDay:
    """``?``: this field does not choose the days (the other day field does)."""

    def matches(self, day: date) -> bool:
        return True


@dataclass(frozen=True)
class DaysOfMonth:
    days: frozenset[int]

    def matches(self, day: date) -> bool:
        return day.day in self.days


@dataclass(frozen=True)
class LastDayOfMonth:
    """``L`` in day-of-month."""

    def matches(self, day: date) -> bool:
        return day.day == _last_day(day.year, day.month)


@dataclass(frozen=True)
class NearestWeekday:
    """``nW`` (``day`` = n) or ``LW`` (``day`` = None: the month's last day)."""

    day: int | None

    def target(self, year: int, month: int) -> int | None:
        last = _last_day(year, month)
        wanted = last if self.day is None else self.day
        if wanted > last:
            return None
        weekday = aws_day_of_week(date(year, month, wanted))
        if weekday == _SATURDAY:
            return wanted + 2 if wanted == 1 else wanted - 1
        if weekday == 1:  # Sunday
            return wanted - 2 if wanted == last else wanted + 1
        return wanted

    def matches(self, day: date) -> bool:
        return day.day == self.target(day.year, day.month)


@dataclass(frozen=True)
class DaysOfWeek:
    days: frozenset[int]

    def matches(self, day: date) -> bool:
        return aws_day_of_week(day) in self.days


@dataclass(frozen=True)
class LastWeekdayOfMonth:
    """``nL`` in day-of-week: the last weekday n of the month."""

    weekday: int

    def matches(self, day: date) -> bool:
        return aws_day_of_week(day) == self.weekday and day.day + 7 > _last_day(day.year, day.month)


@dataclass(frozen=True)
class NthWeekdayOfMonth:
    """``d#k`` in day-of-week: the k-th weekday d of the month."""

    weekday: int
    nth: int

    def matches(self, day: date) -> bool:
        return aws_day_of_week(day) == self.weekday and (day.day - 1) // 7 + 1 == self.nth


DayRule = (
    AnyDay
    | DaysOfMonth
    | LastDayOfMonth
    | NearestWeekday
    | DaysOfWeek
    | LastWeekdayOfMonth
    | NthWeekdayOfMonth
)


@dataclass(frozen=True)
class CronExpression:
    """A parsed ``cron(...)``; ``text`` is the expression as written."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DayRule
    months: frozenset[int]
    day_of_week: DayRule
    years: tuple[int, ...]

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months or day.year not in self.years:
            return False
        if isinstance(self.day_of_month, AnyDay):
            return self.day_of_week.matches(day)
        return self.day_of_month.matches(day)

    def matches(self, moment: datetime) -> bool:
        """Whether wall-clock ``moment`` (its minute) is one the expression names."""
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and self.matches_day(moment.date())
        )

    def next_local(self, start: datetime) -> datetime | None:
        """The first wall-clock minute at or after ``start`` (naive) that matches, or None
        when there is none before the year field runs out."""
        day = start.date()
        from_time: time | None = start.time()
        if start.second or start.microsecond:
            bumped = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
            day, from_time = bumped.date(), bumped.time()
        while True:
            if day.year > self.years[-1]:
                return None
            if day.year not in self.years:
                later = self.years[bisect_left(self.years, day.year) :]
                if not later:
                    return None
                day, from_time = date(later[0], 1, 1), None
                continue
            if day.month not in self.months:
                later_months = [m for m in sorted(self.months) if m > day.month]
                if later_months:
                    day = date(day.year, later_months[0], 1)
                else:
                    day = date(day.year + 1, 1, 1)
                from_time = None
                continue
            if self.matches_day(day):
                found = self._first_time(from_time)
                if found is not None:
                    return datetime.combine(day, found)
            day, from_time = day + timedelta(days=1), None

    def _first_time(self, not_before: time | None) -> time | None:
        if not_before is None:
            return time(self.hours[0], self.minutes[0])
        for hour in self.hours[bisect_left(self.hours, not_before.hour) :]:
            if hour > not_before.hour:
                return time(hour, self.minutes[0])
            index = bisect_left(self.minutes, not_before.minute)
            if index < len(self.minutes):
                return time(hour, self.minutes[index])
        return None


# -- parsing ---------------------------------------------------------------------------------
def parse_cron(text: str, body: str) -> CronExpression:
    """Parse the part between ``cron(`` and ``)``; ``text`` is the whole expression."""
    if body != body.strip(" ") or not body:
        raise ExpressionSyntaxError(
            "cron() takes six fields separated by spaces, with no space after 'cron(' or "
            f"before ')': cron({FIELD_ORDER})"
        )
    if re.search(r"\s", body.replace(" ", "")):
        raise ExpressionSyntaxError("cron() fields are separated by spaces, not tabs or newlines")
    fields = re.split(r" +", body)
    if len(fields) != 6:
        raise ExpressionSyntaxError(
            f"cron() takes six fields ({FIELD_ORDER}), found {len(fields)}: '{body}'"
        )
    minute, hour, dom, month, dow, year = fields
    day_of_month = _parse_day_of_month(dom)
    day_of_week = _parse_day_of_week(dow)
    if isinstance(day_of_month, AnyDay) and isinstance(day_of_week, AnyDay):
        raise ExpressionSyntaxError(
            "day-of-month and day-of-week cannot both be ?: set one of them (* for every day) "
            "and write ? in the other"
        )
    if not isinstance(day_of_month, AnyDay) and not isinstance(day_of_week, AnyDay):
        raise ExpressionSyntaxError(
            "day-of-month and day-of-week cannot both be set: one of them must be ? "
            f"(found '{dom}' in day-of-month and '{dow}' in day-of-week)"
        )
    return CronExpression(
        text=text,
        minutes=tuple(sorted(_parse_list(MINUTES, minute))),
        hours=tuple(sorted(_parse_list(HOURS, hour))),
        day_of_month=day_of_month,
        months=frozenset(_parse_list(MONTH, month)),
        day_of_week=day_of_week,
        years=tuple(sorted(_parse_list(YEAR, year))),
    )


def _parse_day_of_month(text: str) -> DayRule:
    upper = text.upper()  # names and letters are read in any case
    if text == "?":
        return AnyDay()
    if upper == "L":
        return LastDayOfMonth()
    if upper == "LW":
        return NearestWeekday(None)
    if "#" in text:
        raise ExpressionSyntaxError(
            f"day-of-month: '#' belongs in day-of-week (d#k, e.g. 2#1), found '{text}'"
        )
    if upper.startswith("L-"):
        raise ExpressionSyntaxError(
            f"day-of-month: 'L-n' offsets are not part of AWS's cron, found '{text}'"
        )
    if upper.endswith("W") and "," not in text and "-" not in text and "/" not in text:
        return NearestWeekday(_value(DAY_OF_MONTH, text[:-1]))
    if "L" in upper or "W" in upper:
        raise ExpressionSyntaxError(
            "day-of-month: L, LW and nW (e.g. 15W) stand alone, without lists, ranges or "
            f"steps, found '{text}'"
        )
    return DaysOfMonth(frozenset(_parse_list(DAY_OF_MONTH, text)))


def _parse_day_of_week(text: str) -> DayRule:
    upper = text.upper()  # names and letters are read in any case
    if text == "?":
        return AnyDay()
    if "#" in text:
        if "," in text:
            raise ExpressionSyntaxError(
                "day-of-week: with '#' the field holds one expression only ('3#1,6#3' is "
                f"not valid), found '{text}'"
            )
        weekday_text, _, nth_text = text.partition("#")
        weekday = _value(DAY_OF_WEEK, weekday_text)
        if not _WHOLE_NUMBER.match(nth_text) or not (
            limits.NTH_WEEKDAY_MIN <= int(nth_text) <= limits.NTH_WEEKDAY_MAX
        ):
            raise ExpressionSyntaxError(
                f"day-of-week: after '#' comes which instance of the weekday in the month, "
                f"{limits.NTH_WEEKDAY_MIN}-{limits.NTH_WEEKDAY_MAX}, found '{text}'"
            )
        return NthWeekdayOfMonth(weekday, int(nth_text))
    if upper == "L":
        return DaysOfWeek(frozenset({_SATURDAY}))
    if "W" in upper.replace("WED", ""):
        raise ExpressionSyntaxError(f"day-of-week: 'W' belongs in day-of-month, found '{text}'")
    if upper.endswith("L") and "," not in text and "-" not in text and "/" not in text:
        return LastWeekdayOfMonth(_value(DAY_OF_WEEK, text[:-1]))
    if "L" in upper:
        raise ExpressionSyntaxError(
            "day-of-week: L and nL (e.g. 6L, the last Friday) stand alone, without lists, "
            f"ranges or steps, found '{text}'"
        )
    return DaysOfWeek(frozenset(_parse_list(DAY_OF_WEEK, text)))


def _parse_list(field: _Field, text: str) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ExpressionSyntaxError(f"{field.name}: empty item in the list '{text}'")
        values |= _parse_item(field, item)
    return values


def _parse_item(field: _Field, item: str) -> set[int]:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not _WHOLE_NUMBER.match(step_text) or int(step_text) < 1:
            raise ExpressionSyntaxError(
                f"{field.name}: the increment after '/' must be a whole number of at least 1, "
                f"found '{item}'"
            )
        step = int(step_text)
    if base == "*":
        start, end = field.low, field.high
    elif "-" in base:
        first, _, last = base.partition("-")
        start, end = _value(field, first), _value(field, last)
        if end < start and not field.wraps:
            raise ExpressionSyntaxError(
                f"{field.name}: a range runs from low to high, found '{base}'"
            )
    else:
        start = _value(field, base)
        end = field.high if slash else start
    return _expand(field, start, end, step)


def _expand(field: _Field, start: int, end: int, step: int) -> set[int]:
    size = field.high - field.low + 1
    if end < start:  # a wrapping range such as 22-2 in hours
        end += size
    return {field.low + (value - field.low) % size for value in range(start, end + 1, step)}


def _value(field: _Field, token: str) -> int:
    if _WHOLE_NUMBER.match(token):
        number = int(token)
    elif token.upper() in field.names:
        number = field.names[token.upper()]
    else:
        raise ExpressionSyntaxError(f"{field.name}: {_why_unreadable(field, token)}")
    if not field.low <= number <= field.high:
        raise ExpressionSyntaxError(
            f"{field.name}: {token} is out of range, the field takes {field.span}"
        )
    return number


def _why_unreadable(field: _Field, token: str) -> str:
    day_field = field in (DAY_OF_MONTH, DAY_OF_WEEK)
    upper = token.upper()
    if token == "?":
        if day_field:
            return "'?' stands alone (it means: the other day field chooses the days)"
        return "'?' is only allowed in day-of-month or day-of-week"
    if token == "*":
        return "'*' cannot be part of a range"
    if token == "":
        return "a value is missing"
    if "#" in token:
        return f"'#' is only allowed in day-of-week (d#k, e.g. 2#1), found '{token}'"
    if upper == "L" or (upper.endswith("L") and _WHOLE_NUMBER.match(token[:-1])):
        return f"'L' is only allowed in day-of-month or day-of-week, found '{token}'"
    if upper.endswith("W") and _WHOLE_NUMBER.match(token[:-1]):
        return f"'W' is only allowed in day-of-month, found '{token}'"
    return f"'{token}' is not a value: the field takes {field.span}"
