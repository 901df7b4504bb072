"""Clear errors, passwords hidden: a MariaDB that is down, a refused login, bad URLs."""

from __future__ import annotations

import pytest
from database_support import free_port, root_sql, unique_name

from sim.database import (
    Database,
    DatabaseConfigError,
    DatabaseLoginRefused,
    DatabaseUnavailable,
    expand_environment,
    redact,
)
from sim.database.database import START_MARIADB

SECRET = "s3cr3t-Pa55"


@pytest.fixture
def test_user():
    """A MariaDB user with a password and no privileges, dropped after the test."""
    user = unique_name("streamlab_user")
    root_sql(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{SECRET}'")
    try:
        yield user
    finally:
        root_sql(f"DROP USER IF EXISTS '{user}'@'%'")


def test_redact_hides_the_password_and_keeps_the_rest():
    assert redact("mysql+pymysql://root:pw@127.0.0.1:3306/openaq") == (
        "mysql+pymysql://root:***@127.0.0.1:3306/openaq"
    )
    assert redact("mysql+pymysql://u:p@ss/w:rd@db.example:3306/x?charset=utf8mb4") == (
        "mysql+pymysql://u:***@db.example:3306/x?charset=utf8mb4"
    )
    assert (
        redact("mysql+pymysql://root@127.0.0.1/openaq") == "mysql+pymysql://root@127.0.0.1/openaq"
    )
    assert redact("mysql+pymysql://h/db?user=u&password=pw&x=1") == (
        "mysql+pymysql://h/db?user=u&password=***&x=1"
    )
    assert redact("not a url:pw@") == "not a url:pw@"
    assert redact(None) == "(embedded SQLite)"


def test_mariadb_down_names_the_url_without_password_and_the_fix(tmp_path):
    url = f"mysql+pymysql://root:{SECRET}@127.0.0.1:{free_port()}/openaq"
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.open(url, directory=tmp_path)
    message = str(caught.value)
    assert f"mysql+pymysql://root:***@127.0.0.1:{url.split(':')[3].split('/')[0]}/openaq" in message
    assert SECRET not in message and SECRET not in repr(caught.value)
    assert START_MARIADB in message and "Connection refused" in message


def test_a_refused_login_names_the_user_and_the_fix_without_password(tmp_path, test_user):
    url = f"mysql+pymysql://{test_user}:wrong-{SECRET}@127.0.0.1:3306/openaq"
    with pytest.raises(DatabaseLoginRefused) as caught:
        Database.open(url, directory=tmp_path)
    message = str(caught.value)
    assert f"mysql+pymysql://{test_user}:***@127.0.0.1:3306/openaq" in message
    assert "Access denied" in message and "Check the user and password" in message
    assert SECRET not in message


def test_a_user_who_may_not_create_the_database_is_told_so(tmp_path, test_user):
    missing = unique_name()
    url = f"mysql+pymysql://{test_user}:{SECRET}@127.0.0.1:3306/{missing}"
    with pytest.raises(DatabaseLoginRefused) as caught:
        Database.open(url, directory=tmp_path)
    message = str(caught.value)
    assert f"refused the user access to database {missing}" in message
    assert f"CREATE DATABASE IF NOT EXISTS {missing}; GRANT ALL ON {missing}.*" in message
    assert SECRET not in message


def test_repr_and_url_of_a_database(tmp_path, mariadb_name):
    root_sql(f"CREATE USER IF NOT EXISTS '{mariadb_name}'@'%' IDENTIFIED BY '{SECRET}'")
    root_sql(f"GRANT ALL ON `{mariadb_name}`.* TO '{mariadb_name}'@'%'")
    try:
        url = f"mysql+pymysql://{mariadb_name}:{SECRET}@127.0.0.1:3306/{mariadb_name}"
        with Database.open(url, directory=tmp_path) as db:
            assert SECRET not in repr(db) and "***" in repr(db)
            assert db.url == url  # handlers need the password
            env = db.handler_environment()
            assert env == {
                "DB_URL": url,
                "DB_USERNAME": mariadb_name,
                "DB_PASSWORD": SECRET,
                "DB_HOSTNAME": "127.0.0.1",
                "DB_PORT": "3306",
                "DB_NAME": mariadb_name,
            }
            assert db.handler_environment("OPENAQ_")["OPENAQ_DB_URL"] == url
            assert db.query("SELECT 1 AS one") == [{"one": 1}]
    finally:
        root_sql(f"DROP USER IF EXISTS '{mariadb_name}'@'%'")


def test_bad_urls(tmp_path):
    with pytest.raises(DatabaseConfigError, match="names no database"):
        Database.open(f"mysql+pymysql://root:{SECRET}@127.0.0.1:3306", directory=tmp_path)
    with pytest.raises(DatabaseConfigError) as caught:
        Database.open(f"postgresql://root:{SECRET}@host/db", directory=tmp_path)
    assert SECRET not in str(caught.value)
    with pytest.raises(DatabaseConfigError, match="in-memory"):
        Database.open("sqlite://", directory=tmp_path)


def test_sqlite_urls_and_handler_environment(tmp_path):
    with Database.open("sqlite:///data/x.db", directory=tmp_path) as db:
        assert db.path == tmp_path / "data" / "x.db"
        assert db.url == f"sqlite:///{tmp_path}/data/x.db"
        assert db.url.startswith("sqlite:////")
        assert db.handler_environment() == {"DB_URL": db.url}
    with Database.open(None, directory=tmp_path, name="openaq") as db:
        assert db.path == tmp_path / "openaq.sqlite" and db.path.exists()


def test_environment_references_expand_or_name_the_missing_variable():
    url = "mysql+pymysql://root:${DB_PW}@${DB_HOST}:3306/openaq"
    assert expand_environment(url, {"DB_PW": "x", "DB_HOST": "h"}) == (
        "mysql+pymysql://root:x@h:3306/openaq"
    )
    with pytest.raises(DatabaseConfigError, match="DB_PW is not set"):
        expand_environment(url, {"DB_HOST": "h"}, where="databases openaq")
