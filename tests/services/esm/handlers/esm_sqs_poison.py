"""Records every event; fails the whole batch when it holds a message whose body is ``poison``.

``HEAL_AT`` (optional): the poison heals once it is received that many times (its
``ApproximateReceiveCount`` reaches it), so a retry after the visibility timeout succeeds.
"""

import os

import esm_shared


class PoisonMessageError(Exception):
    pass


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    heal_at = int(os.environ.get("HEAL_AT", "0"))
    for record in event["Records"]:
        if record["body"] != "poison":
            continue
        if heal_at and int(record["attributes"]["ApproximateReceiveCount"]) >= heal_at:
            continue
        raise PoisonMessageError(record["messageId"])
    return None
