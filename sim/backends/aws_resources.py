"""Each kind of resource streamlab creates on AWS: how to tell whether it exists, how to delete it.

A kind is a :class:`Kind` in :data:`KINDS`, in teardown order (what depends on a resource goes
before it: mappings before functions, functions before their roles, topics before the queues
they deliver to). Deletion waits where AWS deletes asynchronously (streams, tables, event source
mappings) so that "nothing left" is true when teardown says so. A resource already gone counts
as deleted. Adding a kind (schedules, say) is one ``Kind`` here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

# How long teardown waits for an asynchronous deletion before reporting the resource as left.
DELETE_WAIT_SECONDS = 300
POLL_SECONDS = 2.0

NOT_FOUND_CODES = {
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NoSuchBucket",
    "NotFound",
    "NotFoundException",
    "404",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def not_found(error: ClientError) -> bool:
    return error_code(error) in NOT_FOUND_CODES


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    exists: Callable[[Any, str], bool]  # (client factory, name) -> bool
    delete: Callable[[Any, str], None]  # (client factory, name); waits until gone


def _exists(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as error:
        if not_found(error):
            return False
        raise
    return True


def _gone(call: Callable[[], Any]) -> None:
    """Run a delete call; a resource already gone is fine."""
    try:
        call()
    except ClientError as error:
        if not not_found(error):
            raise


def _wait_until_gone(exists: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DELETE_WAIT_SECONDS
    while exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} still exists after {DELETE_WAIT_SECONDS} s")
        time.sleep(POLL_SECONDS)


# -- Kinesis ------------------------------------------------------------------------------------
def _stream_exists(clients: Any, name: str) -> bool:
    kinesis = clients.client("kinesis")
    return _exists(lambda: kinesis.describe_stream_summary(StreamName=name))


def _stream_delete(clients: Any, name: str) -> None:
    kinesis = clients.client("kinesis")
    _gone(lambda: kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True))
    _wait_until_gone(lambda: _stream_exists(clients, name), f"stream {name}")


# -- DynamoDB -----------------------------------------------------------------------------------
def _table_exists(clients: Any, name: str) -> bool:
    dynamodb = clients.client("dynamodb")
    return _exists(lambda: dynamodb.describe_table(TableName=name))


def _table_delete(clients: Any, name: str) -> None:
    dynamodb = clients.client("dynamodb")
    _gone(lambda: dynamodb.delete_table(TableName=name))
    _wait_until_gone(lambda: _table_exists(clients, name), f"table {name}")


# -- S3 -----------------------------------------------------------------------------------------
def _bucket_exists(clients: Any, name: str) -> bool:
    s3 = clients.client("s3")
    return _exists(lambda: s3.head_bucket(Bucket=name))


def _bucket_delete(clients: Any, name: str) -> None:
    """Empty the bucket (every version and delete marker, then any object left), delete it."""
    s3 = clients.client("s3")
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            for i in range(0, len(doomed), 1000):
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed[i : i + 1000]})
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            doomed = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if doomed:
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed})
    except ClientError as error:
        if not_found(error):
            return
        raise
    _gone(lambda: s3.delete_bucket(Bucket=name))


# -- SQS, SNS -----------------------------------------------------------------------------------
def _queue_exists(clients: Any, name: str) -> bool:
    sqs = clients.client("sqs")
    return _exists(lambda: sqs.get_queue_url(QueueName=name))


def _queue_delete(clients: Any, name: str) -> None:
    sqs = clients.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if not_found(error):
            return
        raise
    _gone(lambda: sqs.delete_queue(QueueUrl=url))


def topic_arn(clients: Any, name: str) -> str | None:
    """The ARN of the topic called ``name`` in this account and Region, or None."""
    sns = clients.client("sns")
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
    return None


def _topic_exists(clients: Any, name: str) -> bool:
    return topic_arn(clients, name) is not None


def _topic_delete(clients: Any, name: str) -> None:
    """Unsubscribe every confirmed subscription, then delete the topic."""
    sns = clients.client("sns")
    arn = topic_arn(clients, name)
    if arn is None:
        return
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
        for subscription in page.get("Subscriptions", []):
            if subscription["SubscriptionArn"].startswith("arn:"):  # not PendingConfirmation
                _gone(lambda s=subscription: sns.unsubscribe(SubscriptionArn=s["SubscriptionArn"]))
    _gone(lambda: sns.delete_topic(TopicArn=arn))


# -- IAM ----------------------------------------------------------------------------------------
def _role_exists(clients: Any, name: str) -> bool:
    iam = clients.client("iam")
    return _exists(lambda: iam.get_role(RoleName=name))


def _role_delete(clients: Any, name: str) -> None:
    """Detach its managed policies, delete its inline policies, then the role."""
    iam = clients.client("iam")
    try:
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            for policy in page["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy in page["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
    except ClientError as error:
        if not_found(error):
            return
        raise
    _gone(lambda: iam.delete_role(RoleName=name))


# -- Lambda and its logs ------------------------------------------------------------------------
def _function_exists(clients: Any, name: str) -> bool:
    client = clients.client("lambda")
    return _exists(lambda: client.get_function(FunctionName=name))


def _function_delete(clients: Any, name: str) -> None:
    client = clients.client("lambda")
    _gone(lambda: client.delete_function(FunctionName=name))


def _mapping_exists(clients: Any, uuid: str) -> bool:
    client = clients.client("lambda")
    return _exists(lambda: client.get_event_source_mapping(UUID=uuid))


def _mapping_delete(clients: Any, uuid: str) -> None:
    client = clients.client("lambda")
    _gone(lambda: client.delete_event_source_mapping(UUID=uuid))
    _wait_until_gone(lambda: _mapping_exists(clients, uuid), f"event source mapping {uuid}")


def _log_group_exists(clients: Any, name: str) -> bool:
    logs = clients.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return any(group["logGroupName"] == name for group in groups)


def _log_group_delete(clients: Any, name: str) -> None:
    logs = clients.client("logs")
    _gone(lambda: logs.delete_log_group(logGroupName=name))


def _delivery_stream_exists(clients: Any, name: str) -> bool:
    firehose = clients.client("firehose")
    return _exists(lambda: firehose.describe_delivery_stream(DeliveryStreamName=name))


def _delivery_stream_delete(clients: Any, name: str) -> None:
    firehose = clients.client("firehose")
    _gone(lambda: firehose.delete_delivery_stream(DeliveryStreamName=name))
    _wait_until_gone(
        lambda: _delivery_stream_exists(clients, name), f"Firehose delivery stream {name}"
    )


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("mapping", "event source mapping", _mapping_exists, _mapping_delete),
        Kind("function", "Lambda function", _function_exists, _function_delete),
        Kind("log-group", "CloudWatch log group", _log_group_exists, _log_group_delete),
        Kind(
            "delivery-stream",
            "Firehose delivery stream",
            _delivery_stream_exists,
            _delivery_stream_delete,
        ),
        Kind("topic", "SNS topic", _topic_exists, _topic_delete),
        Kind("queue", "SQS queue", _queue_exists, _queue_delete),
        Kind("bucket", "S3 bucket", _bucket_exists, _bucket_delete),
        Kind("table", "DynamoDB table", _table_exists, _table_delete),
        Kind("stream", "Kinesis stream", _stream_exists, _stream_delete),
        Kind("role", "IAM role", _role_exists, _role_delete),
    )
}
TEARDOWN_ORDER = list(KINDS)


def name_from_arn(arn: str) -> tuple[str, str] | None:
    """(kind, name) of a resource found by its tag, when streamlab knows the kind."""
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    if service == "kinesis" and resource.startswith("stream/"):
        return "stream", resource.split("/", 1)[1]
    if service == "dynamodb" and resource.startswith("table/") and "/" not in resource[6:]:
        return "table", resource[6:]
    if service == "s3":
        return "bucket", resource
    if service == "sqs":
        return "queue", resource
    if service == "sns" and ":" not in resource:
        return "topic", resource
    if service == "iam" and resource.startswith("role/"):
        return "role", resource.rsplit("/", 1)[1]
    if service == "lambda" and resource.startswith("function:"):
        return "function", resource.split(":")[1]
    if service == "lambda" and resource.startswith("event-source-mapping:"):
        return "mapping", resource.split(":")[1]
    if service == "firehose" and resource.startswith("deliverystream/"):
        return "delivery-stream", resource.split("/", 1)[1]
    if service == "logs" and resource.startswith("log-group:"):
        return "log-group", resource[len("log-group:") :].removesuffix(":*")
    return None
