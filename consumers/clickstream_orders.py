"""DynamoDB Streams consumer: turns a shopper's new purchase into an order message.

The sessions table's stream (NEW_AND_OLD_IMAGES) carries every change of a shopper's item. When
``purchases`` grew, the function sends the item's ``last_order`` to the orders queue. The mapping
filters the stream to INSERT and MODIFY records: the Time to Live deletions of idle shoppers
(REMOVE records by the DynamoDB service) never reach the function.

Environment: ``ORDERS_QUEUE`` (the queue's name).
"""

import json
import os

import boto3

_sqs = None
_queue_url = None


def sqs():
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    return _sqs


def queue_url():
    global _queue_url
    if _queue_url is None:
        _queue_url = sqs().get_queue_url(QueueName=os.environ["ORDERS_QUEUE"])["QueueUrl"]
    return _queue_url


def purchases(image):
    return int((image or {}).get("purchases", {}).get("N", "0"))


def handler(event, context):
    for record in event["Records"]:
        change = record["dynamodb"]
        new, old = change.get("NewImage"), change.get("OldImage")
        if purchases(new) <= purchases(old):
            continue
        order = new["last_order"]["M"]
        body = {
            "order_id": order["order_id"]["S"],
            "user_id": new["user_id"]["S"],
            "amount": float(order["amount"]["N"]),
        }
        sqs().send_message(QueueUrl=queue_url(), MessageBody=json.dumps(body))
