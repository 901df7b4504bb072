"""provision → schedule → run → expect → export: one scenario on one backend.

>>> from sim import Simulation
>>> with Simulation.from_file("scenarios/noaa-weather.yaml", seed=42) as simulation:
...     result = simulation.run()
...     items = simulation.client("dynamodb").scan(TableName="Temperature")["Count"]
>>> result.passed
True
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sim import export as exporting
from sim.backends.base import Backend
from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock, ProcessTime, RealtimeClock, TickingTime
from sim.expect import ExpectationResult, ExpectContext, evaluate
from sim.ids import derive_rng, uuid4
from sim.ledger import Ledger
from sim.producer_driver import ProducerDriver
from sim.provision import Provisioner
from sim.scenario import Scenario, load_scenario
from sim.services.esm.kinesis import KinesisEventSourceMapping, KinesisMappingConfig
from sim.services.esm.kinesis_remote import RemoteKinesisStore
from sim.services.firehose.scheduling import ClockScheduler
from sim.services.lambda_ import LambdaRuntime
from sim.services.lambda_.asynchronous import AsyncInvoker
from sim.services.lambda_.destinations import Destinations

# PutLogEvents: at most 10,000 events per call.
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
PUT_LOG_EVENTS_MAX = 10_000


class UnsupportedFlinkBinding(RuntimeError):
    """Flink jobs cannot be bound on this run's backend or clock (raised before provisioning)."""


class UnsupportedBackendFeature(RuntimeError):
    """A part of the scenario the chosen backend cannot run (raised before anything is
    created)."""


@dataclass
class SimulationResult:
    name: str
    backend: str
    seed: int
    started_at: float
    ended_at: float
    wall_seconds: float
    expectations: list[ExpectationResult]
    ledger: Ledger
    invocations: list[Any] = field(default_factory=list)
    functions: dict[str, dict[str, int]] = field(default_factory=dict)
    flink: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivery_streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    asynchronous: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    export_dir: str | None = None
    # Each fault of the scenario with its reach and effects (sim.faults.FaultEffects.finish).
    faults: list[dict[str, Any]] = field(default_factory=list)
    # Per database, per scheduled event: fires, rows, failures, first and last fire, errors.
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per event source mapping: its source, function, state and counts (see _mapping_stats).
    mappings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            not self.errors
            and all(e.passed for e in self.expectations)
            and self.ledger.totals()["lost"] == 0
        )

    def expectation(self, name: str) -> ExpectationResult:
        for result in self.expectations:
            if result.name == name:
                return result
        raise KeyError(name)

    def report(self, color: bool = False) -> str:
        from sim.report import render

        return render(self, color=color)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "backend": self.backend,
            "seed": self.seed,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "expectations": [e.to_dict() for e in self.expectations],
            "ledger": self.ledger.to_dict(),
            "functions": self.functions,
            "flink": self.flink,
            "delivery_streams": self.delivery_streams,
            "asynchronous": self.asynchronous,
            "errors": self.errors,
            "export_dir": self.export_dir,
            "faults": self.faults,
            "databases": self.databases,
            "mappings": self.mappings,
        }


