"""Records every event; answers with a partial batch response naming the records whose data
starts with ``fail`` (``MODE``: ``ok`` names them by sequence number; ``empty-id``, ``null-id``,
``wrong-key``, ``unknown-id`` answer the malformed responses AWS treats as a complete failure;
``none``, ``empty-list``, ``null-list`` the responses it treats as complete success)."""

import base64
import os

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    failed = [
        r["kinesis"]["sequenceNumber"]
        for r in event["Records"]
        if base64.b64decode(r["kinesis"]["data"]).startswith(b"fail")
    ]
    mode = os.environ.get("MODE", "ok")
    if mode == "none":
        return None
    if mode == "empty-list":
        return {"batchItemFailures": []}
    if mode == "null-list":
        return {"batchItemFailures": None}
    if not failed:
        return {"batchItemFailures": []}
    if mode == "empty-id":
        return {"batchItemFailures": [{"itemIdentifier": ""}]}
    if mode == "null-id":
        return {"batchItemFailures": [{"itemIdentifier": None}]}
    if mode == "wrong-key":
        return {"batchItemFailures": [{"itemId": failed[0]}]}
    if mode == "unknown-id":
        return {"batchItemFailures": [{"itemIdentifier": "1"}]}
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}
