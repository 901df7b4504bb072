"""Fidelity checks for what Lambda event source mappings hand to functions and destinations.

Every event, on-failure record and destination message streamlab produces must look like AWS's,
so code written against AWS (and its tools) runs unchanged on it. Two independent references:

* **Powertools for AWS Lambda (Python)** parser models (pydantic), the shapes many handlers parse
  events with: ``aws_lambda_powertools.utilities.parser.models`` (``KinesisDataStreamModel``,
  ``DynamoDBStreamModel``, ``SqsModel``, ``SnsModel``, ``SnsNotificationModel``,
  ``DynamoDBStreamLambdaOnFailureDestinationModel``). Where Powertools has no model (Kinesis
  on-failure records, the tumbling-window fields), this module defines a strict one and says so.
* **AWS SAM CLI's sample events** (``tests/data/sam_events/``, see its README): every key path of
  the sample must be in every record, with the same JSON type (string, number, object, ...).
  Extra keys are allowed: AWS adds some (``userIdentity`` on TTL deletes, FIFO attributes).

Each ``assert_*`` function takes the event as a dict or as its JSON text (``bytes``/``str``),
raises :class:`FidelityError` (an ``AssertionError``) naming what differs, and returns the parsed
Powertools model (or the loaded dict) for further assertions.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBStreamEvent,
)
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamEvent
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    KinesisDataStreamModel,
    SnsModel,
    SnsNotificationModel,
    SqsModel,
)
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

SAM_EVENTS = Path(__file__).parent / "data" / "sam_events"

Event = Mapping[str, Any] | bytes | bytearray | str
Source = Literal["kinesis", "dynamodb"]
Destination = Literal["sqs", "sns", "s3"]
M = TypeVar("M", bound=BaseModel)

# Below these keys the names are the user's (item attributes, message attributes), not AWS's
# event structure: ``sam_keys`` stops there.
USER_NAMED = frozenset({"Keys", "NewImage", "OldImage", "messageAttributes", "MessageAttributes"})

# Keys AWS sends as null although SAM's sample has a string there. SNS -> Lambda: "Subject" is
# null when the message was published without one (Powertools models it as optional).
NULLABLE = frozenset({"Records[].Sns.Subject"})

# Shard ids as in AWS's examples: "shardId-000000000006" (Kinesis,
# https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html) and
# "shardId-00000001573689847184-864758bb" (DynamoDB Streams,
# https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
KINESIS_SHARD_ID = r"^shardId-\d{12}$"
DDB_SHARD_ID = r"^shardId-\d{20}-[0-9a-f]{8}$"
KINESIS_STREAM_ARN = r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}$"
DDB_STREAM_ARN = (
    r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}"
    r"/stream/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$"
)
FUNCTION_ARN = (
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
# A request id is a UUID; AWS's examples mark them with "xmpl" ("c9b8fa9f-5a7f-xmpl-af9c-...").
REQUEST_ID = r"^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$"
DIGITS = r"^\d+$"
# ISO-8601 UTC with milliseconds, "2019-11-14T00:38:06.021Z" (kinesis-on-failure-destination.html)
ISO_MILLIS_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
# Whole seconds, "2020-12-09T07:04:00Z" (tumbling-window bounds, services-kinesis-windows.html)
ISO_SECONDS_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
# DynamoDB's arrival times in AWS's failure-record example are whole seconds
# ("2019-11-14T00:13:19Z", services-dynamodb-errors.html); milliseconds are accepted too.
ISO_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$"

# TumblingWindowInSeconds is 0..900
# (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
TUMBLING_WINDOW_MAX_SECONDS = 900
# BatchSize for Kinesis and DynamoDB Streams is at most 10,000 (same API reference).
STREAM_BATCH_SIZE_MAX = 10_000


class FidelityError(AssertionError):
    """An event, record or message differs from what AWS sends."""


# -- loading and key paths ----------------------------------------------------------------------


def _load(event: Event, what: str) -> dict[str, Any]:
    """The event as a plain JSON object: text is parsed, a dict must survive ``json.dumps``
    (Lambda passes events as JSON, so a value JSON cannot carry is already a difference)."""
    try:
        if isinstance(event, bytes | bytearray):
            data = json.loads(bytes(event).decode("utf-8"))
        elif isinstance(event, str):
            data = json.loads(event)
        else:
            data = json.loads(json.dumps(event, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise FidelityError(f"{what} is not a JSON document: {error}") from None
    if not isinstance(data, dict):
        raise FidelityError(f"{what} is a JSON {_kind(data)}, not an object")
    return data


def _kind(value: Any) -> str:
    """The JSON type of a value: object, array, string, number, boolean or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _paths(value: Any, prefix: str) -> dict[str, str]:
    """Every key path under ``value`` (arrays as ``[]``, nothing below ``USER_NAMED`` keys),
    with the JSON type found there."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found[path] = _kind(item)
            if key not in USER_NAMED:
                found |= _paths(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= _paths(item, f"{prefix}[]")
    return found


@cache
def _sam_sample(name: str) -> dict[str, Any]:
    file = SAM_EVENTS / (name if name.endswith(".json") else f"{name}.json")
    return json.loads(file.read_text())


def sam_keys(name: str) -> set[str]:
    """The key paths of the saved SAM sample ``name`` (``"kinesis-get-records"``, with or
    without ``.json``): ``Records``, ``Records[].kinesis``, ``Records[].kinesis.partitionKey``,
    ... Arrays are collapsed to ``[]``; below ``Keys``/``NewImage``/``OldImage``/
    ``messageAttributes``/``MessageAttributes`` the names are the user's, so the path stops at
    that key (``Records[].dynamodb.Keys`` is a path, ``Records[].dynamodb.Keys.Id`` is not)."""
    return set(_paths(_sam_sample(name), ""))


def _sam_record_paths(record: Mapping[str, Any]) -> dict[str, str]:
    return _paths(record, "Records[]")


def _lookup(record: Any, path: str) -> list[Any] | None:
    """The values at ``path`` (``Records[].a.b[].c``) in one record; None when a key is
    missing."""
    values = [record]
    for part in path.split(".")[1:]:
        name, is_array = part.removesuffix("[]"), part.endswith("[]")
        found: list[Any] = []
        for value in values:
            if not isinstance(value, dict) or name not in value:
                return None
            item = value[name]
            if is_array:
                if not isinstance(item, list):
                    return None
                found += item
            else:
                found.append(item)
        values = found
    return values


def _check_paths(
    record: Any, index: int, required: Mapping[str, str], sample: str, what: str
) -> None:
    """Every path of ``required`` is in ``record`` with the JSON type SAM's sample has."""
    for path, kind in required.items():
        values = _lookup(record, path)
        if values is None:
            raise FidelityError(
                f"{what}, record {index}: missing `{path}` "
                f"(a key of AWS SAM's sample {sample}.json)"
            )
        for value in values:
            found = _kind(value)
            if found != kind and not (found == "null" and path in NULLABLE):
                raise FidelityError(
                    f"{what}, record {index}: `{path}` is a JSON {found}, "
                    f"AWS SAM's sample {sample}.json has a {kind} ({value!r})"
                )


