"""Deploying a scenario's functions to AWS Lambda: zip packages, functions, event source mappings.

**The package.** A handler ``consumers.noaa_to_dynamodb:lambda_handler`` is packaged with its
whole top-level package (``consumers/``, every file but ``__pycache__`` and compiled files) or,
for a top-level module, that one file, found in the code roots (the working directory, the
project holding the scenario) or else where Python imports it from. The zip is deterministic:
entries sorted, every timestamp 1980-01-01, permissions 0644, so the same code gives the same
``CodeSha256``. Third-party dependencies are not packaged (the runtime provides boto3).

**The function.** CreateFunction with the scenario's runtime, the handler in Lambda's Python
form (``consumers.noaa_to_dynamodb.lambda_handler``: module path, dot, function), the role
created for it, timeout, memory, environment and the streamlab tags. A new role takes a few
seconds to reach Lambda (IAM is eventually consistent): "The role defined for the function
cannot be assumed by Lambda" is retried with backoff. Then the ``function_active_v2`` waiter.
Its log group ``/aws/lambda/<function>`` is created (and tagged) first, so teardown removes it.

**The triggers.** CreateEventSourceMapping for each Kinesis trigger with every parameter the
scenario gives (BatchSize, StartingPosition and StartingPositionTimestamp,
MaximumBatchingWindowInSeconds, MaximumRetryAttempts, MaximumRecordAgeInSeconds, Enabled), then
a wait until the mapping has left the Creating state.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import ClientError

from sim.backends.aws_resources import error_code

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644 << 16
EXCLUDED_DIRECTORIES = {"__pycache__"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
# Seconds to wait between attempts while a new role propagates to Lambda (about 40 s in all).
ROLE_PROPAGATION_DELAYS = (1, 2, 4, 8, 8, 8, 8)
MAPPING_READY_SECONDS = 300
FUNCTION_ACTIVE_WAIT = {"Delay": 2, "MaxAttempts": 150}


class PackagingError(RuntimeError):
    """A handler whose code cannot be found to package."""


class DeploymentError(RuntimeError):
    """AWS refused a function or mapping in a way retrying does not fix."""


class NotDeployable(RuntimeError):
    """A scenario asking for parts streamlab cannot deploy to AWS (refused before anything
    is created)."""


def undeployable(scenario: Any) -> list[str]:
    """What the scenario declares that the AWS backend does not deploy (yet), one line each:
    schedule triggers, asynchronous invocation settings, dead-letter queues, reserved
    concurrency, functions reaching the run's databases and Lambda subscriptions of topics. Run those scenarios on the embedded backend
    or LocalStack, where streamlab runs these parts itself."""
    lines = []
    for f, function in enumerate(scenario.functions):
        where = f"functions[{f}] ({function.name})"
        for t, trigger in enumerate(function.triggers):
            kind = trigger.kind
            if kind in ("schedule", "scheduler"):
                lines.append(f"{where}.triggers[{t}].{kind}: an EventBridge {kind} trigger")
            elif kind in ("dynamodb", "sqs"):
                lines.append(f"{where}.triggers[{t}].{kind}: a {kind} event source mapping")
            elif trigger.spec.changes:
                lines.append(f"{where}.triggers[{t}].{kind}.changes: changes during the run")
        if function.asynchronous is not None:
            lines.append(f"{where}.asynchronous: an event invoke configuration")
        if function.dead_letter is not None:
            lines.append(f"{where}.dead_letter: a dead-letter queue")
        if function.reserved_concurrency is not None:
            lines.append(f"{where}.reserved_concurrency: reserved concurrency")
        if function.database is not None:
            lines.append(f"{where}.database: a connection to a database of the run")
    for t, topic in enumerate(scenario.resources.topics):
        for s, subscription in enumerate(topic.subscriptions):
            if subscription.protocol == "lambda":
                lines.append(
                    f"resources.topics[{t}].subscriptions[{s}] ({topic.name}): a Lambda "
                    "subscription"
                )
    return lines


def lambda_handler_string(handler: str) -> str:
    """``package.module:function`` → ``package.module.function`` (Lambda's Python form)."""
    module, _, function = handler.partition(":")
    return f"{module}.{function}"


def _locate(top: str, code_roots: list[str]) -> tuple[Path, Path]:
    """(the root directory, the package directory or module file) of top-level ``top``."""
    for root in code_roots:
        base = Path(root)
        if (base / top).is_dir():
            return base, base / top
        if (base / f"{top}.py").is_file():
            return base, base / f"{top}.py"
    spec = importlib.util.find_spec(top)
    if spec is not None:
        if spec.submodule_search_locations:
            directory = Path(next(iter(spec.submodule_search_locations)))
            return directory.parent, directory
        if spec.origin and spec.origin.endswith(".py"):
            return Path(spec.origin).parent, Path(spec.origin)
    roots = ", ".join(code_roots) or "(none)"
    raise PackagingError(f"cannot find the code of {top!r} to package (looked in {roots})")


def package_files(handler: str, code_roots: list[str]) -> dict[str, Path]:
    """The files of a handler's package: archive name → file, sorted by name."""
    module = handler.partition(":")[0]
    top = module.split(".")[0]
    root, location = _locate(top, code_roots)
    files: dict[str, Path] = {}
    if location.is_file():
        files[location.name] = location
    else:
        for directory, subdirectories, names in os.walk(location):
            subdirectories[:] = sorted(d for d in subdirectories if d not in EXCLUDED_DIRECTORIES)
            for name in names:
                if name.endswith(EXCLUDED_SUFFIXES):
                    continue
                path = Path(directory) / name
                files[path.relative_to(root).as_posix()] = path
    parts = module.split(".")
    wanted = ("/".join(parts) + ".py", "/".join(parts) + "/__init__.py")
    if not any(name in files for name in wanted):
        raise PackagingError(
            f"handler {handler}: no {wanted[0]} in the package built from {location}"
        )
    return dict(sorted(files.items()))


def build_package(handler: str, code_roots: list[str]) -> bytes:
    """A deterministic zip of the handler's top-level package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in package_files(handler, code_roots).items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = ZIP_FILE_MODE
            info.create_system = 3  # unix, whatever the building system
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _role_not_ready(error: ClientError) -> bool:
    """IAM's eventual consistency: a new role (or its new policies) not yet seen by Lambda."""
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return error_code(error) == "InvalidParameterValueException" and "role" in message


def with_role_retries(call: Callable[[], Any], sleep: Callable[[float], None] = time.sleep) -> Any:
    for delay in (*ROLE_PROPAGATION_DELAYS, None):
        try:
            return call()
        except ClientError as error:
            if delay is None or not _role_not_ready(error):
                raise
            sleep(delay)
    raise AssertionError("unreachable")


class Deployer:
    def __init__(
        self,
        clients: Any,
        tracker: Any,
        *,
        out: TextIO | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.clients = clients
        self.tracker = tracker
        self.out = out if out is not None else sys.stderr
        self.sleep = sleep

    def deploy(self, scenario: Any, roles: dict[str, str], code_roots: list[str]) -> None:
        packages = {f.name: build_package(f.handler, code_roots) for f in scenario.functions}
        for function in scenario.functions:
            self.create_log_group(f"/aws/lambda/{function.name}")
            self.create_function(function, roles[function.name], packages[function.name])
        for function in scenario.functions:
            for trigger in function.triggers:
                if trigger.kinesis is not None:
                    self.create_kinesis_mapping(function, trigger.kinesis)

    def create_log_group(self, name: str) -> None:
        logs = self.clients.client("logs")
        try:
            logs.create_log_group(logGroupName=name, tags=dict(self.tracker.tags))
        except ClientError as error:
            if error_code(error) == "ResourceAlreadyExistsException":
                self.tracker.existing("log-group", name)
                return
            raise
        self.tracker.created("log-group", name)

    def create_function(self, spec: Any, role_arn: str, package: bytes) -> str:
        client = self.clients.client("lambda")
        kwargs: dict[str, Any] = {
            "FunctionName": spec.name,
            "Runtime": spec.runtime,
            "Role": role_arn,
            "Handler": lambda_handler_string(spec.handler),
            "Code": {"ZipFile": package},
            "PackageType": "Zip",
            "Timeout": spec.timeout,
            "MemorySize": spec.memory,
            "Description": f"streamlab scenario {self.tracker.scenario.name}",
            "Tags": dict(self.tracker.tags),
        }
        if spec.env:
            kwargs["Environment"] = {"Variables": dict(spec.env)}
        created = with_role_retries(lambda: client.create_function(**kwargs), self.sleep)
        self.tracker.created("function", spec.name, created.get("FunctionArn"))
        client.get_waiter("function_active_v2").wait(
            FunctionName=spec.name, WaiterConfig=FUNCTION_ACTIVE_WAIT
        )
        return created.get("FunctionArn", "")

    def create_kinesis_mapping(self, function: Any, trigger: Any) -> str:
        client = self.clients.client("lambda")
        stream = self.clients.client("kinesis").describe_stream_summary(StreamName=trigger.stream)[
            "StreamDescriptionSummary"
        ]
        window = round(trigger.maximum_batching_window)
        if window != trigger.maximum_batching_window:
            print(
                f"{function.name}: maximum_batching_window {trigger.maximum_batching_window:g} s "
                f"rounded to {window} s (AWS takes whole seconds)",
                file=self.out,
            )
        kwargs: dict[str, Any] = {
            "EventSourceArn": stream["StreamARN"],
            "FunctionName": function.name,
            "BatchSize": trigger.batch_size,
            "StartingPosition": trigger.starting_position,
            "MaximumBatchingWindowInSeconds": window,
            "MaximumRetryAttempts": trigger.maximum_retry_attempts,
            "MaximumRecordAgeInSeconds": trigger.maximum_record_age,
            "Enabled": trigger.enabled,
            "Tags": dict(self.tracker.tags),
        }
        if trigger.starting_position_timestamp is not None:
            kwargs["StartingPositionTimestamp"] = datetime.fromtimestamp(
                trigger.starting_position_timestamp, tz=UTC
            )
        kwargs.update(self._error_controls(trigger))
        created = with_role_retries(
            lambda: client.create_event_source_mapping(**kwargs), self.sleep
        )
        uuid = created["UUID"]
        self.tracker.created("mapping", uuid, created.get("EventSourceMappingArn"))
        self._wait_for_mapping(uuid)
        return uuid

    def _error_controls(self, trigger: Any) -> dict[str, Any]:
        """The stream mapping parameters beyond the foundation's, as CreateEventSourceMapping
        takes them."""
        kwargs: dict[str, Any] = {
            "BisectBatchOnFunctionError": trigger.bisect_batch_on_function_error,
            "ParallelizationFactor": trigger.parallelization_factor,
        }
        if trigger.function_response_types:
            kwargs["FunctionResponseTypes"] = list(trigger.function_response_types)
        if trigger.tumbling_window:
            kwargs["TumblingWindowInSeconds"] = int(trigger.tumbling_window)
        if trigger.filters:
            kwargs["FilterCriteria"] = {
                "Filters": [
                    {"Pattern": f if isinstance(f, str) else json.dumps(f)} for f in trigger.filters
                ]
            }
        destination = trigger.on_failure
        if destination is not None:
            kwargs["DestinationConfig"] = {
                "OnFailure": {"Destination": self._destination_arn(destination)}
            }
        return kwargs

    def _destination_arn(self, destination: Any) -> str:
        if destination.kind == "bucket":
            return f"arn:aws:s3:::{destination.name}"
        if destination.kind == "topic":
            topics = self.clients.client("sns").list_topics()["Topics"]
            return next(
                t["TopicArn"] for t in topics if t["TopicArn"].rsplit(":", 1)[1] == destination.name
            )
        sqs = self.clients.client("sqs")
        url = sqs.get_queue_url(QueueName=destination.name)["QueueUrl"]
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def _wait_for_mapping(self, uuid: str) -> None:
        client = self.clients.client("lambda")
        deadline = time.monotonic() + MAPPING_READY_SECONDS
        while True:
            mapping = client.get_event_source_mapping(UUID=uuid)
            state = mapping.get("State", "")
            if state in ("Enabled", "Disabled"):
                return
            if state not in ("Creating", "Enabling", "Disabling", "Updating"):
                raise DeploymentError(
                    f"event source mapping {uuid} is {state}: "
                    f"{mapping.get('StateTransitionReason', '')}"
                )
            if time.monotonic() > deadline:
                raise DeploymentError(
                    f"event source mapping {uuid} still {state} after {MAPPING_READY_SECONDS} s"
                )
            self.sleep(2)
