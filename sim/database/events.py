"""MariaDB's scheduled events (``CREATE EVENT``), parsed and fired on the simulated clock.

The grammar read (https://mariadb.com/kb/en/create-event/)::

    CREATE [OR REPLACE] [DEFINER = user] EVENT [IF NOT EXISTS] name
        ON SCHEDULE { AT ts | EVERY n unit [STARTS ts] [ENDS ts] }
        [ON COMPLETION [NOT] PRESERVE] [ENABLE | DISABLE | DISABLE ON SLAVE]
        [COMMENT 'text']
        DO body

``unit`` is SECOND, MINUTE, HOUR, DAY or WEEK (calendar units have no fixed length and are
refused). ``ts`` is a literal (``'2026-11-02 00:00:00'``, UTC: streamlab's sessions run with
``time_zone = '+00:00'``) or ``CURRENT_TIMESTAMP``/``NOW()`` with optional ``± INTERVAL n unit``,
counted from the run's start. The body is one statement, or ``BEGIN … END`` holding plain
statements (in a script, inside ``DELIMITER`` lines).

When an event fires in a simulation (:class:`EventRuns`):

* ``EVERY`` with ``STARTS``: at ``STARTS + k × interval``; without ``STARTS``: at the multiples
  of the interval since the epoch (every 5 minutes: :00, :05, … UTC), the first at or after the
  run's start, so window ends line up with Flink's HOP windows. MariaDB itself fires first at the
  moment the event is created; :meth:`sim.database.Database.install_events_live` gives a live
  event the aligned ``STARTS`` for the same reason.
* ``ENDS``: the last firing is at or before it. ``AT``: once. ``DISABLE``: never.
* Fires are at instants in ``[start, end)`` of the run (the clock's ``run(until=end)`` leaves
  what is due at ``end`` unrun).
* A body that fails is recorded (``errors``) and the event keeps its schedule, as MariaDB logs
  a failed event to its error log and fires it again at the next interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.database.errors import DatabaseError, UnsupportedStatement
from sim.database.lexer import Token, identifier, string_value
from sim.database.scripts import Statement
from sim.database.sqlite_dialect import (
    UNIT_SECONDS,
    Untranslatable,
    iter_statements,
    nest,
    translate_dml,
)
from sim.database.sqlite_time import canonical, parse_millis

_CLAUSE_STARTS = ("STARTS", "ENDS", "ON", "ENABLE", "DISABLE", "COMMENT", "DO")
_BODY_STATEMENTS = ("INSERT", "REPLACE", "UPDATE", "DELETE", "SELECT", "WITH")


@dataclass(frozen=True)
class When:
    """A point in a schedule: an absolute instant (epoch seconds) or ``offset`` seconds after
    the event's creation (the run's start)."""

    absolute: float | None = None
    offset: float = 0.0

    def resolve(self, created: float) -> float:
        return self.absolute if self.absolute is not None else created + self.offset


@dataclass
class ScheduledEvent:
    """One ``CREATE EVENT`` statement.

    ``every`` is the interval in seconds (None for ``AT``); ``interval`` its text as written
    (``5 MINUTE``); ``body`` the MariaDB statement (``BEGIN NOT ATOMIC … END`` for a compound
    body); ``sqlite_body`` the translated statements, when the database is SQLite; ``sql`` the
    whole ``CREATE EVENT`` statement, as live mode creates it; ``source`` the script, statement
    and line."""

    name: str
    every: float | None
    interval: str
    at: When | None
    starts: When | None
    ends: When | None
    enabled: bool
    body: str = field(repr=False)
    sql: str = field(repr=False)
    source: str = ""
    sqlite_body: list[str] | None = field(default=None, repr=False)

    def fire_times(self, start: float, end: float) -> list[float]:
        """The instants in ``[start, end)`` at which the event fires in a run from ``start``."""
        times: list[float] = []
        instant = self.first_fire(start)
        while instant is not None and instant < end:
            times.append(instant)
            instant = self.next_fire(instant, start)
        return times

    def first_fire(self, start: float) -> float | None:
        if not self.enabled:
            return None
        if self.every is None:
            assert self.at is not None
            at = self.at.resolve(start)
            return at if at >= start else None
        if self.starts is None:
            first = -(-start // self.every) * self.every  # the first multiple at/after start
        else:
            origin = self.starts.resolve(start)
            first = origin
            if origin < start:
                first = origin + -(-(start - origin) // self.every) * self.every
        return first if self._before_end(first, start) else None

    def next_fire(self, previous: float, start: float) -> float | None:
        if self.every is None:
            return None
        following = previous + self.every
        return following if self._before_end(following, start) else None

    def _before_end(self, instant: float, start: float) -> bool:
        return self.ends is None or instant <= self.ends.resolve(start)


# --- parsing ---------------------------------------------------------------------------------


def event_word(tokens: list[Token]) -> int | None:
    """Index of EVENT in ``CREATE [OR REPLACE] [DEFINER = user] EVENT …`` (significant
    tokens), or None when the statement creates something else."""

    def upper(i: int) -> str:
        return tokens[i].upper if i < len(tokens) else ""

    if upper(0) != "CREATE":
        return None
    i = 1
    if upper(i) == "OR" and upper(i + 1) == "REPLACE":
        i += 2
    if upper(i) == "DEFINER":
        i += 2 if upper(i + 1) == "=" else 1
        i += 1  # the user: name, 'name' or `name`, CURRENT_USER
        if i < len(tokens) and tokens[i].kind == "var":
            i += 1  # @host
        if upper(i) == "(" and upper(i + 1) == ")":
            i += 2
    return i if upper(i) == "EVENT" else None


def parse_event(statement: Statement, *, sqlite: bool) -> ScheduledEvent:
    """The event a ``CREATE EVENT`` statement declares; with ``sqlite``, its body translated.
    Raises :class:`UnsupportedStatement` naming the script and statement."""
    try:
        return _parse(statement, sqlite)
    except Untranslatable as exc:
        raise UnsupportedStatement(
            statement.file, statement.number, exc.line or statement.line, exc.reason
        ) from None


def _parse(statement: Statement, sqlite: bool) -> ScheduledEvent:
    tokens = statement.words
    words = [t.upper for t in tokens]
    event_at = event_word(tokens)
    assert event_at is not None
    at = event_at + 1
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        at += 3
    name = identifier(tokens[at])
    if at + 1 < len(tokens) and tokens[at + 1].is_op("."):
        at += 2  # schema.name: the schema is the run's database
        name = identifier(tokens[at])
    at += 1
    if words[at : at + 2] != ["ON", "SCHEDULE"]:
        raise Untranslatable(f"CREATE EVENT {name}: ON SCHEDULE expected", tokens[at].line)
    at += 2
    every = None
    interval = ""
    when_at = starts = ends = None
    if words[at] == "AT":
        when_at, at = _when(tokens, at + 1)
    elif words[at] == "EVERY":
        amount = tokens[at + 1]
        unit = tokens[at + 2].upper if at + 2 < len(tokens) else ""
        value = string_value(amount) if amount.kind == "string" else amount.text
        if unit not in UNIT_SECONDS or not _is_number(value):
            raise Untranslatable(
                f"event {name}: EVERY {value} {unit}: streamlab fires EVERY n SECOND, MINUTE, "
                "HOUR, DAY or WEEK",
                amount.line,
            )
        every = float(value) * UNIT_SECONDS[unit]
        if every <= 0:
            raise Untranslatable(f"event {name}: EVERY needs a positive interval", amount.line)
        interval = f"{value} {unit}"
        at += 3
        if at < len(words) and words[at] == "STARTS":
            starts, at = _when(tokens, at + 1)
        if at < len(words) and words[at] == "ENDS":
            ends, at = _when(tokens, at + 1)
    else:
        raise Untranslatable(f"event {name}: ON SCHEDULE AT … or EVERY … expected", tokens[at].line)
    enabled = True
    while at < len(words) and words[at] != "DO":
        word = words[at]
        if word == "ON":  # ON COMPLETION [NOT] PRESERVE
            at += 4 if words[at + 2] == "NOT" else 3
        elif word == "ENABLE":
            at += 1
        elif word == "DISABLE":
            enabled = False
            at += 3 if words[at + 1 : at + 3] == ["ON", "SLAVE"] else 1
        elif word == "COMMENT":
            at += 2
        else:
            raise Untranslatable(f"event {name}: unexpected {tokens[at].text!r}", tokens[at].line)
    if at >= len(words):
        raise Untranslatable(f"event {name}: DO body expected", statement.line)
    body_tokens = _after(statement.tokens, tokens[at])
    body_text = "".join(t.text for t in body_tokens).strip()
    compound = bool(tokens[at + 1 :]) and tokens[at + 1].is_word("BEGIN")
    body = _mariadb_body(body_text) if compound else body_text
    source = f"{statement.file}: statement {statement.number} (line {statement.line})"
    event = ScheduledEvent(
        name=name,
        every=every,
        interval=interval,
        at=when_at,
        starts=starts,
        ends=ends,
        enabled=enabled,
        body=body,
        sql=statement.text,
        source=source,
    )
    if sqlite:
        event.sqlite_body = _sqlite_body(body_tokens, compound, name)
    return event


def _after(tokens: list[Token], word: Token) -> list[Token]:
    index = next(i for i, t in enumerate(tokens) if t is word)
    return tokens[index + 1 :]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _when(tokens: list[Token], at: int) -> tuple[When, int]:
    """A schedule instant starting at ``tokens[at]``; returns it and the index after it."""
    end = at
    while end < len(tokens) and tokens[end].upper not in _CLAUSE_STARTS:
        end += 1
    part = tokens[at:end]
    if not part:
        raise Untranslatable("a time expected in the schedule", tokens[at - 1].line)
    first = part[0]
    if first.kind == "string" and len(part) == 1:
        millis = parse_millis(string_value(first))
        if millis is None:
            raise Untranslatable(f"{first.text} is not a date-time", first.line)
        return When(absolute=millis / 1000), end
    if first.is_word("CURRENT_TIMESTAMP", "NOW"):
        j = 1
        if j < len(part) and part[j].is_op("("):
            j += 2 if j + 1 < len(part) and part[j + 1].is_op(")") else 0
        offset = 0.0
        while j < len(part):
            sign, word = part[j], part[j + 1] if j + 1 < len(part) else None
            if not (sign.is_op("+", "-") and word is not None and word.is_word("INTERVAL")):
                break
            amount, unit = part[j + 2], part[j + 3].upper if j + 3 < len(part) else ""
            value = string_value(amount) if amount.kind == "string" else amount.text
            if unit not in UNIT_SECONDS or not _is_number(value):
                break
            offset += (1 if sign.text == "+" else -1) * float(value) * UNIT_SECONDS[unit]
            j += 4
        if j == len(part):
            return When(offset=offset), end
    raise Untranslatable(
        "a schedule time must be a literal such as '2026-11-02 00:00:00' or "
        "CURRENT_TIMESTAMP [+ INTERVAL n unit]",
        first.line,
    )


def _mariadb_body(text: str) -> str:
    """A compound body as a statement MariaDB runs on its own: an anonymous block,
    ``BEGIN NOT ATOMIC … END`` (https://mariadb.com/kb/en/begin-end/)."""
    rest = text[len("BEGIN") :]
    if rest.lstrip().upper().startswith("NOT ATOMIC"):
        return text
    return "BEGIN NOT ATOMIC" + rest


def _sqlite_body(tokens: list[Token], compound: bool, name: str) -> list[str]:
    items = nest(tokens)
    if compound:
        significant = [i for i in items if not (isinstance(i, Token) and not i.significant)]
        last = significant[-1]
        if not (isinstance(last, Token) and last.is_word("END")):
            raise Untranslatable(f"event {name}: BEGIN without its END", significant[0].line)
        inner = items[_index(items, significant[0]) + 1 : _index(items, last)]
        parts = list(iter_statements(inner))
    else:
        parts = [items]
    statements = []
    for part in parts:
        first = next(i for i in part if isinstance(i, Token) and i.significant)
        if not (isinstance(first, Token) and first.upper in _BODY_STATEMENTS):
            raise Untranslatable(
                f"event {name}: the body statement {first.text} is not translated for SQLite "
                "(INSERT, REPLACE, UPDATE, DELETE and SELECT are)",
                first.line,
            )
        statements.append(translate_dml(part))
    return statements


def _index(items: list[Any], item: Any) -> int:
    return next(i for i, candidate in enumerate(items) if candidate is item)


# --- firing on the clock ---------------------------------------------------------------------


@dataclass
class EventStats:
    """What one event did during a run."""

    fires: int = 0
    rows: int = 0
    failures: int = 0
    first_fire: float | None = None
    last_fire: float | None = None
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fires": self.fires,
            "rows": self.rows,
            "failures": self.failures,
            "first_fire": None if self.first_fire is None else canonical(self.first_fire),
            "last_fire": None if self.last_fire is None else canonical(self.last_fire),
            "errors": list(self.errors),
        }


