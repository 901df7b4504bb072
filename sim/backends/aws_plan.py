"""The plan ``--backend aws`` prints: every resource, its Region, its estimated cost, what exists.

:func:`planned_resources` lists what a run creates, in creation order; :func:`plan_lines` renders
them with the cost estimate of :mod:`sim.backends.aws_cost`, where the code runs, the estimate's
assumptions, and (given an inventory from :func:`inventory`, which reads AWS) what already exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sim.backends.aws_cost import (
    CostEstimate,
    delivery_role_name,
    estimate_cost,
    estimate_volumes,
    money,
    role_name,
)
from sim.backends.aws_deploy import lambda_handler_string
from sim.backends.aws_resources import KINDS


@dataclass(frozen=True)
class Planned:
    kind: str  # a key of KINDS
    name: str
    region: str  # "global" for IAM
    description: str

    @property
    def where(self) -> str:
        return "(global)" if self.region == "global" else f"in {self.region}"


def planned_resources(scenario: Any) -> list[Planned]:
    region = scenario.region
    planned: list[Planned] = []
    resources = scenario.resources
    for stream in resources.streams:
        capacity = f"{stream.shards} shard(s)" if stream.mode == "PROVISIONED" else "on-demand"
        if stream.retention_hours != 24:
            capacity += f", retention {stream.retention_hours} h"
        planned.append(
            Planned("stream", stream.name, region, f"Kinesis stream {stream.name} ({capacity})")
        )
    for table in resources.tables:
        planned.append(
            Planned(
                "table", table.name, region, f"DynamoDB table {table.name} ({table.billing_mode})"
            )
        )
    for bucket in resources.buckets:
        what = f"S3 bucket {bucket.name}"
        if not bucket.block_public_access:
            what += ", Block Public Access off"
        if bucket.policy is not None:
            what += ", with a bucket policy"
        planned.append(Planned("bucket", bucket.name, region, what))
    for queue in resources.queues:
        planned.append(Planned("queue", queue.name, region, f"SQS queue {queue.name}"))
    for topic in resources.topics:
        planned.append(
            Planned(
                "topic",
                topic.name,
                region,
                f"SNS topic {topic.name} with {len(topic.subscriptions)} subscription(s)",
            )
        )
    roles: set[str] = set()  # a role shared by several users is created once
    for delivery in resources.delivery_streams:
        name = delivery_role_name(delivery)
        if name is not None and name not in roles:
            roles.add(name)
            planned.append(Planned("role", name, "global", _delivery_role(name, delivery)))
        planned.append(
            Planned(
                "delivery-stream",
                delivery.name,
                region,
                f"Firehose delivery stream {delivery.name} ({_delivery_settings(delivery)})",
            )
        )
    for function in scenario.functions:
        name = role_name(function)
        if name in roles:
            continue
        roles.add(name)
        policies = len(function.role.policies) if function.role else 0
        managed = len(function.role.managed_policy_arns) if function.role else 0
        planned.append(
            Planned(
                "role",
                name,
                "global",
                f"IAM role {name} ({_count(policies, 'inline policy', 'inline policies')}, "
                f"{_count(managed, 'managed policy', 'managed policies')})",
            )
        )
    for function in scenario.functions:
        group = f"/aws/lambda/{function.name}"
        planned.append(Planned("log-group", group, region, f"CloudWatch log group {group}"))
        top = function.handler.split(".")[0].split(":")[0]
        planned.append(
            Planned(
                "function",
                function.name,
                region,
                f"Lambda function {function.name} ({function.runtime}, {function.memory} MB, "
                f"timeout {function.timeout} s, handler "
                f"{lambda_handler_string(function.handler)}, zip of {top})",
            )
        )
    for function in scenario.functions:
        for trigger in function.triggers:
            if trigger.kinesis is None:
                continue
            mapping = trigger.kinesis
            settings = [f"BatchSize {mapping.batch_size}", mapping.starting_position]
            if mapping.maximum_batching_window:
                settings.append(f"window {mapping.maximum_batching_window:g} s")
            if mapping.maximum_retry_attempts != -1:
                settings.append(f"{mapping.maximum_retry_attempts} retries")
            if mapping.maximum_record_age != -1:
                settings.append(f"max age {mapping.maximum_record_age} s")
            if not mapping.enabled:
                settings.append("disabled")
            planned.append(
                Planned(
                    "mapping",
                    f"{mapping.stream}->{function.name}",
                    region,
                    f"Event source mapping {mapping.stream} → {function.name} "
                    f"({', '.join(settings)})",
                )
            )
    return planned


def inventory(clients: Any, scenario: Any, recorded: set[tuple[str, str]]) -> dict:
    """(kind, name) → what is already there, for every planned resource that exists (reads
    only). ``recorded``: what the state file says streamlab created in an earlier run."""
    found: dict[tuple[str, str], str] = {}
    for item in planned_resources(scenario):
        if item.kind == "mapping":
            continue  # named by AWS on creation; a new function has none
        try:
            exists = KINDS[item.kind].exists(clients, item.name)
        except (ClientError, BotoCoreError) as error:
            found[(item.kind, item.name)] = f"could not check whether it exists: {error}"
            continue
        if not exists:
            continue
        if (item.kind, item.name) in recorded:
            status = "left by an earlier run: the run stops until `sim teardown` removes it"
        elif item.kind == "function":
            status = (
                "exists and streamlab did not create it: the run stops before creating "
                "anything (a function is never overwritten)"
            )
        else:
            status = "already exists: used as it is, not created, never deleted by teardown"
        found[(item.kind, item.name)] = status
    return found


def plan_lines(
    scenario: Any,
    *,
    path: str | Path | None = None,
    existing: dict[tuple[str, str], str] | None = None,
    estimate: CostEstimate | None = None,
) -> list[str]:
    """The plan; ``existing`` None means AWS was not asked what exists."""
    if estimate is None:
        estimate = estimate_cost(scenario, estimate_volumes(scenario, path))
    lines = []
    for item in planned_resources(scenario):
        cost = estimate.item(item.kind, item.name)
        line = f"{item.description} {item.where}"
        if cost is not None:
            if cost.per_hour or cost.for_run:
                line += f": {money(cost.per_hour)}/h, {money(cost.for_run)} for the run"
            else:
                line += ": $0"
        lines.append(line)
        if cost is not None and cost.detail not in ("free", ""):
            lines.append(f"    {cost.detail}")
        if existing and (item.kind, item.name) in existing:
            lines.append(f"    ! {existing[(item.kind, item.name)]}")
    for volume in estimate.volumes:
        average = volume.bytes / volume.records if volume.records else 0
        lines.append(
            f"producer {volume.producer} runs here and puts {volume.records:,} record(s) "
            f"({average:,.0f} bytes on average) on Kinesis stream {volume.stream}"
        )
    if scenario.functions:
        lines.append(
            f"the {len(scenario.functions)} function(s) run in AWS Lambda, deployed as zip "
            "packages with their event source mappings; none runs here"
        )
    if resources := scenario.resources.delivery_streams:
        lines.append(
            f"the {len(resources)} delivery stream(s) run in Amazon Data Firehose and write "
            "their objects to S3; none runs here"
        )
    duration = _duration(scenario.clock.duration)
    lines.append(
        f"estimated cost: {money(estimate.per_hour)} per hour, {money(estimate.for_run)} for "
        f"the scenario's {duration} (an estimate, excluding the free tier)"
    )
    lines.append("assumptions of the estimate:")
    lines.extend(f"  - {assumption}" for assumption in estimate.assumptions)
    if existing is None:
        lines.append(
            "a resource that already exists is used as it is and never deleted by "
            "`sim teardown` (checked as the run creates them)"
        )
    elif not existing:
        lines.append("none of these exists yet")
    lines.append(
        "`sim teardown SCENARIO --backend aws --yes` deletes what the run created "
        "(recorded in .streamlab/aws/)"
    )
    return lines


def _delivery_settings(spec: Any) -> str:
    source = (
        f"Kinesis stream {spec.source.stream}" if spec.source.stream is not None else "Direct PUT"
    )
    settings = [
        f"{source} → S3 bucket {spec.bucket}",
        f"buffering {spec.buffering.size_mb} MiB or {spec.buffering.interval} s",
    ]
    if spec.compression != "UNCOMPRESSED":
        settings.append(spec.compression)
    if isinstance(spec.role, str):
        settings.append(f"role {spec.role}")
    return ", ".join(settings)


def _delivery_role(name: str, spec: Any) -> str:
    role = spec.role
    policies = len(role.policies) if role is not None else 0
    managed = len(role.managed_policy_arns) if role is not None else 0
    if not policies and not managed:
        reads = f" and reading Kinesis stream {spec.source.stream}" if spec.source.stream else ""
        what = f"the Firehose console's policy: writing to S3 bucket {spec.bucket}{reads}"
    else:
        what = (
            f"{_count(policies, 'inline policy', 'inline policies')}, "
            f"{_count(managed, 'managed policy', 'managed policies')}"
        )
    return f"IAM role {name} for Firehose delivery stream {spec.name} ({what})"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
