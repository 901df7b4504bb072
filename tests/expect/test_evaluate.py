"""Expectation checks and comparisons against a real (moto) DynamoDB table."""

from types import SimpleNamespace

import pytest

from sim.expect import ExpectContext, evaluate
from sim.expect.evaluate import compare, shape_result
from sim.ledger import Ledger
from sim.scenario import parse_scenario

ITEMS = [
    {"date": "2021-10-01", "station": "A", "TMAX": 70},
    {"date": "2021-10-01", "station": "B", "TMAX": 74},
    {"date": "2021-10-02", "station": "A", "TMAX": 61.5},
]


def params(**kw):
    base = dict(max_by=None, min_by=None, sort=None, project=None, distinct=False, limit=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_shape_result_max_by_and_project():
    assert shape_result(ITEMS, params(max_by="TMAX", project=["date", "TMAX"])) == {
        "date": "2021-10-01",
        "TMAX": 74,
    }
    assert shape_result(ITEMS, params(min_by="TMAX", project="station")) == "A"
    assert shape_result([], params(max_by="TMAX")) is None


def test_shape_result_sort_distinct_limit():
    assert shape_result(ITEMS, params(project="date", distinct=True)) == [
        "2021-10-01",
        "2021-10-02",
    ]
    assert shape_result(ITEMS, params(sort="-TMAX", project="TMAX", limit=2)) == [74, 70]


@pytest.mark.parametrize(
    "comparison,expected,actual,ok",
    [
        ("equals", 3, 3.0, True),
        ("equals", [1, "a"], [1, "a"], True),
        ("equals", True, 1, False),
        ("at_least", 5, 5, True),
        ("at_least", 5, 4, False),
        ("at_most", 5, 6, False),
        ("between", (1, 3), 2, True),
        ("between", (1, 3), 4, False),
        ("at_least", 1, None, False),
    ],
)
def test_compare(comparison, expected, actual, ok):
    assert compare(comparison, expected, actual) is ok


SCENARIO = """
name: t
clock: {start: 2021-11-01T00:00:00Z, duration: 1m}
resources:
  tables:
    - name: Temps
      partition_key: date:S
      sort_key: station:S
      items:
        - {date: "2021-10-01", station: A, TMAX: 70}
        - {date: "2021-10-01", station: B, TMAX: 74}
        - {date: "2021-10-02", station: A, TMAX: 61.5}
expect:
  - count: {table: Temps}
    equals: 3
  - duplicates: {table: Temps, by: [date]}
    equals: 1
  - item: {table: Temps, key: {date: "2021-10-01", station: B}, attribute: TMAX}
    equals: 74
  - query: {table: Temps, key_condition: "#d = :d", names: {"#d": date}, values: {":d": "2021-10-01"},
            project: station}
    equals: [A, B]
  - query: {table: Temps, filter: "TMAX > :t", values: {":t": 65.5}, project: station,
            distinct: true}
    equals: [A, B]
"""


def test_checks_against_a_real_table(cloud):
    from sim.provision import Provisioner

    scenario = parse_scenario(SCENARIO)
    Provisioner(cloud.backend, scenario).create_resources()
    context = ExpectContext(client=cloud.client, ledger=Ledger())
    results = [evaluate(spec, context) for spec in scenario.expect]
    assert [(r.kind, r.actual, r.passed) for r in results] == [
        ("count", 3, True),
        ("duplicates", 1, True),
        ("item", 74, True),
        ("query", ["A", "B"], True),
        ("query", ["A", "B"], True),
    ]


def test_a_check_that_cannot_run_fails_with_the_aws_error(cloud):
    scenario = parse_scenario(SCENARIO)  # the table is declared but never created
    result = evaluate(scenario.expect[0], ExpectContext(client=cloud.client, ledger=Ledger()))
    assert not result.passed
    assert result.error.startswith("ResourceNotFoundException")
