"""The `athena` section and expectation: validation with file:line, evaluation, a whole run."""

import gzip
from pathlib import Path

import pytest

from sim import Simulation
from sim.expect import ExpectContext, evaluate
from sim.ledger import Ledger
from sim.scenario import ScenarioError, parse_scenario
from sim.scenario.athena import check_athena_files

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenarios" / "athena-firehose.yaml"
OPENX = "org.openx.data.jsonserde.JsonSerDe"

TEXT = f"""
name: t
clock: {{start: 2021-11-01T00:00:00Z, duration: 1m}}
athena:
  tables:
    - CREATE EXTERNAL TABLE w (name string, n int) ROW FORMAT SERDE '{OPENX}' LOCATION 's3://bkt/w/'
    - {{file: tables/wildrydes_fixed.sql}}
expect:
  - athena: {{query: "SELECT COUNT(*) FROM w"}}
    equals: 2
  - athena: {{query: "SELECT name FROM w ORDER BY name"}}
    equals: [a, b]
  - athena: {{query: "SELECT name, n FROM w ORDER BY n DESC LIMIT 1"}}
    equals: [{{name: b, n: 2}}]
  - athena: {{query: "SELECT SUM(n) FROM w"}}
    between: [1, 5]
  - athena: {{query: "SELECT COUNT(*) FROM wildrydes_fixed"}}
    equals: 0
  - athena: {{query: "SELECT * FROM nope"}}
    equals: 0
"""


def test_the_section_and_the_expectation_validate():
    scenario = parse_scenario(TEXT, str(HERE / "t.yaml"))  # its file table lies beside it
    assert [t.ddl is not None for t in scenario.athena.tables] == [True, False]
    assert scenario.expect[0].check_kind == "athena"
    assert check_athena_files(scenario.athena, _Lines(), str(HERE / "t.yaml")) == []
    errors = check_athena_files(scenario.athena, _Lines(), "elsewhere/t.yaml")
    assert "No such file" in str(errors[0])
    # validation reads {file: …} tables beside the scenario, and names the line
    with pytest.raises(ScenarioError, match=r"elsewhere/t.yaml:\d+: athena.tables\[1\].file"):
        parse_scenario(TEXT, "elsewhere/t.yaml")


class _Lines:
    def value_line(self, path):
        return 7


def test_a_bad_statement_is_reported_with_file_line_and_the_statements_position():
    bad = TEXT.replace("LOCATION 's3://bkt/w/'", "LOCATON 's3://bkt/w/'")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(bad, "t.yaml")
    assert str(error.value).startswith(
        "t.yaml:6: athena.tables[0].ddl: expected a CREATE EXTERNAL TABLE statement"
    )
    assert "found line 1:100: mismatched input 'LOCATON'" in str(error.value)


def test_an_athena_expectation_needs_tables():
    text = TEXT.split("athena:\n")[0] + "expect:\n  - athena: {query: SELECT 1}\n    equals: 1\n"
    with pytest.raises(ScenarioError, match=r"t.yaml:\d+: expect\[0\].athena: expected tables"):
        parse_scenario(text, "t.yaml")


def test_a_duplicate_table_is_an_error():
    text = TEXT.replace("    - {file: tables/wildrydes_fixed.sql}", TEXT.split("\n")[5])
    with pytest.raises(ScenarioError, match="'default.w', already declared by tables"):
        parse_scenario(text, "t.yaml")


def test_evaluating_athena_expectations(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="w/1", Body=b'{"name":"a","n":1}{"name":"z","n":9}')
    s3.put_object(Bucket="bkt", Key="w/2.gz", Body=gzip.compress(b'{"Name":"b","N":2}\n'))
    s3.create_bucket(Bucket="wildrydes-data")
    scenario = parse_scenario(TEXT, str(HERE / "t.yaml"))
    context = ExpectContext(client=cloud.client, ledger=Ledger(), scenario_dir=str(HERE))
    results = [evaluate(spec, context) for spec in scenario.expect]
    assert [r.passed for r in results] == [True, True, True, True, True, False]
    assert results[0].name == "athena SELECT COUNT(*) FROM w"
    assert results[-1].error == (
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.nope' does not exist"
    )


def test_the_scenario_shows_the_pitfall_and_the_fix():
    with Simulation.from_file(SCENARIO) as simulation:
        result = simulation.run()
    assert result.passed, result.report()
    counts = {e.name: e.actual for e in result.expectations}
    objects = counts["one object per invocation"]
    assert counts["newline-delimited records all count"] == 27
    assert (
        counts["concatenated records count once per object (Athena's COUNT(*) = 1 per object)"]
        == objects
        < 27
    )
