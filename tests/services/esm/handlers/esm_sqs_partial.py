"""Records every event; answers with a partial batch response naming the messages whose body
starts with ``fail`` (``MODE``: ``ok`` names them by messageId; ``empty-id``, ``null-id``,
``wrong-key``, ``unknown-id``, ``not-json`` answer the responses AWS treats as a complete
failure; ``none``, ``empty-object``, ``empty-list``, ``null-list`` those it treats as a complete
success)."""

import os

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    failed = [r["messageId"] for r in event["Records"] if r["body"].startswith("fail")]
    mode = os.environ.get("MODE", "ok")
    if mode == "none":
        return None
    if mode == "empty-object":
        return {}
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
        return {"batchItemFailures": [{"messageId": failed[0]}]}
    if mode == "unknown-id":
        return {"batchItemFailures": [{"itemIdentifier": "not-a-message-of-this-batch"}]}
    if mode == "not-json":
        return b"{batchItemFailures: oops"  # bytes pass through the runtime untouched
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
