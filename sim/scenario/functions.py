"""Lambda functions, their execution roles and their triggers.

A new trigger kind is one model plus one field made with ``one_of("trigger kind", ...)`` on
:class:`Trigger`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario import limits
from sim.scenario.base import Spec
from sim.scenario.policy import check_policy
from sim.scenario.types import (
    Duration,
    FunctionName,
    Handler,
    PolicyName,
    Range,
    RoleName,
    StreamName,
    Time,
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


class KinesisTrigger(Spec):
    """An event source mapping from a Kinesis stream."""

    stream: StreamName = ref("streams", "Stream to read (declared in resources.streams).")
    batch_size: Annotated[int, Range(1, limits.BATCH_SIZE_MAX, noun="an integer")] = Field(
        limits.BATCH_SIZE_DEFAULT, description="Most records per invocation (`BatchSize`)."
    )
    starting_position: Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] = Field(
        description="Where reading starts (`StartingPosition`)."
    )
    starting_position_timestamp: Time | None = Field(
        None, description="Start time; required exactly when starting_position is AT_TIMESTAMP."
    )
    maximum_batching_window: Annotated[
        Duration, Range(0, limits.BATCHING_WINDOW_MAX, noun="a duration", unit="seconds")
    ] = Field(0.0, description="How long to gather records (`MaximumBatchingWindowInSeconds`).")
    maximum_retry_attempts: Annotated[
        int, Range(-1, limits.RETRY_ATTEMPTS_MAX, noun="an integer")
    ] = Field(-1, description="Retries of a failing batch; -1 retries until records expire.")
    maximum_record_age: Annotated[
        int,
        Range(
            limits.RECORD_AGE_MIN,
            limits.RECORD_AGE_MAX,
            also=(-1,),
            noun="an integer",
            unit="seconds",
        ),
    ] = Field(-1, description="Oldest record sent to the function, in seconds; -1: no limit.")
    enabled: bool = Field(True, description="Whether the mapping starts enabled.")

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


class Trigger(Spec):
    """What invokes a function: exactly one trigger kind."""

    kinesis: KinesisTrigger | None = one_of("trigger kind", "Kinesis event source mapping.")

    @property
    def kind(self) -> str:
        """The trigger kind given (``"kinesis"``)."""
        return self.chosen("trigger kind")

    @property
    def spec(self) -> Spec:
        """The settings of the trigger kind given."""
        return getattr(self, self.kind)


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
    role: RoleSpec | None = Field(
        None, description="Execution role; null lets the runner create a default role."
    )
    triggers: list[Trigger] = Field(default_factory=list, description="What invokes the function.")