def _validate(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise FidelityError(
            f"{what} does not validate against {model.__module__}.{model.__name__}:\n{error}"
        ) from None


def _records(data: Mapping[str, Any], what: str, *, allow_empty: bool = False) -> list[Any]:
    records = data["Records"]  # present: the Powertools model required it
    if not records and not allow_empty:
        raise FidelityError(f"{what} has no records (Lambda never invokes with an empty batch)")
    return records


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _fail_if(condition: bool, message: str) -> None:
    if condition:
        raise FidelityError(message)


# -- Kinesis ------------------------------------------------------------------------------------


def _check_kinesis_records(data: Mapping[str, Any], what: str, *, allow_empty: bool) -> None:
    sample = "kinesis-get-records"
    [sam_record] = _sam_sample(sample)["Records"]
    required = _sam_record_paths(sam_record)
    shards: set[str] = set()
    arns: set[str] = set()
    for i, record in enumerate(_records(data, what, allow_empty=allow_empty)):
        _check_paths(record, i, required, sample, what)
        kinesis = record["kinesis"]
        sequence = kinesis["sequenceNumber"]
        _fail_if(
            not re.match(DIGITS, sequence),
            f"{what}, record {i}: sequenceNumber {sequence!r} is not a decimal number",
        )
        shard, _, after = record["eventID"].partition(":")
        _fail_if(
            not re.match(KINESIS_SHARD_ID, shard) or after != sequence,
            f"{what}, record {i}: eventID {record['eventID']!r} is not "
            f"'<shardId-NNNNNNNNNNNN>:<sequenceNumber {sequence}>'",
        )
        try:
            raw = base64.b64decode(kinesis["data"], validate=True)
        except ValueError:
            raw = None
        _fail_if(
            raw is None or base64.b64encode(raw).decode("ascii") != kinesis["data"],
            f"{what}, record {i}: data {kinesis['data'][:40]!r} is not canonical base64",
        )
        arrival = kinesis["approximateArrivalTimestamp"]
        _fail_if(
            not math.isclose(round(arrival, 3), arrival, rel_tol=0, abs_tol=1e-6),
            f"{what}, record {i}: approximateArrivalTimestamp {arrival!r} is not epoch seconds "
            "with a millisecond fraction",
        )
        shards.add(shard)
        arns.add(record["eventSourceARN"])
    _fail_if(len(shards) > 1, f"{what} mixes shards {sorted(shards)}: a batch is one shard's")
    _fail_if(len(arns) > 1, f"{what} mixes streams {sorted(arns)}")


def assert_kinesis_event(event: Event) -> KinesisDataStreamModel:
    """A Kinesis Data Streams event as Lambda's event source mapping sends it.

    Checks: Powertools ``KinesisDataStreamModel``; every key path of SAM's
    ``kinesis-get-records`` sample in every record, with its JSON type; at least one record;
    ``sequenceNumber`` decimal digits; ``eventID`` = ``<shardId>:<sequenceNumber>``; ``data``
    canonical base64; ``approximateArrivalTimestamp`` epoch seconds with at most millisecond
    precision; all records from one shard of one stream
    (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
    """
    data = _load(event, "Kinesis event")
    model = _validate(KinesisDataStreamModel, data, "Kinesis event")
    _check_kinesis_records(data, "Kinesis event", allow_empty=False)
    return model


# -- DynamoDB Streams ---------------------------------------------------------------------------

# Which images a record carries, by StreamViewType and eventName
# (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html,
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
_IMAGES_OF_VIEW = {
    "KEYS_ONLY": frozenset(),
    "NEW_IMAGE": frozenset({"NewImage"}),
    "OLD_IMAGE": frozenset({"OldImage"}),
    "NEW_AND_OLD_IMAGES": frozenset({"NewImage", "OldImage"}),
}
_IMAGES_OF_EVENT = {
    "INSERT": frozenset({"NewImage"}),
    "MODIFY": frozenset({"NewImage", "OldImage"}),
    "REMOVE": frozenset({"OldImage"}),
}


def _check_dynamodb_records(data: Mapping[str, Any], what: str, *, allow_empty: bool) -> None:
    sample = "dynamodb-update"
    by_event = {r["eventName"]: _sam_record_paths(r) for r in _sam_sample(sample)["Records"]}
    arns: set[str] = set()
    for i, record in enumerate(_records(data, what, allow_empty=allow_empty)):
        stream = record["dynamodb"]
        images = _IMAGES_OF_VIEW[stream["StreamViewType"]] & _IMAGES_OF_EVENT[record["eventName"]]
        required = {
            path: kind
            for path, kind in by_event[record["eventName"]].items()
            if path.split(".")[-1] not in {"NewImage", "OldImage"} - images
        }
        _check_paths(record, i, required, sample, what)
        present = {image for image in ("NewImage", "OldImage") if image in stream}
        _fail_if(
            present != images,
            f"{what}, record {i}: a {record['eventName']} record of a {stream['StreamViewType']} "
            f"stream carries {sorted(images) or 'no images'}, not {sorted(present)}",
        )
        sequence = stream["SequenceNumber"]
        _fail_if(
            not re.match(DIGITS, sequence),
            f"{what}, record {i}: SequenceNumber {sequence!r} is not a decimal number",
        )
        arns.add(record["eventSourceARN"])
    _fail_if(len(arns) > 1, f"{what} mixes streams {sorted(arns)}")


def assert_dynamodb_event(event: Event) -> DynamoDBStreamModel:
    """A DynamoDB Streams event as Lambda's event source mapping sends it.

    Checks: Powertools ``DynamoDBStreamModel`` (which also decodes every attribute value of
    ``Keys``/``NewImage``/``OldImage``); every key path of the record of SAM's
    ``dynamodb-update`` sample with the same ``eventName``, with its JSON type, except the images
    the record's ``StreamViewType`` leaves out; exactly the images AWS sends (INSERT: NewImage,
    MODIFY: both, REMOVE: OldImage, cut down by the view type); ``SequenceNumber`` digits; one
    stream per event (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
    """
    data = _load(event, "DynamoDB Streams event")
    model = _validate(DynamoDBStreamModel, data, "DynamoDB Streams event")
    _check_dynamodb_records(data, "DynamoDB Streams event", allow_empty=False)
    return model


# -- SQS ----------------------------------------------------------------------------------------


def assert_sqs_event(event: Event) -> SqsModel:
    """An SQS event as Lambda's event source mapping sends it.

    Checks: Powertools ``SqsModel``; every key path of SAM's ``sqs-receive-message`` sample in
    every record, with its JSON type; at least one record; ``md5OfBody`` is the hex MD5 of the
    body's UTF-8 bytes (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
    """
    what, sample = "SQS event", "sqs-receive-message"
    data = _load(event, what)
    model = _validate(SqsModel, data, what)
    [sam_record] = _sam_sample(sample)["Records"]
    required = _sam_record_paths(sam_record)
    for i, record in enumerate(_records(data, what)):
        _check_paths(record, i, required, sample, what)
        md5 = hashlib.md5(record["body"].encode("utf-8")).hexdigest()
        _fail_if(
            record["md5OfBody"] != md5,
            f"{what}, record {i}: md5OfBody {record['md5OfBody']!r} is not the body's MD5 {md5}",
        )
    return model


# -- tumbling windows ---------------------------------------------------------------------------


class TimeWindow(BaseModel):
    """``window`` of a tumbling-window event: ISO-8601 UTC bounds in whole seconds, as in AWS's
    example ``{"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"}``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    start: str = Field(pattern=ISO_SECONDS_Z)
    end: str = Field(pattern=ISO_SECONDS_Z)


class TimeWindowFields(BaseModel):
    """The top-level fields Lambda adds to a stream event when TumblingWindowInSeconds is set
    (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html,
    https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html).

    Written here: Powertools 3.37 has no parser model for them; only its event-source data
    classes (``aws_lambda_powertools.utilities.data_classes.kinesis_stream_event.
    KinesisStreamEvent`` and ``...dynamo_db_stream_event.DynamoDBStreamEvent``) read them, without
    validation. ``state`` is an object (``{}`` when the window has none yet: assumption, AWS's
    example only shows a non-empty one).
    """

    window: TimeWindow
    state: dict[str, Any] = Field(strict=True)
    shardId: StrictStr
    eventSourceARN: StrictStr
    isFinalInvokeForWindow: StrictBool
    isWindowTerminatedEarly: StrictBool


class KinesisTimeWindowEventModel(KinesisDataStreamModel, TimeWindowFields):
    """AWS's ``KinesisTimeWindowEvent``: Powertools' Kinesis model plus the window fields."""


class DynamoDBTimeWindowEventModel(DynamoDBStreamModel, TimeWindowFields):
    """AWS's ``DynamodbTimeWindowEvent``: Powertools' DynamoDB model plus the window fields."""


def _check_window(data: Mapping[str, Any], what: str, arrivals: list[float]) -> None:
    start, end = _iso(data["window"]["start"]), _iso(data["window"]["end"])
    length = (end - start).total_seconds()
    _fail_if(
        not 0 < length <= TUMBLING_WINDOW_MAX_SECONDS,
        f"{what}: window {data['window']} is {length:g} s long, "
        f"not 1..{TUMBLING_WINDOW_MAX_SECONDS}",
    )
    for i, arrival in enumerate(arrivals):
        _fail_if(
            not start.timestamp() <= arrival < end.timestamp(),
            f"{what}, record {i}: arrival {arrival} is outside its window {data['window']} "
            "(windows are cut by the records' arrival times)",
        )
    for record in data["Records"]:
        _fail_if(
            record["eventSourceARN"] != data["eventSourceARN"],
            f"{what}: a record's eventSourceARN {record['eventSourceARN']!r} is not the event's "
            f"{data['eventSourceARN']!r}",
        )


def _check_data_class(wrapped: KinesisStreamEvent | DynamoDBStreamEvent, data: Any) -> None:
    """Powertools' event-source data class reads the same values (its accessor names are the
    keys AWS sends)."""
    window = wrapped.window
    read = {
        "window": None if window is None else {"start": window.start, "end": window.end},
        "state": wrapped.state,
        "shardId": wrapped.shard_id,
        "eventSourceARN": wrapped.event_source_arn,
        "isFinalInvokeForWindow": wrapped.is_final_invoke_for_window,
        "isWindowTerminatedEarly": wrapped.is_window_terminated_early,
    }
    expected = {key: data[key] for key in read}
    _fail_if(read != expected, f"Powertools' {type(wrapped).__name__} reads {read}, not {expected}")


def assert_kinesis_window_event(event: Event) -> KinesisTimeWindowEventModel:
    """A Kinesis event with tumbling-window fields (``TumblingWindowInSeconds`` set).

    Checks: the records as :func:`assert_kinesis_event` (an empty ``Records`` is allowed: the
    final invocation of a window may have none, assumption); :class:`KinesisTimeWindowEventModel`
    (strict types: booleans are JSON booleans, ``state`` an object, window bounds
    ``YYYY-MM-DDTHH:MM:SSZ``); window length 1..900 s; every record's arrival inside the window;
    ``shardId`` like ``shardId-000000000006`` and the shard of every record's ``eventID``;
    ``eventSourceARN`` that of every record; Powertools' ``KinesisStreamEvent`` data class reads
    the same values (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html).
    """
    what = "Kinesis tumbling-window event"
    data = _load(event, what)
    model = _validate(KinesisTimeWindowEventModel, data, what)
    _check_kinesis_records(data, what, allow_empty=True)
    _fail_if(
        not re.match(KINESIS_SHARD_ID, data["shardId"]),
        f"{what}: shardId {data['shardId']!r} is not like 'shardId-000000000006'",
    )
    for i, record in enumerate(data["Records"]):
        shard = record["eventID"].partition(":")[0]
        _fail_if(shard != data["shardId"], f"{what}, record {i}: shard {shard} is not the event's")
    arrivals = [r["kinesis"]["approximateArrivalTimestamp"] for r in data["Records"]]
    _check_window(data, what, arrivals)
    _check_data_class(KinesisStreamEvent(data), data)
    return model


def assert_dynamodb_window_event(event: Event) -> DynamoDBTimeWindowEventModel:
    """A DynamoDB Streams event with tumbling-window fields: as
    :func:`assert_kinesis_window_event`, with the records checked as
    :func:`assert_dynamodb_event`, ``shardId`` like ``shardId-00000001573689847184-864758bb``
    and ``dynamodb.ApproximateCreationDateTime`` inside the window
    (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html)."""
    what = "DynamoDB Streams tumbling-window event"
    data = _load(event, what)
    model = _validate(DynamoDBTimeWindowEventModel, data, what)
    _check_dynamodb_records(data, what, allow_empty=True)
    _fail_if(
        not re.match(DDB_SHARD_ID, data["shardId"]),
        f"{what}: shardId {data['shardId']!r} is not like 'shardId-00000001573689847184-864758bb'",
    )
    arrivals = [r["dynamodb"]["ApproximateCreationDateTime"] for r in data["Records"]]
    _check_window(data, what, arrivals)
    _check_data_class(DynamoDBStreamEvent(data), data)
    return model


# -- on-failure destination records -------------------------------------------------------------


class FailureRequestContext(BaseModel):
    """``requestContext`` of a stream on-failure record. ``condition``: AWS's examples show
    ``RetryAttemptsExhausted``; other values (records past MaximumRecordAgeInSeconds) are not
    documented, so any non-empty string passes. ``approximateInvokeCount`` may be 0 for a batch
    that was never invoked (assumption, not AWS-documented)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    requestId: str = Field(pattern=REQUEST_ID)
    functionArn: str = Field(pattern=FUNCTION_ARN)
    condition: str = Field(min_length=1)
    approximateInvokeCount: int = Field(ge=0)


