"""The bounded event-time runner: Wild Rydes' summary, watermarks and late records, errors.

One runner (one StreamTableEnvironment, one JVM) for the whole module.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

from flink_jobs import wildrydes_summary  # noqa: E402
from producers.unicorns import UnicornProducer  # noqa: E402
from sim.flink import FlinkJobError, FlinkRunner  # noqa: E402
from tests.wildrydes_windows import expected_summaries, stamp  # noqa: E402

START = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)


# The timeout test cancels a job, which hangs up on PyFlink's Python worker; its gRPC reader
# thread then reports the hang-up during a later test of this module.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.fixture(scope="module")
def runner():
    with FlinkRunner() as r:
        yield r


def test_flink_wildrydes_summary_matches_python(runner):
    producer = UnicornProducer(random.Random(42), count=3)
    records = []
    for second in range(180):  # 09:00:00 … 09:02:59, three minutes
        records.extend(producer.statuses(START + timedelta(seconds=second)))

    rows = runner.run(wildrydes_summary, records)

    expected = expected_summaries(records)
    assert len(rows) == len(expected) == 9  # 3 unicorns x 3 minutes
    got = {(r.data["Name"], r.data["StatusTime"]): r.data for r in rows}
    assert set(got) == set(expected)
    for key, want in expected.items():
        have = got[key]
        assert have["Distance"] == pytest.approx(want["Distance"], rel=1e-9)
        for field in ("MinMagicPoints", "MaxMagicPoints", "MinHealthPoints", "MaxHealthPoints"):
            assert have[field] == want[field], (key, field)
    # Each row is emitted at its window's end, in time order.
    for r in rows:
        assert stamp(r.time) == r.data["StatusTime"]
    assert [r.time for r in rows] == sorted(r.time for r in rows)
    assert {r.time for r in rows} == {START + timedelta(minutes=m) for m in (1, 2, 3)}


COUNT_JOB = SimpleNamespace(
    NAME="count-per-minute",
    SOURCE_SCHEMA={"Name": "STRING", "StatusTime": "TIMESTAMP(3)", "Seq": "INT"},
    EVENT_TIME_FIELD="StatusTime",
    WATERMARK_DELAY=5,
    SINK_SCHEMA={"Name": "STRING", "WindowEnd": "STRING", "Records": "BIGINT", "Seqs": "STRING"},
    EMIT_TIME_FIELD="WindowEnd",
    build=lambda t_env, source, sink: t_env.execute_sql(
        f"INSERT INTO {sink} SELECT Name, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), "
        "COUNT(*), LISTAGG(CAST(Seq AS STRING)) "
        f"FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(StatusTime), INTERVAL '1' MINUTE)) "
        "GROUP BY Name, window_start, window_end"
    ),
)


def test_flink_out_of_order_counted_late_dropped(runner):
    """Watermark = max event time seen - 5 s; a window fires when the watermark passes its end."""

    def rec(seq: int, mm_ss: str) -> dict:
        return {"Name": "Shadowfax", "StatusTime": f"2021-11-01 09:{mm_ss}.000", "Seq": seq}

    records = [  # in arrival order
        rec(1, "00:10"),
        rec(2, "00:50"),
        rec(3, "01:02"),  # watermark 09:00:57
        rec(4, "00:58"),  # out of order, within 5 s of the watermark: counted in 09:00
        rec(5, "01:10"),  # watermark 09:01:05 > 09:00:59.999: the 09:00 window fires
        rec(6, "00:30"),  # behind the watermark, its window has fired: dropped
        rec(7, "01:20"),
        rec(8, "01:03"),  # out of order (watermark 09:01:15) but its window is open: counted
    ]
    rows = runner.run(COUNT_JOB, records)

    got = {r.data["WindowEnd"]: r.data for r in rows}
    assert set(got) == {"2021-11-01 09:01:00.000", "2021-11-01 09:02:00.000"}
    first, second = got["2021-11-01 09:01:00.000"], got["2021-11-01 09:02:00.000"]
    assert first["Records"] == 3
    assert sorted(first["Seqs"].split(",")) == ["1", "2", "4"]
    assert second["Records"] == 4  # the end of input's final watermark fires the last window
    assert sorted(second["Seqs"].split(",")) == ["3", "5", "7", "8"]
    assert [r.time for r in rows] == [
        datetime(2021, 11, 1, 9, 1, tzinfo=UTC),
        datetime(2021, 11, 1, 9, 2, tzinfo=UTC),
    ]


def test_flink_event_time_from_epoch_seconds(runner):
    """Arrival times given as epoch seconds (the clock's own) become the event-time column."""
    base = START.timestamp()
    records = [{"Name": "Epona", "StatusTime": base + s, "Seq": s} for s in (1.5, 30, 61, 119.999)]
    rows = runner.run(COUNT_JOB, records)
    assert [(r.data["WindowEnd"], r.data["Records"]) for r in rows] == [
        ("2021-11-01 09:01:00.000", 2),
        ("2021-11-01 09:02:00.000", 2),
    ]


def _assert_no_java_trace(err: FlinkJobError) -> None:
    text = str(err)
    assert "at org.apache" not in text
    assert "Caused by" not in text
    assert "\n" not in text


def test_flink_bad_sql_names_job_and_flink_message(runner):
    job = SimpleNamespace(
        **{k: v for k, v in vars(COUNT_JOB).items() if k != "build"},
        build=lambda t_env, source, sink: t_env.execute_sql(
            f"INSERT INTO {sink} SELECT Name, NoSuchColumn, COUNT(*), '' FROM {source} GROUP BY Name"
        ),
    )
    job.NAME = "bad-sql"
    with pytest.raises(FlinkJobError) as info:
        runner.run(job, [{"Name": "A", "StatusTime": "2021-11-01 09:00:00.000", "Seq": 1}])
    err = info.value
    assert err.job == "bad-sql"
    assert "'bad-sql'" in str(err)
    assert err.message.startswith("SQL validation failed. From line 1")
    assert "Column 'NoSuchColumn' not found" in err.message
    _assert_no_java_trace(err)
    assert "org.apache" in err.details  # the full trace is kept for debugging


def test_flink_python_udf_error_carries_exception_text(runner):
    from pyflink.table import DataTypes
    from pyflink.table.udf import udf

    @udf(result_type=DataTypes.INT())
    def check_points(points):
        if points > 2:
            raise ValueError(f"unicorn exploded at {points} points")
        return points

    def build(t_env, source, sink):
        t_env.create_temporary_function("check_points", check_points)
        return t_env.execute_sql(
            f"INSERT INTO {sink} SELECT Name, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), "
            "COUNT(*), LISTAGG(CAST(check_points(Seq) AS STRING)) "
            f"FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(StatusTime), INTERVAL '1' MINUTE)) "
            "GROUP BY Name, window_start, window_end"
        )

    job = SimpleNamespace(**{k: v for k, v in vars(COUNT_JOB).items() if k != "build"})
    job.NAME, job.build = "exploding-udf", build
    records = [
        {"Name": "A", "StatusTime": f"2021-11-01 09:00:0{i}.000", "Seq": i} for i in range(1, 5)
    ]
    with pytest.raises(FlinkJobError) as info:
        runner.run(job, records)
    err = info.value
    assert err.job == "exploding-udf"
    assert err.message == "ValueError: unicorn exploded at 3 points"
    _assert_no_java_trace(err)


def test_flink_job_past_its_timeout_is_cancelled_with_a_clear_error(runner):
    import time as _time

    from pyflink.table import DataTypes
    from pyflink.table.udf import udf

    @udf(result_type=DataTypes.INT())
    def slow(points):
        _time.sleep(3)
        return points

    def build(t_env, source, sink):
        t_env.create_temporary_function("slow", slow)
        return t_env.execute_sql(
            f"INSERT INTO {sink} SELECT Name, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), "
            "COUNT(*), LISTAGG(CAST(slow(Seq) AS STRING)) "
            f"FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(StatusTime), INTERVAL '1' MINUTE)) "
            "GROUP BY Name, window_start, window_end"
        )

    job = SimpleNamespace(**{k: v for k, v in vars(COUNT_JOB).items() if k != "build"})
    job.NAME, job.build = "slow-udf", build
    records = [
        {"Name": "A", "StatusTime": f"2021-11-01 09:00:0{i}.000", "Seq": i} for i in range(1, 6)
    ]
    runner.timeout, saved = 2.0, runner.timeout
    try:
        with pytest.raises(FlinkJobError) as info:
            runner.run(job, records)
    finally:
        runner.timeout = saved
    err = info.value
    assert str(err) == "Flink job 'slow-udf' failed: did not finish within 2 s"
    _assert_no_java_trace(err)


def test_flink_runner_survives_a_failed_job(runner):
    """After the failures above (and the cancelled job) the same environment still runs jobs."""
    rows = runner.run(COUNT_JOB, [{"Name": "A", "StatusTime": "2021-11-01 09:00:00.000", "Seq": 1}])
    assert [(r.data["Records"], r.data["Seqs"]) for r in rows] == [(1, "1")]
