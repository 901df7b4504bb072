"""Resources created before a run: Kinesis streams, DynamoDB tables, S3 buckets, SNS topics,
SQS queues, Firehose delivery streams. A new resource kind is one ``XSpec`` model here plus one
field on :class:`Resources`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from sim.scenario import limits
from sim.scenario.base import Spec
from sim.scenario.functions import RoleSpec
from sim.scenario.policy import check_policy
from sim.scenario.types import (
    AttributeName,
    BucketName,
    IndexName,
    Offset,
    QueueName,
    Range,
    StreamName,
    TableName,
    Text,
    TopicName,
    fail,
    one_of,
    ref,
)
from sim.services.firehose import limits as firehose_limits

DeliveryStreamName = Annotated[
    str,
    Text(
        r"[a-zA-Z0-9_.-]+",
        f"a delivery stream name of 1 to {firehose_limits.NAME_MAX_LENGTH} letters, digits, "
        "'_', '.' or '-'",
        max_len=firehose_limits.NAME_MAX_LENGTH,
    ),
]


class StreamSpec(Spec):
    """A Kinesis data stream."""

    name: StreamName = Field(description="Stream name.")
    mode: Literal["PROVISIONED", "ON_DEMAND"] = Field(
        "PROVISIONED", description="Capacity mode (`StreamModeDetails.StreamMode`)."
    )
    shards: Annotated[int, Range(1, limits.STREAM_SHARDS_MAX, noun="an integer")] | None = Field(
        None,
        description="Shard count; 1 when omitted in PROVISIONED mode. Not allowed with "
        "ON_DEMAND (AWS rejects ShardCount for on-demand streams).",
    )
    retention_hours: Annotated[
        int, Range(limits.RETENTION_HOURS_MIN, limits.RETENTION_HOURS_MAX, noun="an integer")
    ] = Field(limits.RETENTION_HOURS_MIN, description="How long records are kept, in hours.")
    tags: dict[str, str] = Field(default_factory=dict, description="Stream tags.")

    @model_validator(mode="after")
    def _shards_for_mode(self) -> StreamSpec:
        if self.mode == "ON_DEMAND" and self.shards is not None:
            fail(
                "no shards with mode ON_DEMAND",
                self.shards,
                key="shards",
                hint="remove shards, or use mode PROVISIONED",
            )
        if self.mode == "PROVISIONED" and self.shards is None:
            self.shards = 1
        return self


class KeyAttribute(Spec):
    """A key attribute of a table or index. The short form `"date:S"` (or just `"date"`, type S)
    is accepted wherever a key attribute is expected."""

    name: AttributeName = Field(description="Attribute name.")
    type: Literal["S", "N", "B"] = Field(
        "S", description="Attribute type: S (string), N (number) or B (binary)."
    )

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, str):
            name, sep, kind = data.rpartition(":")
            return {"name": name, "type": kind} if sep else {"name": data}
        return data


class IndexSpec(Spec):
    """A global secondary index."""

    name: IndexName = Field(description="Index name.")
    partition_key: KeyAttribute = Field(description="Partition (hash) key of the index.")
    sort_key: KeyAttribute | None = Field(None, description="Sort (range) key of the index.")
    projection: Literal["ALL", "KEYS_ONLY"] = Field(
        "ALL", description="Attributes copied into the index."
    )


class TableSpec(Spec):
    """A DynamoDB table."""

    name: TableName = Field(description="Table name.")
    partition_key: KeyAttribute = Field(description="Partition (hash) key.")
    sort_key: KeyAttribute | None = Field(None, description="Sort (range) key.")
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = Field(
        "PAY_PER_REQUEST", description="Capacity mode."
    )
    read_capacity: Annotated[int, Range(lo=1, noun="an integer")] | None = Field(
        None, description="Read capacity units; required with PROVISIONED, not allowed otherwise."
    )
    write_capacity: Annotated[int, Range(lo=1, noun="an integer")] | None = Field(
        None, description="Write capacity units; required with PROVISIONED, not allowed otherwise."
    )
    stream_view_type: (
        Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None
    ) = Field(None, description="Enables the table's DynamoDB stream with this view type.")
    ttl_attribute: AttributeName | None = Field(
        None,
        description="Time to Live: items whose attribute (a Number, epoch seconds) is in the "
        "past are deleted on the clock, each deletion a REMOVE stream record by the service.",
    )
    global_secondary_indexes: list[IndexSpec] = Field(
        default_factory=list, description="Global secondary indexes."
    )
    items: list[dict[str, JsonValue]] = Field(
        default_factory=list,
        description="Items present at the start, as plain JSON values (not DynamoDB JSON).",
    )

    @model_validator(mode="after")
    def _capacity_for_billing_mode(self) -> TableSpec:
        for key in ("read_capacity", "write_capacity"):
            value = getattr(self, key)
            if self.billing_mode == "PROVISIONED" and value is None:
                fail("an integer of at least 1 with billing_mode PROVISIONED", None, key=key)
            if self.billing_mode == "PAY_PER_REQUEST" and value is not None:
                fail(
                    "no capacity with billing_mode PAY_PER_REQUEST",
                    value,
                    key=key,
                    hint="remove it, or set billing_mode: PROVISIONED",
                )
        return self


class BucketSpec(Spec):
    """An S3 bucket."""

    name: BucketName = Field(description="Bucket name (S3 naming rules).")
    policy: dict[str, Any] | None = Field(
        None,
        description="Bucket policy document (Version, Statement; each statement needs Effect, "
        "Principal, Action and Resource).",
    )
    policy_file: str | None = Field(
        None,
        description="A JSON file holding the bucket policy, relative to the scenario file; read "
        "and checked when the scenario is loaded. Not with `policy`.",
    )
    block_public_access: bool = Field(
        True,
        description="S3 Block Public Access, on for every new bucket since April 2023: a public "
        "policy (a wildcard principal not limited to fixed sources) is then refused, as S3 "
        "refuses it. false turns its four settings off (PutPublicAccessBlock) before the "
        "policy is put.",
    )

    @field_validator("policy")
    @classmethod
    def _policy(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else check_policy(value, resource_policy=True)

    @model_validator(mode="after")
    def _one_policy(self) -> BucketSpec:
        if self.policy is not None and self.policy_file is not None:
            fail("policy or policy_file, not both", found_text="both", key="policy_file")
        return self


class Subscription(Spec):
    """A subscription of a topic. Email subscriptions start `PendingConfirmation`, as on AWS,
    and receive nothing until confirmed: the outbox gets SNS's confirmation email, and the
    subscription is confirmed at `confirm_at` (the reader clicking the link) or at once with
    `auto_confirm`."""

    protocol: Literal["email", "email-json", "sqs", "lambda"] = Field(
        description="Delivery protocol."
    )
    endpoint: str = Field(
        description="Where to deliver: an email address, a queue name or ARN (sqs), a function "
        "name or ARN (lambda). Names must be declared in this scenario."
    )
    auto_confirm: bool = Field(
        False,
        description="Email: confirmed when created, without a confirmation email (as if "
        "confirmed beforehand). SQS and Lambda subscriptions in the account need no confirming.",
    )
    confirm_at: Offset | None = Field(
        None,
        description="Email: confirmed at this time after the clock's start (the confirmation "
        "link is followed then); null with auto_confirm false: it stays pending.",
    )
    raw_message_delivery: bool = Field(
        False, description="`RawMessageDelivery` (sqs): the message alone, not SNS's envelope."
    )
    filter_policy: dict[str, Any] | None = Field(
        None, description="`FilterPolicy`: only matching messages are delivered."
    )
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = Field(
        "MessageAttributes", description="`FilterPolicyScope`: what the filter policy reads."
    )

    @model_validator(mode="after")
    def _confirmation(self) -> Subscription:
        email = self.protocol in ("email", "email-json")
        if not email and (self.auto_confirm or self.confirm_at is not None):
            fail(
                "auto_confirm / confirm_at only on email subscriptions",
                found_text=f"one on a {self.protocol} subscription",
                key="auto_confirm" if self.auto_confirm else "confirm_at",
            )
        if self.auto_confirm and self.confirm_at is not None:
            fail("auto_confirm or confirm_at, not both", found_text="both", key="confirm_at")
        if self.raw_message_delivery and self.protocol != "sqs":
            fail(
                "raw_message_delivery only on sqs subscriptions",
                found_text=f"one on a {self.protocol} subscription",
                key="raw_message_delivery",
            )
        return self


class TopicSpec(Spec):
    """An SNS topic."""

    name: TopicName = Field(description="Topic name.")
    subscriptions: list[Subscription] = Field(
        default_factory=list, description="Subscriptions created with the topic."
    )


class RedriveSpec(Spec):
    """A queue's dead-letter queue (`RedrivePolicy`)."""

    queue: QueueName = ref("queues", "The dead-letter queue (declared in resources.queues).")
    max_receive_count: Annotated[int, Range(1, limits.MAX_RECEIVE_COUNT_MAX, noun="an integer")] = (
        Field(description="`maxReceiveCount`: receives before a message moves there.")
    )


