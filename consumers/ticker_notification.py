"""DE…-notification-lambda of the Ticker lab: tell the team by e-mail that the pipeline failed.

Deployed as is to AWS Lambda (handler ``ticker_notification.lambda_handler``) and configured as
the **on-failure destination** of the streaming function's asynchronous invocations. Environment
variables: ``TOPIC_ARN`` (the SNS topic, the lab's ``DEKYLMAP-streaming-sns-topic``, with e-mail
subscriptions) and ``FULL_NAME`` (whose pipeline it is, so the boss knows).

What it receives is Lambda's **invocation record** of the failed event, as the event payload
(Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations",
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)::

    {"version": "1.0", "timestamp": "2019-11-14T18:16:05.568Z",
     "requestContext": {"requestId": "e4b46cbf-…", "condition": "RetriesExhausted",
                        "functionArn": "arn:aws:lambda:…:function:my-function:$LATEST",
                        "approximateInvokeCount": 3},
     "requestPayload": {…the original event…},
     "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                         "functionError": "Unhandled"},
     "responsePayload": {"errorMessage": "…", "errorType": "…", "stackTrace": […]}}

``condition`` is ``RetriesExhausted`` (every attempt failed) or ``EventAgeExceeded`` (the event
grew older than the maximum event age before it could run; then there may be no response).

It publishes **one** SNS message: the subject ``<PREFIX> streaming pipeline failure`` (PREFIX is
the lab's ``DE…`` prefix of the failed function's name), and a plain-text body naming
``FULL_NAME``, the function ARN, the condition, the number of attempts, the error type and
message, the failed request id, the time of the record, the first lines of the stack trace and
the start of the original event. Invoked directly with any other event (a test from the
console), it publishes a message that says so, with the event it got. SNS limits (Amazon SNS API
reference, Publish): the subject is ASCII here, without line breaks, and shorter than 100
characters; the message stays far below 256 KB (long fields are cut).

A failing ``Publish`` (no topic, no ``sns:Publish`` permission) raises, so this function's own
invocation fails visibly rather than swallowing the alert.
"""

import json
import logging
import os

import boto3

logger = logging.getLogger(__name__)

# Publish Subject: "less than 100 characters long", no line breaks or control characters
# (Amazon SNS API reference, Publish).
SUBJECT_MAX_CHARS = 99
# How much of the error message, the stack trace and the original event a message shows.
ERROR_MESSAGE_MAX_CHARS = 2_000
STACK_TRACE_MAX_LINES = 10
EVENT_EXCERPT_MAX_CHARS = 1_000
CONDITIONS = {
    "RetriesExhausted": "every attempt failed and Lambda gave up retrying",
    "EventAgeExceeded": "the event grew older than the maximum event age before it could run",
}
NAME_MISSING = "(FULL_NAME is not set)"

_clients = {}


def _sns():
    key = tuple(
        os.environ.get(name)
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID")
    )
    client = _clients.get(key)
    if client is None:
        client = boto3.client("sns", region_name=os.environ.get("AWS_REGION") or None)
        _clients[key] = client
    return client


def is_invocation_record(event):
    """Whether ``event`` is Lambda's invocation record (its ``requestContext`` names the
    function and the condition)."""
    if not isinstance(event, dict) or not isinstance(event.get("requestContext"), dict):
        return False
    return {"functionArn", "condition"} <= set(event["requestContext"])


def function_name(function_arn):
    """``arn:aws:lambda:R:A:function:NAME[:QUALIFIER]`` → NAME (the text itself otherwise)."""
    parts = (function_arn or "").split(":")
    return parts[6] if len(parts) >= 7 and parts[5] == "function" else function_arn or ""


def lab_prefix(name):
    """``DEKYLMAP-streaming-lambda`` → ``DEKYLMAP`` (the lab's naming convention)."""
    return (name or "").split("-", 1)[0] or "Ticker"


