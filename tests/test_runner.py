"""The runner on small scenarios of a user's own project: handlers, faults, ledger, errors."""

import textwrap

import pytest

from sim import Simulation
from sim.services.lambda_ import HandlerImportError

HANDLER = """
import base64, json, os
SEEN = []

def handler(event, context):
    for record in event["Records"]:
        SEEN.append(json.loads(base64.b64decode(record["kinesis"]["data"])))
    with open(os.environ["OUT"], "a") as out:
        out.write(f"{len(event['Records'])}\\n")
    return {"ok": len(event["Records"])}
"""


def project(tmp_path, body: str, module: str = "userhandlers") -> str:
    """A user's project: scenarios/x.yaml beside a handler module, as streamlab expects."""
    (tmp_path / f"{module}.py").write_text(HANDLER)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    path = tmp_path / "scenarios" / "x.yaml"
    path.write_text(textwrap.dedent(body).replace("OUTFILE", str(tmp_path / "out.txt")))
    return str(path)


BASE = """
    name: small
    seed: 7
    clock: {start: 2022-01-01T00:00:00Z, duration: 2m}
    resources:
      streams: [{name: s, shards: 2}]
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: s}
        rate: 5/s
        count: 100
    functions:
      - name: f
        handler: userhandlers:handler
        env: {OUT: OUTFILE}
        triggers:
          - kinesis: {stream: s, starting_position: TRIM_HORIZON, batch_size: 10}
"""


def test_user_project_handler_runs_and_everything_is_delivered(tmp_path):
    with Simulation.from_file(project(tmp_path, BASE)) as simulation:
        result = simulation.run()
    totals = result.ledger.totals()
    assert totals["produced"] == totals["delivered"] == 100 and totals["lost"] == 0
    sizes = [int(n) for n in (tmp_path / "out.txt").read_text().split()]
    assert sum(sizes) == 100 and max(sizes) <= 10


def test_function_error_fault_causes_retries_then_delivery(tmp_path):
    body = (
        BASE
        + """
    faults:
      - function_error: {function: f, start: 0s, end: 30s}
    """
    )
    with Simulation.from_file(project(tmp_path, body)) as simulation:
        result = simulation.run()
    errors = [r for r in result.invocations if r.outcome == "error"]
    assert errors and all(r.error["errorType"] == "InjectedFault" for r in errors)
    assert all(r.started_at < simulation.scenario.clock.start + 30 for r in errors)
    totals = result.ledger.totals()
    assert totals["retried"] > 0
    assert totals["delivered"] == 100 and totals["lost"] == 0 and totals["dropped"] == 0


def test_function_error_with_limited_retries_drops_batches_with_a_reason(tmp_path):
    body = (
        BASE.replace("batch_size: 10}", "batch_size: 10, maximum_retry_attempts: 1}")
        + """
    faults:
      - function_error: {function: f, start: 0s, end: 10s}
    """
    )
    with Simulation.from_file(project(tmp_path, body)) as simulation:
        result = simulation.run()
    hop = next(iter(result.ledger.hops.values()))
    assert hop.dropped["RetryAttemptsExhausted"] > 0
    totals = result.ledger.totals()
    assert totals["delivered"] + totals["dropped"] == 100 and totals["lost"] == 0
    assert "RetryAttemptsExhausted" in result.report()


def test_stream_throttle_fault_is_retried_by_the_producer_and_accounted(tmp_path):
    body = (
        BASE
        + """
    faults:
      - stream_throttle: {stream: s, start: 0s, end: 1m}
    """
    )
    with Simulation.from_file(project(tmp_path, body)) as simulation:
        result = simulation.run()
    refused = dict(result.ledger.refused)
    assert refused == {("counter", "ProvisionedThroughputExceededException"): 100}
    totals = result.ledger.totals()
    assert totals["accepted"] == 0 and totals["lost"] == 0 and totals["produced"] == 100


def test_handler_that_cannot_be_imported_names_the_module(tmp_path):
    body = BASE.replace("userhandlers:handler", "no_such_module_here:handler")
    with (
        Simulation.from_file(project(tmp_path, body)) as simulation,
        pytest.raises(HandlerImportError, match="no_such_module_here"),
    ):
        simulation.run()


def test_runs_with_the_same_seed_are_identical_and_other_seeds_differ(tmp_path):
    path = project(tmp_path, BASE)

    def sequence_numbers(seed):
        with Simulation.from_file(path, seed=seed) as simulation:
            simulation.run()
            store = simulation.backend.kinesis_store()
            shards = store.get_stream("s").shards
            return [
                (r.sequence_number, r.data)
                for s in shards
                for r in s.read(s.first_index, 1000, 2**20)[0]
            ]

    first, again, other = sequence_numbers(1), sequence_numbers(1), sequence_numbers(2)
    assert first == again
    assert [d for _, d in first] != [d for _, d in other]


def test_endpoint_backend_counts_stream_records_through_boto3(tmp_path, moto_endpoint):
    body = (
        BASE.split("functions:")[0].replace("duration: 2m", "duration: 5s")
        + """
    expect:
      - stream: {stream: s}
        equals: 25
    """
    )
    with endpoint_simulation(project(tmp_path, body), moto_endpoint, speed=50.0) as simulation:
        result = simulation.run()
    assert result.expectations[0].actual == 25, result.report()
    assert result.passed


@pytest.fixture
def moto_endpoint():
    """A moto server standing in for an external backend (its own Kinesis, not ours)."""
    import os
    import urllib.request

    from moto.server import ThreadedMotoServer

    from sim.daemon import free_port

    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    port = free_port()
    server = ThreadedMotoServer(port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    yield url
    # moto's state is process-wide: forget what this test stored
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"))
    server.stop()


def endpoint_simulation(path: str, url: str, speed: float) -> Simulation:
    from sim.backends.endpoint import EndpointBackend
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    backend = EndpointBackend(url, region=scenario.region, account_id=scenario.account_id)
    return Simulation(scenario, path=path, backend=backend, speed=speed)


def test_trigger_on_an_external_backend_polls_its_stream_through_boto3(tmp_path, moto_endpoint):
    body = BASE.replace("duration: 2m", "duration: 40s")
    with endpoint_simulation(project(tmp_path, body), moto_endpoint, speed=4.0) as simulation:
        result = simulation.run()
        # the stream is moto's: the mapping could only have read it through the endpoint
        assert simulation.backend.kinesis_store() is None
    totals = result.ledger.totals()
    assert totals["produced"] == totals["delivered"] == 100 and totals["lost"] == 0
    assert result.wall_seconds >= 40 / 4  # the wall clock, compressed by speed
    sizes = [int(n) for n in (tmp_path / "out.txt").read_text().split()]
    assert sum(sizes) == 100 and max(sizes) <= 10


def test_a_fault_the_backend_cannot_inject_is_refused_before_anything_is_created(
    tmp_path, moto_endpoint
):
    import boto3

    from sim.faults import UnsupportedFault

    body = (
        BASE
        + """
    faults:
      - stream_throttle: {stream: s, start: 10s, end: 20s}
    """
    )
    simulation = endpoint_simulation(project(tmp_path, body), moto_endpoint, speed=4.0)
    with simulation, pytest.raises(UnsupportedFault, match=r"faults\[0\]: stream_throttle needs"):
        simulation.run()
    kinesis = boto3.client(
        "kinesis", endpoint_url=moto_endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    assert kinesis.list_streams()["StreamNames"] == []