class FailureResponseContext(BaseModel):
    """``responseContext``: the three keys of AWS's examples (``statusCode`` 200,
    ``executedVersion`` ``$LATEST``, ``functionError`` ``Unhandled``). AWS documents only batches
    the function failed on; for a batch never invoked (``approximateInvokeCount`` 0: throttled,
    or too old before a try) ``functionError`` may be left out (assumption, not AWS-documented;
    Powertools also models it as optional). :func:`assert_stream_failure_record` requires it
    whenever the function was invoked."""

    model_config = ConfigDict(extra="forbid", strict=True)

    statusCode: int
    executedVersion: str = Field(pattern=r"^(\$LATEST|\d+)$")
    functionError: str | None = Field(default=None, min_length=1)


class KinesisBatchInfo(BaseModel):
    """``KinesisBatchInfo``: "All of the fields shown in the KinesisBatchInfo property will always
    be present" (kinesis-on-failure-destination.html)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    shardId: str = Field(pattern=KINESIS_SHARD_ID)
    startSequenceNumber: str = Field(pattern=DIGITS)
    endSequenceNumber: str = Field(pattern=DIGITS)
    approximateArrivalOfFirstRecord: str = Field(pattern=ISO_MILLIS_Z)
    approximateArrivalOfLastRecord: str = Field(pattern=ISO_MILLIS_Z)
    batchSize: int = Field(ge=1, le=STREAM_BATCH_SIZE_MAX)
    streamArn: str = Field(pattern=KINESIS_STREAM_ARN)


class DDBStreamBatchInfo(BaseModel):
    """``DDBStreamBatchInfo``: the same fields for a DynamoDB stream
    (services-dynamodb-errors.html); arrival times may be whole seconds, as in AWS's example."""

    model_config = ConfigDict(extra="forbid", strict=True)

    shardId: str = Field(pattern=DDB_SHARD_ID)
    startSequenceNumber: str = Field(pattern=DIGITS)
    endSequenceNumber: str = Field(pattern=DIGITS)
    approximateArrivalOfFirstRecord: str = Field(pattern=ISO_Z)
    approximateArrivalOfLastRecord: str = Field(pattern=ISO_Z)
    batchSize: int = Field(ge=1, le=STREAM_BATCH_SIZE_MAX)
    streamArn: str = Field(pattern=DDB_STREAM_ARN)


