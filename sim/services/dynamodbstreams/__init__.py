"""streamlab's DynamoDB Streams: a stream store fed by moto's DynamoDB writes, Time to Live on the
simulated clock, and the DynamoDB Streams API served from the store.

Why our own: moto 5.2.5 keeps one toy shard per table (sequence numbers 1100000000017454423009,
…; region always us-east-1; eventVersion 1.0; SizeBytes the JSON length; no retention, no
expiry, no TTL) and records no-op writes. Here every write to a table whose stream is enabled
produces one record as AWS does, in an append-only shard log with AWS-shaped identifiers,
24-hour retention, 15-minute iterators, shard rollover and AWS's errors.

Layout::

    hub.py         DynamoDBStreamsHub: what the embedded backend holds (a service per account
                   and region, the capture sink, the TTL sweeper)
    capture.py     the hooks in moto's DynamoDB (StreamShard.add, UpdateItem, transactions,
                   stream enable/disable, table deletion, TTL updates)
    service.py     DynamoDBStreamsService: one region's facade (handle, backend)
    backend.py     DynamoDBStreamsBackend: the streams of one account/region, the direct API
    models.py      Stream, Shard, StreamRecord: the store
    images.py      item images as AttributeValue JSON; SizeBytes by DynamoDB's size rules
    sequence.py    sequence numbers, shard ids, stream labels
    ttl.py         TtlSweeper: expired items deleted on the clock, O(expired) per sweep
    operations/    ListStreams, DescribeStream, GetShardIterator, GetRecords
    validation.py  input tables -> SerializationException / "N validation errors detected: ..."
    wire.py        AWS JSON 1.0 codec: handle(...) -> (status, headers, body)
    tokens.py      shard iterators
    limits.py      every limit as a named constant with its source
    exceptions.py  AWS-named errors and messages

Direct API (stable; the Lambda event source mapping polls it as it polls the Kinesis store)::

    store = backend.dynamodb_streams_store(region)    # DynamoDBStreamsBackend
    store.get_stream(table_name_or_arn) -> Stream      # the table's latest retained stream;
                                                       # ResourceNotFoundException if none
    store.get_stream_by_arn(arn) -> Stream             # AWS's "Requested resource not found:
                                                       # Stream: <arn> not found" if none
    store.streams(table_name=None) -> list[Stream]

    stream.arn          # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    stream.label        # 2023-06-10T19:26:16.525, the table's LatestStreamLabel
    stream.table_name, stream.view_type, stream.status ("ENABLED" | "DISABLED")
    stream.shards       # listed shards, oldest first: the open one + closed ones retained
    stream.open_shard   # None once disabled
    stream.shard(shard_id) -> Shard | None

    shard.shard_id                   # shardId-00000001686425176525-1a2b3c4d
    shard.parent_shard_id            # the shard it rolled over from (None for the first)
    shard.adjacent_parent_shard_id   # always None
    shard.is_closed
    shard.first_index                # oldest retained absolute position (== end_index if none)
    shard.end_index                  # position the next record will take
    shard.read(start_index, count, max_bytes) -> (records, next_index)
    shard.index_at_timestamp(ts) -> int          # first record written at/after ts
    shard.index_of_sequence(seq, after=False) -> int

    record.sequence_number (str), record.arrival (float epoch s, simulated),
    record.size (SizeBytes), record.record (dict: the Lambda event record without
    eventSourceARN)

Positions are absolute and survive trimming; a trimmed position reads from ``first_index``.
These methods take the store's lock themselves.

A record, exactly as a Lambda event carries it (the mapping adds ``eventSourceARN``)::

    {"eventID": "<32 hex>", "eventName": "INSERT" | "MODIFY" | "REMOVE",
     "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "<table's region>",
     ["userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},]  # TTL only
     "dynamodb": {"ApproximateCreationDateTime": <epoch s, rounded down, float>,
                  "Keys": {...}, ["NewImage": {...},] ["OldImage": {...},]
                  "SequenceNumber": "<21 digits>", "SizeBytes": <int>,
                  "StreamViewType": "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES"}}

Where AWS's documentation is silent (constants and reasons in :mod:`.limits`):

* The open shard rolls over every 4 hours of simulated time (consumers report ~4 h; AWS only
  says shards are ephemeral); shards never split on load. Disabling the stream or deleting the
  table closes the open shard; a disabled stream is listed (status DISABLED) for 24 hours.
* Streams are ENABLED at once (AWS shows ENABLING for seconds).
* ``SizeBytes``: Keys plus the images carried, by DynamoDB's item-size rules (reproduces AWS's
  examples; see :mod:`.images`). GetRecords' 1 MB counts ``SizeBytes``.
* TTL deletions happen at the first sweep (every 60 s of simulated time) after expiry; AWS
  takes up to a few days.
* ``ApproximateCreationDateTime`` is the write's simulated time rounded down to the second (as
  AWS documents); ``record.arrival`` keeps full precision, and AT_TIMESTAMP positions use it.
* Texts not recorded from AWS are streamlab's (marked where raised).
"""

from __future__ import annotations

from sim.services.dynamodbstreams.backend import Change, DynamoDBStreamsBackend
from sim.services.dynamodbstreams.hub import DynamoDBStreamsHub
from sim.services.dynamodbstreams.models import Shard, Stream, StreamRecord
from sim.services.dynamodbstreams.service import DynamoDBStreamsService
from sim.services.dynamodbstreams.ttl import TtlSweeper
from sim.services.dynamodbstreams.wire import TARGET_PREFIX

__all__ = [
    "TARGET_PREFIX",
    "Change",
    "DynamoDBStreamsBackend",
    "DynamoDBStreamsHub",
    "DynamoDBStreamsService",
    "Shard",
    "Stream",
    "StreamRecord",
    "TtlSweeper",
]
