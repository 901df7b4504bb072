"""The plan's cost estimate, checked against numbers worked out by hand."""

from __future__ import annotations

import textwrap

import pytest

from sim.backends import aws_pricing as price
from sim.backends.aws_cost import (
    SAMPLE_TICKS_MAX,
    ProducerVolume,
    estimate_cost,
    estimate_volumes,
    writable_tables,
)
from sim.backends.aws_plan import plan_lines
from sim.scenario import load_scenario

GB = 1024**3

SMALL = """\
name: small
clock:
  start: 2021-11-01T00:00:00Z
  duration: {duration}
resources:
  streams:
    - name: od
      mode: ON_DEMAND
    - name: prov
      shards: 2
      retention_hours: 48
  tables:
    - name: Ttt
      partition_key: id:S
      global_secondary_indexes:
        - {{name: by-x, partition_key: x:S}}
      items:
        - {{id: a}}
        - {{id: b}}
    - name: Ppp
      partition_key: id:S
      billing_mode: PROVISIONED
      read_capacity: 5
      write_capacity: 10
functions:
  - name: f
    handler: pkg.f:handler
    memory: 512
    role:
      policies:
        - name: write-t
          document:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: arn:aws:dynamodb:us-east-1:123456789012:table/Ttt
    triggers:
      - kinesis: {{stream: od, starting_position: TRIM_HORIZON, batch_size: 100}}
  - name: g
    handler: pkg.g:handler
    triggers:
      - kinesis: {{stream: prov, starting_position: LATEST, batch_size: 10}}
"""

# 1,000 records of 1,500 bytes on od (2 KB units each); 300 of 100 bytes on prov.
VOLUMES = [
    ProducerVolume("a", "od", 1000, 1_500_000, 2000, 1000),
    ProducerVolume("b", "prov", 300, 30_000, 300, 300),
]


def small(tmp_path, duration: str = "1h"):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.format(duration=duration))
    return load_scenario(path)


def test_an_hour_of_a_small_scenario_by_hand(tmp_path) -> None:
    estimate = estimate_cost(small(tmp_path), VOLUMES)

    # On-demand stream: $0.04 for the hour; 2,000 KB in at $0.08/GB, read once at $0.04/GB.
    od = estimate.item("stream", "od")
    gigabytes = 2000 * 1024 / GB
    assert od.for_run == pytest.approx(0.04 + gigabytes * 0.08 + gigabytes * 0.04)
    assert od.per_hour == pytest.approx(od.for_run)  # the scenario lasts one hour
    # Provisioned: 2 shards × ($0.015 + $0.02 extended retention); 300 PUT payload units.
    prov = estimate.item("stream", "prov")
    assert prov.for_run == pytest.approx(2 * 0.015 + 2 * 0.02 + 300 * 0.014 / 1e6)

    # f: 1,000 records ÷ 100 = 10 invocations; 10 × 100 ms + 1,000 × 5 ms = 6 s at 0.5 GB.
    f = estimate.item("function", "f")
    assert f.for_run == pytest.approx(10 * 0.20 / 1e6 + 6 * 0.5 * 0.0000166667)
    assert estimate.item("log-group", "/aws/lambda/f").for_run == pytest.approx(
        10 * 500 / GB * 0.50
    )
    # g: 300 ÷ 10 = 30 invocations; 30 × 100 ms + 300 × 5 ms = 4.5 s at 0.125 GB.
    g = estimate.item("function", "g")
    assert g.for_run == pytest.approx(30 * 0.20 / 1e6 + 4.5 * 0.125 * 0.0000166667)

    # Ttt: f's 2,000 units (its policy names only Ttt) + half of g's 300 (no policy: Ttt and Ppp)
    # + 2 seed items, each written twice (the table and its index).
    t = estimate.item("table", "Ttt")
    assert t.for_run == pytest.approx((2000 + 150 + 2) * 2 * 0.625 / 1e6)
    # Ppp: provisioned capacity for the hour, writes included.
    assert estimate.item("table", "Ppp").for_run == pytest.approx(10 * 0.00065 + 5 * 0.00013)

    assert estimate.item("role", "f-role").for_run == 0
    assert estimate.item("mapping", "od->f").for_run == 0
    assert estimate.for_run == pytest.approx(sum(item.for_run for item in estimate.items.values()))
    assert estimate.per_hour == pytest.approx(estimate.for_run)


