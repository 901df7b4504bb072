"""The pytest plugin that ships with streamlab: fixtures ``cloud`` and ``run_scenario``."""

from pathlib import Path

pytest_plugins = ["pytester"]

NOAA = Path(__file__).resolve().parents[1] / "scenarios" / "noaa-weather.yaml"


def test_cloud_fixture_gives_clients_clock_and_kinesis(pytester):
    pytester.makepyfile("""
        import datetime
        import boto3

        def test_stream_on_the_simulated_clock(cloud):
            kinesis = cloud.client("kinesis")
            kinesis.create_stream(StreamName="s", ShardCount=1)
            cloud.advance(60)
            kinesis.put_record(StreamName="s", Data=b"hello", PartitionKey="k")
            assert datetime.datetime.now(datetime.timezone.utc).isoformat().startswith(
                "2021-11-01T00:01:00")
            shard = cloud.kinesis.get_stream("s").shards[0]
            records, _ = shard.read(shard.first_index, 10, 2**20)
            assert records[0].data == b"hello"
            assert records[0].arrival == cloud.clock.now
            # a handler-style default client reaches the same store
            assert boto3.client("kinesis", region_name="us-east-1").list_streams()[
                "StreamNames"] == ["s"]

        def test_each_test_gets_a_fresh_backend(cloud):
            assert cloud.client("kinesis").list_streams()["StreamNames"] == []
            assert cloud.client("dynamodb").list_tables()["TableNames"] == []
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_run_scenario_fixture_runs_a_file_and_keeps_its_state(pytester):
    pytester.makepyfile(f"""
        def test_noaa(run_scenario):
            result = run_scenario({str(NOAA)!r}, seed=42)
            assert result.passed, result.report()
            count = run_scenario.client("dynamodb").scan(
                TableName="Temperature", Select="COUNT")["Count"]
            assert count == 155
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_failing_pipeline_test_reports_a_failure(pytester):
    pytester.makepyfile("""
        def test_wrong(cloud):
            cloud.client("kinesis").create_stream(StreamName="s", ShardCount=1)
            assert cloud.client("kinesis").list_streams()["StreamNames"] == ["other"]
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
