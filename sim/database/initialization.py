"""What applying the initialization scripts means, statement by statement, before anything runs.

Each statement is one of:

* ``CREATE EVENT``: parsed into a :class:`~sim.database.events.ScheduledEvent`, not executed
  (a simulation fires it on the clock; live mode creates it later). ``DROP EVENT`` removes an
  event declared earlier; ``ALTER EVENT`` is refused (write the final ``CREATE EVENT``).
* ``SET GLOBAL event_scheduler = …``: skipped (it concerns MariaDB's own scheduler, which a
  simulation does not use; live mode turns it on itself).
* ``USE db`` and ``CREATE DATABASE [IF NOT EXISTS] db``: skipped when ``db`` is the run's
  database, refused otherwise (the scripts would write elsewhere).
* anything else: executed, as written on MariaDB, translated on SQLite
  (:mod:`sim.database.sqlite_dialect`).

The whole plan is made (and every translation checked) before the database is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.database.errors import ScriptError, UnsupportedStatement
from sim.database.events import ScheduledEvent, event_word, parse_event
from sim.database.lexer import identifier
from sim.database.scripts import Statement
from sim.database.sqlite_dialect import Untranslatable, translate_statement


@dataclass
class Step:
    """A statement to execute: ``sql`` is what runs (one MariaDB statement, or its SQLite
    translation, possibly several statements or none)."""

    statement: Statement
    sql: list[str]


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    events: list[ScheduledEvent] = field(default_factory=list)
    skipped: list[Statement] = field(default_factory=list)


def plan_scripts(statements: list[Statement], *, sqlite: bool, database: str | None) -> Plan:
    """The plan for ``statements``; ``database`` is the run's database (None: not known yet,
    ``USE`` and ``CREATE DATABASE`` are then not checked)."""
    plan = Plan()
    for statement in statements:
        words = [t.upper for t in statement.words[:6]]
        if event_word(statement.words) is not None:
            _declare(plan, parse_event(statement, sqlite=sqlite), words, statement)
        elif words[:2] == ["DROP", "EVENT"]:
            name = identifier(statement.words[4 if words[2:4] == ["IF", "EXISTS"] else 2])
            plan.events = [e for e in plan.events if e.name.lower() != name.lower()]
        elif words[:2] == ["ALTER", "EVENT"]:
            raise statement.error(
                "ALTER EVENT in an initialization script: write the event's final CREATE EVENT",
                UnsupportedStatement,
            )
        elif _sets_event_scheduler(words):
            plan.skipped.append(statement)
        elif words[:1] == ["USE"] or (words[:2] in (["CREATE", "DATABASE"], ["CREATE", "SCHEMA"])):
            _check_database(statement, database)
            plan.skipped.append(statement)
        elif sqlite:
            try:
                translated = translate_statement(statement.text, statement.line)
            except Untranslatable as exc:
                raise UnsupportedStatement(
                    statement.file, statement.number, exc.line or statement.line, exc.reason
                ) from None
            plan.steps.append(Step(statement, translated.sql))
        else:
            plan.steps.append(Step(statement, [statement.text]))
    return plan


def _declare(plan: Plan, event: ScheduledEvent, words: list[str], statement: Statement) -> None:
    existing = [e for e in plan.events if e.name.lower() == event.name.lower()]
    if existing:
        if words[1:3] == ["OR", "REPLACE"]:
            plan.events.remove(existing[0])
        elif "IF" in words and "EXISTS" in words:
            return
        else:
            raise statement.error(
                f"event {event.name} already exists (created by {existing[0].source})"
            )
    plan.events.append(event)


def _sets_event_scheduler(words: list[str]) -> bool:
    if words[:1] != ["SET"]:
        return False
    names = [w.upper() for w in words[1:4]]
    return (names[:2] == ["GLOBAL", "EVENT_SCHEDULER"]) or (
        names[:1] == ["@@GLOBAL.EVENT_SCHEDULER"]
    )


def _check_database(statement: Statement, database: str | None) -> None:
    named = [t for t in statement.words[1:] if t.kind in ("word", "qid")]
    named = [t for t in named if t.upper not in ("DATABASE", "SCHEMA", "IF", "NOT", "EXISTS")]
    if not named:
        raise statement.error("a database name expected")
    name = identifier(named[0])
    if database is not None and name.lower() != database.lower():
        raise ScriptError(
            statement.file,
            statement.number,
            statement.line,
            f"the script uses database {name}, but this run's database is {database}: "
            "remove the statement (the scripts run in the run's database) or name the same "
            "database in the URL",
        )
