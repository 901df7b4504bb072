"""The database of the OpenAQ batch pipeline: SQLite embedded by default, MariaDB for real.

:class:`Database` opens one (``Database.open(url, directory=…)``), applies the initialization
scripts, fires their ``CREATE EVENT``s on the simulated clock with ``NOW()`` following it, and
answers queries; see docs/databases.md. ``Database`` is imported lazily (it brings SQLAlchemy),
so that loading a scenario, which needs only :func:`redact` and friends, stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.database.errors import (
    DatabaseConfigError,
    DatabaseError,
    DatabaseLoginRefused,
    DatabaseUnavailable,
    EventFailed,
    EventSchedulerUnavailable,
    ForeignDatabase,
    ScriptError,
    UnsupportedStatement,
)
from sim.database.urls import expand_environment, redact

if TYPE_CHECKING:
    from sim.database.database import Database, Initialization
    from sim.database.events import EventRuns, ScheduledEvent

__all__ = [
    "Database",
    "DatabaseConfigError",
    "DatabaseError",
    "DatabaseLoginRefused",
    "DatabaseUnavailable",
    "EventFailed",
    "EventRuns",
    "EventSchedulerUnavailable",
    "ForeignDatabase",
    "Initialization",
    "ScheduledEvent",
    "ScriptError",
    "UnsupportedStatement",
    "expand_environment",
    "redact",
]

_LAZY = {
    "Database": "sim.database.database",
    "Initialization": "sim.database.database",
    "EventRuns": "sim.database.events",
    "ScheduledEvent": "sim.database.events",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim.database' has no attribute {name!r}")