def clean_subject(text):
    """ASCII, no control characters, shorter than 100 characters."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    printable = "".join(c if " " <= c <= "~" else " " for c in ascii_text)
    return " ".join(printable.split())[:SUBJECT_MAX_CHARS]


def _cut(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _excerpt(value):
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return _cut(text, EVENT_EXCERPT_MAX_CHARS)


def failure_message(record, full_name):
    """(subject, body) for an invocation record."""
    request = record.get("requestContext") or {}
    response = record.get("responseContext") or {}
    payload = record.get("responsePayload")
    function_arn = request.get("functionArn", "(unknown)")
    name = function_name(function_arn)
    condition = request.get("condition", "(none given)")
    attempts = request.get("approximateInvokeCount", "(unknown)")
    if isinstance(payload, dict):
        error_type = payload.get("errorType") or response.get("functionError") or "(none given)"
        error_message = payload.get("errorMessage") or "(none given)"
        trace = payload.get("stackTrace") or []
    else:
        error_type = response.get("functionError") or "(none given)"
        error_message = "(no response: the function did not run)" if payload is None else payload
        trace = []
    if condition == "Success":
        subject = f"{lab_prefix(name)} streaming pipeline: a success record"
        headline = (
            f"The notification function received a success record for {name}: the function "
            "succeeded. Check that it is configured as the on-failure destination, not the "
            "on-success one."
        )
    else:
        subject = f"{lab_prefix(name)} streaming pipeline failure"
        headline = f"The streaming pipeline of {full_name} has failed."
    lines = [
        headline,
        "",
        f"Owner:      {full_name}",
        f"Function:   {function_arn}",
        f"Condition:  {condition}"
        + (f" ({CONDITIONS[condition]})" if condition in CONDITIONS else ""),
        f"Attempts:   {attempts}",
        f"Error type: {error_type}",
        f"Error:      {_cut(str(error_message), ERROR_MESSAGE_MAX_CHARS)}",
        f"Request id: {request.get('requestId', '(unknown)')}",
        f"Recorded:   {record.get('timestamp', '(unknown)')}",
        f"Response:   status {response.get('statusCode', '(none)')}, version "
        f"{response.get('executedVersion', '(none)')}",
    ]
    if isinstance(trace, list) and trace:
        lines += ["", "Stack trace (first lines):"]
        lines += [f"  {str(line).rstrip()}" for line in trace[:STACK_TRACE_MAX_LINES]]
    if "requestPayload" in record:
        lines += ["", f"Original event: {_excerpt(record['requestPayload'])}"]
    return clean_subject(subject), "\n".join(lines) + "\n"


def direct_message(event, context, full_name):
    """(subject, body) when invoked with anything but an invocation record."""
    name = getattr(context, "function_name", "") or ""
    subject = f"{lab_prefix(name)} streaming pipeline notification test"
    body = (
        f"This is a test of the failure notification of {full_name}'s streaming pipeline: "
        f"{name or 'the notification function'} was invoked directly (for example from the "
        "Lambda console), not with the invocation record of a failed streaming invocation. "
        "Nothing has failed.\n\n"
        f"Event received: {_excerpt(event)}\n"
    )
    return clean_subject(subject), body


def lambda_handler(event, context):
    topic_arn = os.environ.get("TOPIC_ARN")
    if not topic_arn:
        raise RuntimeError(
            "the TOPIC_ARN environment variable is not set "
            "(the lab: the ARN of DEKYLMAP-streaming-sns-topic)"
        )
    full_name = os.environ.get("FULL_NAME") or NAME_MISSING
    if full_name == NAME_MISSING:
        logger.warning("FULL_NAME is not set; the message will not say whose pipeline it is")
    if is_invocation_record(event):
        subject, body = failure_message(event, full_name)
        kind = "failure"
    else:
        subject, body = direct_message(event, context, full_name)
        kind = "direct"
    answer = _sns().publish(TopicArn=topic_arn, Subject=subject, Message=body)
    logger.info("published %s notification %s: %s", kind, answer["MessageId"], subject)
    return {"MessageId": answer["MessageId"], "Subject": subject, "kind": kind}