class _FailureRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    requestContext: FailureRequestContext
    responseContext: FailureResponseContext
    version: Literal["1.0"]
    timestamp: str = Field(pattern=ISO_MILLIS_Z)


class KinesisFailureRecord(_FailureRecord):
    """What an SQS or SNS on-failure destination gets for a Kinesis batch. Written here:
    Powertools 3.37 has no model for it."""

    KinesisBatchInfo: KinesisBatchInfo


class KinesisS3FailureRecord(KinesisFailureRecord):
    """What an S3 on-failure destination gets: the same plus ``payload``."""

    payload: str


class DynamoDBFailureRecord(_FailureRecord):
    """What an SQS or SNS on-failure destination gets for a DynamoDB Streams batch (also
    validated with Powertools' ``DynamoDBStreamLambdaOnFailureDestinationModel``, which is
    lenient: optional ``functionError``, extra keys ignored, any datetime text)."""

    DDBStreamBatchInfo: DDBStreamBatchInfo


class DynamoDBS3FailureRecord(DynamoDBFailureRecord):
    """What an S3 on-failure destination gets: the same plus ``payload``."""

    payload: str


_FAILURE_MODELS: dict[tuple[str, bool], type[_FailureRecord]] = {
    ("kinesis", False): KinesisFailureRecord,
    ("kinesis", True): KinesisS3FailureRecord,
    ("dynamodb", False): DynamoDBFailureRecord,
    ("dynamodb", True): DynamoDBS3FailureRecord,
}


