"""The ``sim`` command.

    sim run SCENARIO [--backend embedded|localstack|endpoint=URL|aws[=PROFILE]] [--seed N] [--speed X]
                     [--export DIR] [--in-process] [--yes] [--json] [--db [NAME=]URL]...
    sim validate SCENARIO...
    sim list [DIRECTORY]
    sim up [--host H] [--port P] [--detach]
    sim down
    sim teardown SCENARIO [--backend aws[=PROFILE]|localstack|endpoint=URL] [--yes]
    sim query SCENARIO_OR_EXPORT "SELECT …" [--ddl FILE]... [--json] [--seed N]
    sim outbox [SCENARIO_OR_EXPORT] [--to ADDRESS] [--json] [--seed N]
    sim produce openaq [--rate PER_MINUTE] [--count N] [--duration D] [--seed N] [--param K=V]...
                       (--db URL | --config FILE | --stream NAME [--endpoint-url URL])

``sim outbox`` prints the emails SNS sent (notifications and subscription confirmations): those
of an export directory (``DIR/outbox/``), of a scenario (run for it), or, with no argument, the
endpoint's that ``sim up`` serves. See docs/sns.md.

Exit status: 0 when every expectation passed and nothing was lost; 1 when a run failed its
expectations; 2 for bad input (an invalid scenario file, a bad option) or an unusable backend.

``sim teardown`` deletes what ``sim run --backend aws --yes`` created for the scenario (recorded
in ``.streamlab/aws/<scenario>-<region>.json`` in the working directory) and nothing else. It
prints what it will delete and deletes only with ``--yes`` (without it: exit 2, as ``sim run``);
then it lists what is left (a deletion AWS refused, a resource tagged with the scenario that the
state file does not record) and exits 1 if anything is, 0 if nothing. See docs/aws.md. On
LocalStack or another endpoint, which keep their state between runs, it deletes the resources
the scenario declares, by name (``sim.backends.endpoint_teardown``), with the same ``--yes`` and
exit statuses.

Test-only: ``STREAMLAB_AWS_ENDPOINT_URL`` points ``--backend aws`` at a stand-in server instead of
AWS (the tests use it to check that nothing is sent without ``--yes``). Not for users.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
AWS_STAND_IN_VARIABLE = "STREAMLAB_AWS_ENDPOINT_URL"  # test-only, see the module docstring


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sim",
        description="streamlab: AWS streaming pipelines on one laptop, on a simulated clock.",
    )
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"streamlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and check its expectations")
    run.add_argument("scenario", help="scenario file (YAML)")
    run.add_argument(
        "--backend",
        default="embedded",
        help="embedded (default), localstack (host mode: the one `make localstack` started, "
        "else one for this run), endpoint=URL (LocalStack-compatible) or aws[=PROFILE]",
    )
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument(
        "--speed",
        type=float,
        help="run in real time × SPEED (1 = wall clock); default: as fast as possible on the "
        "embedded backend, wall-clock time (1) on the others",
    )
    run.add_argument("--export", metavar="DIR", help="write the stored state to DIR")
    run.add_argument(
        "--in-process",
        action="store_true",
        help="run in this process even when an endpoint from `sim up` is running",
    )
    run.add_argument(
        "--yes", action="store_true", help="confirm creating resources on AWS (--backend aws)"
    )
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument("--no-progress", action="store_true", help="no progress line")
    run.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="[NAME=]URL",
        help="the URL of the scenario's database NAME (repeatable; NAME may be left out when "
        "the scenario has one database), e.g. mysql+pymysql://root@127.0.0.1:3306/openaq_sim",
    )

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("scenarios", nargs="+")

    listing = commands.add_parser("list", help="list the scenarios in a directory")
    listing.add_argument("directory", nargs="?", default="scenarios")

    up = commands.add_parser("up", help="serve the embedded backend on an HTTP endpoint")
    up.add_argument("--host", help="loopback address (default 127.0.0.1, env STREAMLAB_HOST)")
    up.add_argument("--port", type=int, help="port (default 4566, env STREAMLAB_PORT)")
    up.add_argument(
        "--detach", action="store_true", help="run in the background; wait until healthy"
    )
    up.add_argument("--verbose", action="store_true", help="log every request")

    commands.add_parser("down", help="stop the endpoint started by `sim up --detach`")

    teardown = commands.add_parser(
        "teardown",
        help="delete what a scenario's runs created on AWS, LocalStack or another endpoint",
    )
    teardown.add_argument("scenario", help="scenario file (YAML)")
    teardown.add_argument(
        "--backend",
        default="aws",
        help="aws[=PROFILE] (the default), localstack or endpoint=URL",
    )
    teardown.add_argument("--yes", action="store_true", help="confirm deleting")

    query = commands.add_parser(
        "query",
        help="Athena-style SQL over the S3 objects of an export directory or of a scenario's run",
    )
    query.add_argument(
        "source",
        metavar="SCENARIO_OR_EXPORT",
        help="a directory written by `sim run --export DIR`, or a scenario file (run first on "
        "the embedded backend, in this process)",
    )
    query.add_argument("sql", metavar="SQL", help="one SELECT statement (see docs/athena.md)")
    query.add_argument(
        "--ddl",
        action="append",
        default=[],
        metavar="FILE",
        help="a file with a CREATE EXTERNAL TABLE statement (repeatable); added to the "
        "scenario's athena tables",
    )
    query.add_argument("--seed", type=int, help="override the scenario's seed")
    query.add_argument("--json", action="store_true", help="print {columns, rows} as JSON")

    outbox = commands.add_parser(
        "outbox",
        help="the emails SNS sent: of an export directory, a scenario's run, or the endpoint",
    )
    outbox.add_argument(
        "source",
        nargs="?",
        metavar="SOURCE",
        help="a directory written by `sim run --export DIR`, or a scenario file (run first on "
        "the embedded backend, in this process); default: the endpoint `sim up` started here",
    )
    outbox.add_argument("--to", metavar="ADDRESS", help="only the emails sent to ADDRESS")
    outbox.add_argument("--seed", type=int, help="override the scenario's seed")
    outbox.add_argument("--json", action="store_true", help="print the emails as a JSON list")

    from sim.produce import duration_arg, param_arg

    produce = commands.add_parser(
        "produce",
        help="send a producer's measurements through the OpenAQ ingestion Lambda's code, on the "
        "wall clock, into a database or onto a stream (the seeds' generate-test-data.py)",
    )
    produce.add_argument("producer", help="producer type (openaq)")
    produce.add_argument(
        "--rate",
        type=float,
        default=100.0,
        help="measurements (ticks) per minute; default 100; 0 = as fast as possible",
    )
    produce.add_argument("--count", type=int, help="stop after N measurements")
    produce.add_argument(
        "--duration", type=duration_arg, help="stop after this long (90s, 10m, 1h30m)"
    )
    produce.add_argument("--seed", type=int, help="random seed (default: a random one, printed)")
    produce.add_argument(
        "--param",
        action="append",
        type=param_arg,
        default=[],
        metavar="KEY=VALUE",
        help="producer param (VALUE as JSON when it is JSON), repeatable",
    )
    target = produce.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the database")
    target.add_argument(
        "--config", metavar="FILE", help="the seed's DB_USERNAME/DB_PASSWORD/DB_HOSTNAME file"
    )
    target.add_argument("--stream", metavar="NAME", help="Kinesis stream")
    produce.add_argument(
        "--endpoint-url", metavar="URL", help="with --stream: e.g. the one `sim up` serves"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "run": _run,
        "validate": _validate,
        "list": _list,
        "up": _up,
        "down": _down,
        "teardown": _teardown,
        "query": _query,
        "outbox": _outbox,
        "produce": _produce,
    }[args.command]
    return handler(args)


# -- run ------------------------------------------------------------------------------------
def _make_backend(spec: str, scenario: Any, yes: bool) -> Any:
    from sim.backends.aws import AwsBackend
    from sim.backends.endpoint import EndpointBackend

    if spec == "embedded":
        return None
    if spec == "localstack":
        from sim.backends.localstack import LocalStackBackend

        return LocalStackBackend(region=scenario.region, account_id=scenario.account_id)
    if spec.startswith("endpoint="):
        return EndpointBackend(
            spec.split("=", 1)[1], region=scenario.region, account_id=scenario.account_id
        )
    if spec == "aws" or spec.startswith("aws="):
        profile = spec.split("=", 1)[1] if "=" in spec else None
        return AwsBackend(
            region=scenario.region,
            account_id=scenario.account_id,
            profile=profile,
            confirmed=yes,
            endpoint_url=os.environ.get(AWS_STAND_IN_VARIABLE) or None,
        )
    raise ValueError(
        f"unknown backend {spec!r}: use embedded, localstack, endpoint=URL or aws[=PROFILE]"
    )


def _run(args: argparse.Namespace) -> int:
    from sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        args.database_urls = _database_urls(args.db, scenario)
    except ValueError as error:
        print(f"sim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.backend == "embedded" and not args.in_process:
        from sim.daemon import read_state

        state = read_state()
        if state is not None:
            return _run_in_endpoint(args, state["url"])
    return _run_here(args, scenario)


def _database_urls(options: list[str], scenario: Any) -> dict[str, str]:
    """``--db [NAME=]URL`` options → {database name: URL}, checked against the scenario."""
    names = [database.name for database in scenario.databases]
    urls: dict[str, str] = {}
    for option in options:
        name, sep, url = option.partition("=")
        if not sep or "://" in name:  # no NAME: the URL itself may hold '=' in its query
            if len(names) != 1:
                raise ValueError(
                    f"--db {_redacted(option)}: say which database (NAME=URL); the scenario "
                    f"declares {', '.join(names) or 'none'}"
                )
            name, url = names[0], option
        if name not in names:
            raise ValueError(
                f"--db: the scenario has no database {name!r} (it declares "
                f"{', '.join(names) or 'none'})"
            )
        urls[name] = url
    return urls


def _redacted(text: str) -> str:
    from sim.database.urls import redact

    return redact(text)


def _run_in_endpoint(args: argparse.Namespace, url: str) -> int:
    from sim.endpoint_control import RemoteRunError, run_remote

    print(
        f"running inside the streamlab endpoint at {url} (its state stays there; "
        "`make down` stops it)",
        file=sys.stderr,
    )
    request = {
        "path": str(Path(args.scenario).resolve()),
        "seed": args.seed,
        "speed": args.speed,
        "export": str(Path(args.export).resolve()) if args.export else None,
        "progress": not args.no_progress and not args.json,
        "databases": args.database_urls,
    }
    try:
        passed, report, result = run_remote(url, request, sys.stdout, sys.stderr)
    except RemoteRunError as error:
        print(f"sim run: {error.kind}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as error:
        print(f"sim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(report)
    return EXIT_PASSED if passed else EXIT_FAILED


def _run_here(args: argparse.Namespace, scenario: Any) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from sim.backends.aws import ConfirmationRequired
    from sim.database import DatabaseError
    from sim.localstack_host import LocalStackError
    from sim.producer_registry import ProducerError
    from sim.report import print_report
    from sim.runner import Simulation
    from sim.services.lambda_ import HandlerImportError

    try:
        backend = _make_backend(args.backend, scenario, args.yes)
    except ValueError as error:
        print(f"sim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with Simulation(
            scenario,
            path=args.scenario,
            seed=args.seed,
            speed=args.speed,
            backend=backend,
            progress=not args.no_progress and not args.json,
            database_urls=args.database_urls,
        ) as simulation:
            result = simulation.run(export=args.export)
    except LocalStackError as error:
        print(f"sim run: LocalStack: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfirmationRequired as error:
        print(f"sim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (HandlerImportError, ProducerError, ConnectionError) as error:
        print(f"sim run: {args.scenario}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ClientError, BotoCoreError) as error:  # the backend refused or cannot be reached
        print(f"sim run: the {args.backend} backend: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as error:  # e.g. a fault the chosen backend cannot inject
        print(f"sim run: {args.scenario}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as error:  # down, login refused, a database not streamlab's
        print(f"sim run: {args.scenario}: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if backend is not None:
            backend.stop()  # a LocalStack started for this run; nothing on other backends
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print_report(result)
    return EXIT_PASSED if result.passed else EXIT_FAILED


# -- other commands -------------------------------------------------------------------------
def _validate(args: argparse.Namespace) -> int:
    from sim.scenario import ScenarioError, load_scenario

    status = EXIT_PASSED
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            print(error, file=sys.stderr)
            status = EXIT_USAGE
        else:
            print(
                f"{path}: valid ({scenario.name}: {len(scenario.resources.streams)} "
                f"stream(s), {len(scenario.functions)} function(s), "
                f"{len(scenario.expect)} expectation(s))"
            )
    return status


def _list(args: argparse.Namespace) -> int:
    from sim.scenario import ScenarioError, load_scenario

    directory = Path(args.directory)
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        print(f"no scenarios in {directory}/", file=sys.stderr)
        return EXIT_USAGE
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            print(f"{path}  (invalid: {error})")
            continue
        description = scenario.description.strip().splitlines()[0] if scenario.description else ""
        print(f"{path}  {scenario.name}: {description}")
    return EXIT_PASSED


def _up(args: argparse.Namespace) -> int:
    from sim import daemon

    try:
        host = args.host or daemon.default_host()
        port = args.port or daemon.default_port()
        if not args.detach:
            daemon.serve(host, port, verbose=args.verbose)
            return EXIT_PASSED
        state = daemon.start_detached(host, port, verbose=args.verbose)
    except daemon.DaemonError as error:
        print(f"sim up: {error}", file=sys.stderr)
        return EXIT_USAGE
    url = state["url"]
    verb = "already running" if state.get("already") else "listening"
    print(f"streamlab endpoint {verb} on {url} (pid {state['pid']}, log {state['log']})")
    print(f"  try:   aws --endpoint-url {url} kinesis list-streams")
    print("  run:   make scenario   (runs inside the endpoint; results stay there)")
    print("  stop:  make down       (or: sim down)")
    return EXIT_PASSED


def _down(args: argparse.Namespace) -> int:
    from sim import daemon

    print(daemon.stop_detached())
    return EXIT_PASSED


# -- teardown -------------------------------------------------------------------------------
def _teardown(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from sim.backends.aws_teardown import teardown_command
    from sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if args.backend == "embedded":
        print(
            "sim teardown: the embedded backend starts from a clean state each run: "
            "nothing to tear down",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.backend == "localstack":
        from sim import localstack_host

        if localstack_host.read_state() is None:
            print(
                "nothing to tear down: no LocalStack runs in the background (`make localstack` "
                "starts one; a run without it uses its own, stopped afterwards)"
            )
            return EXIT_PASSED
    try:
        backend = _make_backend(args.backend, scenario, args.yes)
    except ValueError as error:
        print(f"sim teardown: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not (args.backend == "aws" or args.backend.startswith("aws=")):
        from sim.backends.endpoint_teardown import teardown_endpoint

        try:
            backend.start()
            return teardown_endpoint(
                backend, scenario, yes=args.yes, out=sys.stdout, err=sys.stderr
            )
        except (ConnectionError, ClientError, BotoCoreError) as error:
            print(f"sim teardown: the {args.backend} backend: {error}", file=sys.stderr)
            return EXIT_USAGE
    try:
        return teardown_command(backend, scenario, yes=args.yes, out=sys.stdout, err=sys.stderr)
    except (ClientError, BotoCoreError) as error:
        print(f"sim teardown: the {args.backend} backend: {error}", file=sys.stderr)
        return EXIT_USAGE


# -- produce --------------------------------------------------------------------------------
def _produce(args: argparse.Namespace) -> int:
    """Exit 0 when the measurements were sent (or Ctrl-C stopped it), 2 for bad input or a
    store that cannot be reached. See sim/produce.py."""
    from sim.produce import produce_command

    return produce_command(
        producer=args.producer,
        rate_per_minute=args.rate,
        count=args.count,
        duration=args.duration,
        seed=args.seed,
        db_url=args.db,
        config_file=args.config,
        stream=args.stream,
        endpoint_url=args.endpoint_url,
        params=dict(args.param),
        out=sys.stdout,
        err=sys.stderr,
    )


# -- outbox ---------------------------------------------------------------------------------
def _outbox(args: argparse.Namespace) -> int:
    """Exit 0 with the emails (or a line saying there are none), 2 when SOURCE cannot be read.
    See sim/services/sns/command.py."""
    from sim.services.sns.command import outbox_command

    return outbox_command(
        args.source, to=args.to, as_json=args.json, seed=args.seed, out=sys.stdout, err=sys.stderr
    )


# -- query ----------------------------------------------------------------------------------
def _query(args: argparse.Namespace) -> int:
    """Exit 0 with the result, 1 when the query fails (Athena's error on stderr), 2 for bad input
    (no such file, an invalid scenario or DDL file)."""
    from sim.athena import AthenaError, DdlError, ExportObjects, parse_ddl

    source = Path(args.source)
    tables = []
    for ddl in args.ddl:
        try:
            tables.append(parse_ddl(Path(ddl).read_text(encoding="utf-8")))
        except OSError as error:
            print(f"sim query: {ddl}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        except DdlError as error:
            print(f"sim query: {ddl}: {error}", file=sys.stderr)
            return EXIT_USAGE
    try:
        if source.is_dir():
            if not tables:
                print(
                    f"sim query: {source} is an export directory: declare its tables with "
                    "--ddl FILE (a CREATE EXTERNAL TABLE statement)",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            result = _query_objects(ExportObjects(source), tables, args.sql)
        elif source.is_file():
            result = _query_scenario(args, source, tables)
            if isinstance(result, int):
                return result
        else:
            print(f"sim query: {source}: no such file or directory", file=sys.stderr)
            return EXIT_USAGE
    except AthenaError as error:
        print(f"sim query: {error}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps({"columns": result.columns, "rows": result.rows}, indent=2))
    else:
        print(_table(result.columns, result.rows))
    return EXIT_PASSED


def _query_objects(objects: Any, tables: list[Any], sql: str) -> Any:
    from sim.athena import AthenaError, AthenaSession

    if not tables:
        raise AthenaError(
            "TABLE_NOT_FOUND",
            "no tables: declare them in the scenario's athena.tables or with --ddl FILE",
        )
    with AthenaSession(objects) as session:
        for table in tables:
            session.create_table(table)
        return session.query(sql)


def _query_scenario(args: argparse.Namespace, path: Path, extra: list[Any]) -> Any:
    from sim.athena import S3Objects
    from sim.runner import Simulation
    from sim.scenario import ScenarioError, load_scenario
    from sim.scenario.athena import check_athena_files

    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    problems = check_athena_files(scenario.athena, _NoLines(), str(path))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    tables = [*scenario.athena.definitions(path.parent), *extra]
    with Simulation(scenario, path=path, seed=args.seed, progress=False) as simulation:
        run = simulation.run()
        state = "passed" if run.passed else "did not pass"
        print(f"ran {path} on the embedded backend (its expectations {state})", file=sys.stderr)
        return _query_objects(S3Objects(simulation.client("s3")), tables, args.sql)


class _NoLines:
    def value_line(self, path: Any) -> None:
        return None


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    cells = [[cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
