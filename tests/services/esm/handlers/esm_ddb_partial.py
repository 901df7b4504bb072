"""Records every event; answers with a partial batch response naming, by
``dynamodb.SequenceNumber``, the records of items whose key (``pk``) starts with ``fail``.

``MODE``: ``ok`` lists them in batch order; ``reversed`` lists them highest first (Lambda still
checkpoints at the lowest); ``event-id`` names them by ``eventID`` instead, which names no record
of the batch (a complete failure)."""

import os

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    failed = [
        record
        for record in event["Records"]
        if record["dynamodb"]["Keys"]["pk"]["S"].startswith("fail")
    ]
    mode = os.environ.get("MODE", "ok")
    if mode == "event-id":
        identifiers = [record["eventID"] for record in failed]
    else:
        identifiers = [record["dynamodb"]["SequenceNumber"] for record in failed]
    if mode == "reversed":
        identifiers.reverse()
    return {"batchItemFailures": [{"itemIdentifier": i} for i in identifiers]}
