"""Records every event; the first SLOW_TIMES invocations run past any timeout, then it succeeds.

The slow invocations spin in short sleeps, so the runtime's asynchronous exception stops the
abandoned worker thread promptly after the timeout.
"""

import os
import time

import esm_shared


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    if esm_shared.CALLS[context.function_name] <= int(os.environ["SLOW_TIMES"]):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.01)
    return None
