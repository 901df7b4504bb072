"""Creating a scenario's resources on a backend, through boto3 as a user's script would.

Everything goes through the backend's client factory, so the same calls create the resources on
the embedded backend, on LocalStack or on AWS.

On AWS a *tracker* (:class:`sim.backends.aws_state.AwsTracker`, from the backend's
``provision_tracker(scenario)``) is told of every resource the moment it is created, and adds
tags to the create calls; a resource that already exists is then used as it is (not changed, not
recorded, so ``sim teardown`` never deletes it), and the provisioner waits for streams to become
ACTIVE. Without a tracker (every other backend) the calls are exactly those of a user's script.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from sim.expect.values import serialize_item
from sim.services.lambda_ import FunctionConfig

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
FIREHOSE_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# What the Firehose console puts in the role it creates for an S3 destination (and a Kinesis
# source): https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html
FIREHOSE_S3_ACTIONS = [
    "s3:AbortMultipartUpload",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:PutObject",
]
FIREHOSE_KINESIS_ACTIONS = [
    "kinesis:DescribeStream",
    "kinesis:GetShardIterator",
    "kinesis:GetRecords",
    "kinesis:ListShards",
]
DYNAMODB_BATCH_WRITE_MAX = 25  # BatchWriteItem: at most 25 requests per call


# Waiting for a new stream to become ACTIVE (AWS creates streams asynchronously).
STREAM_ACTIVE_WAIT = {"Delay": 2, "MaxAttempts": 150}


class Provisioner:
    def __init__(self, backend: Any, scenario: Any, tracker: Any | None = None):
        self.backend = backend
        self.scenario = scenario
        if tracker is None:
            make_tracker = getattr(backend, "provision_tracker", None)
            tracker = make_tracker(scenario) if make_tracker is not None else None
        self.tracker = tracker
        # (topic name, subscription index) -> subscription ARN ("pending confirmation" for an
        # email subscription not confirmed yet, as SNS answers Subscribe).
        self.subscriptions: dict[tuple[str, int], str] = {}

    def client(self, service: str) -> Any:
        return self.backend.client(service)

    def create_resources(self, delivery_stream_now: Any = None) -> None:
        """Every resource of the scenario; ``delivery_stream_now(spec)`` False defers a
        delivery stream (one reading a Flink job's sink starts with its stage)."""
        resources = self.scenario.resources
        for stream in resources.streams:
            self.create_stream(stream)
        for table in resources.tables:
            self.create_table(table)
        for bucket in resources.buckets:
            self.create_bucket(bucket)
        # dead-letter queues first: a RedrivePolicy names an existing queue
        targets = {q.dead_letter.queue for q in resources.queues if q.dead_letter is not None}
        for queue in sorted(resources.queues, key=lambda q: q.name not in targets):
            self.create_queue(queue)
        for topic in resources.topics:
            self.create_topic(topic)
        for delivery_stream in resources.delivery_streams:
            if delivery_stream_now is None or delivery_stream_now(delivery_stream):
                self.create_delivery_stream(delivery_stream)

    # -- Kinesis ----------------------------------------------------------------------------
    def create_stream(self, spec: Any) -> None:
        kinesis = self.client("kinesis")
        kwargs: dict[str, Any] = {
            "StreamName": spec.name,
            "StreamModeDetails": {"StreamMode": spec.mode},
        }
        if spec.mode == "PROVISIONED":
            kwargs["ShardCount"] = spec.shards or 1
        tracker = self.tracker
        tags = {**spec.tags, **(tracker.tags if tracker else {})}
        if tags:
            kwargs["Tags"] = tags
        try:
            kinesis.create_stream(**kwargs)
        except ClientError as error:
            if tracker and _code(error) == "ResourceInUseException":
                tracker.existing("stream", spec.name)
                return
            raise
        if tracker:
            tracker.created("stream", spec.name, self.arn("kinesis", f"stream/{spec.name}"))
        # LocalStack and AWS create streams asynchronously (streamlab's are ACTIVE at once)
        kinesis.get_waiter("stream_exists").wait(
            StreamName=spec.name, WaiterConfig=STREAM_ACTIVE_WAIT
        )
        if spec.retention_hours != 24:
            kinesis.increase_stream_retention_period(
                StreamName=spec.name, RetentionPeriodHours=spec.retention_hours
            )

    # -- DynamoDB ---------------------------------------------------------------------------
    def create_table(self, spec: Any) -> None:
        dynamodb = self.client("dynamodb")
        attributes: dict[str, str] = {}

        def key_schema(partition: Any, sort: Any) -> list[dict[str, str]]:
            schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
            attributes[partition.name] = partition.type
            if sort is not None:
                schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
                attributes[sort.name] = sort.type
            return schema

        kwargs: dict[str, Any] = {
            "TableName": spec.name,
            "KeySchema": key_schema(spec.partition_key, spec.sort_key),
            "BillingMode": spec.billing_mode,
        }
        throughput = None
        if spec.billing_mode == "PROVISIONED":
            throughput = {
                "ReadCapacityUnits": spec.read_capacity,
                "WriteCapacityUnits": spec.write_capacity,
            }
            kwargs["ProvisionedThroughput"] = throughput
        if spec.stream_view_type:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": spec.stream_view_type,
            }
        indexes = []
        for index in spec.global_secondary_indexes:
            entry: dict[str, Any] = {
                "IndexName": index.name,
                "KeySchema": key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": index.projection},
            }
            if throughput:
                entry["ProvisionedThroughput"] = throughput
            indexes.append(entry)
        if indexes:
            kwargs["GlobalSecondaryIndexes"] = indexes
        kwargs["AttributeDefinitions"] = [
            {"AttributeName": name, "AttributeType": kind} for name, kind in attributes.items()
        ]
        tracker = self.tracker
        if tracker:
            kwargs["Tags"] = tracker.tag_list()
        try:
            created = dynamodb.create_table(**kwargs)
        except ClientError as error:
            if tracker and _code(error) == "ResourceInUseException":
                tracker.existing("table", spec.name)  # its items are left as they are
                return
            raise
        if tracker:
            tracker.created("table", spec.name, created["TableDescription"].get("TableArn"))
        dynamodb.get_waiter("table_exists").wait(
            TableName=spec.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        if spec.ttl_attribute is not None:
            dynamodb.update_time_to_live(
                TableName=spec.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
        items = [{"PutRequest": {"Item": serialize_item(item)}} for item in spec.items]
        for i in range(0, len(items), DYNAMODB_BATCH_WRITE_MAX):
            pending = {spec.name: items[i : i + DYNAMODB_BATCH_WRITE_MAX]}
            while pending:
                pending = (
                    dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                )

    # -- S3, SQS, SNS -----------------------------------------------------------------------
    def create_bucket(self, spec: Any) -> None:
        s3 = self.client("s3")
        kwargs: dict[str, Any] = {"Bucket": spec.name}
        if self.scenario.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.scenario.region}
        tracker = self.tracker
        # CreateBucket succeeds on a bucket one already owns (us-east-1), so ask first.
        if tracker and tracker.exists("bucket", spec.name):
            tracker.existing("bucket", spec.name)
            return
        s3.create_bucket(**kwargs)
        if tracker:
            tracker.created("bucket", spec.name, f"arn:aws:s3:::{spec.name}")
            s3.put_bucket_tagging(Bucket=spec.name, Tagging={"TagSet": tracker.tag_list()})
        if not spec.block_public_access:
            s3.put_public_access_block(
                Bucket=spec.name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": False,
                    "IgnorePublicAcls": False,
                    "BlockPublicPolicy": False,
                    "RestrictPublicBuckets": False,
                },
            )
        if spec.policy:
            s3.put_bucket_policy(Bucket=spec.name, Policy=json.dumps(spec.policy))

    def create_queue(self, spec: Any) -> None:
        attributes = {
            "VisibilityTimeout": str(spec.visibility_timeout),
            "MessageRetentionPeriod": str(spec.message_retention),
        }
        if spec.fifo:
            attributes["FifoQueue"] = "true"
        if spec.content_based_deduplication:
            attributes["ContentBasedDeduplication"] = "true"
        if spec.dead_letter is not None:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": self.queue_arn(spec.dead_letter.queue),
                    "maxReceiveCount": spec.dead_letter.max_receive_count,
                }
            )
        tracker = self.tracker
        if tracker is None:
            self.client("sqs").create_queue(QueueName=spec.name, Attributes=attributes)
            return
        # CreateQueue returns an existing queue with the same attributes, so ask first.
        if tracker.exists("queue", spec.name):
            tracker.existing("queue", spec.name)
            return
        self.client("sqs").create_queue(
            QueueName=spec.name, Attributes=attributes, tags=dict(tracker.tags)
        )
        tracker.created("queue", spec.name, self.arn("sqs", spec.name))

    def create_topic(self, spec: Any) -> None:
        sns = self.client("sns")
        tracker = self.tracker
        if tracker is None:
            arn = sns.create_topic(Name=spec.name)["TopicArn"]
        elif tracker.exists("topic", spec.name):  # CreateTopic returns an existing topic
            tracker.existing("topic", spec.name)
            return
        else:
            arn = sns.create_topic(Name=spec.name, Tags=tracker.tag_list())["TopicArn"]
            tracker.created("topic", spec.name, arn)
        for index, subscription in enumerate(spec.subscriptions):
            endpoint = subscription.endpoint
            if subscription.protocol == "sqs" and not endpoint.startswith("arn:"):
                endpoint = self.arn("sqs", endpoint)
            elif subscription.protocol == "lambda" and not endpoint.startswith("arn:"):
                endpoint = self.arn("lambda", f"function:{endpoint}")
            attributes: dict[str, str] = {}
            if subscription.raw_message_delivery:
                attributes["RawMessageDelivery"] = "true"
            if subscription.filter_policy is not None:
                attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
                attributes["FilterPolicyScope"] = subscription.filter_policy_scope
            service = getattr(self.backend, "sns", None)
            if subscription.auto_confirm and service is not None:
                # Confirmed beforehand: no confirmation email (streamlab's SNS only).
                subscription_arn = service().subscribe(
                    arn, subscription.protocol, endpoint, confirmed=True, attributes=attributes
                )
            else:
                kwargs: dict[str, Any] = {"Attributes": attributes} if attributes else {}
                subscription_arn = sns.subscribe(
                    TopicArn=arn,
                    Protocol=subscription.protocol,
                    Endpoint=endpoint,
                    ReturnSubscriptionArn=True,
                    **kwargs,
                )["SubscriptionArn"]
            self.subscriptions[(spec.name, index)] = subscription_arn

    # -- Firehose ---------------------------------------------------------------------------
    def create_delivery_stream(self, spec: Any) -> None:
        """A delivery stream to S3 (ExtendedS3DestinationConfiguration), reading a Kinesis
        stream or taking Direct PUTs, with its role (see :meth:`create_delivery_role`).

        On AWS (with a tracker) a delivery stream of that name that already exists is used as
        it is (and no role is created for it); a new one is tagged, recorded, retried while its
        new role propagates, and waited for until ACTIVE."""
        tracker = self.tracker
        if tracker and tracker.exists("delivery-stream", spec.name):
            tracker.existing("delivery-stream", spec.name)
            return
        role = self.create_delivery_role(spec)
        destination: dict[str, Any] = {
            "RoleARN": role,
            "BucketARN": f"arn:aws:s3:::{spec.bucket}",
            "BufferingHints": {
                "SizeInMBs": spec.buffering.size_mb,
                "IntervalInSeconds": spec.buffering.interval,
            },
            "CompressionFormat": spec.compression,
        }
        if spec.prefix is not None:
            destination["Prefix"] = spec.prefix
        if spec.error_output_prefix is not None:
            destination["ErrorOutputPrefix"] = spec.error_output_prefix
        if spec.append_delimiter:
            destination["ProcessingConfiguration"] = {
                "Enabled": True,
                "Processors": [{"Type": "AppendDelimiterToRecord"}],
            }
        kwargs: dict[str, Any] = {
            "DeliveryStreamName": spec.name,
            "ExtendedS3DestinationConfiguration": destination,
        }
        if spec.source.stream is not None:
            kwargs["DeliveryStreamType"] = "KinesisStreamAsSource"
            kwargs["KinesisStreamSourceConfiguration"] = {
                "KinesisStreamARN": self.arn("kinesis", f"stream/{spec.source.stream}"),
                "RoleARN": role,
            }
        else:
            kwargs["DeliveryStreamType"] = "DirectPut"
        firehose = self.client("firehose")
        if tracker is None:
            firehose.create_delivery_stream(**kwargs)
            return
        kwargs["Tags"] = tracker.tag_list()
        try:
            created = tracker.retry_while_role_propagates(
                lambda: firehose.create_delivery_stream(**kwargs),
                f"Firehose delivery stream {spec.name}",
            )
        except ClientError as error:
            if _code(error) == "ResourceInUseException":  # created meanwhile, not by this run
                tracker.existing("delivery-stream", spec.name)
                return
            raise
        tracker.created("delivery-stream", spec.name, created.get("DeliveryStreamARN"))
        tracker.wait_for_delivery_stream(spec.name)  # AWS creates it asynchronously

    def create_delivery_role(self, spec: Any) -> str:
        """The delivery stream's role ARN: ``role`` as given when it is an ARN; else a role
        (``role.name`` or ``firehose-<name>``) trusting Firehose, with ``role``'s policies or,
        when there are none, the policy the Firehose console writes for this bucket (and
        source stream)."""
        role = spec.role
        if isinstance(role, str):
            return role
        name = role.name if role is not None and role.name else f"firehose-{spec.name}"
        policies = [(p.name, p.document) for p in role.policies] if role is not None else []
        managed = list(role.managed_policy_arns) if role is not None else []
        if not policies and not managed:
            statements: list[dict[str, Any]] = [
                {
                    "Effect": "Allow",
                    "Action": FIREHOSE_S3_ACTIONS,
                    "Resource": [
                        f"arn:aws:s3:::{spec.bucket}",
                        f"arn:aws:s3:::{spec.bucket}/*",
                    ],
                }
            ]
            if spec.source.stream is not None:
                statements.append(
                    {
                        "Effect": "Allow",
                        "Action": FIREHOSE_KINESIS_ACTIONS,
                        "Resource": self.arn("kinesis", f"stream/{spec.source.stream}"),
                    }
                )
            policies = [("firehose-delivery", {"Version": "2012-10-17", "Statement": statements})]
        return self._create_role(name, FIREHOSE_TRUST_POLICY, policies, managed)

    # -- IAM and Lambda ---------------------------------------------------------------------
    def create_roles(self) -> dict[str, str]:
        """One execution role per function, with its inline and managed policies."""
        arns = {}
        for spec in self.scenario.functions:
            role = spec.role
            name = role.name if role and role.name else f"{spec.name}-role"
            arns[spec.name] = self._create_role(
                name,
                LAMBDA_TRUST_POLICY,
                [(p.name, p.document) for p in role.policies] if role is not None else [],
                list(role.managed_policy_arns) if role is not None else [],
            )
        return arns

    def _create_role(
        self,
        name: str,
        trust: dict[str, Any],
        policies: list[tuple[str, dict[str, Any]]],
        managed: list[str],
    ) -> str:
        """A role with its inline and managed policies; on AWS, someone's existing role of
        that name is used as it is, its policies left unchanged."""
        iam = self.client("iam")
        tracker = self.tracker
        kwargs: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(trust),
        }
        if tracker:
            kwargs["Tags"] = tracker.tag_list()
        try:
            arn = iam.create_role(**kwargs)["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
            if tracker:
                tracker.existing("role", name)
                return arn
        else:
            if tracker:
                tracker.created("role", name, arn)
        for policy_name, document in policies:
            iam.put_role_policy(
                RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document)
            )
        for policy_arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arn

    def function_config(self, spec: Any, role_arn: str) -> FunctionConfig:
        dead_letter = spec.dead_letter
        return FunctionConfig(
            name=spec.name,
            handler=spec.handler,
            runtime=spec.runtime,
            timeout=spec.timeout,
            memory=spec.memory,
            env=dict(spec.env),
            role_arn=role_arn,
            reserved_concurrency=spec.reserved_concurrency,
            dead_letter_target=None if dead_letter is None else self.destination_arn(dead_letter),
        )

    def destination_arn(self, destination: Any) -> str:
        """The ARN of an asynchronous destination or dead-letter target of the scenario."""
        kind, name = destination.kind, destination.name
        if kind == "function":
            return self.arn("lambda", f"function:{name}")
        if kind == "queue":
            return self.arn("sqs", name)
        if kind == "topic":
            return self.arn("sns", name)
        return self.arn("events", f"event-bus/{name}")

    def event_invoke_config(self, spec: Any) -> Any:
        """The function's asynchronous settings, or None for AWS's defaults."""
        from sim.services.lambda_.asynchronous import EventInvokeConfig

        settings = spec.asynchronous
        if settings is None:
            return None
        return EventInvokeConfig(
            maximum_retry_attempts=settings.maximum_retry_attempts,
            maximum_event_age=settings.maximum_event_age,
            on_success=None
            if settings.on_success is None
            else self.destination_arn(settings.on_success),
            on_failure=None
            if settings.on_failure is None
            else self.destination_arn(settings.on_failure),
        )

    def queue_arn(self, name: str) -> str:
        """The ARN of an existing queue, as the backend names it (LocalStack's account is not
        the scenario's)."""
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def arn(self, service: str, resource: str) -> str:
        """An ARN in the scenario's Region and account (on AWS: the caller's real account)."""
        account = (self.tracker.account if self.tracker else None) or self.scenario.account_id
        return f"arn:aws:{service}:{self.scenario.region}:{account}:{resource}"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