class QueueSpec(Spec):
    """An SQS queue."""

    name: QueueName = Field(description="Queue name; ends in `.fifo` exactly when `fifo` is true.")
    fifo: bool = Field(False, description="FIFO queue.")
    visibility_timeout: Annotated[
        int, Range(0, limits.VISIBILITY_TIMEOUT_MAX, noun="an integer", unit="seconds")
    ] = Field(limits.VISIBILITY_TIMEOUT_DEFAULT, description="Visibility timeout in seconds.")
    message_retention: Annotated[
        int,
        Range(
            limits.MESSAGE_RETENTION_MIN,
            limits.MESSAGE_RETENTION_MAX,
            noun="an integer",
            unit="seconds",
        ),
    ] = Field(
        limits.MESSAGE_RETENTION_DEFAULT,
        description="`MessageRetentionPeriod`: messages older than this are deleted.",
    )
    content_based_deduplication: bool = Field(
        False, description="FIFO only: deduplicate by the body's SHA-256 when no id is given."
    )
    dead_letter: RedriveSpec | None = Field(
        None,
        description="`RedrivePolicy`: after `max_receive_count` receives a message moves to "
        "this queue (of the same type: standard or FIFO).",
    )

    @model_validator(mode="after")
    def _fifo_suffix(self) -> QueueSpec:
        if self.fifo and not self.name.endswith(".fifo"):
            fail("a name ending in .fifo for a FIFO queue", self.name, key="name")
        if not self.fifo and self.name.endswith(".fifo"):
            fail(
                "a name without .fifo for a standard queue",
                self.name,
                key="name",
                hint="add fifo: true for a FIFO queue",
            )
        return self


