"""Lambda functions, their execution roles and their triggers.

A new trigger kind is one model plus one field made with ``one_of("trigger kind", ...)`` on
:class:`Trigger`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from sim.scenario import limits
from sim.scenario.base import Spec
from sim.scenario.policy import check_policy
from sim.scenario.schedules import check_rule_expression, check_scheduler_expression
from sim.scenario.types import (
    BucketName,
    Duration,
    FunctionName,
    Handler,
    Offset,
    PolicyName,
    QueueName,
    Range,
    RoleName,
    RuleName,
    StreamName,
    TableName,
    Time,
    TopicName,
    fail,
    one_of,
    ref,
)


class PolicySpec(Spec):
    """An inline policy of a role: its document, or a JSON file holding it."""

    name: PolicyName = Field(description="Policy name.")
    document: dict[str, Any] | None = one_of(
        "policy source",
        "IAM policy document: Version and Statement; every statement has Effect "
        "(Allow or Deny), Action and Resource.",
    )
    file: str | None = one_of(
        "policy source",
        "A JSON file holding the document (as the IAM console exports it), relative to the "
        "scenario file; read and checked when the scenario is loaded.",
    )

    @field_validator("document")
    @classmethod
    def _document(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else check_policy(value, resource_policy=False)


class RoleSpec(Spec):
    """The function's execution role."""

    name: RoleName | None = Field(
        None, description="Role name; null lets the runner derive one from the function name."
    )
    policies: list[PolicySpec] = Field(default_factory=list, description="Inline policies.")
    managed_policy_arns: list[str] = Field(
        default_factory=list, description="ARNs of managed policies to attach."
    )


class FailureDestinationSpec(Spec):
    """`DestinationConfig.OnFailure` of a stream mapping: exactly one of a queue, a topic or a
    bucket of this scenario."""

    queue: QueueName | None = one_of(
        "on-failure destination",
        "A standard queue: the failure record is the message body.",
        ref="queues",
    )
    topic: TopicName | None = one_of(
        "on-failure destination",
        "A standard topic: the failure record is the message.",
        ref="topics",
    )
    bucket: BucketName | None = one_of(
        "on-failure destination",
        "A bucket: the failure record with the invocation's payload, under "
        "`aws/lambda/<mapping UUID>/<shard>/YYYY/MM/DD/…`.",
        ref="buckets",
    )

    @property
    def kind(self) -> str:
        return self.chosen("on-failure destination")

    @property
    def name(self) -> str:
        return getattr(self, self.kind)


FilterPattern = dict[str, JsonValue] | str
ResponseType = Literal["ReportBatchItemFailures"]


def _check_filters(filters: list[FilterPattern], source: str) -> list[FilterPattern]:
    """Parse the filters as Lambda does when the mapping is created."""
    import json

    from sim.scenario.filters import check_filter_criteria

    if len(filters) > limits.FILTERS_MAX:
        fail(
            f"at most {limits.FILTERS_MAX} filters (Lambda's default quota)",
            found_text=f"{len(filters)} filters",
        )
    patterns = [f if isinstance(f, str) else json.dumps(f) for f in filters]
    check_filter_criteria(patterns, source)
    return filters


# The mapping parameters' types, shared by the triggers and their changes.
BatchingWindow = Annotated[
    Duration, Range(0, limits.BATCHING_WINDOW_MAX, noun="a duration", unit="seconds")
]
RetryAttempts = Annotated[int, Range(-1, limits.RETRY_ATTEMPTS_MAX, noun="an integer")]
RecordAge = Annotated[
    int,
    Range(
        limits.RECORD_AGE_MIN, limits.RECORD_AGE_MAX, also=(-1,), noun="an integer", unit="seconds"
    ),
]
Parallelization = Annotated[int, Range(1, limits.PARALLELIZATION_FACTOR_MAX, noun="an integer")]
MaximumConcurrency = Annotated[
    int,
    Range(
        limits.SQS_MAXIMUM_CONCURRENCY_MIN, limits.SQS_MAXIMUM_CONCURRENCY_MAX, noun="an integer"
    ),
]


