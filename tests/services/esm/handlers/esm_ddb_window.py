"""A tumbling-window aggregator over a table's stream: counts the records of each eventName in
``state`` (``INSERT``, ``MODIFY``, ``REMOVE``) and records every event."""

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    state = dict(event.get("state") or {})
    for record in event["Records"]:
        state[record["eventName"]] = state.get(record["eventName"], 0) + 1
    return {"state": state}
