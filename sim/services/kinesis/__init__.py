"""streamlab's Kinesis Data Streams: a shard store on the simulated clock, with AWS's wire API.

Why our own: moto's Kinesis slows quadratically as a stream grows, numbers records 1, 2, 3,
never expires anything and has no throughput limits. This one keeps an append-only log per shard
(puts, positioning and reads in O(log n)), AWS-shaped sequence numbers, retention, iterator
expiry, per-shard write limits, resharding, and AWS's error codes and messages.

Layout (find any behaviour by its AWS name)::

    service.py     KinesisService: the facade (account, region, clock, rng; handle; reset)
    backend.py     KinesisBackend: streams of one account/region, the lock, listeners, faults
    models.py      Stream, Shard, Record: the store and the direct read API
    operations/    one module per AWS operation (put_records.py, get_shard_iterator.py, ...),
                   each with its declarative INPUT table and run(call, request)
    validation.py  the shared input checker producing AWS's "N validation errors detected: ..."
    wire.py        AWS JSON 1.1 and CBOR codec: handle(...) -> (status, headers, body)
    sequence.py    56-digit sequence numbers (format_sequence, parse_sequence)
    hashing.py     MD5 routing and hash-key ranges
    tokens.py      shard iterators and NextTokens
    limits.py      every limit as a named constant with its source
    exceptions.py  AWS-named errors (sim.errors) and message helpers

Facade::

    service = KinesisService(account_id="123456789012", region="us-east-1",
                             now=time.time, rng=random.Random(seed))
    status, headers, body = service.handle("Kinesis_20131202.PutRecords",
                                           "application/x-amz-json-1.1", body_bytes)
    service.backend          # KinesisBackend
    service.reset()          # forget every stream

Direct API (stable; the Lambda event source mapping reads the store through it, not boto3)::

    backend.get_stream(name_or_arn) -> Stream        # ResourceNotFoundException if none
    backend.stream_names() -> list[str]
    backend.throttle(name_or_arn, until)             # puts fail until simulated time `until`
    backend.set_put_fault(name_or_arn, fault)        # fault.refusals(now, n) -> flags | None
    backend.add_put_listener(callback)               # callback(stream, shard) after appends,
                                                     # OUTSIDE the lock, once per shard/request
    backend.invoke("PutRecords", {...}) -> dict      # any operation with Python values
    backend.lock                                     # the RLock every operation holds

    stream.name, stream.arn, stream.mode, stream.retention_hours
    stream.shards            # listed shards, id order: open + closed not yet past retention
    stream.open_shards       # shards written to now
    stream.shard(shard_id) -> Shard | None

    shard.shard_id, shard.parent_shard_id, shard.adjacent_parent_shard_id
    shard.hash_key_range     # (start, end) ints, inclusive
    shard.is_closed
    shard.first_index        # oldest retained absolute position (== end_index if none)
    shard.end_index          # position the next record will take
    shard.index_at_timestamp(ts) -> int              # first record arriving at/after ts
    shard.index_of_sequence(seq, after=False) -> int # ValueError if not this shard's
    shard.read(index, limit, max_bytes) -> (records, next_index)

    record.sequence_number (str), record.partition_key, record.data (bytes),
    record.arrival (float epoch seconds), record.size (data + partition key bytes)

Positions are absolute and survive trimming; a trimmed position reads from ``first_index``.
The read methods take the backend lock themselves.

Choices where AWS's documentation is silent (constants in :mod:`.limits`):

* Streams (and resharding) are ACTIVE at once: AWS shows CREATING / UPDATING / DELETING for
  seconds, but boto3's waiters would sleep in wall time meanwhile.
* Throughput is metered in 1-second windows of simulated time per shard
  (``THROUGHPUT_WINDOW_SECONDS``); the first record of a window is always admitted, so a large
  record passes on an idle shard. The same limits apply in on-demand mode.
* On-demand scaling: a shard whose writes average more than
  ``ON_DEMAND_SPLIT_THRESHOLD_BYTES_PER_SECOND`` over one ``ON_DEMAND_MEASURE_SECONDS`` period
  is split at the midpoint of its range ``ON_DEMAND_SPLIT_DELAY_SECONDS`` after that period
  (AWS: "within 15 minutes" above 500 KB/s). No scale-down.
* ApproximateArrivalTimestamp never decreases within a shard (AWS allows it to), which keeps
  AT_TIMESTAMP a bisect.
* GetRecords returns ``ChildShards`` and a null ``NextShardIterator`` in the same call that reads
  a closed shard's last record. ``MillisBehindLatest`` is the age of the oldest unread record.
* Closed shards are listed until ``closed_at + retention``; then they disappear from
  DescribeStream / ListShards / ``stream.shards``.
* UpdateShardCount reaches even ranges with real splits then merges (exact lineage).
* Texts not recorded from AWS are streamlab's: neither StreamName nor StreamARN, data plus
  partition key over the record size limit, ListShards filter/token misuse, on-demand stream
  quota, capacity-mode switch quota, unsimulated operations (``NotImplementedException``).
"""

from __future__ import annotations

from sim.services.kinesis.backend import KinesisBackend
from sim.services.kinesis.models import Record, Shard, Stream
from sim.services.kinesis.sequence import SequenceParts, format_sequence, parse_sequence
from sim.services.kinesis.service import KinesisService

__all__ = [
    "KinesisBackend",
    "KinesisService",
    "Record",
    "SequenceParts",
    "Shard",
    "Stream",
    "format_sequence",
    "parse_sequence",
]
