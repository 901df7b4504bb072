"""A FIFO consumer written the way AWS advises (services-sqs-errorhandling.html: "stop
processing messages after the first failure and return all failed and unprocessed messages"),
with Powertools' ``SqsFifoPartialProcessor`` (``skip_group_on_error``: only the failing
message's group is given up; the other groups go on).

A message whose body is ``poison`` fails until it has been received ``HEAL_AT`` times.
Records every event.
"""

import os

import esm_shared
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def record_handler(record):
    heal_at = int(os.environ.get("HEAL_AT", "2"))
    if record.body == "poison" and int(record.attributes.approximate_receive_count) < heal_at:
        raise ValueError(f"poison {record.message_id}")


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
