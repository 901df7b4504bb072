"""Flink jobs in scenarios: when rows are emitted, stops with and without drain, table sinks,
a throttled sink, a failing job, and what a scenario with Flink jobs may not do."""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import UTC, datetime

import pytest

from sim.flink.runner import JobSpec, OutputRow
from sim.flink.staging import Replay, SourceRecord, Watermarks, plan_emissions
from sim.scenario import ScenarioError, parse_scenario

T0 = datetime(2022, 1, 1, tzinfo=UTC).timestamp()


def record(arrival: float, event: float) -> SourceRecord:
    stamp = datetime.fromtimestamp(T0 + event, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return SourceRecord(T0 + arrival, json.dumps({"k": "a", "ts": stamp}).encode() + b"\n")


# -- the watermark rule, in plain Python ---------------------------------------------------------


def test_a_window_fires_with_the_first_record_that_brings_the_watermark_to_its_end():
    # event times 0..9 s, arriving a second after; delay 2 s
    records = [record(t + 1, t) for t in range(10)]
    marks = Watermarks(
        [r.arrival for r in records],
        [round((T0 + t) * 1000) for t in range(10)],
        delay_ms=2000,
    )
    end = round((T0 + 5) * 1000)  # a window [0 s, 5 s)
    # watermark = max event time - 2 s reaches 5 s - 1 ms with the record stamped 7 s
    assert marks.fire_time(end) == T0 + 8
    assert marks.fire_time(round((T0 + 8) * 1000)) is None  # needs an event at 10 s
    assert marks.late() == 0


def test_records_behind_the_watermark_are_counted_late():
    events = [0, 10, 7, 9, 3, 12]  # with delay 2 s: after 10 the watermark is 8: 7 and 3 late
    marks = Watermarks([T0 + i for i in range(6)], [e * 1000 for e in events], delay_ms=2000)
    assert marks.late() == 2


SPEC = JobSpec(
    name="j",
    build=None,
    source_schema={"k": "STRING", "ts": "TIMESTAMP(3)"},
    sink_schema={"k": "STRING", "end": "STRING"},
    event_time_field="ts",
    emit_time_field="end",
    watermark_delay=2.0,
)


def rows(*ends: float) -> list[OutputRow]:
    return [OutputRow(datetime.fromtimestamp(T0 + e, UTC), {"end": e}) for e in ends]


def test_rows_of_windows_that_never_fire_are_held_unless_the_job_is_drained():
    records = [record(t, t) for t in range(10)]  # event times 0..9, watermark ends at 7
    held = Replay("j")
    plan_emissions(SPEC, records, rows(5, 10), stop_at=None, drain=False, replay=held)
    assert held.emitted == [(T0 + 7, {"end": 5})]
    assert held.held == 1

    drained = Replay("j")
    plan_emissions(SPEC, records, rows(5, 10), stop_at=T0 + 20, drain=True, replay=drained)
    assert drained.emitted == [(T0 + 7, {"end": 5}), (T0 + 20, {"end": 10})]
    assert drained.held == 0

    stopped = Replay("j")  # stop without drain: open windows stay in the savepoint
    plan_emissions(SPEC, records, rows(5, 10), stop_at=T0 + 6, drain=False, replay=stopped)
    assert stopped.emitted == [] and stopped.held == 2


# -- scenarios ------------------------------------------------------------------------------------

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

JOB = '''
NAME = "counts"
SOURCE_SCHEMA = {"k": "STRING", "ts": "TIMESTAMP(3)", "v": "INT"}
EVENT_TIME_FIELD = "ts"
WATERMARK_DELAY = 1.0
SINK_SCHEMA = {"k": "STRING", "window_end": "STRING", "n": "BIGINT", "total": "BIGINT"}
EMIT_TIME_FIELD = "window_end"
SQL = """
INSERT INTO {sink}
SELECT k, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), COUNT(*), SUM(v)
FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end
"""

def build(t_env, source_table, sink_table):
    return t_env.execute_sql(SQL.format(source=source_table, sink=sink_table))
'''

PRODUCER = '''
import json
from datetime import datetime

from producers.base import Producer, Record


class Ticks(Producer):
    """One record a second: {"k": "a", "ts": now, "v": 1}."""

    name = "ticks"
    default_rate = 1.0

    def emit(self, now: datetime) -> list[Record]:
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        return [Record(json.dumps({"k": "a", "ts": stamp, "v": 1}).encode(), "a")]
'''

HANDLER = """
import base64
import json
import os


def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        for r in event["Records"]:
            out.write(base64.b64decode(r["kinesis"]["data"]).decode() + "\\n")
"""

SCENARIO = """
name: staged
seed: 1
clock: {start: 2022-01-01T00:00:00Z, duration: 1m}
resources:
  streams: [{name: raw}, {name: counts}]
  tables: [{name: Counts, partition_key: "k:S", sort_key: "window_end:S"}]
producers:
  - {name: ticks, type: "userjobs_producer:Ticks", target: {stream: raw}, stop: 45s}
flink_jobs:
  - name: counts
    job: JOB
    source: {stream: raw}
    sink: SINK
    STOP
functions:
  - name: reader
    handler: userjobs_handler:handler
    env: {OUT: OUTFILE}
    triggers:
      - kinesis: {stream: counts, starting_position: TRIM_HORIZON, batch_size: 10}
FAULTS
"""


def project(tmp_path, *, job=JOB, sink="{stream: counts}", stop="", faults="") -> str:
    (tmp_path / "userjobs.py").write_text(job)
    (tmp_path / "userjobs_producer.py").write_text(PRODUCER)
    (tmp_path / "userjobs_handler.py").write_text(HANDLER)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    path = tmp_path / "scenarios" / "staged.yaml"
    body = (
        SCENARIO.replace("JOB", "userjobs")
        .replace("SINK", sink)
        .replace("STOP", stop)
        .replace("FAULTS", faults)
        .replace("OUTFILE", str(tmp_path / "out.txt"))
    )
    path.write_text(body)
    return str(path)


def run(path: str):
    from sim import Simulation

    with Simulation.from_file(path) as simulation:
        result = simulation.run()
        store = simulation.backend.kinesis_store(simulation.scenario.region)
        arrivals = [
            (r.arrival - T0, json.loads(r.data))
            for shard in store.get_stream("counts").shards
            for r in shard.read(shard.first_index)[0]
        ]
        items = simulation.client("dynamodb").scan(TableName="Counts")["Items"]
        return result, arrivals, items


def test_windows_fire_with_the_watermark_and_the_rest_are_held(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    result, arrivals, _ = run(project(tmp_path))
    # ticks at 0..44 s; 10-second windows; the watermark (max - 1 s) passes 10 s with the
    # record stamped 11 s, and so on; the window [40, 50) never sees an event at 51 s
    assert [(t, row["window_end"][-12:], row["n"]) for t, row in arrivals] == [
        (11.0, "00:00:10.000", 10),
        (21.0, "00:00:20.000", 10),
        (31.0, "00:00:30.000", 10),
        (41.0, "00:00:40.000", 10),
    ]
    assert result.flink["counts"]["rows_held"] == 1
    assert "1 rows held in windows still open at the end" in result.report()
    lines = (tmp_path / "out.txt").read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [10, 10, 10, 10]
    assert result.passed


def test_a_drained_stop_fires_the_open_window_at_the_stop(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    result, arrivals, _ = run(project(tmp_path, stop="stop: {at: 50s, drain: true}"))
    assert [(t, row["n"]) for t, row in arrivals][-1] == (50.0, 5)
    assert result.flink["counts"]["rows_held"] == 0


def test_a_table_sink_gets_one_item_per_row(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    result, arrivals, items = run(project(tmp_path, sink="{table: Counts}"))
    assert arrivals == []
    assert sorted((i["window_end"]["S"][-12:], i["n"]["N"]) for i in items) == [
        ("00:00:10.000", "10"),
        ("00:00:20.000", "10"),
        ("00:00:30.000", "10"),
        ("00:00:40.000", "10"),
    ]
    assert result.ledger.accepted["flink job counts"] == 4
    assert result.ledger.stored["table Counts"] == 4


def test_a_throttled_sink_stream_is_retried_and_nothing_is_lost(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    faults = "faults:\n  - stream_throttle: {stream: counts, start: 20s, end: 35s}"
    result, arrivals, _ = run(project(tmp_path, faults=faults))
    # the rows due at 21 s and 31 s go in once the throttle ends at 35 s
    assert [t for t, _ in arrivals] == [11.0, 35.0, 35.0, 41.0]
    assert result.ledger.totals()["lost"] == 0
    assert result.passed


def test_a_failing_job_fails_the_scenario_with_its_name_and_flinks_message(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    broken = JOB.replace("SUM(v)", "SUM(missing)")
    result, arrivals, _ = run(project(tmp_path, job=broken))
    assert not result.passed
    assert arrivals == []
    [error] = result.errors
    assert error.startswith("Flink job 'counts' failed:")
    assert "Column 'missing' not found" in error
    assert "\tat org.apache" not in error
    hop = result.ledger.hops[("stream raw", "flink job counts")]
    assert hop.dropped["FlinkJobFailed"] == 45
    assert "counts: FAILED" in result.report()


def test_a_job_module_that_cannot_be_imported_fails_the_scenario(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "scenarios" / "staged.yaml"
    project(tmp_path)
    path.write_text(path.read_text().replace("job: userjobs", "job: no_such_jobs"))
    result, _, _ = run(str(path))
    assert result.errors == [
        "Flink job 'counts' failed: cannot import no_such_jobs: No module named 'no_such_jobs'"
    ]


# -- what a scenario with Flink jobs may not do ---------------------------------------------------

BASE = """
name: checks
clock: {start: 2022-01-01T00:00:00Z, duration: 1m}
resources:
  streams: [{name: raw}, {name: out}, {name: other}]
"""


def problems(body: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(textwrap.dedent(BASE + body), "x.yaml")
    errors = getattr(caught.value, "errors", [caught.value])
    return [str(e) for e in errors]


def test_a_producer_may_not_write_a_jobs_sink_stream():
    [problem] = problems(
        """
producers:
  - {name: p, type: unicorns, target: {stream: out}}
flink_jobs:
  - {name: j, job: m, source: {stream: raw}, sink: {stream: out}}
"""
    )
    assert "producers[0].target.stream" in problem
    assert "the sink of Flink job 'j'" in problem


def test_jobs_may_not_feed_each_other_in_a_cycle():
    [problem] = problems(
        """
flink_jobs:
  - {name: j, job: m, source: {stream: raw}, sink: {stream: out}}
  - {name: k, job: m, source: {stream: out}, sink: {stream: raw}}
"""
    )
    assert "a cycle: j → k → j" in problem or "a cycle: k → j → k" in problem


def test_a_function_may_not_read_both_sides_of_a_job():
    [problem] = problems(
        """
flink_jobs:
  - {name: j, job: m, source: {stream: raw}, sink: {stream: out}}
functions:
  - name: f
    handler: m:h
    triggers:
      - kinesis: {stream: raw, starting_position: LATEST}
      - kinesis: {stream: out, starting_position: LATEST}
"""
    )
    assert "functions[0].triggers[1].kinesis.stream" in problem


def test_sink_and_stop_are_checked():
    found = problems(
        """
flink_jobs:
  - {name: j, job: m, source: {stream: raw}, sink: {stream: raw}, stop: {at: 2m}}
  - {name: k, job: m, source: {stream: other}, sink: {stream: raw, partition_key: x}}
"""
    )
    assert any(
        "flink_jobs[0].sink.stream: expected a stream other than the source" in p for p in found
    )
    assert any("flink_jobs[0].stop.at: expected a time within the run" in p for p in found)
    assert any("flink_jobs[1].sink.stream" in p and "written by 'j' too" in p for p in found)


def test_on_the_wall_clock_the_job_runs_live_with_the_same_rows(tmp_path, monkeypatch):
    """At a real-time speed the job runs live between the streams (sim/flink/live_jobs.py):
    the rows are the replay's, put as Flink commits them; the drain at 50 s fires the last."""
    from sim import Simulation

    monkeypatch.syspath_prepend(str(tmp_path))
    path = project(tmp_path, stop="stop: {at: 50s, drain: true}")
    with Simulation.from_file(path, speed=4.0) as simulation:
        result = simulation.run()
    assert result.passed, result.report()
    lines = (tmp_path / "out.txt").read_text().splitlines()
    rows = sorted((json.loads(line)["window_end"][-12:], json.loads(line)["n"]) for line in lines)
    assert rows == [
        ("00:00:10.000", 10),
        ("00:00:20.000", 10),
        ("00:00:30.000", 10),
        ("00:00:40.000", 10),
        ("00:00:50.000", 5),
    ]
    assert result.flink["counts"]["records_read"] == 45
    assert result.flink["counts"]["rows_emitted"] == 5
    hop = result.ledger.hops[("stream raw", "flink job counts")]
    assert (hop.available, hop.delivered) == (45, 45)
    assert result.ledger.totals()["lost"] == 0


def test_a_live_run_cannot_write_a_table_sink(tmp_path, monkeypatch):
    from sim import Simulation
    from sim.runner import UnsupportedFlinkBinding

    monkeypatch.syspath_prepend(str(tmp_path))
    with (
        Simulation.from_file(project(tmp_path, sink="{table: Counts}"), speed=4.0) as simulation,
        pytest.raises(UnsupportedFlinkBinding, match="write\\(s\\) to a table"),
    ):
        simulation.run()