def assert_stream_failure_record(
    record: Event, source: Source, *, destination: Destination = "sqs"
) -> dict[str, Any]:
    """An on-failure destination record for a Kinesis (``source="kinesis"``) or DynamoDB Streams
    (``"dynamodb"``) batch; returns it as a dict.

    The shape (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
    https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html)::

        {"requestContext": {"requestId", "functionArn", "condition", "approximateInvokeCount"},
         "responseContext": {"statusCode", "executedVersion", "functionError"},
         "version": "1.0", "timestamp": "2019-11-14T00:38:06.021Z",
         "KinesisBatchInfo" | "DDBStreamBatchInfo": {"shardId", "startSequenceNumber",
             "endSequenceNumber", "approximateArrivalOfFirstRecord",
             "approximateArrivalOfLastRecord", "batchSize", "streamArn"},
         "payload": "<the invocation event as an escaped JSON string>"}   # S3 only

    SQS and SNS destinations get the metadata only (the record is the SQS message body, or the
    SNS ``Message``: see :func:`assert_sns_notification`). An S3 destination gets the same
    object plus ``payload``, "the original invocation record as an escaped JSON string", stored
    under the key ``aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>``
    (same pages, "Example Amazon S3 invocation record").

    Checks: exactly these keys (``functionError`` may be missing only when
    ``approximateInvokeCount`` is 0, see :class:`FailureResponseContext`; strict pydantic models
    written here; Powertools 3.37 has one
    only for DynamoDB, ``aws_lambda_powertools.utilities.parser.models.
    DynamoDBStreamLambdaOnFailureDestinationModel``, also applied); types strict (numbers are
    JSON numbers); ``timestamp`` ISO-8601 UTC with milliseconds; start <= end sequence number,
    first <= last arrival <= timestamp. With ``destination="s3"``: ``payload`` is a valid
    Kinesis/DynamoDB event (:func:`assert_kinesis_event`/:func:`assert_dynamodb_event`) of
    ``batchSize`` records from ``shardId`` of ``streamArn``, running from
    ``startSequenceNumber`` to ``endSequenceNumber`` (inferred from the field names).
    """
    what = f"{source} on-failure record ({destination.upper()} destination)"
    data = _load(record, what)
    _validate(_FAILURE_MODELS[source, destination == "s3"], data, what)
    if source == "dynamodb":
        _validate(DynamoDBStreamLambdaOnFailureDestinationModel, data, what)
    response = data["responseContext"]
    _fail_if(
        "functionError" in response and response["functionError"] is None,
        f"{what}: responseContext.functionError is null (AWS leaves keys out, not null)",
    )
    _fail_if(
        data["requestContext"]["approximateInvokeCount"] > 0 and "functionError" not in response,
        f"{what}: responseContext lacks functionError although the function was invoked",
    )
    info = data["KinesisBatchInfo" if source == "kinesis" else "DDBStreamBatchInfo"]
    _fail_if(
        int(info["startSequenceNumber"]) > int(info["endSequenceNumber"]),
        f"{what}: startSequenceNumber is after endSequenceNumber",
    )
    first, last = info["approximateArrivalOfFirstRecord"], info["approximateArrivalOfLastRecord"]
    _fail_if(_iso(first) > _iso(last), f"{what}: first arrival {first} is after last {last}")
    _fail_if(
        _iso(last) > _iso(data["timestamp"]),
        f"{what}: last arrival {last} is after the record's timestamp {data['timestamp']}",
    )
    if destination == "s3":
        _check_payload(data["payload"], info, source, what)
    return data