class Simulation:
    """A scenario bound to a backend and a clock. Use as a context manager (or call ``close``):
    the backend keeps its state after ``run()`` so that it can be explored with ``client()``,
    and, on the embedded backend, the process keeps the simulation's time (from the end of the
    run on) until ``close()``."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        path: str | Path | None = None,
        seed: int | None = None,
        speed: float | None = None,
        backend: Backend | None = None,
        progress: bool = False,
        progress_out: TextIO | None = None,
        database_urls: dict[str, str] | None = None,
    ):
        self.scenario = scenario
        # Databases: a URL per database name that overrides the scenario's (`sim run --db`).
        self.database_urls = dict(database_urls or {})
        self.path = Path(path) if path else None
        self.seed = scenario.seed if seed is None else seed
        self.speed = speed if speed is not None else scenario.clock.speed
        self._own_backend = backend is None
        self.backend = backend or EmbeddedBackend(
            region=scenario.region, account_id=scenario.account_id, seed=self.seed
        )
        if not self.backend.simulated_time and not self.speed:
            # An external backend stamps times with its own wall clock: the run follows it
            # (``speed`` compresses the scenario's schedule; the backend's stamps stay its own).
            self.speed = 1.0
        self.progress = progress
        self.progress_out = progress_out
        start = scenario.clock.start
        self.clock: Clock = RealtimeClock(start, self.speed) if self.speed else Clock(start)
        self.ledger = Ledger()
        self.runtime: LambdaRuntime | None = None
        self.async_invoker: AsyncInvoker | None = None
        self.schedule_drivers: list[Any] = []
        self.enforcer: Any = None  # sim.services.iam.enforcement.Enforcer while functions run
        self.mappings: list[KinesisEventSourceMapping] = []
        self.drivers: list[ProducerDriver] = []
        # Flink jobs: sim.flink.staging.StagedJobs (simulated time) or live_jobs.LiveJobs
        self.flink: Any = None
        self._provisioner: Provisioner | None = None
        self._delivery_stats: dict[str, dict[str, Any]] = {}
        self._roles: dict[str, str] = {}
        self._ran = False
        self._after_run: TickingTime | None = None
        # The scenario's databases (sim.database.Database) by name, their events' runs, and
        # the directory embedded SQLite files live in (removed by close()).
        self.databases: dict[str, Any] = {}
        self._database_runs: dict[str, Any] = {}
        self._workdir: str | None = None

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> Simulation:
        return cls(load_scenario(path), path=path, **kwargs)

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def client(self, service: str, region: str | None = None) -> Any:
        return self.backend.client(service, region)

    def close(self) -> None:
        if self._after_run is not None:
            self._after_run.__exit__(None, None, None)
            self._after_run = None
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None
        if self.flink is not None:
            self.flink.close()
            self.flink = None
        if self.enforcer is not None:
            act_as_roles = getattr(self.backend, "act_as_roles", None)
            if act_as_roles is not None:
                act_as_roles(None)
            self.enforcer.deactivate()
            self.enforcer = None
        for database in self.databases.values():
            database.close()
        self.databases.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        if self._own_backend:
            self.backend.stop()

    # -- the run --------------------------------------------------------------------------
    def run(self, export: str | Path | None = None) -> SimulationResult:
        if self._ran:
            raise RuntimeError("a Simulation runs once; create a new one to run again")
        self._ran = True
        scenario = self.scenario
        wall_start = time.monotonic()
        self._prepare_backend()
        binding = ProcessTime(self.clock) if self.backend.simulated_time else None
        if binding is not None:
            binding.__enter__()
        try:
            self._stage_flink_jobs()
            self._open_databases()
            self._provision()
            self._schedule_faults()  # first: a fault from 0 s applies to the first record
            if self.flink is not None:
                self.flink.start()  # live jobs start before the producers
            self._schedule_producers()
            self._schedule_triggers()
            self._schedule_confirmations()
            self._schedule_database_events()
            end = scenario.clock.start + scenario.clock.duration
            if isinstance(self.clock, RealtimeClock):
                self.clock.sync()
            passes = self.flink.passes if self.flink is not None else 1
            for stage in range(passes):
                if stage:
                    self._start_stage(stage)
                self._run_pass(end, f"stage {stage + 1}/{passes}" if passes > 1 else "")
            if self.flink is not None:
                self.flink.finish(self._stream_count)
            for mapping in self.mappings:
                mapping.settle()
            if self.flink is not None:
                self.flink.settle()
            for driver in self.drivers:
                self.ledger.record_pending(driver.name, driver.pending)
            self._account_firehose()
            asynchronous = self._account_async()
            if isinstance(self.backend, EmbeddedBackend):
                self._publish_logs()
            expectations = self._expect()
            result = SimulationResult(
                name=scenario.name,
                backend=self.backend.name,
                seed=self.seed,
                started_at=scenario.clock.start,
                ended_at=self.clock.now,
                wall_seconds=0.0,
                expectations=expectations,
                ledger=self.ledger,
                invocations=list(self.runtime.invocations) if self.runtime else [],
                functions=self._function_stats(),
                mappings=self._mapping_stats(),
                flink=self.flink.summary() if self.flink is not None else {},
                delivery_streams=self._delivery_stats,
                asynchronous=asynchronous,
                errors=(self.flink.errors() if self.flink is not None else [])
                + [error for runs in self._database_runs.values() for error in runs.errors],
                databases={name: runs.summary() for name, runs in self._database_runs.items()},
                faults=self._fault_effects.finish(self.drivers),
            )
            if export is not None:
                result.export_dir = str(export)
                self._export(Path(export), result)
        finally:
            self._attach_firehose_clock(None)
            if binding is not None:
                binding.__exit__(None, None, None)
                # Until close(), the process keeps the simulation's time, moving on from the
                # end of the run, so the stored state can be explored as it was (Kinesis
                # retention and iterator lifetimes count from there, not from today).
                self._after_run = TickingTime(self.clock.now)
                self._after_run.__enter__()
        result.wall_seconds = time.monotonic() - wall_start
        return result

    def _prepare_backend(self) -> None:
        from sim.faults import check_faults

        backend = self.backend
        check_faults(self.scenario, backend)
        backend.check_deployable(self.scenario)
        self._check_table_streams(backend)
        if isinstance(backend, EmbeddedBackend):
            if backend.running:
                backend.reset(seed=self.seed)
            else:
                backend.seed = self.seed
                backend.start()
        else:
            from sim.backends.aws import AwsBackend, ConfirmationRequired

            if isinstance(backend, AwsBackend) and not backend.confirmed:
                raise ConfirmationRequired(AwsBackend.plan(self.scenario))
            backend.start()
        for directory in self._code_roots():
            if directory not in sys.path:
                sys.path.insert(0, directory)

    def _code_roots(self) -> list[str]:
        """Where handler modules are imported from: the project holding the scenario."""
        roots = [str(Path.cwd())]
        if self.path is not None:
            roots.append(str(self.path.resolve().parent.parent))
        return roots

    def _provision(self) -> None:
        scenario = self.scenario
        if getattr(self.backend, "keeps_state", False):
            from sim.backends.endpoint_teardown import refuse_leftovers

            refuse_leftovers(self.backend, scenario, str(self.path) if self.path else None)
        provisioner = Provisioner(self.backend, scenario)
        if self.backend.runs_functions:
            # AWS: the functions and their event source mappings run in Lambda itself.
            provisioner.create_resources()
            roles = provisioner.create_roles()
            self.backend.deploy_functions(scenario, roles, self._code_roots())
            return
        self.runtime = LambdaRuntime(
            account_id=scenario.account_id,
            region=scenario.region,
            rng=derive_rng(self.seed, "lambda"),
            now=time.time,
            credentials=self.backend.handler_environment(),
        )
        self._attach_firehose_clock(self.clock)
        provisioner.create_resources(
            delivery_stream_now=lambda spec: self._stage(spec.source.stream) == 0
        )
        roles = provisioner.create_roles()
        self._provisioner, self._roles = provisioner, roles
        self._enforce_roles()  # before any function starts: their clients get the hooks
        self._seed_handlers()
        self.async_invoker = AsyncInvoker(
            self.runtime,
            ClockScheduler(self.clock),
            deliver=Destinations(self.runtime.destination_client),
            rng=derive_rng(self.seed, "lambda-async"),
        )
        self.runtime.use_async_invoker(self.async_invoker)
        for spec in scenario.functions:
            config = provisioner.function_config(spec, roles[spec.name])
            if spec.database is not None:  # its connection settings; the function's env wins
                environment = self.databases[spec.database].handler_environment()
                config = dataclasses.replace(config, env={**environment, **config.env})
            self.runtime.create_function(config)
            self.async_invoker.configure(spec.name, provisioner.event_invoke_config(spec))
        self.backend.attach_runtime(self.runtime)
        self._esm_rng = derive_rng(self.seed, "event-source-mappings")
        self._create_mappings(0)

    def _check_table_streams(self, backend: Any) -> None:
        """A DynamoDB Streams trigger run by streamlab reads streamlab's own table streams:
        refused, before anything is created, on a backend whose tables are its own."""
        if backend.runs_functions or hasattr(backend, "dynamodb_streams_store"):
            return
        for f, function in enumerate(self.scenario.functions):
            for t, trigger in enumerate(function.triggers):
                if trigger.kind == "dynamodb":
                    raise UnsupportedBackendFeature(
                        f"functions[{f}] ({function.name}).triggers[{t}].dynamodb: streamlab "
                        f"reads DynamoDB streams on the embedded backend only; the "
                        f"{backend.name} backend's tables are its own. Nothing was created"
                    )

    def _seed_handlers(self) -> None:
        """Handlers that draw from the ``random`` module (the Ticker lab's random walk) draw the
        same numbers for the same seed."""
        random.seed(derive_rng(self.seed, "handlers").getrandbits(64))

    def _create_mappings(self, stage: int) -> None:
        """The event source mappings on the sources written in pass ``stage`` (tables and
        queues in the first), with their changes during the run on the clock."""
        for spec in self.scenario.functions:
            for trigger in spec.triggers:
                kind = trigger.kind
                if kind == "kinesis":
                    if self._stage(trigger.kinesis.stream) != stage:
                        continue
                    build = self._kinesis_mapping
                elif kind == "dynamodb" and stage == 0:
                    build = self._dynamodb_mapping
                elif kind == "sqs" and stage == 0:
                    build = self._sqs_mapping
                else:
                    continue
                mapping = build(spec, trigger.spec, self._roles[spec.name], uuid4(self._esm_rng))
                self.mappings.append(mapping)
                self._schedule_mapping_changes(mapping, trigger.spec.changes)
        self.backend.attach_event_source_mappings(self.mappings)

    def _schedule_mapping_changes(self, mapping: Any, changes: list[Any]) -> None:
        start = self.scenario.clock.start
        for change in changes:
            self.clock.call_at(start + change.at, _apply_mapping_change, mapping, change)

    # -- Flink jobs: the run in stages (sim/flink/staging.py) -----------------------------
    def _stage(self, stream: str | None) -> int:
        """The pass of the clock that writes ``stream``: 0 unless a Flink job writes it."""
        if self.flink is None or stream is None:
            return 0
        return self.flink.stage_of(stream)

    def _stage_flink_jobs(self) -> None:
        scenario = self.scenario
        if not scenario.flink_jobs:
            return
        from sim.flink.staging import StagedJobs

        if shutil.which("java") is None:
            raise UnsupportedFlinkBinding(
                "flink_jobs run on PyFlink, which needs Java 17: see `make check-java`"
            )
        if self.backend.runs_functions:
            raise UnsupportedFlinkBinding(
                f"flink_jobs on the {self.backend.name} backend: streamlab does not deploy "
                "Managed Service for Apache Flink applications; run the job there with the "
                "Kinesis connector (docs/flink-connector.md). Nothing was created"
            )
        store = self.backend.kinesis_store(scenario.region)
        if store is None or isinstance(self.clock, RealtimeClock):
            # The wall clock: each job runs live between its streams (sim/flink/live_jobs.py).
            tables = [job.name for job in scenario.flink_jobs if job.sink.table is not None]
            if tables:
                raise UnsupportedFlinkBinding(
                    "a run on the wall clock binds a Flink job's sink to a stream; "
                    f"{', '.join(tables)} write(s) to a table: run without --speed on the "
                    "embedded backend"
                )
            from sim.flink.live_jobs import LiveJobs

            self.flink = LiveJobs(
                scenario, clock=self.clock, client=self.client, ledger=self.ledger, seed=self.seed
            )
            return
        self.flink = StagedJobs(
            scenario,
            clock=self.clock,
            store=store,
            client=self.client,
            ledger=self.ledger,
            rng=derive_rng(self.seed, "flink"),
        )

    def _start_stage(self, stage: int) -> None:
        """Between passes: the jobs replay what their input received, the clock goes back to
        the start, and what reads their output starts, with their rows on the clock."""
        assert self.flink is not None and self._provisioner is not None
        self.flink.replay(stage)
        self.clock.rewind(self.scenario.clock.start)
        for spec in self.scenario.resources.delivery_streams:
            if self._stage(spec.source.stream) == stage:
                self._provisioner.create_delivery_stream(spec)
        self._create_mappings(stage)
        self._schedule_faults(stage)
        self.flink.schedule(stage)

    def _run_pass(self, end: float, label: str) -> None:
        from sim.progress import Progress

        with Progress(
            self.clock,
            end,
            self._progress_counts,
            out=self.progress_out,
            enabled=self.progress,
            label=label,
        ):
            self.clock.run(until=end)

    def _enforce_roles(self) -> None:
        """Every call a handler makes is checked against its function's role (IAM), on the
        embedded backend (see sim/services/iam/enforcement.py)."""
        scenario = self.scenario
        if not isinstance(self.backend, EmbeddedBackend):
            return
        if not scenario.functions and not scenario.resources.delivery_streams:
            return
        from sim.services.iam.enforcement import Enforcer

        enforcer = Enforcer(
            self.client("iam"),
            account=self.scenario.account_id,
            rng=derive_rng(self.seed, "iam-sessions"),
        )
        assert self.runtime is not None
        self.runtime.role_credentials = lambda config: enforcer.issue(config.role_arn, config.name)
        self.backend.act_as_roles(enforcer.issue)  # Firehose writes to S3 as its role
        enforcer.activate()
        self.enforcer = enforcer

    def _kinesis_mapping(
        self, spec: Any, trigger: Any, role_arn: str, uuid: str
    ) -> KinesisEventSourceMapping:
        store = self.backend.kinesis_store(self.scenario.region)
        if store is None:
            # another backend's stream: read through boto3, as Lambda's pollers read it
            clock = self.clock
            assert isinstance(clock, RealtimeClock)  # external backends follow the wall clock
            store = RemoteKinesisStore(
                self.client("kinesis"),
                starting_position=trigger.starting_position,
                starting_position_timestamp=trigger.starting_position_timestamp,
                to_clock=clock.from_wall,
                from_clock=clock.to_wall,
            )
        config = KinesisMappingConfig(
            starting_position=trigger.starting_position,
            starting_position_timestamp=trigger.starting_position_timestamp,
            **self._stream_parameters(trigger),
        )
        return KinesisEventSourceMapping(
            store=store,
            stream_name=trigger.stream,
            config=config,
            **self._mapping_parts(spec, f"kinesis:{trigger.stream}", role_arn, uuid),
        )

    def _dynamodb_mapping(self, spec: Any, trigger: Any, role_arn: str, uuid: str) -> Any:
        from sim.services.esm.dynamodb import DynamoDBEventSourceMapping, DynamoDBMappingConfig

        store = self.backend.dynamodb_streams_store(self.scenario.region)
        config = DynamoDBMappingConfig(
            starting_position=trigger.starting_position, **self._stream_parameters(trigger)
        )
        return DynamoDBEventSourceMapping(
            store=store,
            stream_name=trigger.table,
            config=config,
            **self._mapping_parts(spec, f"dynamodb:{trigger.table}", role_arn, uuid),
        )

    def _sqs_mapping(self, spec: Any, trigger: Any, role_arn: str, uuid: str) -> Any:
        from sim.services.esm.sqs import SqsEventSourceMapping
        from sim.services.esm.sqs_config import SqsMappingConfig
        from sim.services.esm.sqs_queue import open_queue

        parts = self._mapping_parts(spec, f"sqs:{trigger.queue}", role_arn, uuid)
        for unused in ("role_arn", "destination_client", "rng"):
            parts.pop(unused)
        config = SqsMappingConfig(
            batch_size=trigger.batch_size,
            maximum_batching_window=trigger.maximum_batching_window,
            function_response_types=list(trigger.function_response_types),
            maximum_concurrency=trigger.maximum_concurrency,
            enabled=trigger.enabled,
            record_filter=_filter_for(trigger.filters, "sqs"),
            filter_criteria=_criteria(trigger.filters),
        )
        queue = open_queue(
            self.client("sqs"),
            trigger.queue,
            embedded=isinstance(self.backend, EmbeddedBackend),
        )
        return SqsEventSourceMapping(
            queue=queue, config=config, function_timeout=spec.timeout, **parts
        )

    def _stream_parameters(self, trigger: Any) -> dict[str, Any]:
        """The parameters a Kinesis and a DynamoDB Streams mapping share."""
        return {
            "batch_size": trigger.batch_size,
            "maximum_batching_window": trigger.maximum_batching_window,
            "maximum_retry_attempts": trigger.maximum_retry_attempts,
            "maximum_record_age": trigger.maximum_record_age,
            "enabled": trigger.enabled,
            "bisect_batch_on_function_error": trigger.bisect_batch_on_function_error,
            "function_response_types": tuple(trigger.function_response_types),
            "parallelization_factor": trigger.parallelization_factor,
            "tumbling_window": int(trigger.tumbling_window),
            "on_failure": self._destination_arn(trigger.on_failure),
            "filter_criteria": _criteria(trigger.filters),
        }

    def _destination_arn(self, destination: Any) -> str | None:
        """The on-failure destination's ARN as the backend names it (LocalStack's account is
        not the scenario's)."""
        if destination is None:
            return None
        if destination.kind == "queue":
            assert self._provisioner is not None
            return self._provisioner.queue_arn(destination.name)
        if destination.kind == "topic":
            topics = self.client("sns").get_paginator("list_topics").paginate()
            return next(
                t["TopicArn"]
                for page in topics
                for t in page["Topics"]
                if t["TopicArn"].rsplit(":", 1)[1] == destination.name
            )
        return f"arn:aws:s3:::{destination.name}"

    def _mapping_parts(self, spec: Any, source: str, role_arn: str, uuid: str) -> dict[str, Any]:
        """What every mapping of function ``spec`` is built with."""
        runtime = self.runtime
        assert runtime is not None
        name = spec.name
        config = runtime.get_function(name)
        region = self.scenario.region

        def invoke(event: bytes | dict[str, Any]) -> Any:
            return runtime.invoke(name, event, source=source)

        def destination_client(service: str) -> Any:
            return runtime.destination_client(runtime.get_function(name), service, region)

        return {
            "uuid": uuid,
            "clock": self.clock,
            "function_name": name,
            "function_arn": config.arn,
            "invoke": invoke,
            "ledger": self.ledger,
            "role_arn": role_arn,
            "region": region,
            "invocation_duration": spec.duration,
            "destination_client": destination_client,
            "rng": derive_rng(self.seed, f"esm:{uuid}"),
        }

    def _open_databases(self) -> None:
        """Open and initialise the scenario's databases (SQLite files in a directory of the
        run, or MariaDB servers), before the functions that reach them are created."""
        from sim.database import Database

        for spec in self.scenario.databases:
            url = self.database_urls.get(spec.name) or spec.resolved_url()
            if url is None and self._workdir is None:
                self._workdir = tempfile.mkdtemp(prefix="streamlab-run-")
            database = Database.open(url, directory=Path(self._workdir or "."), name=spec.name)
            self.databases[spec.name] = database
            database.initialize(spec.init_directory(self.path))

    def _schedule_database_events(self) -> None:
        """The scripts' CREATE EVENTs: fired on the run's clock (``events: simulated``), with
        the database's NOW() following it, or created for real (``live``, MariaDB)."""
        start = self.scenario.clock.start
        end = start + self.scenario.clock.duration
        for spec in self.scenario.databases:
            database = self.databases[spec.name]
            if spec.events == "simulated":
                self._database_runs[spec.name] = database.schedule_events(self.clock, start, end)
            elif spec.events == "live":
                database.install_events_live()

    def _schedule_producers(self) -> None:
        from sim.producer_registry import create_producer

        start = self.scenario.clock.start
        for spec in self.scenario.producers:
            producer = create_producer(
                spec.type, derive_rng(self.seed, f"producer:{spec.name}"), spec.params, self.path
            )
            rate = spec.rate or type(producer).default_rate
            common: dict[str, Any] = {
                "name": spec.name,
                "producer": producer,
                "clock": self.clock,
                "ledger": self.ledger,
                "rate": rate,
                "start": start + spec.start,
                "stop": None if spec.stop is None else start + spec.stop,
                "count": spec.count,
                "batch": spec.batch,
                "record_ttl": spec.record_ttl,
                "linger": spec.linger,
                "rng": derive_rng(self.seed, f"producer-retries:{spec.name}"),
            }
            if spec.target.function is not None:
                self.drivers.append(self._function_driver(spec, common))
                continue
            client = self.backend.client("kinesis")
            self.drivers.append(
                ProducerDriver(
                    client_for=lambda client=client: client,
                    stream=spec.target.stream,
                    **common,
                )
            )

    def _function_driver(self, spec: Any, common: dict[str, Any]) -> Any:
        """A producer invoking a function: through streamlab's runtime where it runs the
        functions, else through Lambda's Invoke API (AWS)."""
        from sim.producer_function import FunctionTargetDriver, api_invoker, runtime_invoker

        if self.runtime is not None:
            invoke = runtime_invoker(self.runtime, spec.name)
        else:
            invoke = api_invoker(self.backend.client("lambda"))
        return FunctionTargetDriver(
            client_for=lambda: None,
            stream="",
            function=spec.target.function,
            invoke=invoke,
            **common,
        )

    def _schedule_triggers(self) -> None:
        """Schedule triggers (EventBridge rules, EventBridge Scheduler) on the run's clock: each
        fire invokes its function asynchronously, as EventBridge does. On the embedded backend
        the rules are also created in EventBridge, so ``aws events list-rules`` shows them."""
        from sim.services.schedules.driver import ScheduleDriver
        from sim.services.schedules.schedule import RuleSchedule, SchedulerSchedule

        scenario = self.scenario
        if self.runtime is None:
            return
        start = scenario.clock.start
        end = start + scenario.clock.duration
        for spec in scenario.functions:
            for trigger in spec.triggers:
                settings = trigger.schedule or trigger.scheduler
                if settings is None:
                    continue
                target_input = None if settings.input is None else json.dumps(settings.input)
                if trigger.schedule is not None:
                    name = settings.rule or f"{spec.name}-schedule"
                    self._create_rule(name, settings, spec.name, target_input)
                    if not settings.enabled:
                        continue
                    schedule: Any = RuleSchedule(
                        settings.expression,
                        name=name,
                        created_at=start,
                        region=scenario.region,
                        account=scenario.account_id,
                        target_input=target_input,
                    )
                else:
                    name = settings.name or f"{spec.name}-schedule"
                    window = settings.flexible_window
                    schedule = SchedulerSchedule(
                        settings.expression,
                        name=name,
                        created_at=start,
                        region=scenario.region,
                        account=scenario.account_id,
                        timezone=settings.timezone,
                        start_date=None if settings.start is None else start + settings.start,
                        end_date=None if settings.end is None else start + settings.end,
                        flexible_time_window=None
                        if window is None
                        else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": window.maximum_minutes},
                        target_input=target_input,
                    )
                source = f"schedule:{name}"

                def fire(_scheduled: float, event: Any, function=spec.name, source=source) -> None:
                    assert self.runtime is not None
                    self.runtime.invoke_async(function, event, source=source)

                self.schedule_drivers.append(
                    ScheduleDriver(
                        self.clock,
                        schedule,
                        fire,
                        start=start,
                        end=end,
                        rng=derive_rng(self.seed, f"schedule:{name}"),
                    )
                )

    def _schedule_confirmations(self) -> None:
        """Email subscriptions with ``confirm_at``: confirmed then, as if the reader followed the
        link in SNS's confirmation email (streamlab's SNS, on the embedded backend)."""
        service = getattr(self.backend, "sns", None)
        if service is None or self._provisioner is None:
            return
        start = self.scenario.clock.start
        for topic in self.scenario.resources.topics:
            for index, subscription in enumerate(topic.subscriptions):
                if subscription.confirm_at is None:
                    continue
                arn = self._provisioner.subscriptions[(topic.name, index)]
                self.clock.call_at(start + subscription.confirm_at, service().confirm, arn)

    def _outbox(self) -> list[dict[str, Any]]:
        outbox = getattr(self.backend, "outbox", None)
        if outbox is None:
            raise RuntimeError(
                f"the {self.backend.name} backend has no email outbox: SNS email delivery is "
                "simulated on the embedded backend"
            )
        return outbox().to_list()

    def _create_rule(
        self, name: str, settings: Any, function: str, target_input: str | None
    ) -> None:
        if not isinstance(self.backend, EmbeddedBackend):
            return
        events = self.client("events")
        events.put_rule(
            Name=name,
            ScheduleExpression=settings.expression,
            State="ENABLED" if settings.enabled else "DISABLED",
        )
        assert self.runtime is not None
        target: dict[str, Any] = {"Id": function, "Arn": self.runtime.get_function(function).arn}
        if target_input is not None:
            target["Input"] = target_input
        events.put_targets(Rule=name, Targets=[target])

    def _schedule_faults(self, stage: int = 0) -> None:
        from sim.faults import schedule_faults

        if stage == 0:
            self._fault_rng = derive_rng(self.seed, "faults")
            self._fault_effects = None
        # What the faults did (sim.faults.FaultEffects): SimulationResult.faults at the end.
        self._fault_effects = schedule_faults(
            self.scenario,
            self.clock,
            self.backend,
            self.runtime,
            self._fault_rng,
            stage=stage,
            stages=self.flink.stream_stages if self.flink is not None else None,
            effects=self._fault_effects,
        )

    # -- Firehose (streamlab's, on the embedded backend) ---------------------------------
    def _attach_firehose_clock(self, clock: Clock | None) -> None:
        """Firehose buffers run on the run's clock (``None``: back to the wall clock)."""
        attach = getattr(self.backend, "attach_clock", None)
        if attach is not None:
            attach(clock)

    def _account_firehose(self) -> None:
        """The ledger's Firehose hops: ``stream X → delivery stream Y`` for a Kinesis source
        (delivered = records written to S3; in flight = buffered or not yet read), and for
        Direct PUT the puts as producer ``direct put Y`` and the hop
        ``delivery stream Y → bucket B``."""
        firehose = getattr(self.backend, "firehose", None)
        if firehose is None or not self.scenario.resources.delivery_streams:
            return
        ledger = self.ledger
        for row in firehose(self.scenario.region).accounting():
            name = row["name"]
            self._delivery_stats[name] = {
                key: row[key]
                for key in ("objects", "delivered", "buffered", "failed_attempts", "last_error")
            }
            if row["source_stream"]:
                hop = ledger.hop(f"stream {row['source_stream']}", f"delivery stream {name}")
                hop.available += row["available"]
                hop.in_flight += row["buffered"] + row["unread"]
            else:
                producer = f"direct put {name}"
                ledger.record_produced(producer, row["accepted"])
                ledger.record_accepted(producer, f"delivery stream {name}", row["accepted"])
                hop = ledger.hop(f"delivery stream {name}", f"bucket {row['bucket']}")
                hop.available += row["accepted"]
                hop.in_flight += row["buffered"]
            hop.delivered += row["delivered"]
            if row["dropped"]:
                hop.dropped["S3DeliveryFailed"] += row["dropped"]

    def _account_async(self) -> dict[str, dict[str, Any]]:
        """Asynchronous events per function (schedules, SNS, destinations, ``Event`` invokes):
        the report's figures, and the ledger's hop ``async queue F → function F`` (delivered:
        succeeded; to a destination or dead-letter queue; dropped with the condition; in flight:
        still queued for a retry when the run ended)."""
        invoker = self.async_invoker
        if invoker is None:
            return {}
        summary: dict[str, dict[str, Any]] = {}
        for function, stats in sorted(invoker.stats.items()):
            queued = invoker.queued(function)
            summary[function] = dict(stats.to_dict(), queued=queued)
            hop = self.ledger.hop(f"async queue {function}", f"function {function}")
            hop.available += stats.events
            hop.delivered += stats.succeeded
            hop.retried += stats.retries
            hop.in_flight += queued
            dropped = sum(stats.dropped.values())
            kept = sum(stats.failed.values()) - (dropped - stats.dropped.get("FunctionDeleted", 0))
            if kept:
                hop.to_destination["on-failure destination / dead-letter queue"] += kept
            for reason, count in stats.dropped.items():
                hop.dropped[reason] += count
        return summary

    # -- after the run --------------------------------------------------------------------
    def _progress_counts(self) -> tuple[int, int]:
        totals = self.ledger
        return (sum(totals.produced.values()), sum(h.delivered for h in totals.hops.values()))

    def _stream_count(self, name: str) -> int:
        """Records retained in a stream: from our store, or read through boto3 elsewhere."""
        store = self.backend.kinesis_store(self.scenario.region)
        if store is not None:
            stream = store.get_stream(name)
            return sum(shard.end_index - shard.first_index for shard in stream.shards)
        kinesis = self.client("kinesis")
        total = 0
        for page in kinesis.get_paginator("list_shards").paginate(StreamName=name):
            for shard in page["Shards"]:
                iterator = kinesis.get_shard_iterator(
                    StreamName=name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                while iterator:
                    response = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
                    total += len(response["Records"])
                    if not response["Records"] and response.get("MillisBehindLatest", 0) == 0:
                        break
                    iterator = response.get("NextShardIterator")
        return total

    def _expect(self) -> list[ExpectationResult]:
        context = ExpectContext(
            client=self.client,
            ledger=self.ledger,
            invocations=list(self.runtime.invocations) if self.runtime else [],
            stream_count=self._stream_count,
            scenario_dir=str(self.path.resolve().parent) if self.path else None,
            outbox=self._outbox,
            databases=self.databases,
        )
        return [evaluate(spec, context) for spec in self.scenario.expect]

    def _function_stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = {}
        if self.runtime is None:
            return stats
        for spec in self.scenario.functions:
            stats[spec.name] = {
                "invocations": 0,
                "errors": 0,
                "timeouts": 0,
                "max_iterator_age_ms": 0,
            }
        for record in self.runtime.invocations:
            entry = stats.setdefault(
                record.function_name,
                {"invocations": 0, "errors": 0, "timeouts": 0, "max_iterator_age_ms": 0},
            )
            entry["invocations"] += 1
            if record.outcome == "error":
                entry["errors"] += 1
            elif record.outcome == "timeout":
                entry["timeouts"] += 1
        for mapping in self.mappings:
            entry = stats[mapping.function_name]
            entry["max_iterator_age_ms"] = max(
                entry["max_iterator_age_ms"], mapping.max_iterator_age_ms
            )
        return stats

    def _mapping_stats(self) -> list[dict[str, Any]]:
        """Per event source mapping: batches sent, records delivered, retried batches,
        bisections, records sent to the failure destination, filtered and dropped, and the
        largest iterator age."""
        rows = []
        for mapping in self.mappings:
            stats = dataclasses.asdict(mapping.stats)
            rows.append(
                {
                    "uuid": mapping.uuid,
                    "source": mapping.hop_source(),
                    "function": mapping.function_name,
                    "state": mapping.describe()["State"],
                    **stats,
                    "destination_errors": list(getattr(mapping, "destination_errors", [])),
                }
            )
        return rows

    def _publish_logs(self) -> None:
        """Invocation logs into CloudWatch Logs (``/aws/lambda/<function>``, one stream per
        execution environment), stamped with simulated time, as Lambda writes them."""
        if self.runtime is None or not self.runtime.invocations:
            return
        logs = self.client("logs")
        streams: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for record in self.runtime.invocations:
            stamp = int(round(record.started_at * 1000))
            events = streams.setdefault((record.function_name, record.log_stream_name), [])
            events.extend(
                {"timestamp": stamp, "message": line} for line in record.logs.splitlines() if line
            )
        groups: set[str] = set()
        for (function, stream), events in streams.items():
            group = f"/aws/lambda/{function}"
            if group not in groups:
                groups.add(group)
                logs.create_log_group(logGroupName=group)  # the backend was reset: new
            logs.create_log_stream(logGroupName=group, logStreamName=stream or "unknown")
            for i in range(0, len(events), PUT_LOG_EVENTS_MAX):
                logs.put_log_events(
                    logGroupName=group,
                    logStreamName=stream or "unknown",
                    logEvents=events[i : i + PUT_LOG_EVENTS_MAX],
                )

    def _export(self, directory: Path, result: SimulationResult) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        exporting.export_tables(self.client("dynamodb"), directory)
        exporting.export_buckets(self.client("s3"), directory)
        exporting.export_queues(self.client("sqs"), directory)
        exporting.export_topics(self.client("sns"), directory)
        store = self.backend.kinesis_store(self.scenario.region)
        if store is not None:
            exporting.export_streams(store, directory)
        outbox = getattr(self.backend, "outbox", None)
        if outbox is not None:  # the emails SNS sent: `sim outbox DIR` reads them
            outbox().write(directory / "outbox")
        exporting._write_jsonl(
            directory / "invocations.jsonl",
            (json.loads(r.to_json(include_timing=False)) for r in result.invocations),
        )
        exporting.write_json(directory / "ledger.json", self.ledger.to_dict())
        exporting.write_json(
            directory / "expectations.json", [e.to_dict() for e in result.expectations]
        )


def run_file(
    path: str | Path,
    *,
    seed: int | None = None,
    speed: float | None = None,
    export: str | Path | None = None,
    progress: bool = False,
    on_result: Callable[[SimulationResult], None] | None = None,
) -> SimulationResult:
    """Run a scenario file in-process and return the result (the backend is stopped after)."""
    with Simulation.from_file(path, seed=seed, speed=speed, progress=progress) as simulation:
        result = simulation.run(export=export)
        if on_result is not None:
            on_result(result)
        return result


def _criteria(filters: list[Any]) -> dict[str, Any] | None:
    """A scenario's filter patterns as FilterCriteria (None without any)."""
    if not filters:
        return None
    return {
        "Filters": [
            {"Pattern": f if isinstance(f, str) else json.dumps(f, separators=(",", ":"))}
            for f in filters
        ]
    }


def _filter_for(filters: list[Any], source: str) -> Any:
    criteria = _criteria(filters)
    if criteria is None:
        return None
    from sim.services.esm.filtering import parse_filter_criteria

    return parse_filter_criteria(criteria, source=source)


def _apply_mapping_change(mapping: Any, change: Any) -> None:
    """A scenario's change to a mapping, at its time (UpdateEventSourceMapping or
    DeleteEventSourceMapping)."""
    if change.delete:
        mapping.delete()
        return
    changes = change.changes()
    queue = not hasattr(mapping, "stream_name")
    if "filters" in changes:
        filters = changes.pop("filters")
        changes["filter_criteria"] = _criteria(filters)
        if queue:
            changes["record_filter"] = _filter_for(filters, "sqs")
    if "function_response_types" in changes:
        kinds = changes["function_response_types"]
        changes["function_response_types"] = list(kinds) if queue else tuple(kinds)
    if "tumbling_window" in changes:
        changes["tumbling_window"] = int(changes["tumbling_window"])
    mapping.update(**changes)
