"""Handlers for the asynchronous queue tests: each records what it received."""

from lambda_async_store import RECEIVED


def fail(event, context):
    RECEIVED.append({"event": event, "request_id": context.aws_request_id})
    raise RuntimeError(f"broken: {event.get('n')}")


def succeed(event, context):
    RECEIVED.append({"event": event, "request_id": context.aws_request_id})
    return {"ok": event.get("n")}


def record(event, context):
    RECEIVED.append({"event": event, "request_id": context.aws_request_id})
