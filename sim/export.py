"""``--export DIR``: the stored state after a run, as plain files.

Layout (every file sorted and deterministic: two runs with the same seed export identical bytes):

* ``tables/<table>.jsonl``: one item per line, plain JSON values, sorted by key;
* ``s3/<bucket>/<key>``: each object's bytes under its key;
* ``streams/<stream>.jsonl``: every retained record (shard, sequence number, partition key,
  arrival time, data as base64 and, when it is UTF-8, as text);
* ``sqs/<queue>.jsonl`` and ``sns/<topic>.jsonl``: messages (SQS messages are read without
  being deleted; SNS from the topic's subscribers' view, see the SNS docs);
* ``invocations.jsonl``: the invocation log (request ids, events' sources, outcomes, payloads,
  logs) without wall-clock durations;
* ``ledger.json`` and ``expectations.json``.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.expect.values import scan_items


def _write_jsonl(path: Path, rows: Iterable[Any]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str))
            out.write("\n")
            count += 1
    return count


def _safe_name(name: str) -> str:
    return name.replace("/", "_")


def export_tables(client: Any, directory: Path) -> dict[str, int]:
    counts = {}
    for table in sorted(_all(client, "list_tables", "TableNames")):
        description = client.describe_table(TableName=table)["Table"]
        keys = [k["AttributeName"] for k in description["KeySchema"]]
        items = scan_items(client, table)
        items.sort(key=lambda i: json.dumps([i.get(k) for k in keys], default=str))
        counts[table] = _write_jsonl(directory / "tables" / f"{_safe_name(table)}.jsonl", items)
    return counts


def export_buckets(client: Any, directory: Path) -> dict[str, int]:
    counts = {}
    for bucket in sorted(b["Name"] for b in client.list_buckets().get("Buckets", [])):
        count = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                target = directory / "s3" / bucket / key
                if key.endswith("/"):
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())
                count += 1
        counts[bucket] = count
    return counts


def stream_rows(store: Any, name: str) -> Iterable[dict[str, Any]]:
    """Every retained record of a stream of streamlab's store, shard by shard."""
    stream = store.get_stream(name)
    for shard in sorted(stream.shards, key=lambda s: s.shard_id):
        index = shard.first_index
        while index < shard.end_index:
            records, index = shard.read(index, 10_000, 10 * 1024 * 1024)
            for record in records:
                row = {
                    "shardId": shard.shard_id,
                    "sequenceNumber": record.sequence_number,
                    "partitionKey": record.partition_key,
                    "approximateArrivalTimestamp": round(record.arrival, 3),
                    "data": base64.b64encode(record.data).decode("ascii"),
                }
                with contextlib.suppress(UnicodeDecodeError):
                    row["text"] = record.data.decode("utf-8")
                yield row
            if not records:
                break


def export_streams(store: Any, directory: Path) -> dict[str, int]:
    counts = {}
    for name in sorted(store.stream_names()):
        counts[name] = _write_jsonl(
            directory / "streams" / f"{name}.jsonl", stream_rows(store, name)
        )
    return counts


def export_queues(client: Any, directory: Path) -> dict[str, int]:
    counts = {}
    for url in sorted(client.list_queues().get("QueueUrls", [])):
        name = url.rsplit("/", 1)[-1]
        messages: dict[str, dict[str, Any]] = {}
        while True:  # visibility timeout 0: peek without consuming
            batch = client.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            new = [m for m in batch if m["MessageId"] not in messages]
            if not new:
                break
            for message in new:
                messages[message["MessageId"]] = {
                    "MessageId": message["MessageId"],
                    "Body": message["Body"],
                    "MessageAttributes": message.get("MessageAttributes", {}),
                    "SentTimestamp": message.get("Attributes", {}).get("SentTimestamp"),
                }
        rows = sorted(messages.values(), key=lambda m: (m["SentTimestamp"] or "", m["MessageId"]))
        counts[name] = _write_jsonl(directory / "sqs" / f"{name}.jsonl", rows)
    return counts


def export_topics(client: Any, directory: Path) -> dict[str, int]:
    """Topics and their subscriptions (messages reach subscribers: see the queues' files)."""
    counts = {}
    for topic in sorted(t["TopicArn"] for t in _all(client, "list_topics", "Topics")):
        name = topic.rsplit(":", 1)[-1]
        subscriptions = client.list_subscriptions_by_topic(TopicArn=topic).get("Subscriptions", [])
        rows = sorted(
            ({"Protocol": s["Protocol"], "Endpoint": s["Endpoint"]} for s in subscriptions),
            key=lambda s: (s["Protocol"], s["Endpoint"]),
        )
        counts[name] = _write_jsonl(directory / "sns" / f"{name}.jsonl", rows)
    return counts


def _all(client: Any, operation: str, key: str) -> list[Any]:
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate() for item in page[key]]
    return getattr(client, operation)()[key]


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )
