"""Database URLs: hiding the password, expanding ``${NAME}`` references, knowing the kind.

Kept free of SQLAlchemy so that loading a scenario stays cheap. Accepted URLs:

* ``sqlite:////absolute/path.db`` or ``sqlite:///relative/path.db`` (an in-memory ``sqlite://``
  is refused: a Lambda handler could not open the same database);
* MariaDB: ``mysql+pymysql://user:password@host:port/database`` (also ``mariadb+pymysql://``;
  ``mysql://`` and ``mariadb://`` get the PyMySQL driver, the only one installed).

A scenario may write ``${NAME}`` anywhere in a URL; it is replaced by the environment variable
``NAME`` when the run starts, so passwords stay out of scenario files:
``url: mysql+pymysql://root:${MARIADB_PASSWORD}@127.0.0.1:3306/openaq`` or ``url: ${OPENAQ_DB}``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from sim.database.errors import DatabaseConfigError

HIDDEN = "***"
SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
MARIADB_SCHEMES = ("mysql+pymysql", "mariadb+pymysql", "mysql", "mariadb")
SCHEMES = (*SQLITE_SCHEMES, *MARIADB_SCHEMES)

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DOLLAR = re.compile(r"\$(?!\{[A-Za-z_][A-Za-z0-9_]*\})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_SECRET_PARAMETER = re.compile(r"([?&](?:password|passwd)=)[^&]*", re.IGNORECASE)


def redact(url: str | None) -> str:
    """``url`` with its password replaced by ``***`` (user, host, port and database kept).

    Works on any text, parseable or not: the password is what lies between the first ``:``
    of the user part and the last ``@`` before the host, and any ``password=`` parameter."""
    if url is None:
        return "(embedded SQLite)"
    text = str(url)
    match = _SCHEME.match(text)
    if match:
        head, rest = text[: match.end()], text[match.end() :]
        at = rest.rfind("@", 0, _host_end(rest))
        if at >= 0:
            user, colon, _password = rest[:at].partition(":")
            rest = f"{user}:{HIDDEN}{rest[at:]}" if colon else rest
        text = head + rest
    return _SECRET_PARAMETER.sub(lambda m: m.group(1) + HIDDEN, text)


def _host_end(rest: str) -> int:
    """Where the authority part of ``rest`` (after ``scheme://``) ends: the ``/`` or ``?``
    after the last ``@`` (a password may hold ``/``), or the end."""
    at = rest.rfind("@")
    cut = len(rest)
    for stop in ("/", "?"):
        index = rest.find(stop, at + 1)
        if index >= 0:
            cut = min(cut, index)
    return cut


def references(url: str) -> list[str]:
    """The environment variables ``url`` references (``${NAME}``), in order."""
    return _REFERENCE.findall(url)


def check_references(url: str) -> str | None:
    """Why ``url``'s ``$`` signs are not all ``${NAME}`` references, or None when they are."""
    stray = _DOLLAR.search(url)
    if stray is None:
        return None
    return f"a '$' at character {stray.start() + 1} that does not start a ${{NAME}} reference"


def expand_environment(
    url: str, environ: Mapping[str, str] | None = None, *, where: str = ""
) -> str:
    """``url`` with each ``${NAME}`` replaced by the environment variable ``NAME``.

    Raises :class:`DatabaseConfigError` naming the variable when it is not set (``where`` says
    which scenario key held the URL)."""
    environ = os.environ if environ is None else environ
    problem = check_references(url)
    if problem is not None:
        raise DatabaseConfigError(f"{where or 'database URL'}: {problem} in {redact(url)}")
    missing = [name for name in references(url) if name not in environ]
    if missing:
        names = ", ".join(missing)
        raise DatabaseConfigError(
            f"{where or 'database URL'}: the environment variable {names} is not set "
            f"(the URL {redact(url)} references it); export it, e.g. "
            f"export {missing[0]}=..., or write the value in the scenario"
        )
    return _REFERENCE.sub(lambda m: environ[m.group(1)], url)


def scheme(url: str) -> str | None:
    """The URL's scheme (``mysql+pymysql``), or None when it has none."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def check_scheme(url: str) -> str | None:
    """Why ``url`` is not a database URL streamlab opens, or None when its scheme is one.
    A URL whose scheme is still a ``${NAME}`` reference passes (it is checked when expanded)."""
    if url.startswith("${"):
        return None
    found = scheme(url)
    if found is None:
        return "a URL such as mysql+pymysql://user:password@host:3306/database"
    if found not in SCHEMES:
        return f"a URL scheme streamlab opens ({', '.join(SCHEMES)}), not {found}://"
    return None


def is_sqlite(url: str | None) -> bool:
    return url is None or scheme(url) in SQLITE_SCHEMES
