"""The embedded backend: streamlab's Kinesis and Lambda plus moto's passive stores, in this
process.

* Kinesis is streamlab's own shard store (:mod:`sim.services.kinesis`), one per region.
* Firehose is streamlab's own (:mod:`sim.services.firehose`), one per region, reading that
  region's Kinesis store and writing objects through this backend's S3 client (moto). It runs
  on the clock a run attaches (:meth:`EmbeddedBackend.attach_clock`: buffers flush at simulated
  instants on the run's thread); without one, on the wall clock (``time.time``, which after a
  run keeps ticking from the run's end) with a daemon timer thread.
* Lambda's API is served from streamlab's Lambda runtime (:mod:`sim.services.lambda_.api`): the
  runtime a run attached (:meth:`EmbeddedBackend.attach_runtime`, the scenario's functions), or
  else one the backend creates on first use, so ``CreateFunction`` / ``Invoke`` work before any
  run too. Its handlers get :meth:`handler_environment` (test credentials, the region): they run
  in this process, where a plain ``boto3.client(...)`` reaches this backend through the router,
  also when the request came over HTTP.
* DynamoDB Streams is streamlab's own (:mod:`sim.services.dynamodbstreams`): moto's DynamoDB
  writes feed its store through hooks active while the backend runs; its API is served from
  that store (:meth:`EmbeddedBackend.dynamodb_streams`), and Time to Live deletes expired items
  on the attached clock (wall time without one), like Firehose's buffers.
* DynamoDB, S3, SQS, SNS, IAM, STS, EventBridge and CloudWatch Logs are moto, in-process:
  moto's mock intercepts boto3 calls to AWS hostnames; our router (see
  :mod:`sim.backends.embedded.router`) takes the Kinesis, Firehose, DynamoDB Streams and Lambda
  ones first.
* :class:`sim.backends.embedded.server.EndpointServer` serves the same state over HTTP.

moto's state is process-global, so one embedded backend is active per process at a time.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from moto import mock_aws
from moto.moto_api._internal import mock_random

from sim.backends.base import Backend
from sim.backends.embedded.intercept import Answer, Interceptor, Interceptors, Request
from sim.backends.embedded.router import ROUTER
from sim.backends.factory import NO_RETRY_CONFIG, TEST_CREDENTIALS, ClientFactory
from sim.ids import derive_rng
from sim.services.dynamodbstreams import DynamoDBStreamsHub, DynamoDBStreamsService
from sim.services.firehose import ClockScheduler, FirehoseService, WallScheduler
from sim.services.kinesis import KinesisService
from sim.services.lambda_ import LambdaApi, LambdaRuntime

DEFAULT_ACCOUNT_ID = "123456789012"
# The session Firehose's S3 writes run in, as denials name it (AWS does not document its own).
FIREHOSE_SESSION_NAME = "firehose"
DEFAULT_REGION = "us-east-1"

# botocore sends DynamoDB Streams calls that carry a StreamArn to an account-based host that
# moto does not route; the regional host works.
_PROCESS_ENVIRONMENT = {"AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}


class EmbeddedBackend(Backend):
    name = "embedded"
    simulated_time = True

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        seed: int = 0,
        now: Callable[[], float] = time.time,
    ):
        super().__init__(
            region=region,
            account_id=account_id,
            factory=ClientFactory(
                region=region, credentials=dict(TEST_CREDENTIALS), config=NO_RETRY_CONFIG
            ),
        )
        self.seed = seed
        self._now = now
        self._kinesis: dict[str, KinesisService] = {}
        self._kinesis_lock = threading.Lock()
        self._firehose: dict[str, FirehoseService] = {}
        self._clock: Any = None  # the clock a run attached (attach_clock), else wall time
        # DynamoDB Streams (fed by moto's writes while started) and Time to Live.
        self._dynamodb_streams = DynamoDBStreamsHub(
            account_id, seed=seed, now=now, scheduler=self._firehose_scheduler()
        )
        # Firehose's S3 writes: with a role's session credentials while a run enforces IAM
        # (act_as_roles), else the backend's own.
        self._role_credentials: Callable[[str, str], Any] | None = None
        self._role_factories: dict[tuple[str, str], ClientFactory] = {}
        self._mock: Any = None
        self._saved_environment: dict[str, str | None] = {}
        # Lambda: the runtime a run attached, or the backend's own (created on first use).
        self._lambda_lock = threading.Lock()
        self._attached_runtime: LambdaRuntime | None = None
        self._own_runtime: LambdaRuntime | None = None
        self._mappings: list[Any] = []
        self._lambda_api = LambdaApi(
            self.lambda_runtime,
            fetch_s3=self._s3_object,
            event_source_mappings=lambda: list(self._mappings),
        )
        # Requests answered before moto (sim/backends/embedded/intercept.py): the backend's
        # own for its lifetime, a run's (faults) until the next reset.
        self._interceptors = Interceptors()
        self._run_interceptors = Interceptors()
        # Bucket policies for anonymous and cross-account S3 callers (sim/services/s3).
        from sim.services.s3 import BucketPolicyEnforcer

        self.bucket_policies = BucketPolicyEnforcer(self.account_id)
        self.add_interceptor(self.bucket_policies, run=False)
        # SNS: Publish delivered to the email outbox, SQS and Lambda; email subscriptions
        # pending until confirmed (sim/services/sns); topics stay moto's.
        from sim.services.sns import SnsService

        self._sns = SnsService(
            account_id=account_id,
            region=region,
            seed=seed,
            now=self._now,
            client=self.client,
            lambda_runtime=self.lambda_runtime,
        )
        self.add_interceptor(self._sns.intercept, run=False)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._mock is not None:
            return
        ROUTER.activate(self)
        environment = dict(_PROCESS_ENVIRONMENT)
        if self.account_id != DEFAULT_ACCOUNT_ID:
            environment["MOTO_ACCOUNT_ID"] = self.account_id
        for key, value in environment.items():
            self._saved_environment[key] = os.environ.get(key)
            os.environ[key] = value
        self._mock = mock_aws(config={"iam": {"load_aws_managed_policies": True}})
        self._mock.start(reset=True)
        self._dynamodb_streams.reset(self.seed)
        self._dynamodb_streams.activate()
        self._sns.reset(self.seed)  # a restarted backend starts with an empty outbox
        mock_random.seed(self.seed)

    def stop(self) -> None:
        if self._mock is None:
            return
        self._mock.stop()
        self._mock = None
        self._dynamodb_streams.deactivate()
        self._dynamodb_streams.reset()
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environment.clear()
        with self._kinesis_lock:
            self._kinesis.clear()
        self._forget_firehose()
        self._forget_lambda()
        ROUTER.deactivate(self)

    def reset(self, seed: int | None = None) -> None:
        """Forget every stream, table, bucket, topic, queue and function; reseed identifiers.

        An attached runtime is let go, not closed (whoever attached it closes it)."""
        if seed is not None:
            self.seed = seed
        if self._mock is not None:
            self._mock.reset()
        with self._kinesis_lock:
            self._kinesis.clear()
        self._dynamodb_streams.reset(self.seed)
        self._forget_firehose()
        self._forget_lambda()
        self._run_interceptors.clear()
        self._sns.reset(self.seed)  # SNS: the outbox, tokens and delivery counts
        mock_random.seed(self.seed)

    def reset_tables(self) -> None:
        """Forget every DynamoDB table and its streams (and the TTL sweeper's tables), in
        every account and Region, leaving the rest as it is: much cheaper than :meth:`reset`,
        which has moto rebuild IAM's managed policies (about a second)."""
        from moto.dynamodb.models import dynamodb_backends

        for account in list(dynamodb_backends):
            for region in list(dynamodb_backends[account]):
                dynamodb_backends[account][region].reset()
        self._dynamodb_streams.reset(self.seed)

    def reset_queues(self) -> None:
        """Forget every SQS queue, in every account and Region (cheap, as
        :meth:`reset_tables`)."""
        from moto.sqs.models import sqs_backends

        for account in list(sqs_backends):
            for region in list(sqs_backends[account]):
                sqs_backends[account][region].reset()

    @property
    def running(self) -> bool:
        return self._mock is not None

    # -- interceptors ---------------------------------------------------------------------
    def add_interceptor(self, interceptor: Interceptor, *, run: bool = True) -> Any:
        """Ask ``interceptor`` about every request for moto's services before moto (see
        :mod:`sim.backends.embedded.intercept`). ``run=True``: until the next reset (a run's
        faults); ``run=False``: for the backend's lifetime. Returns a function removing it."""
        return (self._run_interceptors if run else self._interceptors).add(interceptor)

    @property
    def intercepting(self) -> bool:
        return bool(self._interceptors) or bool(self._run_interceptors)

    def intercept(self, request: Request) -> Answer | None:
        answer = self._run_interceptors.answer(request)
        return answer if answer is not None else self._interceptors.answer(request)

    # -- services -------------------------------------------------------------------------
    def kinesis(self, region: str | None = None) -> KinesisService:
        region = region or self.region
        service = self._kinesis.get(region)
        if service is None:
            with self._kinesis_lock:
                service = self._kinesis.get(region)
                if service is None:
                    service = KinesisService(
                        account_id=self.account_id,
                        region=region,
                        now=self._now,
                        rng=derive_rng(self.seed, f"kinesis:{region}"),
                    )
                    self._kinesis[region] = service
        return service

    def kinesis_store(self, region: str | None = None) -> Any:
        return self.kinesis(region).backend

    def kinesis_regions(self) -> list[str]:
        return sorted(self._kinesis)

    # -- DynamoDB Streams -----------------------------------------------------------------
    def dynamodb_streams(self, region: str | None = None) -> DynamoDBStreamsService:
        """The DynamoDB Streams API and store of this backend's account in ``region``."""
        return self._dynamodb_streams.service(region or self.region)

    def dynamodb_streams_store(self, region: str | None = None) -> Any:
        """The stream store (:class:`sim.services.dynamodbstreams.DynamoDBStreamsBackend`):
        ``get_stream(table_name)``, ``get_stream_by_arn(arn)``, ``streams()``."""
        return self.dynamodb_streams(region).backend

    def dynamodb_streams_regions(self) -> list[str]:
        return self._dynamodb_streams.regions()

    def dynamodb_ttl(self) -> Any:
        """The Time to Live sweeper (:class:`sim.services.dynamodbstreams.TtlSweeper`):
        ``sweep()``, ``deleted``, ``tables``, ``interval``."""
        return self._dynamodb_streams.ttl

    # -- Firehose -------------------------------------------------------------------------
    def firehose(self, region: str | None = None) -> FirehoseService:
        region = region or self.region
        service = self._firehose.get(region)
        if service is None:
            with self._kinesis_lock:
                service = self._firehose.get(region)
                if service is None:
                    service = FirehoseService(
                        account_id=self.account_id,
                        region=region,
                        scheduler=self._firehose_scheduler(),
                        rng=derive_rng(self.seed, f"firehose:{region}"),
                        put_object=lambda bucket, key, body, role, region=region: self._firehose_s3(
                            region, role
                        ).put_object(Bucket=bucket, Key=key, Body=body),
                        kinesis_store=lambda region=region: self.kinesis_store(region),
                    )
                    self._firehose[region] = service
        return service

    def act_as_roles(self, issue: Callable[[str, str], Any] | None) -> None:
        """Firehose writes to S3 as its delivery stream's role: with ``issue(role_arn,
        session_name)``'s credentials (a run's IAM enforcer), checked like a function's calls;
        ``None``: with the backend's own credentials again."""
        self._role_credentials = issue
        self._role_factories.clear()

    def _firehose_s3(self, region: str, role_arn: str | None) -> Any:
        issue = self._role_credentials
        if issue is None or not role_arn:
            return self.client("s3", region)
        key = (role_arn, region)
        factory = self._role_factories.get(key)
        if factory is None:
            credentials = issue(role_arn, FIREHOSE_SESSION_NAME)
            factory = self._role_factories[key] = ClientFactory(
                region=region,
                credentials={
                    "aws_access_key_id": credentials.access_key_id,
                    "aws_secret_access_key": credentials.secret_access_key,
                    "aws_session_token": credentials.session_token,
                },
                config=NO_RETRY_CONFIG,
            )
        return factory.client("s3", region)

    def firehose_regions(self) -> list[str]:
        return sorted(self._firehose)

    def attach_clock(self, clock: Any) -> None:
        """Drive Firehose and the DynamoDB TTL sweeper from ``clock`` (a run's
        ``sim.clock.Clock``: its ``now`` and ``call_at``) until ``attach_clock(None)``, which
        goes back to the wall clock."""
        self._clock = clock
        for service in list(self._firehose.values()):
            service.set_scheduler(self._firehose_scheduler())
        self._dynamodb_streams.set_scheduler(self._firehose_scheduler())

    def _firehose_scheduler(self) -> Any:
        return ClockScheduler(self._clock) if self._clock is not None else WallScheduler()

    def _forget_firehose(self) -> None:
        with self._kinesis_lock:
            services = list(self._firehose.values())
            self._firehose.clear()
        for service in services:
            service.reset()

    # -- SNS ------------------------------------------------------------------------------
    def sns(self) -> Any:
        """SNS delivery (:class:`sim.services.sns.SnsService`): ``subscribe(...,
        confirmed=True)``, ``confirm(subscription_arn)``, ``stats()``,
        ``pending_subscriptions()``."""
        return self._sns

    def outbox(self) -> Any:
        """The emails SNS sent (:class:`sim.services.sns.Outbox`), emptied by ``reset()``."""
        return self._sns.outbox

    # -- Lambda ---------------------------------------------------------------------------
    def attach_runtime(self, runtime: Any) -> None:
        """Serve the Lambda API from ``runtime`` (a run's scenario functions) until the next
        reset or attach; the runtime stays its owner's to close. A runtime the backend created
        itself is closed (with the functions created in it through the API)."""
        with self._lambda_lock:
            own, self._own_runtime = self._own_runtime, None
            self._attached_runtime = runtime
        if own is not None:
            own.close()

    def attach_event_source_mappings(self, mappings: list[Any]) -> None:
        """The event source mappings ListEventSourceMappings / GetEventSourceMapping show
        (a run's Kinesis mappings), until the next reset."""
        self._mappings = list(mappings)

    def lambda_runtime(self) -> LambdaRuntime:
        """The runtime the Lambda API serves now: the attached one while it is open, else the
        backend's own, created on first use (account and region of the backend, process time,
        :meth:`handler_environment`)."""
        attached = self._attached_runtime
        if attached is not None and not attached.closed:
            return attached
        with self._lambda_lock:
            attached = self._attached_runtime
            if attached is not None and not attached.closed:
                return attached
            self._attached_runtime = None
            if self._own_runtime is None or self._own_runtime.closed:
                self._own_runtime = LambdaRuntime(
                    account_id=self.account_id,
                    region=self.region,
                    rng=derive_rng(self.seed, "lambda"),
                    now=time.time,
                    credentials=self.handler_environment(),
                )
            return self._own_runtime

    def lambda_api(self) -> LambdaApi:
        return self._lambda_api

    def _forget_lambda(self) -> None:
        with self._lambda_lock:
            own, self._own_runtime = self._own_runtime, None
            self._attached_runtime = None
            self._mappings = []
        if own is not None:
            own.close()

    def _s3_object(self, bucket: str, key: str, version: str | None) -> bytes:
        kwargs = {"Bucket": bucket, "Key": key}
        if version:
            kwargs["VersionId"] = version
        return self.client("s3").get_object(**kwargs)["Body"].read()

    def describe(self) -> str:
        return (
            "embedded (streamlab Kinesis, Firehose and Lambda + moto, in-process, "
            f"region {self.region})"
        )