def test_fixed_charges_scale_with_the_duration_usage_with_the_records(tmp_path) -> None:
    estimate = estimate_cost(small(tmp_path, "30m"), VOLUMES)
    od = estimate.item("stream", "od")
    usage = 2000 * 1024 / GB * (0.08 + 0.04)
    assert od.for_run == pytest.approx(0.04 * 0.5 + usage)
    assert od.per_hour == pytest.approx(0.04 + usage * 2)  # the same traffic, twice an hour
    assert estimate.item("table", "Ppp").for_run == pytest.approx((10 * 0.00065 + 5 * 0.00013) / 2)


def test_the_prices_used_are_the_named_constants(tmp_path) -> None:
    assert price.KINESIS_ON_DEMAND_STREAM_HOUR == 0.04
    assert price.DYNAMODB_WRITE_REQUEST_UNITS_PER_MILLION == 0.625
    assert price.LAMBDA_GB_SECOND == 0.0000166667
    for name in dir(price):
        if name.endswith("_URL"):
            assert getattr(price, name).startswith("https://aws.amazon.com/")


def test_which_tables_a_function_writes(tmp_path) -> None:
    scenario = small(tmp_path)
    f, g = scenario.functions
    assert writable_tables(scenario, f) == ["Ttt"]
    assert writable_tables(scenario, g) == ["Ttt", "Ppp"]


def _producer_scenario(tmp_path, producer: str, duration: str = "10s"):
    path = tmp_path / "p.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: p
            clock:
              start: 2021-11-01T00:00:00Z
              duration: {duration}
            resources:
              streams:
                - name: s
            producers:
            """
        )
        + textwrap.indent(textwrap.dedent(producer), "  ")
    )
    return load_scenario(path)


FIXED = "aws_backend_support:FixedSizeProducer"


@pytest.mark.parametrize(
    ("extra", "records"),
    [
        ("", 60),  # 10 s × 2 ticks/s × 3 records
        ("count: 50\n", 50),
        ("start: 5s\nstop: 8s\n", 18),  # 3 s × 2 ticks × 3
        ("params: {size: 2000, per_tick: 3, total: 7}\n", 7),  # a finite producer
    ],
)
def test_volumes_come_from_the_producer(tmp_path, extra: str, records: int) -> None:
    params = "" if "params" in extra else "params: {size: 2000, per_tick: 3}\n"
    scenario = _producer_scenario(
        tmp_path, f"- name: a\n  type: {FIXED}\n  target: {{stream: s}}\n  rate: 2/s\n"
        + textwrap.indent(params + extra, "  "),
    )  # fmt: skip
    (volume,) = estimate_volumes(scenario)
    assert volume.exact
    assert volume.records == records
    assert volume.bytes == records * 2001  # data and the one-byte partition key
    assert volume.kib_units == records * 2  # 2,001 bytes: two 1 KB units
    assert volume.put_units == records  # one 25 KB unit


def test_long_scenarios_are_extrapolated_from_a_sample(tmp_path) -> None:
    scenario = _producer_scenario(
        tmp_path,
        f"- name: a\n  type: {FIXED}\n  target: {{stream: s}}\n  rate: 10/s\n",
        duration="1h",
    )
    (volume,) = estimate_volumes(scenario)
    assert not volume.exact and str(SAMPLE_TICKS_MAX) in volume.note.replace(",", "")
    assert volume.records == 36_000
    assert volume.bytes == 36_000 * 101


def test_the_plan_prints_each_resource_with_its_cost_and_the_totals(tmp_path) -> None:
    scenario = small(tmp_path)
    from sim.backends.aws_cost import estimate_cost as cost

    estimate = cost(scenario, VOLUMES)
    lines = plan_lines(scenario, estimate=estimate)
    text = "\n".join(lines)
    assert "Kinesis stream od (on-demand) in us-east-1: $0.0402/h, $0.0402 for the run" in text
    assert "Kinesis stream prov (2 shard(s), retention 48 h) in us-east-1: $0.0700/h" in text
    assert "DynamoDB table Ppp (PROVISIONED) in us-east-1: $0.007150/h" in text
    assert "IAM role f-role (0 inline policies, 0 managed policies) (global): $0" not in text
    assert "IAM role f-role (1 inline policy, 0 managed policies) (global): $0" in text
    assert "Lambda function g (python3.11, 128 MB, timeout 3 s, handler pkg.g.handler" in text
    total = f"${estimate.per_hour:,.4f} per hour, ${estimate.for_run:,.4f} for the scenario's"
    assert f"estimated cost: {total} 1h00m00s (an estimate, excluding the free tier)" in text
    assert "checked as the run creates them" in text  # AWS was not asked


def test_a_producer_that_cannot_be_built_is_noted_not_fatal(tmp_path) -> None:
    scenario = _producer_scenario(
        tmp_path, "- name: a\n  type: no_such_module_xyz:Gone\n  target: {stream: s}\n"
    )
    (volume,) = estimate_volumes(scenario)
    assert volume.records == 0 and "no_such_module_xyz" in volume.note
    assert any("producer a: " in line for line in plan_lines(scenario))


HOSE = f"""\
name: hose
clock:
  start: 2021-11-01T00:00:00Z
  duration: 1h