class _MappingChange(Spec):
    """A change to an event source mapping while the run goes on (UpdateEventSourceMapping, or
    DeleteEventSourceMapping with `delete: true`), at `at` after the clock's start."""

    at: Offset = Field(description="When, after the clock's start.")
    delete: bool = Field(False, description="Delete the mapping (nothing else may be given).")
    enabled: bool | None = Field(None, description="Enable or disable the mapping.")
    batch_size: Annotated[int, Range(lo=1, noun="an integer")] | None = Field(
        None, description="New `BatchSize`."
    )
    maximum_batching_window: BatchingWindow | None = Field(
        None, description="New `MaximumBatchingWindowInSeconds`."
    )
    function_response_types: list[ResponseType] | None = Field(
        None, description="New `FunctionResponseTypes`."
    )
    filters: list[FilterPattern] | None = Field(
        None, description="New `FilterCriteria` patterns (`[]` removes them)."
    )

    @model_validator(mode="after")
    def _delete_alone(self) -> _MappingChange:
        given = [k for k in type(self).model_fields if k not in ("at", "delete")]
        changed = [k for k in given if getattr(self, k) is not None]
        if self.delete and changed:
            fail(
                "delete: true alone (a deleted mapping takes no other change)",
                found_text=", ".join(changed),
                key="delete",
            )
        if not self.delete and not changed:
            fail("a parameter to change, or delete: true", found_text="nothing", key="at")
        return self

    def changes(self) -> dict[str, Any]:
        """The changed parameters, by the mapping's config names."""
        out: dict[str, Any] = {}
        for key in type(self).model_fields:
            if key in ("at", "delete"):
                continue
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class StreamMappingChange(_MappingChange):
    """A change to a stream (Kinesis, DynamoDB Streams) mapping."""

    maximum_retry_attempts: RetryAttempts | None = Field(
        None, description="New `MaximumRetryAttempts`."
    )
    maximum_record_age: RecordAge | None = Field(
        None, description="New `MaximumRecordAgeInSeconds`."
    )
    bisect_batch_on_function_error: bool | None = Field(
        None, description="New `BisectBatchOnFunctionError`."
    )
    parallelization_factor: Parallelization | None = Field(
        None, description="New `ParallelizationFactor`."
    )


class QueueMappingChange(_MappingChange):
    """A change to an SQS mapping."""

    maximum_concurrency: MaximumConcurrency | None = Field(
        None, description="New `ScalingConfig.MaximumConcurrency`."
    )


class _StreamTrigger(Spec):
    """The parameters a Kinesis and a DynamoDB Streams mapping share."""

    batch_size: Annotated[int, Range(1, limits.BATCH_SIZE_MAX, noun="an integer")] = Field(
        limits.BATCH_SIZE_DEFAULT, description="Most records per invocation (`BatchSize`)."
    )
    maximum_batching_window: BatchingWindow = Field(
        0.0, description="How long to gather records (`MaximumBatchingWindowInSeconds`)."
    )
    maximum_retry_attempts: RetryAttempts = Field(
        -1, description="Retries of a failing batch; -1 retries until records expire."
    )
    maximum_record_age: RecordAge = Field(
        -1, description="Oldest record sent to the function, in seconds; -1: no limit."
    )
    bisect_batch_on_function_error: bool = Field(
        False,
        description="Split a failing batch in two before retrying it "
        "(`BisectBatchOnFunctionError`).",
    )
    function_response_types: list[ResponseType] = Field(
        default_factory=list,
        description="`[ReportBatchItemFailures]`: the function may name the records that "
        "failed (`batchItemFailures`); the rest of the batch before them is done.",
    )
    parallelization_factor: Parallelization = Field(
        1,
        description="Batches of one shard processed at once, order kept per key "
        "(`ParallelizationFactor`).",
    )
    tumbling_window: Annotated[
        Duration, Range(0, limits.TUMBLING_WINDOW_MAX, noun="a duration", unit="seconds")
    ] = Field(
        0.0,
        description="`TumblingWindowInSeconds`: aggregate with `state` carried "
        "between invocations of a window; 0: none.",
    )
    on_failure: FailureDestinationSpec | None = Field(
        None,
        description="Where the record of a batch given up goes "
        "(`DestinationConfig.OnFailure`): `{queue|topic|bucket: NAME}`.",
    )
    filters: list[FilterPattern] = Field(
        default_factory=list,
        description="`FilterCriteria` patterns (objects or JSON strings), OR-ed; records "
        "matching none are dropped before batching and count as filtered.",
    )
    enabled: bool = Field(True, description="Whether the mapping starts enabled.")
    changes: list[StreamMappingChange] = Field(
        default_factory=list,
        description="Updates (and a deletion) while the run goes on, each at a time.",
    )

    _SOURCE: ClassVar[str] = ""

    @field_validator("filters")
    @classmethod
    def _filters(cls, value: list[FilterPattern]) -> list[FilterPattern]:
        return _check_filters(value, cls._SOURCE)

    @field_validator("tumbling_window")
    @classmethod
    def _whole_seconds(cls, value: float) -> float:
        if value != int(value):
            fail("a whole number of seconds", value)
        return value


