"""streamlab's Amazon Data Firehose: buffering to S3 on the simulated clock, with AWS's wire API.

Why our own: moto's Firehose writes one S3 object per put and ignores buffering hints, so a
pipeline's S3 layout (how many objects, their names, what is in each) looks nothing like AWS's.

What is simulated, and how faithfully:

* Delivery streams of type ``DirectPut`` (PutRecord, PutRecordBatch) and
  ``KinesisStreamAsSource`` (read from streamlab's Kinesis store), each with one S3 or
  ExtendedS3 destination. CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams,
  DeleteDeliveryStream, Tag/Untag/ListTagsForDeliveryStream. Streams are ACTIVE at once.
* Buffering (https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html and
  https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html): an object
  is written when the buffer holds ``SizeInMBs`` MiB of record data or ``IntervalInSeconds``
  have passed since its first record, whichever comes first; never before. A record that would
  overflow a non-empty buffer closes it first, so objects never exceed the size hint. AWS's
  own enlarging of the buffer when delivery falls behind is not simulated.
* Records are concatenated with nothing between them; the ``AppendDelimiterToRecord``
  processor (https://docs.aws.amazon.com/firehose/latest/APIReference/API_Processor.html)
  appends ``\\n`` to each record. ``GZIP`` compresses the object (gzip mtime 0, so runs are
  byte-identical) and adds ``.gz`` to its name.
* Object keys (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html,
  https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html):
  ``<evaluated prefix><name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`` in UTC; see
  :mod:`.prefixes` for expressions. The timestamps, prefix and suffix alike, are the
  approximate arrival time of the oldest record in the object (AWS documents that for the
  prefix and is silent for the suffix: streamlab choice). UUIDs and random strings come from
  the seeded ``rng``.
* Kinesis source (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html):
  read from LATEST at creation, every shard once per simulated second (children of resharding
  from their start), straight from the store (no GetRecords calls, so no read-limit sharing);
  PutRecord/PutRecordBatch answer AWS's "This operation is not permitted on
  KinesisStreamAsSource delivery stream type."
* Limits (:mod:`.limits`): 500 records and 4 MiB per PutRecordBatch, 1,000 KiB per record, the
  buffering ranges; violations answer AWS's ValidationException / InvalidArgumentException
  texts (:mod:`.exceptions`, :mod:`.validation`).
* Delivery failures (no bucket, ...) are retried at every tick for 24 hours, then dropped.

Not simulated (NotImplementedException): other destinations and sources, UpdateDestination,
encryption operations, Lambda transformation and the other processors, ZIP/Snappy, dynamic
partitioning, record format conversion, backups, CustomTimeZone, the throughput quotas.

Time: the service is driven by a scheduler (``now()``, ``call_at(when, fn)``,
:mod:`.scheduling`): a run's simulated clock while a run is attached, else the wall clock with
a daemon timer thread. One *tick* callback polls sources, closes buffers whose interval has
passed and retries failed deliveries; it is armed only while there is something to do.

Layout::

    service.py     FirehoseService: the facade (handle, invoke, set_scheduler, accounting)
    backend.py     FirehoseBackend: delivery streams, the lock, buffering, the tick
    models.py      DeliveryStream, Buffer, Batch
    operations/    one module per AWS operation, run(call, request)
    prefixes.py    !{...} expressions, Java DateTimeFormatter patterns, object keys
    validation.py  AWS's "N validation errors detected" from botocore's model
    wire.py        AWS JSON 1.1 codec
    scheduling.py  ClockScheduler, WallScheduler
    limits.py      every limit as a named constant with its source
    exceptions.py  AWS-named errors and the messages recorded from AWS

Accounting (:meth:`FirehoseService.accounting`): per delivery stream ``accepted`` (direct puts),
``read`` / ``available`` / ``unread`` (Kinesis source), ``buffered`` (in a buffer or awaiting a
retry), ``delivered`` (records in S3), ``objects``, ``dropped``.
"""

from __future__ import annotations

from sim.services.firehose.backend import FirehoseBackend
from sim.services.firehose.scheduling import ClockScheduler, WallScheduler
from sim.services.firehose.service import FirehoseService

__all__ = ["ClockScheduler", "FirehoseBackend", "FirehoseService", "WallScheduler"]