class DeliverySource(Spec):
    """Where a delivery stream's records come from: exactly one of `stream` or `direct_put`."""

    stream: StreamName | None = one_of(
        "source",
        "Kinesis stream read by the delivery stream (KinesisStreamAsSource), from its LATEST "
        "position when the delivery stream is created (declared in resources.streams).",
        ref="streams",
    )
    direct_put: Literal[True] | None = one_of(
        "source", "Direct PUT: records come from PutRecord / PutRecordBatch (DirectPut)."
    )


class BufferingHints(Spec):
    """Firehose `BufferingHints`: an object is written when either is reached."""

    size_mb: Annotated[
        int,
        Range(
            firehose_limits.BUFFER_SIZE_MB_MIN,
            firehose_limits.BUFFER_SIZE_MB_MAX,
            noun="an integer",
            unit="MiB",
        ),
    ] = Field(firehose_limits.BUFFER_SIZE_MB_DEFAULT, description="`SizeInMBs`, in MiB.")
    interval: Annotated[
        int,
        Range(
            firehose_limits.BUFFER_INTERVAL_MIN,
            firehose_limits.BUFFER_INTERVAL_MAX,
            noun="an integer",
            unit="seconds",
        ),
    ] = Field(
        firehose_limits.BUFFER_INTERVAL_DEFAULT,
        description="`IntervalInSeconds`: seconds from a buffer's first record.",
    )