resources:
  streams:
    - name: s
      mode: ON_DEMAND
  buckets:
    - name: bbb
  delivery_streams:
    - name: d
      source: {{stream: s}}
      bucket: bbb
      buffering: {{size_mb: 1, interval: 60}}
      append_delimiter: true
    - name: p
      source: {{direct_put: true}}
      bucket: bbb
      role: arn:aws:iam::123456789012:role/given
producers:
  - name: a
    type: {FIXED}
    target: {{stream: s}}
    rate: 1/s
    params: {{size: 6000}}
"""


def _hose(tmp_path):
    path = tmp_path / "hose.yaml"
    path.write_text(HOSE)
    return load_scenario(path)


def test_a_delivery_streams_ingestion_and_objects_by_hand(tmp_path) -> None:
    scenario = _hose(tmp_path)
    (volume,) = estimate_volumes(scenario)
    # 3,600 records of 6,000 bytes of data (the partition key is not Firehose's): 2 units of 5 KB
    assert (volume.records, volume.data_bytes, volume.firehose_units) == (3600, 3600 * 6000, 7200)
    assert (volume.first, volume.last) == (0, 3599)
    estimate = estimate_cost(scenario, [volume])

    # 7,200 × 5 KB at $0.029/GB; objects: one per 60 s over 3,599 s = 60 (the 1 MiB buffer
    # fills only 21 times with 21,603,600 bytes and their newlines).
    ingest = 7200 * 5120 / GB * 0.029
    d = estimate.item("delivery-stream", "d")
    assert d.for_run == pytest.approx(ingest + 60 * 0.005 / 1000)
    assert d.per_hour == pytest.approx(d.for_run)  # the scenario lasts one hour
    assert "3,600 records from Kinesis stream s = 36,000 KB ingested (5 KB units)" in d.detail
    assert "about 60 S3 object(s) (one per flush of 1 MiB or 60 s)" in d.detail
    # The delivery stream reads the on-demand stream: retrieval, as a mapping's reads are.
    s = estimate.item("stream", "s")
    gigabytes = 3600 * 6 * 1024 / GB  # 6,001 bytes with the key: 6 KB each
    assert s.for_run == pytest.approx(0.04 + gigabytes * (0.08 + 0.04))
    assert "read by 0 mapping(s) and 1 delivery stream(s)" in s.detail
    # Its role is free; a Direct PUT stream nobody in the scenario puts to costs nothing here,
    # and a role given as an ARN is not created.
    assert estimate.item("role", "firehose-d").for_run == 0
    p = estimate.item("delivery-stream", "p")
    assert (p.for_run, p.per_hour) == (0, 0) and p.detail.startswith("Direct PUT")
    assert estimate.item("role", "given") is None
    assert "PUTs of delivery stream(s) d, p are counted" in estimate.item("bucket", "bbb").detail

    lines = plan_lines(scenario, estimate=estimate)
    text = "\n".join(lines)
    assert (
        "Firehose delivery stream d (Kinesis stream s → S3 bucket bbb, buffering 1 MiB or 60 s) "
        "in us-east-1: $0.001296/h, $0.001296 for the run" in text
    )
    assert (
        "Firehose delivery stream p (Direct PUT → S3 bucket bbb, buffering 5 MiB or 300 s, role "
        "arn:aws:iam::123456789012:role/given) in us-east-1: $0" in text
    )
    assert "IAM role firehose-d for Firehose delivery stream d" in text
    assert "IAM role given" not in text
    assert lines.index(next(x for x in lines if x.startswith("IAM role firehose-d"))) < (
        lines.index(next(x for x in lines if x.startswith("Firehose delivery stream d")))
    )  # in creation order: the role first


def test_a_full_buffer_flushes_before_the_interval_and_per_hour_is_an_hours_traffic(
    tmp_path,
) -> None:
    scenario = _hose(tmp_path)
    mib = 1024 * 1024
    # 50 MiB in 100 s: the 1 MiB buffer fills 51 times (with the newlines), the interval twice.
    volume = ProducerVolume(
        "a", "s", 1000, 50 * mib + 1000, 50_000, 1000,
        data_bytes=50 * mib, firehose_units=11_000, first=0.0, last=100.0,
    )  # fmt: skip
    short = scenario.model_copy(deep=True)
    short.clock.duration = 600  # ten minutes
    d = estimate_cost(short, [volume]).item("delivery-stream", "d")
    ingest = 11_000 * 5120 / GB * 0.029
    assert d.for_run == pytest.approx(ingest + 51 * 0.005 / 1000)
    # per hour: six times the traffic, so six times the objects filled by size (not fewer
    # than one per interval)
    assert d.per_hour == pytest.approx(6 * ingest + 6 * (50 * mib + 1000) / mib * 0.005 / 1000)

    # A trickle for ten minutes: one object per 60 s interval, 60 an hour, not 6 × 10.
    trickle = ProducerVolume(
        "a", "s", 600, 60_000, 600, 600, data_bytes=60_000, firehose_units=600, first=0.0,
        last=599.0,
    )  # fmt: skip
    d = estimate_cost(short, [trickle]).item("delivery-stream", "d")
    ingest = 600 * 5120 / GB * 0.029
    assert d.for_run == pytest.approx(ingest + 10 * 0.005 / 1000)
    assert d.per_hour == pytest.approx(6 * ingest + 60 * 0.005 / 1000)


def test_firehose_prices_are_named_constants_with_their_page() -> None:
    assert price.FIREHOSE_INGEST_PER_GB == 0.029
    assert price.FIREHOSE_RECORD_UNIT_BYTES == 5120
    assert price.FIREHOSE_PRICING_URL == "https://aws.amazon.com/firehose/pricing/"


def test_extrapolated_volumes_say_when_their_records_end(tmp_path) -> None:
    scenario = _producer_scenario(
        tmp_path,
        f"- name: a\n  type: {FIXED}\n  target: {{stream: s}}\n  rate: 10/s\n  stop: 50m\n",
        duration="1h",
    )
    (volume,) = estimate_volumes(scenario)
    assert not volume.exact
    assert volume.firehose_units == 30_000 and volume.data_bytes == 30_000 * 100
    assert volume.first == 0 and volume.last == pytest.approx(2999.9)
