"""Buffering, object names, prefixes, delimiters and GZIP, on a simulated clock."""

from __future__ import annotations

import gzip
import random
import re

import pytest

from sim.clock import Clock
from sim.errors import AwsError
from sim.services.firehose import ClockScheduler, FirehoseService
from sim.services.firehose.limits import MiB

START = 1_700_000_000.0  # 2023-11-14T22:13:20Z
ROLE = "arn:aws:iam::123456789012:role/firehose"
BUCKET = "arn:aws:s3:::wildrydes-data"


class Setup:
    def __init__(self) -> None:
        self.clock = Clock(START)
        self.objects: dict[str, tuple[bytes, float]] = {}
        self.service = FirehoseService(
            scheduler=ClockScheduler(self.clock),
            rng=random.Random(1),
            put_object=lambda bucket, key, body, role: self.objects.__setitem__(
                key, (body, self.clock.now)
            ),
        )

    def create(self, name: str = "wildrydes", **destination) -> None:
        config = {"RoleARN": ROLE, "BucketARN": BUCKET, **destination}
        self.service.invoke(
            "CreateDeliveryStream",
            {"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": config},
        )

    def put(self, data: bytes, name: str = "wildrydes") -> None:
        self.service.invoke("PutRecord", {"DeliveryStreamName": name, "Record": {"Data": data}})

    def advance(self, seconds: float) -> None:
        """Run the clock ``seconds`` on, events at that very instant included."""
        self.clock.run(until=self.clock.now + seconds + 1e-6)


@pytest.fixture
def fh() -> Setup:
    return Setup()


def test_nothing_is_written_before_the_interval_then_one_object(fh: Setup) -> None:
    fh.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    fh.put(b'{"a":1}')
    fh.advance(10)
    fh.put(b'{"a":2}')
    fh.advance(49.9)
    assert fh.objects == {}
    fh.advance(0.2)
    [(key, (body, written))] = fh.objects.items()
    assert body == b'{"a":1}{"a":2}'  # no delimiter: records concatenated
    assert written == pytest.approx(START + 60)  # 60 s after the buffer's first record
    assert re.fullmatch(r"2023/11/14/22/wildrydes-1-2023-11-14-22-13-20-[0-9a-f-]{36}", key)


def test_size_hint_reached_first_writes_at_once(fh: Setup) -> None:
    fh.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900})
    record = b"x" * (512 * 1024)
    fh.put(record)
    assert fh.objects == {}
    fh.put(record)  # 1 MiB reached
    assert len(fh.objects) == 1
    [(body, written)] = fh.objects.values()
    assert len(body) == MiB and written == START
    fh.put(b"tail")
    fh.advance(899)
    assert len(fh.objects) == 1
    fh.advance(2)
    assert len(fh.objects) == 2


def test_a_record_that_would_overflow_closes_the_buffer_first(fh: Setup) -> None:
    fh.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 300})
    fh.put(b"a" * 600_000)
    fh.put(b"b" * 600_000)
    assert [len(body) for body, _ in fh.objects.values()] == [600_000]


def test_defaults_are_5_mib_and_300_seconds(fh: Setup) -> None:
    fh.create()
    description = fh.service.invoke("DescribeDeliveryStream", {"DeliveryStreamName": "wildrydes"})
    destination = description["DeliveryStreamDescription"]["Destinations"][0]
    hints = destination["ExtendedS3DestinationDescription"]["BufferingHints"]
    assert hints == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    fh.put(b"r")
    fh.advance(299)
    assert not fh.objects
    fh.advance(1)
    assert len(fh.objects) == 1


def test_append_delimiter_processor_adds_newlines(fh: Setup) -> None:
    fh.create(
        BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0},
        ProcessingConfiguration={
            "Enabled": True,
            "Processors": [{"Type": "AppendDelimiterToRecord"}],
        },
    )
    fh.service.invoke(
        "PutRecordBatch",
        {"DeliveryStreamName": "wildrydes", "Records": [{"Data": b"a"}, {"Data": b"b"}]},
    )
    fh.advance(0)
    [(body, _)] = fh.objects.values()
    assert body == b"a\nb\n"


