"""A scenario's `changes` to its mappings, applied at their times by the runner: a Kinesis
mapping disabled, enabled again with a smaller batch, then deleted; an SQS mapping whose batch
size is changed. The invocations' times and sizes show each change took effect when declared."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from sim import Simulation
from sim.scenario import load_scenario

PRODUCER = """
import json

from producers.base import Producer, Record


class Ticks(Producer):
    name = "ticks"
    default_rate = 2.0

    def __init__(self, rng, **params):
        super().__init__(rng, **params)
        self.n = 0

    def emit(self, now):
        self.n += 1
        return [Record(json.dumps({"n": self.n}).encode(), str(self.n % 3))]
"""

HANDLER = """
import json
import os
import time


def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps([time.time(), len(event["Records"])]) + "\\n")
"""

SCENARIO = """
name: mapping-changes
seed: 3
clock: {start: 2024-01-01T00:00:00Z, duration: 12m}
resources:
  streams: [{name: ticks, shards: 1}]
  queues: [{name: jobs}]
producers:
  - {name: ticks, type: "mc_producer:Ticks", target: {stream: ticks}, stop: 10m}
functions:
  - name: reader
    handler: mc_handler:handler
    env: {OUT: OUTFILE}
    triggers:
      - kinesis:
          stream: ticks
          starting_position: TRIM_HORIZON
          batch_size: 100
          maximum_batching_window: 10s
          changes:
            - {at: 2m, enabled: false}
            - {at: 4m, enabled: true, batch_size: 5}
            - {at: 8m, delete: true}
  - name: worker
    handler: mc_handler:handler
    env: {OUT: OUTFILE}
    triggers:
      - sqs:
          queue: jobs
          changes:
            - {at: 1m, batch_size: 2}
"""


def test_changes_take_effect_at_their_times(tmp_path: Path, monkeypatch):
    (tmp_path / "mc_producer.py").write_text(PRODUCER)
    (tmp_path / "mc_handler.py").write_text(HANDLER)
    path = tmp_path / "mapping-changes.yaml"
    out = tmp_path / "batches.jsonl"
    path.write_text(textwrap.dedent(SCENARIO).replace("OUTFILE", str(out)))
    monkeypatch.syspath_prepend(str(tmp_path))
    scenario = load_scenario(path)
    start = scenario.clock.start
    with Simulation(scenario, path=path) as simulation:
        result = simulation.run()
        mappings = simulation.client("lambda").list_event_source_mappings()["EventSourceMappings"]
    batches = [(at - start, size) for at, size in map(json.loads, out.read_text().splitlines())]
    assert batches
    assert not any(120 < t < 240 for t, _ in batches)  # disabled from 2m to 4m
    assert not any(t > 480 for t, _ in batches)  # deleted at 8m
    # a 10 s window (from the poll that read its first record) at 2 records a second
    assert max(n for t, n in batches if t <= 120) in (20, 21, 22)
    assert max(n for t, n in batches if t >= 240) == 5  # the new batch size
    # re-enabled at 4m: it resumes from its checkpoint and catches up with the records of the
    # pause (and those it was gathering when disabled) at once: 2 a second since the start,
    # but for a last batch of fewer than 5, which waits for its window
    assert sum(n for t, n in batches if t == 240) >= 240
    assert 476 <= sum(n for t, n in batches if t <= 240) <= 481  # a last partial batch waits
    [reader] = [m for m in result.mappings if m["function"] == "reader"]
    assert reader["state"] == "Deleting"
    hop = result.ledger.hops[("stream ticks", "function reader")]
    # the records stored once it was deleted are not this mapping's; a batch still gathering
    # when it was deleted is reported dropped
    assert 955 <= hop.available <= 962
    assert hop.delivered + hop.dropped["EventSourceMappingDeleted"] == hop.available
    by_function = {m["FunctionArn"].rsplit(":", 1)[1]: m for m in mappings}
    assert by_function["worker"]["BatchSize"] == 2
    assert by_function["worker"]["State"] == "Enabled"
    assert result.passed, result.report()
