"""`sim query` over a scenario (run first) and over an export directory, as a subprocess."""

import json
from pathlib import Path

from tests.cli.cli_support import sim

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenarios" / "athena-firehose.yaml"
FIXED = HERE / "tables" / "wildrydes_fixed.sql"


def test_query_a_scenario_prints_a_table(tmp_path):
    done = sim(
        "query",
        str(SCENARIO),
        "SELECT name, COUNT(*) AS n FROM wildrydes_fixed GROUP BY name ORDER BY name",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "name        n",
        "----------  -",
        "Bucephalus  9",
        "Rocinante   9",
        "Shadowfax   9",
        "(3 rows)",
    ]
    assert "ran " in done.stderr


def test_query_an_export_with_ddl_files_and_json(tmp_path):
    export = tmp_path / "out"
    assert (
        sim(
            "run",
            str(SCENARIO),
            "--in-process",
            "--no-progress",
            "--export",
            str(export),
            cwd=tmp_path,
        ).returncode
        == 0
    )
    ddl = tmp_path / "raw.sql"
    ddl.write_text(
        FIXED.read_text().replace("wildrydes_fixed", "raw").replace("delimited/", "concatenated/")
    )
    sql = (
        "SELECT (SELECT COUNT(*) FROM raw) AS raw, (SELECT COUNT(*) FROM wildrydes_fixed) AS fixed"
    )
    done = sim(
        "query", str(export), sql, "--ddl", str(ddl), "--ddl", str(FIXED), "--json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "columns": ["raw", "fixed"],
        "rows": [{"raw": 9, "fixed": 27}],
    }


def test_query_errors(tmp_path):
    export = tmp_path / "out"
    (export / "s3" / "wildrydes-data").mkdir(parents=True)
    done = sim("query", str(export), "SELECT 1", cwd=tmp_path)
    assert done.returncode == 2 and "--ddl FILE" in done.stderr
    done = sim("query", str(export), "SELECT * FROM nope", "--ddl", str(FIXED), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "sim query: TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.nope' does not exist"
    )
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE EXTERNAL TABLE t (a int)\nLOCATION 's3://b/'")
    done = sim("query", str(export), "SELECT 1", "--ddl", str(bad), cwd=tmp_path)
    assert done.returncode == 2 and f"{bad}: line 2:1: ROW FORMAT SERDE is missing" in done.stderr
    done = sim("query", str(tmp_path / "missing"), "SELECT 1", cwd=tmp_path)
    assert done.returncode == 2 and "no such file or directory" in done.stderr
