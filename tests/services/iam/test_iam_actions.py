"""Request → (IAM action, resource, condition keys) for the operations handlers use."""

from __future__ import annotations

import pytest

from sim.services.iam import Check, checks_for, evaluate_all, parse_policy

R, A = "us-east-1", "123456789012"
T = f"arn:aws:dynamodb:{R}:{A}:table"


def one(service, operation, params, **kw):
    return [
        (c.action, c.resource)
        for c in checks_for(service, operation, params, region=R, account=A, **kw)
    ]


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        # DynamoDB (service-authorization reference: list_amazondynamodb.html)
        ("dynamodb", "GetItem", {"TableName": "U", "Key": {}}, [("dynamodb:GetItem", f"{T}/U")]),
        ("dynamodb", "PutItem", {"TableName": "U", "Item": {}}, [("dynamodb:PutItem", f"{T}/U")]),
        (
            "dynamodb",
            "UpdateItem",
            {"TableName": "U", "Key": {}},
            [("dynamodb:UpdateItem", f"{T}/U")],
        ),
        (
            "dynamodb",
            "DeleteItem",
            {"TableName": "U", "Key": {}},
            [("dynamodb:DeleteItem", f"{T}/U")],
        ),
        ("dynamodb", "DescribeTable", {"TableName": "U"}, [("dynamodb:DescribeTable", f"{T}/U")]),
        ("dynamodb", "Query", {"TableName": "U"}, [("dynamodb:Query", f"{T}/U")]),
        (
            "dynamodb",
            "Query",
            {"TableName": "U", "IndexName": "byName"},
            [("dynamodb:Query", f"{T}/U/index/byName")],
        ),
        (
            "dynamodb",
            "Scan",
            {"TableName": "U", "IndexName": "g"},
            [("dynamodb:Scan", f"{T}/U/index/g")],
        ),
        (
            "dynamodb",
            "PutItem",
            {"TableName": f"{T}/U", "Item": {}},
            [("dynamodb:PutItem", f"{T}/U")],
        ),
        (
            "dynamodb",
            "BatchWriteItem",
            {
                "RequestItems": {
                    "U": [{"PutRequest": {"Item": {}}}],
                    "V": [{"DeleteRequest": {"Key": {}}}],
                }
            },
            [("dynamodb:BatchWriteItem", f"{T}/U"), ("dynamodb:BatchWriteItem", f"{T}/V")],
        ),
        (
            "dynamodb",
            "BatchGetItem",
            {"RequestItems": {"U": {"Keys": []}}},
            [("dynamodb:BatchGetItem", f"{T}/U")],
        ),
        (
            "dynamodb",
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "U", "Item": {}}},
                    {"Update": {"TableName": "V", "Key": {}}},
                    {"Delete": {"TableName": "U", "Key": {}}},
                    {"ConditionCheck": {"TableName": "W", "Key": {}}},
                ]
            },
            [
                ("dynamodb:PutItem", f"{T}/U"),
                ("dynamodb:UpdateItem", f"{T}/V"),
                ("dynamodb:DeleteItem", f"{T}/U"),
                ("dynamodb:ConditionCheckItem", f"{T}/W"),
            ],
        ),
        (
            "dynamodb",
            "TransactGetItems",
            {"TransactItems": [{"Get": {"TableName": "U", "Key": {}}}]},
            [("dynamodb:GetItem", f"{T}/U")],
        ),
        ("dynamodb", "ListTables", {}, [("dynamodb:ListTables", "*")]),
        # Kinesis (list_amazonkinesis.html)
        (
            "kinesis",
            "PutRecord",
            {"StreamName": "wildrydes"},
            [("kinesis:PutRecord", f"arn:aws:kinesis:{R}:{A}:stream/wildrydes")],
        ),
        (
            "kinesis",
            "PutRecords",
            {"StreamName": "wildrydes"},
            [("kinesis:PutRecords", f"arn:aws:kinesis:{R}:{A}:stream/wildrydes")],
        ),
        (
            "kinesis",
            "PutRecords",
            {"StreamARN": f"arn:aws:kinesis:eu-west-1:{A}:stream/s"},
            [("kinesis:PutRecords", f"arn:aws:kinesis:eu-west-1:{A}:stream/s")],
        ),
        (
            "kinesis",
            "GetShardIterator",
            {"StreamName": "w", "ShardId": "shardId-000000000000"},
            [("kinesis:GetShardIterator", f"arn:aws:kinesis:{R}:{A}:stream/w")],
        ),
        (
            "kinesis",
            "DescribeStream",
            {"StreamName": "w"},
            [("kinesis:DescribeStream", f"arn:aws:kinesis:{R}:{A}:stream/w")],
        ),
        (
            "kinesis",
            "DescribeStreamSummary",
            {"StreamName": "w"},
            [("kinesis:DescribeStreamSummary", f"arn:aws:kinesis:{R}:{A}:stream/w")],
        ),
        (
            "kinesis",
            "ListShards",
            {"StreamName": "w"},
            [("kinesis:ListShards", f"arn:aws:kinesis:{R}:{A}:stream/w")],
        ),
        ("kinesis", "ListStreams", {}, [("kinesis:ListStreams", "*")]),
        # Firehose (list_amazonkinesisfirehose.html)
        (
            "firehose",
            "PutRecord",
            {"DeliveryStreamName": "wildrydes", "Record": {}},
            [("firehose:PutRecord", f"arn:aws:firehose:{R}:{A}:deliverystream/wildrydes")],
        ),
        (
            "firehose",
            "PutRecordBatch",
            {"DeliveryStreamName": "d", "Records": []},
            [("firehose:PutRecordBatch", f"arn:aws:firehose:{R}:{A}:deliverystream/d")],
        ),
        # S3 (list_amazons3.html)
        (
            "s3",
            "GetObject",
            {"Bucket": "b", "Key": "k/1.json"},
            [("s3:GetObject", "arn:aws:s3:::b/k/1.json")],
        ),
        ("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
        (
            "s3",
            "GetObject",
            {"Bucket": "b", "Key": "k", "VersionId": "v"},
            [("s3:GetObjectVersion", "arn:aws:s3:::b/k")],
        ),
        ("s3", "PutObject", {"Bucket": "b", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::b/k")]),
        (
            "s3",
            "DeleteObject",
            {"Bucket": "b", "Key": "k"},
            [("s3:DeleteObject", "arn:aws:s3:::b/k")],
        ),
        (
            "s3",
            "DeleteObjects",
            {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}},
            [("s3:DeleteObject", "arn:aws:s3:::b/x"), ("s3:DeleteObject", "arn:aws:s3:::b/y")],
        ),
        (
            "s3",
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "src", "Key": "a/b"}},
            [("s3:GetObject", "arn:aws:s3:::src/a/b"), ("s3:PutObject", "arn:aws:s3:::b/k")],
        ),
        ("s3", "ListObjectsV2", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
        ("s3", "ListObjects", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
        ("s3", "ListBuckets", {}, [("s3:ListAllMyBuckets", "*")]),
        # SNS (list_amazonsns.html)
        (
            "sns",
            "Publish",
            {"TopicArn": f"arn:aws:sns:{R}:{A}:alerts", "Message": "m"},
            [("sns:Publish", f"arn:aws:sns:{R}:{A}:alerts")],
        ),
        (
            "sns",
            "PublishBatch",
            {"TopicArn": f"arn:aws:sns:{R}:{A}:t", "PublishBatchRequestEntries": []},
            [("sns:Publish", f"arn:aws:sns:{R}:{A}:t")],
        ),
        # SQS (list_amazonsqs.html): the queue ARN from its URL
        (
            "sqs",
            "SendMessage",
            {"QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{A}/q", "MessageBody": "m"},
            [("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:q")],
        ),
        (
            "sqs",
            "SendMessageBatch",
            {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{A}/q", "Entries": []},
            [("sqs:SendMessage", f"arn:aws:sqs:{R}:{A}:q")],
        ),
        (
            "sqs",
            "ReceiveMessage",
            {"QueueUrl": f"https://queue.amazonaws.com/{A}/q"},
            [("sqs:ReceiveMessage", f"arn:aws:sqs:{R}:{A}:q")],
        ),
        (
            "sqs",
            "DeleteMessage",
            {"QueueUrl": f"http://localhost:4566/{A}/q", "ReceiptHandle": "r"},
            [("sqs:DeleteMessage", f"arn:aws:sqs:{R}:{A}:q")],
        ),
        (
            "sqs",
            "DeleteMessageBatch",
            {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{A}/q", "Entries": []},
            [("sqs:DeleteMessage", f"arn:aws:sqs:{R}:{A}:q")],
        ),
        # CloudWatch Logs (list_amazoncloudwatchlogs.html)
        (
            "logs",
            "CreateLogGroup",
            {"logGroupName": "/aws/lambda/f"},
            [("logs:CreateLogGroup", f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/f")],
        ),
        (
            "logs",
            "CreateLogStream",
            {"logGroupName": "/aws/lambda/f", "logStreamName": "s"},
            [
                (
                    "logs:CreateLogStream",
                    f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/f:log-stream:s",
                )
            ],
        ),
        (
            "logs",
            "PutLogEvents",
            {"logGroupName": "/aws/lambda/f", "logStreamName": "s", "logEvents": []},
            [("logs:PutLogEvents", f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/f:log-stream:s")],
        ),
        # Lambda (list_awslambda.html)
        (
            "lambda",
            "Invoke",
            {"FunctionName": "f"},
            [("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:f")],
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": "f", "Qualifier": "live"},
            [("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:f:live")],
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": f"{A}:function:f"},
            [("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:f")],
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": f"arn:aws:lambda:eu-west-1:{A}:function:f"},
            [("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{A}:function:f")],
        ),
        # No authorization at all
        ("sts", "GetCallerIdentity", {}, []),
    ],
)
def test_mapping(service, operation, params, expected):
    assert one(service, operation, params) == expected


def test_condition_keys_from_the_request():
    (check,) = checks_for(
        "s3",
        "ListObjectsV2",
        {"Bucket": "b", "Prefix": "2021/", "Delimiter": "/", "MaxKeys": 5},
        region=R,
        account=A,
    )
    assert check.context == {"s3:prefix": "2021/", "s3:delimiter": "/", "s3:max-keys": "5"}
    (put,) = checks_for(
        "s3",
        "PutObject",
        {"Bucket": "b", "Key": "k", "ServerSideEncryption": "aws:kms"},
        region=R,
        account=A,
    )
    assert put.context == {"s3:x-amz-server-side-encryption": "aws:kms"}
    (get,) = checks_for(
        "dynamodb",
        "GetItem",
        {
            "TableName": "U",
            "Key": {"Name": {"S": "Shadowfax"}},
            "AttributesToGet": ["Name"],
            "Select": "SPECIFIC_ATTRIBUTES",
        },
        region=R,
        account=A,
        key_schema=lambda table: "Name",
    )
    assert get.context == {
        "dynamodb:Select": "SPECIFIC_ATTRIBUTES",
        "dynamodb:Attributes": ["Name"],
        "dynamodb:LeadingKeys": ["Shadowfax"],
    }


def test_get_records_is_checked_on_the_stream_of_its_iterator():
    checks = checks_for(
        "kinesis",
        "GetRecords",
        {"ShardIterator": "tok"},
        region=R,
        account=A,
        stream_of_iterator=lambda token: "wildrydes" if token == "tok" else None,
    )
    assert checks == [Check("kinesis:GetRecords", f"arn:aws:kinesis:{R}:{A}:stream/wildrydes")]
    unknown = checks_for("kinesis", "GetRecords", {"ShardIterator": "x"}, region=R, account=A)
    assert unknown[0].resource == "*" and not unknown[0].mapped


def test_unknown_operation_falls_back_to_prefix_and_star():
    (check,) = checks_for("dynamodb", "RestoreTableFromBackup", {}, region=R, account=A)
    assert (check.action, check.resource, check.mapped) == (
        "dynamodb:RestoreTableFromBackup",
        "*",
        False,
    )


def test_batch_write_needs_every_table_allowed():
    """The lab's policy covers UnicornSensorData only: a batch touching another table is
    denied on that table."""
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:BatchWriteItem",
                    "Resource": f"{T}/UnicornSensorData",
                }
            ],
        }
    )
    only_lab = checks_for(
        "dynamodb",
        "BatchWriteItem",
        {"RequestItems": {"UnicornSensorData": []}},
        region=R,
        account=A,
    )
    assert evaluate_all([policy], only_lab) is None
    mixed = checks_for(
        "dynamodb",
        "BatchWriteItem",
        {"RequestItems": {"UnicornSensorData": [], "Other": []}},
        region=R,
        account=A,
    )
    denied = evaluate_all([policy], mixed)
    assert denied is not None and denied.resource == f"{T}/Other"
    assert denied.effect == "ImplicitDeny"


def test_s3_prefix_condition_through_the_mapping():
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::b",
                    "Condition": {"StringLike": {"s3:prefix": "home/*"}},
                }
            ],
        }
    )
    ok = checks_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "home/x"}, region=R, account=A)
    assert evaluate_all([policy], ok) is None
    no = checks_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "etc/"}, region=R, account=A)
    assert evaluate_all([policy], no).effect == "ImplicitDeny"