class _KinesisSource(Spec):
    stream: StreamName = ref("streams", "Stream to read (declared in resources.streams).")
    starting_position: Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] = Field(
        description="Where reading starts (`StartingPosition`)."
    )
    starting_position_timestamp: Time | None = Field(
        None, description="Start time; required exactly when starting_position is AT_TIMESTAMP."
    )


class KinesisTrigger(_StreamTrigger, _KinesisSource):
    """An event source mapping from a Kinesis stream."""

    _SOURCE: ClassVar[str] = "kinesis"

    @model_validator(mode="after")
    def _timestamp_for_position(self) -> KinesisTrigger:
        at_timestamp = self.starting_position == "AT_TIMESTAMP"
        if at_timestamp and self.starting_position_timestamp is None:
            fail(
                "a starting_position_timestamp with starting_position AT_TIMESTAMP",
                found_text="none",
                key="starting_position",
            )
        if not at_timestamp and self.starting_position_timestamp is not None:
            fail(
                "no starting_position_timestamp unless starting_position is AT_TIMESTAMP",
                found_text=f"one with {self.starting_position}",
                key="starting_position_timestamp",
            )
        return self


class _TableSource(Spec):
    table: TableName = ref("tables", "Table whose stream is read (declared in resources.tables).")
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = Field(
        description="Where reading starts (`StartingPosition`)."
    )


class DynamoDBTrigger(_StreamTrigger, _TableSource):
    """An event source mapping from a table's DynamoDB stream (the table declares
    `stream_view_type`)."""

    _SOURCE: ClassVar[str] = "dynamodb"


class SqsTrigger(Spec):
    """An event source mapping from an SQS queue (standard or FIFO)."""

    queue: QueueName = ref("queues", "Queue to poll (declared in resources.queues).")
    batch_size: Annotated[int, Range(1, limits.SQS_BATCH_SIZE_MAX, noun="an integer")] = Field(
        limits.SQS_BATCH_SIZE_DEFAULT,
        description="Most messages per invocation (`BatchSize`): up to 10,000 for a standard "
        "queue (above 10 with a batching window of at least 1 s), 10 for FIFO.",
    )
    maximum_batching_window: BatchingWindow = Field(
        0.0, description="How long to gather messages (`MaximumBatchingWindowInSeconds`)."
    )
    function_response_types: list[ResponseType] = Field(
        default_factory=list,
        description="`[ReportBatchItemFailures]`: the function may name the messages that "
        "failed; the others are deleted.",
    )
    maximum_concurrency: MaximumConcurrency | None = Field(
        None, description="`ScalingConfig.MaximumConcurrency`; null: no cap."
    )
    filters: list[FilterPattern] = Field(
        default_factory=list,
        description="`FilterCriteria` patterns, OR-ed; messages matching none are deleted "
        "without invoking and count as filtered.",
    )
    enabled: bool = Field(True, description="Whether the mapping starts enabled.")
    changes: list[QueueMappingChange] = Field(
        default_factory=list,
        description="Updates (and a deletion) while the run goes on, each at a time.",
    )

    @field_validator("filters")
    @classmethod
    def _filters(cls, value: list[FilterPattern]) -> list[FilterPattern]:
        return _check_filters(value, "sqs")

    @model_validator(mode="after")
    def _window_for_big_batches(self) -> SqsTrigger:
        if self.batch_size > limits.SQS_BATCH_SIZE_DEFAULT and self.maximum_batching_window < 1:
            fail(
                "a maximum_batching_window of at least 1 s with a batch_size above 10 "
                "(AWS refuses it)",
                self.maximum_batching_window,
                key="maximum_batching_window",
            )
        return self


