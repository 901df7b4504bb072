"""Records every event; fails whenever the batch holds a record of an item whose key (``pk``)
starts with ``poison``."""

import esm_shared


class PoisonItemError(Exception):
    pass


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    for record in event["Records"]:
        key = record["dynamodb"]["Keys"]["pk"]["S"]
        if key.startswith("poison"):
            raise PoisonItemError(record["dynamodb"]["SequenceNumber"])
    return None
