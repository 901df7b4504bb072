"""The scenario's `databases:` entries: defaults, URL checks without showing passwords,
${NAME} references, the init directory and its scripts checked at load time."""

from __future__ import annotations

from pathlib import Path

import pytest
from database_support import SCRIPTS
from pydantic import ValidationError

from sim.database import DatabaseConfigError
from sim.scenario.databases import DEFAULT_INIT, DatabaseSpec, check_database_scripts
from sim.scenario.loader import LineMap

ROOT = Path(__file__).resolve().parents[2]


def problem(**fields) -> dict:
    with pytest.raises(ValidationError) as caught:
        DatabaseSpec.model_validate(fields)
    [error] = caught.value.errors()
    return {"loc": error["loc"], **error.get("ctx", {})}


def test_defaults_embedded_sqlite_with_the_lab_scripts_fired_on_the_clock():
    spec = DatabaseSpec.model_validate({"name": "openaq"})
    assert (spec.url, spec.init, spec.events) == (None, DEFAULT_INIT, "simulated")
    assert spec.resolved_url() is None
    scenario_file = ROOT / "scenarios" / "openaq-batch.yaml"
    assert spec.init_directory(scenario_file) == SCRIPTS


def test_urls_are_checked_and_shown_without_password():
    found = problem(name="x", url="postgresql://me:hunter2@db/x")
    assert "not postgresql://" in found["expected"] and "hunter2" not in found["found"]
    assert "me:***@db" in found["found"]
    stray = problem(name="x", url="mysql+pymysql://root:$ecret@h/x")
    assert "${NAME}" in stray["expected"] and "$ecret" not in stray["found"]
    assert problem(name="x", url=" ")["expected"].startswith("null or a URL")
    live = problem(name="x", events="live")
    assert live["key"] == "events" and "SQLite" in live["expected"]
    assert problem(name="x", url=None, extra=1)["loc"] == ("extra",)


def test_environment_references_are_read_when_the_run_starts():
    spec = DatabaseSpec.model_validate(
        {
            "name": "openaq",
            "url": "mysql+pymysql://root:${PW}@127.0.0.1:3306/openaq",
            "events": "live",
        }
    )
    assert spec.resolved_url({"PW": "p"}) == "mysql+pymysql://root:p@127.0.0.1:3306/openaq"
    with pytest.raises(DatabaseConfigError, match="databases openaq: the environment variable PW"):
        spec.resolved_url({})
    whole = DatabaseSpec.model_validate({"name": "db", "url": "${OPENAQ_DB}"})
    assert whole.resolved_url({"OPENAQ_DB": "sqlite:///x.db"}) == "sqlite:///x.db"


def test_scripts_are_checked_when_the_scenario_is_loaded(tmp_path):
    scenario = tmp_path / "scenarios" / "s.yaml"
    scripts = tmp_path / "sql"
    scripts.mkdir()
    (scripts / "01.sql").write_text("CREATE TABLE a (id INT);\nSELECT 7 DIV 2;\n")
    specs = [
        DatabaseSpec.model_validate({"name": "ok", "init": str(SCRIPTS)}),
        DatabaseSpec.model_validate({"name": "bad", "init": "../sql"}),
        DatabaseSpec.model_validate({"name": "gone", "init": "../nowhere"}),
        DatabaseSpec.model_validate(
            {"name": "real", "url": "mysql+pymysql://root@h/x", "init": "../sql"}
        ),
    ]
    lines = LineMap(values={("databases", 1, "init"): 9, ("databases", 2, "init"): 12})
    errors = check_database_scripts(specs, lines, str(scenario))
    assert [(e.key, e.line) for e in errors] == [
        ("databases[1].init", 9),
        ("databases[2].init", 12),
    ]
    assert errors[0].expected == "initialization scripts streamlab can apply on SQLite"
    assert "01.sql: statement 2 (line 2): the integer division DIV" in errors[0].found
    assert "no such directory" in errors[1].found
