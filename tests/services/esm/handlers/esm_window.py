"""A tumbling-window aggregator: counts the records of each partition key in ``state``, and
records every event. ``MODE=nostate`` returns no state (a failed invocation for Lambda);
``MODE=big`` returns a state above 1 MB."""

import os

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    mode = os.environ.get("MODE", "")
    if mode == "nostate":
        return {"batchItemFailures": []}
    state = dict(event.get("state") or {})
    for record in event["Records"]:
        key = record["kinesis"]["partitionKey"]
        state[key] = state.get(key, 0) + 1
    if mode == "big" and event["Records"]:
        state["padding"] = "x" * (1024 * 1024 + 1)
    elif "padding" in state:
        del state["padding"]
    return {"state": state}