def _check_payload(payload: str, info: Mapping[str, Any], source: Source, what: str) -> None:
    if source == "kinesis":
        event = assert_kinesis_event(payload)
        sequences = [r.kinesis.sequenceNumber for r in event.Records]
        shards = {r.eventID.partition(":")[0] for r in event.Records}
        arrivals = [r.kinesis.approximateArrivalTimestamp for r in event.Records]
        tolerance = 0.0015  # the ISO text has milliseconds
    else:
        ddb = assert_dynamodb_event(payload)
        sequences = [r.dynamodb.SequenceNumber for r in ddb.Records]
        shards = {info["shardId"]}  # DynamoDB records do not name their shard
        arrivals = [
            r.dynamodb.ApproximateCreationDateTime.timestamp()
            for r in ddb.Records
            if r.dynamodb.ApproximateCreationDateTime is not None
        ]
        tolerance = 1.0  # whole seconds
    records = json.loads(payload)["Records"]
    arns = {r["eventSourceARN"] for r in records}
    expected = {
        "batchSize": info["batchSize"],
        "startSequenceNumber": info["startSequenceNumber"],
        "endSequenceNumber": info["endSequenceNumber"],
        "shardId": {info["shardId"]},
        "streamArn": {info["streamArn"]},
    }
    found = {
        "batchSize": len(records),
        "startSequenceNumber": sequences[0],
        "endSequenceNumber": sequences[-1],
        "shardId": shards,
        "streamArn": arns,
    }
    _fail_if(found != expected, f"{what}: the payload has {found}, the batch info says {expected}")
    for key, arrival in (
        ("approximateArrivalOfFirstRecord", arrivals[0] if arrivals else None),
        ("approximateArrivalOfLastRecord", arrivals[-1] if arrivals else None),
    ):
        stated = _iso(info[key]).timestamp()
        _fail_if(
            arrival is not None and abs(arrival - stated) > tolerance,
            f"{what}: {key} {info[key]} is not the payload's arrival time "
            f"{datetime.fromtimestamp(arrival or 0, UTC).isoformat()}",
        )


