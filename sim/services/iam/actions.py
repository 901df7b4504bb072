"""Request → IAM checks: which action on which resource(s) an API call needs.

``checks_for(service, operation, params, region=…, account=…)`` takes the botocore service name
(``dynamodb``, ``kinesis``, ``firehose``, ``s3``, ``sns``, ``sqs``, ``logs``, ``lambda``), the
operation name (``PutItem``) and the API parameters as botocore hands them to ``before-call``
(the params dict the user passed), and returns a list of :class:`Check`: every one must be allowed
for the call to be. Actions and resource ARN formats follow the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/, "Actions, resources, and
condition keys for …" of each service).

An operation this module does not know maps to ``<prefix>:<Operation>`` on ``*`` with
``mapped=False``, so a caller can decide whether to enforce it. Calls AWS never authorizes
(``sts:GetCallerIdentity``) map to no check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PREFIXES = {
    "dynamodb": "dynamodb",
    "dynamodbstreams": "dynamodb",
    "kinesis": "kinesis",
    "firehose": "firehose",
    "s3": "s3",
    "sns": "sns",
    "sqs": "sqs",
    "logs": "logs",
    "lambda": "lambda",
    "iam": "iam",
    "sts": "sts",
}
UNAUTHORIZED_OPERATIONS = {("sts", "GetCallerIdentity")}


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    mapped: bool = True


@dataclass(frozen=True)
class Where:
    region: str
    account: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )


# ------------------------------------------------------------------ DynamoDB

_DDB_SIMPLE = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "DescribeTable",
    "CreateTable",
    "DeleteTable",
    "UpdateTable",
    "DescribeTimeToLive",
    "UpdateTimeToLive",
    "DescribeContinuousBackups",
    "ListTagsOfResource",
}


def _table_arn(where: Where, name: str) -> str:
    # TableName may be a table ARN (DynamoDB accepts ARNs in TableName).
    return name if name.startswith("arn:") else where.arn("dynamodb", f"table/{name}")


def _ddb_context(params: Mapping[str, Any]) -> dict[str, Any]:
    """Service condition keys readable from the request alone (dynamodb:LeadingKeys needs the
    table's key schema: pass it through ``key_schema``)."""
    context: dict[str, Any] = {}
    for key, param in (
        ("dynamodb:Select", "Select"),
        ("dynamodb:ReturnValues", "ReturnValues"),
        ("dynamodb:ReturnConsumedCapacity", "ReturnConsumedCapacity"),
    ):
        if params.get(param) is not None:
            context[key] = params[param]
    if params.get("AttributesToGet"):
        context["dynamodb:Attributes"] = list(params["AttributesToGet"])
    return context


def _leading_keys(
    table: str, params: Mapping[str, Any], key_schema: Callable[[str], str | None] | None
) -> dict[str, Any]:
    """``dynamodb:LeadingKeys``: the partition-key value(s) of the item(s) addressed."""
    if key_schema is None:
        return {}
    hash_key = key_schema(table)
    if not hash_key:
        return {}
    item = params.get("Key") or params.get("Item") or {}
    value = item.get(hash_key)
    if isinstance(value, dict) and value:
        return {"dynamodb:LeadingKeys": [str(next(iter(value.values())))]}
    if value is not None and not isinstance(value, dict):
        return {"dynamodb:LeadingKeys": [str(value)]}
    return {}


def _dynamodb(op: str, params: Mapping[str, Any], where: Where, key_schema: Any) -> list[Check]:
    if op in _DDB_SIMPLE or op in ("Query", "Scan"):
        table = params["TableName"]
        resource = _table_arn(where, table)
        if op in ("Query", "Scan") and params.get("IndexName"):
            resource = f"{resource}/index/{params['IndexName']}"
        context = _ddb_context(params)
        context.update(_leading_keys(table, params, key_schema))
        return [Check(f"dynamodb:{op}", resource, context)]
    if op in ("BatchWriteItem", "BatchGetItem"):
        checks = []
        for table, requests in (params.get("RequestItems") or {}).items():
            context: dict[str, Any] = {}
            if key_schema is not None and isinstance(requests, list):
                values = []
                for request in requests:
                    inner = request.get("PutRequest") or request.get("DeleteRequest") or {}
                    values += _leading_keys(table, inner, key_schema).get(
                        "dynamodb:LeadingKeys", []
                    )
                if values:
                    context["dynamodb:LeadingKeys"] = values
            checks.append(Check(f"dynamodb:{op}", _table_arn(where, table), context))
        return checks
    if op == "TransactWriteItems":
        names = {
            "Put": "PutItem",
            "Update": "UpdateItem",
            "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheckItem",
        }
        checks = []
        for item in params.get("TransactItems") or []:
            for kind, action in names.items():
                if kind in item:
                    table = item[kind]["TableName"]
                    context = _leading_keys(table, item[kind], key_schema)
                    checks.append(Check(f"dynamodb:{action}", _table_arn(where, table), context))
        return checks
    if op == "TransactGetItems":
        return [
            Check("dynamodb:GetItem", _table_arn(where, item["Get"]["TableName"]))
            for item in params.get("TransactItems") or []
            if "Get" in item
        ]
    if op in ("ListTables", "DescribeLimits", "DescribeEndpoints", "ListStreams"):
        return [Check(f"dynamodb:{op}", "*")]
    if op in ("DescribeStream", "GetShardIterator") and params.get("StreamArn"):
        return [Check(f"dynamodb:{op}", params["StreamArn"])]
    return []


# ------------------------------------------------------------------ Kinesis

_KINESIS_STREAM_OPS = {
    "PutRecord",
    "PutRecords",
    "GetShardIterator",
    "DescribeStream",
    "DescribeStreamSummary",
    "ListShards",
    "CreateStream",
    "DeleteStream",
    "MergeShards",
    "SplitShard",
    "UpdateShardCount",
    "IncreaseStreamRetentionPeriod",
    "DecreaseStreamRetentionPeriod",
    "AddTagsToStream",
    "ListTagsForStream",
    "RegisterStreamConsumer",
    "ListStreamConsumers",
}


def _stream_arn(where: Where, params: Mapping[str, Any]) -> str | None:
    if params.get("StreamARN"):
        return params["StreamARN"]
    if params.get("StreamName"):
        return where.arn("kinesis", f"stream/{params['StreamName']}")
    return None


def _kinesis(
    op: str, params: Mapping[str, Any], where: Where, stream_of_iterator: Any
) -> list[Check]:
    if op in _KINESIS_STREAM_OPS:
        arn = _stream_arn(where, params)
        # ListShards with only a NextToken: the stream is inside the token.
        return [Check(f"kinesis:{op}", arn or "*", mapped=arn is not None)]
    if op == "GetRecords":
        arn = params.get("StreamARN")
        if arn is None and stream_of_iterator is not None:
            name = stream_of_iterator(params.get("ShardIterator", ""))
            if name:
                arn = where.arn("kinesis", f"stream/{name}")
        return [Check("kinesis:GetRecords", arn or "*", mapped=arn is not None)]
    if op in ("ListStreams", "DescribeLimits", "EnableEnhancedMonitoring"):
        return [Check(f"kinesis:{op}", "*")]
    if op in ("DescribeStreamConsumer", "SubscribeToShard", "DeregisterStreamConsumer"):
        arn = params.get("ConsumerARN") or "*"
        return [Check(f"kinesis:{op}", arn, mapped=arn != "*")]
    return []


# ------------------------------------------------------------------ Firehose


def _firehose(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    if op in (
        "PutRecord",
        "PutRecordBatch",
        "DescribeDeliveryStream",
        "CreateDeliveryStream",
        "DeleteDeliveryStream",
        "UpdateDestination",
    ):
        name = params["DeliveryStreamName"]
        return [Check(f"firehose:{op}", where.arn("firehose", f"deliverystream/{name}"))]
    if op == "ListDeliveryStreams":
        return [Check("firehose:ListDeliveryStreams", "*")]
    return []


# ------------------------------------------------------------------ S3


def _object_arn(where: Where, bucket: str, key: str) -> str:
    return f"arn:{where.partition}:s3:::{bucket}/{key}"


def _bucket_arn(where: Where, bucket: str) -> str:
    return f"arn:{where.partition}:s3:::{bucket}"


def _s3_object_context(params: Mapping[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if params.get("ACL"):
        context["s3:x-amz-acl"] = params["ACL"]
    if params.get("ServerSideEncryption"):
        context["s3:x-amz-server-side-encryption"] = params["ServerSideEncryption"]
    if params.get("SSEKMSKeyId"):
        context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = params["SSEKMSKeyId"]
    if params.get("StorageClass"):
        context["s3:x-amz-storage-class"] = params["StorageClass"]
    return context


def _s3(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    bucket = params.get("Bucket")
    if op in ("GetObject", "HeadObject"):
        action = "s3:GetObjectVersion" if params.get("VersionId") else "s3:GetObject"
        return [Check(action, _object_arn(where, bucket, params["Key"]))]
    if op in (
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
    ):
        return [
            Check(
                "s3:PutObject",
                _object_arn(where, bucket, params["Key"]),
                _s3_object_context(params),
            )
        ]
    if op == "AbortMultipartUpload":
        return [Check("s3:AbortMultipartUpload", _object_arn(where, bucket, params["Key"]))]
    if op == "DeleteObject":
        action = "s3:DeleteObjectVersion" if params.get("VersionId") else "s3:DeleteObject"
        return [Check(action, _object_arn(where, bucket, params["Key"]))]
    if op == "DeleteObjects":
        objects = (params.get("Delete") or {}).get("Objects") or []
        return [
            Check(
                "s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject",
                _object_arn(where, bucket, o["Key"]),
            )
            for o in objects
        ]
    if op == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, Mapping):
            src = f"{source['Bucket']}/{source['Key']}"
        else:
            src = str(source).split("?", 1)[0].lstrip("/")
        return [
            Check("s3:GetObject", f"arn:{where.partition}:s3:::{src}"),
            Check(
                "s3:PutObject",
                _object_arn(where, bucket, params["Key"]),
                _s3_object_context(params),
            ),
        ]
    if op in ("ListObjects", "ListObjectsV2", "ListObjectVersions", "HeadBucket"):
        context: dict[str, Any] = {}
        for key, param in (
            ("s3:prefix", "Prefix"),
            ("s3:delimiter", "Delimiter"),
            ("s3:max-keys", "MaxKeys"),
        ):
            if params.get(param) is not None:
                context[key] = str(params[param])
        action = "s3:ListBucketVersions" if op == "ListObjectVersions" else "s3:ListBucket"
        return [Check(action, _bucket_arn(where, bucket), context)]
    if op == "ListBuckets":
        return [Check("s3:ListAllMyBuckets", "*")]
    if op in ("CreateBucket", "DeleteBucket", "GetBucketLocation", "GetBucketPolicy"):
        return [Check(f"s3:{op}", _bucket_arn(where, bucket))]
    return []


# ------------------------------------------------------------------ SNS / SQS


def _sns(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    if op in ("Publish", "PublishBatch"):
        arn = params.get("TopicArn") or params.get("TargetArn")
        if arn is None:  # a Publish to a phone number: resource *
            return [Check("sns:Publish", "*")]
        return [Check("sns:Publish", arn)]
    if op == "CreateTopic":
        return [Check("sns:CreateTopic", where.arn("sns", params["Name"]))]
    if op in ("Subscribe", "GetTopicAttributes", "SetTopicAttributes", "DeleteTopic"):
        return [Check(f"sns:{op}", params["TopicArn"])]
    if op in ("ListTopics", "ListSubscriptions"):
        return [Check(f"sns:{op}", "*")]
    return []


def queue_arn(url: str, where: Where) -> str:
    """``https://sqs.us-east-1.amazonaws.com/123456789012/q`` → ``arn:aws:sqs:us-east-1:
    123456789012:q`` (also the legacy ``queue.amazonaws.com`` and local endpoints' URLs; the
    region comes from the host when it names one)."""
    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    if len(path) < 2:
        raise ValueError(f"not a queue URL: {url!r}")
    account, name = path[-2], path[-1]
    host = parts.hostname or ""
    region = where.region
    labels = host.split(".")
    if len(labels) > 2 and labels[0] == "sqs" and labels[1] not in ("amazonaws", "localhost"):
        region = labels[1]
    elif len(labels) > 2 and labels[1] == "queue" and labels[0] not in ("sqs",):
        region = labels[0]  # us-east-1.queue.amazonaws.com
    return f"arn:{where.partition}:sqs:{region}:{account}:{name}"


_SQS_ACTIONS = {
    "SendMessage": "SendMessage",
    "SendMessageBatch": "SendMessage",
    "ReceiveMessage": "ReceiveMessage",
    "DeleteMessage": "DeleteMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibility": "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "GetQueueAttributes": "GetQueueAttributes",
    "SetQueueAttributes": "SetQueueAttributes",
    "PurgeQueue": "PurgeQueue",
    "DeleteQueue": "DeleteQueue",
}


def _sqs(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    if op in _SQS_ACTIONS:
        return [Check(f"sqs:{_SQS_ACTIONS[op]}", queue_arn(params["QueueUrl"], where))]
    if op in ("GetQueueUrl", "CreateQueue"):
        account = params.get("QueueOwnerAWSAccountId") or where.account
        arn = f"arn:{where.partition}:sqs:{where.region}:{account}:{params['QueueName']}"
        return [Check(f"sqs:{op}", arn)]
    if op == "ListQueues":
        return [Check("sqs:ListQueues", "*")]
    return []


# ------------------------------------------------------------------ Logs / Lambda


def _logs(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    group = params.get("logGroupName")
    if op in ("CreateLogGroup", "DeleteLogGroup", "PutRetentionPolicy"):
        return [Check(f"logs:{op}", where.arn("logs", f"log-group:{group}"))]
    if op in ("DescribeLogStreams", "FilterLogEvents"):
        return [Check(f"logs:{op}", where.arn("logs", f"log-group:{group}:*"))]
    if op in ("CreateLogStream", "PutLogEvents", "GetLogEvents"):
        stream = params["logStreamName"]
        return [Check(f"logs:{op}", where.arn("logs", f"log-group:{group}:log-stream:{stream}"))]
    if op == "DescribeLogGroups":
        return [Check("logs:DescribeLogGroups", where.arn("logs", "log-group:*"))]
    return []


def function_arn(name: str, where: Where, qualifier: str | None = None) -> str:
    """A Lambda FunctionName (name, ``name:qualifier``, partial ``ACCOUNT:function:name`` or
    full ARN) as the function ARN, with ``Qualifier`` appended when given."""
    if name.startswith("arn:"):
        arn = name
    elif ":function:" in name:  # 123456789012:function:my-function
        account, _, rest = name.partition(":function:")
        arn = f"arn:{where.partition}:lambda:{where.region}:{account}:function:{rest}"
    else:
        arn = where.arn("lambda", f"function:{name}")
    if qualifier and arn.count(":") == 6:
        arn = f"{arn}:{qualifier}"
    return arn


def _lambda(op: str, params: Mapping[str, Any], where: Where) -> list[Check]:
    if op in ("Invoke", "InvokeAsync", "InvokeWithResponseStream"):
        return [
            Check(
                "lambda:InvokeFunction",
                function_arn(params["FunctionName"], where, params.get("Qualifier")),
            )
        ]
    if op in ("GetFunction", "GetFunctionConfiguration", "DeleteFunction", "UpdateFunctionCode"):
        return [
            Check(
                f"lambda:{op}", function_arn(params["FunctionName"], where, params.get("Qualifier"))
            )
        ]
    if op in ("ListFunctions", "ListEventSourceMappings"):
        return [Check(f"lambda:{op}", "*")]
    return []


# ------------------------------------------------------------------ entry point


def checks_for(
    service: str,
    operation: str,
    params: Mapping[str, Any] | None,
    *,
    region: str,
    account: str,
    partition: str = "aws",
    key_schema: Callable[[str], str | None] | None = None,
    stream_of_iterator: Callable[[str], str | None] | None = None,
) -> list[Check]:
    """The checks one API call needs. ``key_schema(table) -> partition-key attribute name``
    enables ``dynamodb:LeadingKeys``; ``stream_of_iterator(token) -> stream name`` lets
    Kinesis ``GetRecords`` (which names only a shard iterator) be checked on its stream."""
    if (service, operation) in UNAUTHORIZED_OPERATIONS:
        return []
    params = params or {}
    where = Where(region, account, partition)
    if service in ("dynamodb", "dynamodbstreams"):
        checks = _dynamodb(operation, params, where, key_schema)
    elif service == "kinesis":
        checks = _kinesis(operation, params, where, stream_of_iterator)
    elif service == "firehose":
        checks = _firehose(operation, params, where)
    elif service == "s3":
        checks = _s3(operation, params, where)
    elif service == "sns":
        checks = _sns(operation, params, where)
    elif service == "sqs":
        checks = _sqs(operation, params, where)
    elif service == "logs":
        checks = _logs(operation, params, where)
    elif service == "lambda":
        checks = _lambda(operation, params, where)
    else:
        checks = []
    if checks or operation in ("BatchWriteItem", "BatchGetItem", "TransactWriteItems"):
        return checks
    prefix = PREFIXES.get(service, service)
    return [Check(f"{prefix}:{operation}", "*", mapped=False)]
