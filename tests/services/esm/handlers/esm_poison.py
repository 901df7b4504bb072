"""Records every event; fails whenever the batch holds a record whose data is ``poison``."""

import base64

import esm_shared


class PoisonRecordError(Exception):
    pass


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    for record in event["Records"]:
        if base64.b64decode(record["kinesis"]["data"]) == b"poison":
            raise PoisonRecordError(record["eventID"])
    return None
