"""SQS consumer: fulfils orders, one item per order in the orders table.

The mapping sets ``FunctionResponseTypes: [ReportBatchItemFailures]``: an order the fraud check
holds (an amount above ``FRAUD_LIMIT``, default 1,000) is reported by its message id, so only it
returns to the queue. After the queue's ``maxReceiveCount`` receives, SQS moves it to the
dead-letter queue, where a person looks at it.

Environment: ``ORDERS_TABLE``, ``FRAUD_LIMIT``.
"""

import json
import os
from decimal import Decimal

import boto3

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
    return _table


def handler(event, context):
    limit = float(os.environ.get("FRAUD_LIMIT", "1000"))
    failures = []
    for message in event["Records"]:
        try:
            order = json.loads(message["body"])
            amount = float(order["amount"])
        except (ValueError, KeyError, TypeError):
            print(f"message {message['messageId']} is not an order")
            failures.append({"itemIdentifier": message["messageId"]})
            continue
        if amount > limit:
            print(f"order {order['order_id']} held by the fraud check")
            failures.append({"itemIdentifier": message["messageId"]})
            continue
        table().put_item(
            Item={
                "order_id": order["order_id"],
                "user_id": order["user_id"],
                "amount": Decimal(str(amount)),
                "receive_count": int(message["attributes"]["ApproximateReceiveCount"]),
            }
        )
    return {"batchItemFailures": failures}