class ScheduleTrigger(Spec):
    """An EventBridge (CloudWatch Events) rule on a schedule targeting the function, as the
    Lambda console's "EventBridge (CloudWatch Events)" trigger creates: the function is invoked
    asynchronously with AWS's "Scheduled Event" (or `input`)."""

    expression: str = Field(
        description="`rate(1 minute)`, `rate(5 minutes)`, … or `cron(Minutes Hours "
        "Day-of-month Month Day-of-week Year)` in UTC (AWS's six fields)."
    )
    rule: RuleName | None = Field(None, description="Rule name; null: `<function>-schedule`.")
    input: JsonValue | None = Field(
        None, description="Constant JSON given to the function instead of the Scheduled Event."
    )
    enabled: bool = Field(True, description="Whether the rule starts ENABLED.")

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        return check_rule_expression(value)


class FlexibleWindow(Spec):
    """EventBridge Scheduler's `FlexibleTimeWindow` in FLEXIBLE mode."""

    maximum_minutes: Annotated[
        int, Range(1, limits.FLEXIBLE_WINDOW_MINUTES_MAX, noun="an integer", unit="minutes")
    ] = Field(description="`MaximumWindowInMinutes`: the invocation comes within this window.")


class SchedulerTrigger(Spec):
    """An EventBridge Scheduler schedule targeting the function (invoked asynchronously)."""

    expression: str = Field(
        description="`at(yyyy-mm-ddThh:mm:ss)`, `rate(…)` or `cron(…)` (six fields), in `timezone`."
    )
    name: RuleName | None = Field(None, description="Schedule name; null: `<function>-schedule`.")
    timezone: str = Field("UTC", description="`ScheduleExpressionTimezone` (IANA name).")
    flexible_window: FlexibleWindow | None = Field(
        None, description="`FlexibleTimeWindow` FLEXIBLE; null: OFF (exact times)."
    )
    start: Offset | None = Field(None, description="`StartDate`, after the clock's start.")
    end: Offset | None = Field(None, description="`EndDate`, after the clock's start.")
    input: JsonValue | None = Field(
        None, description="The target's `Input` (JSON) given to the function."
    )

    @model_validator(mode="after")
    def _expression(self) -> SchedulerTrigger:
        check_scheduler_expression(self.expression, self.timezone)
        if self.start is not None and self.end is not None and self.end <= self.start:
            fail(f"an end later than start ({self.start:g} s)", self.end, key="end")
        return self


class Trigger(Spec):
    """What invokes a function: exactly one trigger kind."""

    kinesis: KinesisTrigger | None = one_of("trigger kind", "Kinesis event source mapping.")
    dynamodb: DynamoDBTrigger | None = one_of(
        "trigger kind", "DynamoDB Streams event source mapping."
    )
    sqs: SqsTrigger | None = one_of("trigger kind", "SQS event source mapping.")
    schedule: ScheduleTrigger | None = one_of(
        "trigger kind", "EventBridge rule on a schedule (invokes asynchronously)."
    )
    scheduler: SchedulerTrigger | None = one_of(
        "trigger kind", "EventBridge Scheduler schedule (invokes asynchronously)."
    )

    @property
    def kind(self) -> str:
        """The trigger kind given (``"kinesis"``)."""
        return self.chosen("trigger kind")

    @property
    def spec(self) -> Spec:
        """The settings of the trigger kind given."""
        return getattr(self, self.kind)


class Destination(Spec):
    """Where an asynchronous invocation record (or a dead-letter event) goes: exactly one."""

    function: FunctionName | None = one_of(
        "destination", "A function of this scenario (invoked asynchronously).", ref="functions"
    )
    queue: QueueName | None = one_of(
        "destination", "A standard queue of this scenario.", ref="queues"
    )
    topic: TopicName | None = one_of(
        "destination", "A standard topic of this scenario.", ref="topics"
    )
    event_bus: str | None = one_of(
        "destination",
        "An EventBridge event bus name (`default`): detail-type `Lambda "
        "Function Invocation Result - Success|Failure`, source `lambda`.",
    )

    @property
    def kind(self) -> str:
        return self.chosen("destination")

    @property
    def name(self) -> str:
        return getattr(self, self.kind)