class EventRuns:
    """The events of one database on one clock. Fires happen while the clock runs; the counts
    grow as they do. ``rows`` adds up the affected-row counts the database reports (MariaDB
    counts 2 for a row an ``ON DUPLICATE KEY UPDATE`` changed)."""

    # Errors kept per event (the count goes on).
    ERRORS_KEPT = 20

    def __init__(
        self,
        fire: Callable[[ScheduledEvent, float], int],
        events: list[ScheduledEvent],
        clock: Any,
        start: float,
        end: float,
    ):
        self._fire_body = fire
        self.clock = clock
        self.start = start
        self.end = end
        self.events = events
        self.stats = {event.name: EventStats() for event in events}
        begin = max(start, clock.now)
        for event in events:
            first = event.first_fire(start)
            while first is not None and first < begin:
                first = event.next_fire(first, start)
            if first is not None and first < end:
                clock.call_at(first, self._fire, event, first)

    def _fire(self, event: ScheduledEvent, instant: float) -> None:
        stats = self.stats[event.name]
        stats.fires += 1
        stats.first_fire = instant if stats.first_fire is None else stats.first_fire
        stats.last_fire = instant
        try:
            stats.rows += max(self._fire_body(event, instant), 0)
        except DatabaseError as error:
            stats.failures += 1
            if len(stats.errors) < self.ERRORS_KEPT:
                stats.errors.append(error.message)
        following = event.next_fire(instant, self.start)
        if following is not None and following < self.end:
            self.clock.call_at(following, self._fire, event, following)

    @property
    def errors(self) -> list[str]:
        """Every failed firing's message (for the run's report)."""
        return [message for stats in self.stats.values() for message in stats.errors]

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per event: fires, rows, failures, first and last fire (UTC text), errors."""
        return {name: stats.to_dict() for name, stats in self.stats.items()}
