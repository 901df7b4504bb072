"""Real AWS, through a profile and a region. Nothing is created without explicit confirmation.

:meth:`AwsBackend.plan` lists every resource a scenario would create; the runner prints it and
stops unless the user confirmed (``sim run --backend aws --yes``).
"""

from __future__ import annotations

from typing import Any

from sim.backends.base import Backend
from sim.backends.factory import ClientFactory


class ConfirmationRequired(Exception):
    """Raised instead of creating anything on AWS without ``--yes``."""

    def __init__(self, plan: list[str]):
        super().__init__(
            "nothing was created on AWS: re-run with --yes to create:\n"
            + "\n".join(f"  {line}" for line in plan)
        )
        self.plan = plan


class AwsBackend(Backend):
    name = "aws"
    simulated_time = False

    def __init__(
        self,
        *,
        region: str,
        account_id: str,
        profile: str | None = None,
        confirmed: bool = False,
        endpoint_url: str | None = None,
    ):
        # endpoint_url only lets tests stand a local server in for AWS.
        super().__init__(
            region=region,
            account_id=account_id,
            factory=ClientFactory(region=region, profile=profile, endpoint_url=endpoint_url),
        )
        self.profile = profile
        self.confirmed = confirmed

    @staticmethod
    def plan(scenario: Any) -> list[str]:
        region = scenario.region
        lines = []
        resources = scenario.resources
        for stream in resources.streams:
            capacity = f"{stream.shards} shard(s)" if stream.mode == "PROVISIONED" else "on-demand"
            lines.append(f"Kinesis stream {stream.name} ({capacity}) in {region}")
        for table in resources.tables:
            lines.append(f"DynamoDB table {table.name} ({table.billing_mode}) in {region}")
        for bucket in resources.buckets:
            lines.append(f"S3 bucket {bucket.name} in {region}")
        for queue in resources.queues:
            lines.append(f"SQS queue {queue.name} in {region}")
        for topic in resources.topics:
            lines.append(
                f"SNS topic {topic.name} with {len(topic.subscriptions)} "
                f"subscription(s) in {region}"
            )
        for function in scenario.functions:
            role = (
                function.role.name
                if function.role and function.role.name
                else (f"{function.name}-role")
            )
            lines.append(f"IAM role {role} (global)")
        if scenario.functions:
            lines.append(
                f"(the {len(scenario.functions)} Lambda function(s) run here, in-process, "
                "against these resources; nothing is deployed to Lambda)"
            )
        return lines

    def start(self) -> None:
        if not self.confirmed:
            raise ConfirmationRequired([])

    def stop(self) -> None:
        """Nothing to stop: the service outlives the run (resources stay, as the user chose)."""

    def describe(self) -> str:
        return f"aws (profile {self.profile or 'default'}, region {self.region})"