class DeliveryStreamSpec(Spec):
    """An Amazon Data Firehose delivery stream writing to an S3 bucket (ExtendedS3 destination)."""

    name: DeliveryStreamName = Field(description="Delivery stream name.")
    source: DeliverySource = Field(description="`{stream: NAME}` or `{direct_put: true}`.")
    bucket: BucketName = ref("buckets", "Destination bucket (declared in resources.buckets).")
    prefix: str | None = Field(
        None,
        description="`Prefix`, with `!{timestamp:...}` / `!{firehose:random-string}` "
        "expressions; `YYYY/MM/DD/HH/` (UTC) is appended when it has no timestamp expression.",
    )
    error_output_prefix: str | None = Field(
        None,
        description="`ErrorOutputPrefix`; required when `prefix` has expressions, and must "
        "contain `!{firehose:error-output-type}`.",
    )
    buffering: BufferingHints = Field(
        default_factory=BufferingHints, description="Buffering hints."
    )
    compression: Literal["UNCOMPRESSED", "GZIP"] = Field(
        "UNCOMPRESSED", description="`CompressionFormat` (GZIP adds `.gz` to object names)."
    )
    append_delimiter: bool = Field(
        False,
        description="Add the `AppendDelimiterToRecord` processor (a newline after each record); "
        "without it records are concatenated with nothing between them.",
    )
    role: str | RoleSpec | None = Field(
        None,
        description="The role Firehose writes to S3 (and reads the source stream) as: an "
        "existing role's ARN, or a role to create (`{name, policies, managed_policy_arns}`, "
        "trusting firehose.amazonaws.com). When omitted, or given no policies, the role "
        "`firehose-<name>` gets the policy the Firehose console writes for the bucket and "
        "stream. Its S3 writes are checked against it.",
    )

    @model_validator(mode="after")
    def _prefixes(self) -> DeliveryStreamSpec:
        from sim.errors import AwsError
        from sim.services.firehose.prefixes import check_prefixes

        try:
            check_prefixes(self.prefix, self.error_output_prefix)
        except AwsError as error:
            message = error.message
            key = (
                "error_output_prefix"
                if "ErrorOutputPrefix cannot" in message or "ErrorOutputPrefix must" in message
                else "prefix"
            )
            if key == "prefix" and self.error_output_prefix and self.prefix is not None:
                # an expression error: report the prefix whose text holds the expression
                bad = message.partition("expression ")[2].partition(" ")[0]
                if bad and bad not in self.prefix and bad in self.error_output_prefix:
                    key = "error_output_prefix"
            fail(
                "prefixes Firehose accepts",
                self.prefix if key == "prefix" else self.error_output_prefix,
                key=key,
                hint=message.split("constraint: ", 1)[-1],
            )
        return self


class Resources(Spec):
    """Resources created before the run starts."""

    streams: list[StreamSpec] = Field(default_factory=list, description="Kinesis data streams.")
    tables: list[TableSpec] = Field(default_factory=list, description="DynamoDB tables.")
    buckets: list[BucketSpec] = Field(default_factory=list, description="S3 buckets.")
    topics: list[TopicSpec] = Field(default_factory=list, description="SNS topics.")
    queues: list[QueueSpec] = Field(default_factory=list, description="SQS queues.")
    delivery_streams: list[DeliveryStreamSpec] = Field(
        default_factory=list,
        description="Firehose delivery streams (to S3), created after streams and buckets.",
    )
