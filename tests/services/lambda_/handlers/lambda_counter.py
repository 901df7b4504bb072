"""Module-level state survives warm starts; init runs once per execution environment."""

import os
import threading
import time

import lambda_shared

lambda_shared.INITS[os.environ["AWS_LAMBDA_FUNCTION_NAME"]] += 1
COUNT = 0


def handler(event, context):
    global COUNT
    COUNT += 1
    lambda_shared.THREADS[context.aws_request_id] = threading.current_thread()
    if "sleep" in event:
        time.sleep(event["sleep"])
        lambda_shared.EVENTS[event["flag"]].set()
    if event.get("spin"):
        while True:
            pass
    return {"count": COUNT, "inits": lambda_shared.INITS[context.function_name]}