# -- SNS ------------------------------------------------------------------------------------------

# The keys of an SNS notification as SQS (and HTTP/S) subscribers get it
# (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
SNS_NOTIFICATION_KEYS = frozenset(
    {
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    }
)
# Standard topics only: Lambda cannot send to FIFO topics ("unsupported destination type",
# https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), whose
# notifications add SequenceNumber and may lack the signature keys.
SNS_NOTIFICATION_OPTIONAL_KEYS = frozenset({"Subject", "MessageAttributes"})


def _check_notification_document(body: Any, what: str) -> str:
    """An SNS notification as an SQS message body (not raw message delivery): its keys are
    exactly AWS's (URL keys spelled ``SigningCertURL``/``UnsubscribeURL``), then Powertools'
    ``SnsNotificationModel``. Returns ``Message``."""
    document = _load(body, what)
    keys = set(document)
    missing = SNS_NOTIFICATION_KEYS - keys
    unknown = keys - SNS_NOTIFICATION_KEYS - SNS_NOTIFICATION_OPTIONAL_KEYS
    _fail_if(bool(missing), f"{what} lacks {sorted(missing)}")
    _fail_if(bool(unknown), f"{what} has keys AWS does not send: {sorted(unknown)}")
    # Powertools renames the SQS-spelled URL keys in place: give it a copy
    _validate(SnsNotificationModel, copy.deepcopy(document), what)
    _fail_if(
        not re.match(ISO_MILLIS_Z, document["Timestamp"]),
        f"{what}: Timestamp {document['Timestamp']!r} is not ISO-8601 UTC with milliseconds",
    )
    return document["Message"]


