"""Flink jobs in a real-time run: each job runs live (:class:`~sim.flink.live.LiveFlinkJob`)
between its streams while the producers run, on any backend with a Kinesis API.

A run at a real-time ``--speed``, or on LocalStack or another endpoint, follows the wall clock,
so a job cannot replay its input afterwards as in a simulation (:mod:`sim.flink.staging`).
Instead each job starts before the producers, reads its source stream from its start, and puts
its rows on its sink stream as Flink commits them (one to three seconds after a window fires).
A ``stop: {at, drain}`` stops it at that time of the run; any job still running at the end is
stopped there without drain, so windows still open are not emitted, as on a job left running.
"""

from __future__ import annotations

from typing import Any

from sim.flink.errors import FlinkJobError


class LiveJobs:
    """The scenario's Flink jobs, live. The runner calls :meth:`start` before the producers
    and :meth:`stop` after the clock has run; ``stage_of`` is 0 for every stream (everything
    runs at once)."""

    passes = 1

    def __init__(self, scenario: Any, *, clock: Any, client: Any, ledger: Any, seed: int):
        self.scenario = scenario
        self.clock = clock
        self.client = client
        self.ledger = ledger
        self.seed = seed
        self.stream_stages: dict[str, int] = {}
        self.jobs: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._stopped: set[str] = set()

    def stage_of(self, stream: str) -> int:
        return 0

    def start(self) -> None:
        from sim.flink.live import LiveFlinkJob
        from sim.flink.runner import JobSpec
        from sim.flink.staging import load_job_module

        origin = self.scenario.clock.start
        for index, job in enumerate(self.scenario.flink_jobs):
            try:
                spec = JobSpec.from_module(
                    load_job_module(job.job), name=job.name, watermark_delay=job.watermark_delay
                )
            except ImportError as exc:
                self._errors[job.name] = str(
                    FlinkJobError(job.name, f"cannot import {job.job}: {exc}")
                )
                continue
            except FlinkJobError as exc:
                self._errors[job.name] = str(exc)
                continue
            live = LiveFlinkJob(
                spec,
                self.client("kinesis"),
                job.source.stream,
                job.sink.stream,
                partition_key=job.sink.partition_key,
                starting_position="TRIM_HORIZON",  # the job starts with the run
                seed=self.seed + index,
            )
            try:
                live.start()
            except FlinkJobError as exc:
                self._errors[job.name] = str(exc)
                continue
            self.jobs[job.name] = live
            if job.stop is not None:
                self.clock.call_at(origin + job.stop.at, self._stop_one, job.name, job.stop.drain)

    def _stop_one(self, name: str, drain: bool) -> None:
        if name in self._stopped:
            return
        self._stopped.add(name)
        try:
            self.jobs[name].stop(drain=drain)
        except FlinkJobError as exc:
            self._errors[name] = str(exc)

    def finish(self, stream_count: Any) -> None:
        """At the end of the run: stop the jobs still running, then account for them."""
        self.stop()
        self.account(stream_count)

    def stop(self) -> None:
        """Stop every job still running (no drain)."""
        for name in list(self.jobs):
            self._stop_one(name, drain=False)
        for name, live in self.jobs.items():
            if live.error is not None and name not in self._errors:
                self._errors[name] = str(live.error)

    def account(self, stream_count: Any) -> None:
        """The ledger's hops: ``stream S → flink job J`` (records the job read; the rest of the
        stream unread) and the producer ``flink job J`` (rows put on its sink)."""
        for job in self.scenario.flink_jobs:
            live = self.jobs.get(job.name)
            hop = self.ledger.hop(f"stream {job.source.stream}", f"flink job {job.name}")
            available = stream_count(job.source.stream)
            hop.available += available
            if live is None or job.name in self._errors:
                hop.dropped["FlinkJobFailed"] += available
                continue
            read = min(live.records_read, available)
            hop.delivered += read
            hop.in_flight += available - read
            producer = f"flink job {job.name}"
            self.ledger.record_produced(producer, live.rows_written)
            self.ledger.record_accepted(producer, f"stream {job.sink.stream}", live.rows_written)

    def settle(self) -> None:
        """Nothing waits on the clock: rows are put as Flink commits them."""

    def close(self) -> None:
        for name in list(self.jobs):
            if name not in self._stopped:
                self._stop_one(name, drain=False)

    def errors(self) -> list[str]:
        return [self._errors[name] for name in sorted(self._errors)]

    def summary(self) -> dict[str, dict[str, Any]]:
        out = {}
        for job in self.scenario.flink_jobs:
            live = self.jobs.get(job.name)
            out[job.name] = {
                "records_read": live.records_read if live else 0,
                "records_unread": None,
                "late_records": None,
                "rows_emitted": live.rows_written if live else 0,
                "rows_held": None,
                "error": self._errors.get(job.name),
            }
        return out
