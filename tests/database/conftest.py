"""Fixtures of the database tests: a database of each kind, uniquely named MariaDB databases
dropped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from database_support import MARIADB_SERVER, root_sql, unique_name

from sim.database import Database


@pytest.fixture
def mariadb_name() -> Iterator[str]:
    """A database name no one uses (streamlab_test_<pid>_<n>), dropped after the test."""
    name = unique_name()
    try:
        yield name
    finally:
        root_sql(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def mariadb_url(mariadb_name: str) -> str:
    return f"{MARIADB_SERVER}/{mariadb_name}"


@pytest.fixture(params=["sqlite", "mariadb"])
def database(request, tmp_path, mariadb_url) -> Iterator[Database]:
    """An opened, not yet initialised database: embedded SQLite, then the real MariaDB."""
    url = None if request.param == "sqlite" else mariadb_url
    db = Database.open(url, directory=tmp_path, name="openaq")
    try:
        yield db
    finally:
        db.close()