class DeadLetter(Spec):
    """A dead-letter queue (`DeadLetterConfig`): a standard queue or topic."""

    queue: QueueName | None = one_of("dead-letter target", "A standard queue.", ref="queues")
    topic: TopicName | None = one_of("dead-letter target", "A standard topic.", ref="topics")

    @property
    def kind(self) -> str:
        return self.chosen("dead-letter target")

    @property
    def name(self) -> str:
        return getattr(self, self.kind)


class AsyncSpec(Spec):
    """Asynchronous invocation settings (`PutFunctionEventInvokeConfig`)."""

    maximum_retry_attempts: Annotated[
        int, Range(0, limits.ASYNC_RETRY_ATTEMPTS_MAX, noun="an integer")
    ] = Field(
        limits.ASYNC_RETRY_ATTEMPTS_DEFAULT,
        description="Retries after a function error or timeout (1 minute, then 2 minutes later).",
    )
    maximum_event_age: Annotated[
        int,
        Range(
            limits.ASYNC_EVENT_AGE_MIN,
            limits.ASYNC_EVENT_AGE_MAX,
            noun="an integer",
            unit="seconds",
        ),
    ] = Field(limits.ASYNC_EVENT_AGE_MAX, description="Oldest event still tried, in seconds.")
    on_success: Destination | None = Field(
        None, description="Where success records go (`DestinationConfig.OnSuccess`)."
    )
    on_failure: Destination | None = Field(
        None, description="Where failure records go (`DestinationConfig.OnFailure`)."
    )


class FunctionSpec(Spec):
    """A Lambda function running a Python handler from this checkout."""

    name: FunctionName = Field(description="Function name.")
    handler: Handler = Field(description="The handler, `package.module:function`.")
    runtime: str = Field(limits.DEFAULT_RUNTIME, description="Lambda runtime identifier.")
    timeout: Annotated[int, Range(1, limits.TIMEOUT_MAX, noun="an integer", unit="seconds")] = (
        Field(limits.TIMEOUT_DEFAULT, description="Timeout in seconds.")
    )
    memory: Annotated[
        int, Range(limits.MEMORY_MIN, limits.MEMORY_MAX, noun="an integer", unit="MB")
    ] = Field(limits.MEMORY_MIN, description="Memory in MB.")
    env: dict[str, str] = Field(default_factory=dict, description="Environment variables.")
    duration: Annotated[Duration, Range(lo=0, noun="a duration", unit="seconds")] = Field(
        0.0,
        description="Simulated time each invocation from an event source mapping takes: the "
        "batch's result applies when it ends, and the mapping's concurrency "
        "(ParallelizationFactor, MaximumConcurrency) limits how many run at once. 0: instant.",
    )
    role: RoleSpec | None = Field(
        None, description="Execution role; null lets the runner create a default role."
    )
    triggers: list[Trigger] = Field(default_factory=list, description="What invokes the function.")
    asynchronous: AsyncSpec | None = Field(
        None,
        description="Asynchronous invocation: retries, event age, destinations (see "
        "docs/async.md); null: AWS's defaults (2 retries, 6 hours, no destinations).",
    )
    dead_letter: DeadLetter | None = Field(
        None, description="Dead-letter queue for failed asynchronous events."
    )
    reserved_concurrency: Annotated[int, Range(lo=0, noun="an integer")] | None = Field(
        None, description="`ReservedConcurrentExecutions`; 0 throttles every invocation."
    )
    database: str | None = ref(
        "databases",
        "A database (declared in databases) the function reaches: its connection settings "
        "(`DB_URL`; for MariaDB also `DB_USERNAME`, `DB_PASSWORD`, `DB_HOSTNAME`, `DB_PORT`, "
        "`DB_NAME`) join the function's environment; `env` wins over them.",
        None,
    )

    @model_validator(mode="after")
    def _not_its_own_destination(self) -> FunctionSpec:
        spec = self.asynchronous
        for key in ("on_success", "on_failure"):
            destination = getattr(spec, key) if spec else None
            if destination is not None and destination.function == self.name:
                fail(
                    "another function (a function cannot be its own destination)",
                    destination.function,
                    key=("asynchronous", key, "function"),
                )
        return self
