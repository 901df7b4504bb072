"""A DynamoDB Streams consumer written the way AWS advises, with Powertools' ``BatchProcessor``
(``EventType.DynamoDBStreams``): it reports each record that raised by its sequence number
(``batchItemFailures``). An item whose ``status`` is ``bad`` fails; records every event."""

import esm_shared
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record):
    image = record.dynamodb.new_image or {}
    if image.get("status") == "bad":
        raise ValueError(f"bad item {record.dynamodb.sequence_number}")


def handler(event, context):
    esm_shared.CALLS[context.function_name] += 1
    esm_shared.EVENTS.append((context.function_name, context.aws_request_id, event))
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
