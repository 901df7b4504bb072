"""Errors of the database layer: what failed, where, and how to fix it.

Every message is safe to print: a database is named by its redacted URL
(``mysql+pymysql://root:***@127.0.0.1:3306/openaq``), never with its password. A script error
names the file, the statement's number in it and its line.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Base of the family; ``message`` holds no password."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DatabaseConfigError(DatabaseError):
    """A URL streamlab cannot use, or an environment variable it references is not set."""


class DatabaseUnavailable(DatabaseError):
    """The server cannot be reached (not running, wrong host or port)."""


class DatabaseLoginRefused(DatabaseError):
    """The server refused the user, the password, or the user's access to the database."""


class ForeignDatabase(DatabaseError):
    """The database holds rows (or scheduled events) that streamlab did not write: it refuses
    to initialise it rather than lose them."""


class ScriptError(DatabaseError):
    """An initialization script's statement failed or cannot be applied.

    ``file`` is the script, ``statement`` the statement's 1-based number in it, ``line`` the
    line its first word is on, ``reason`` what went wrong."""

    def __init__(self, file: str, statement: int, line: int, reason: str):
        super().__init__(f"{file}: statement {statement} (line {line}): {reason}")
        self.file = file
        self.statement = statement
        self.line = line
        self.reason = reason

    def __reduce__(self):  # pickle by fields (the message is derived)
        return (type(self), (self.file, self.statement, self.line, self.reason))


class UnsupportedStatement(ScriptError):
    """A MariaDB statement the SQLite translator cannot translate (see docs/databases.md)."""


class EventSchedulerUnavailable(DatabaseError):
    """Live events need MariaDB's event scheduler, which is off and cannot be turned on, or the
    database has none (SQLite)."""


class EventFailed(DatabaseError):
    """A scheduled event's body failed when fired."""