def assert_sns_notification(message: Event) -> list[str]:
    """An SNS notification, in whichever form a subscriber gets it; returns the ``Message``
    strings (for example on-failure records, for :func:`assert_stream_failure_record`).

    * An SNS event for a Lambda subscriber (``{"Records": [{"EventSource": "aws:sns", ...}]}``):
      Powertools ``SnsModel`` and every key path of SAM's ``sns-notification`` sample
      (``Subject`` may be null).
    * An SQS event whose bodies are SNS notifications (an SQS subscription without raw message
      delivery): :func:`assert_sqs_event`, then each body as below.
    * One SQS message body: the notification JSON document with exactly AWS's keys (required:
      Type, MessageId, TopicArn, Message, Timestamp, SignatureVersion, Signature,
      SigningCertURL, UnsubscribeURL; optional: Subject, MessageAttributes; standard topics),
      validated with Powertools ``SnsNotificationModel`` (the model Powertools'
      ``SnsSqsEnvelope`` parses SQS bodies with; Powertools for Python has no separate
      SNS-in-SQS model).

    With raw message delivery the SQS body is the message itself: check it directly.
    """
    data = _load(message, "SNS notification")
    records = data.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        if records[0].get("EventSource") == "aws:sns":
            what, sample = "SNS event", "sns-notification"
            model = _validate(SnsModel, data, what)
            [sam_record] = _sam_sample(sample)["Records"]
            required = _sam_record_paths(sam_record)
            for i, record in enumerate(records):
                _check_paths(record, i, required, sample, what)
            return [str(record.Sns.Message) for record in model.Records]
        if records[0].get("eventSource") == "aws:sqs":
            assert_sqs_event(data)
            return [
                _check_notification_document(record["body"], f"SNS notification in SQS record {i}")
                for i, record in enumerate(records)
            ]
    return [_check_notification_document(data, "SNS notification")]
