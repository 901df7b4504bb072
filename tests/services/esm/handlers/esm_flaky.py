"""Records every event; the first FAIL_TIMES invocations of the function fail, then it succeeds."""

import os

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    if esm_shared.CALLS[context.function_name] <= int(os.environ["FAIL_TIMES"]):
        raise RuntimeError(f"failure {esm_shared.CALLS[context.function_name]}")
    return None