def test_gzip_round_trip_and_extension(fh: Setup) -> None:
    fh.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60}, CompressionFormat="GZIP")
    fh.put(b"hello ")
    fh.put(b"world\n")
    fh.advance(60)
    [(key, (body, _))] = fh.objects.items()
    assert key.endswith(".gz")
    assert gzip.decompress(body) == b"hello world\n"


def test_custom_prefix_expressions_from_simulated_time(fh: Setup) -> None:
    fh.create(
        BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60},
        Prefix="rides/year=!{timestamp:yyyy}/month=!{timestamp:MM}/!{timestamp:dd'T'HH}/"
        "!{firehose:random-string}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy}/",
    )
    fh.advance(3600)  # an hour later: the oldest record's arrival names the object
    fh.put(b"r")
    fh.advance(60)
    [key] = fh.objects
    assert re.fullmatch(
        r"rides/year=2023/month=11/14T23/[A-Za-z0-9]{11}/"
        r"wildrydes-1-2023-11-14-23-13-20-[0-9a-f-]{36}",
        key,
    ), key


def test_static_prefix_gets_the_default_time_prefix_appended(fh: Setup) -> None:
    fh.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0}, Prefix="raw/")
    fh.put(b"r")
    fh.advance(0)
    [key] = fh.objects
    assert key.startswith("raw/2023/11/14/22/wildrydes-1-2023-11-14-22-13-20-")


@pytest.mark.parametrize(
    ("prefix", "error_prefix", "text"),
    [
        (
            "p/!{timestamp:yyyy}/",
            None,
            "Ths supplied prefix(es) do not satisfy the following constraint: "
            "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions",
        ),
        ("p/!{timestamp:yyyy}/", "e/", "ErrorOutputPrefix must contain"),
        ("p/!{timestamp:qqqq-bogus}/", "e/!{firehose:error-output-type}", "DateTimeFormatter"),
        ("p/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}", "only allowed"),
        ("p/!{nope:x}/", "e/!{firehose:error-output-type}", "namespace nope"),
    ],
)
def test_invalid_prefixes_are_invalid_argument(
    fh: Setup, prefix: str, error_prefix: str | None, text: str
) -> None:
    destination = {"Prefix": prefix}
    if error_prefix is not None:
        destination["ErrorOutputPrefix"] = error_prefix
    with pytest.raises(AwsError) as caught:
        fh.create(**destination)
    assert caught.value.code == "InvalidArgumentException"
    assert text in caught.value.message


def test_buffering_hints_out_of_range_is_validation_exception(fh: Setup) -> None:
    with pytest.raises(AwsError) as caught:
        fh.create(BufferingHints={"SizeInMBs": 129, "IntervalInSeconds": 901})
    assert caught.value.code == "ValidationException"
    assert caught.value.message.startswith("2 validation errors detected: ")
    assert "Member must have value less than or equal to 128" in caught.value.message


def test_same_seed_same_object_names() -> None:
    def names() -> list[str]:
        setup = Setup()
        setup.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0})
        for _ in range(3):
            setup.put(b"r")
            setup.advance(1)
        return sorted(setup.objects)

    assert names() == names()


def test_timestamp_expressions_follow_java_date_time_formatter_letters():
    from datetime import UTC, datetime

    from sim.services.firehose.prefixes import format_java

    moment = datetime(2021, 11, 1, 0, 5, 7, 123456, tzinfo=UTC)
    pattern = "yyyy/MM/dd/HH/kk/KK/hh/mm/ss/DDD/SSS/a/EEE/MMM/MMMM"
    assert format_java(pattern, moment) == (
        "2021/11/01/00/24/00/12/05/07/305/123/AM/Mon/Nov/November"
    )
