"""Small user projects for the fault tests: a scenario file beside the handler modules it names.

Each handler module gets a name of its own (``faults_h_…``): modules are cached by name, and a
project's directory is put on ``sys.path`` by the runner, so two tests sharing a module name
would share the first one's code.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

# Records the data of every record it receives (one JSON line each) in $OUT.
RECORDING_HANDLER = """
import base64, json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        for record in event["Records"]:
            data = json.loads(base64.b64decode(record["kinesis"]["data"]))
            data["key"] = record["kinesis"]["partitionKey"]
            out.write(json.dumps(data) + "\\n")
    return {"ok": len(event["Records"])}
"""

# Writes one item per record to $TABLE; a refused write is noted in $ERRORS and raised again
# (the batch is then retried by the trigger).
TABLE_HANDLER = """
import base64, json, os
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    table = boto3.client("dynamodb")
    for record in event["Records"]:
        data = json.loads(base64.b64decode(record["kinesis"]["data"]))
        try:
            table.put_item(
                TableName=os.environ["TABLE"],
                Item={"id": {"S": str(data["n"])}, "at": {"S": data["at"]}},
            )
        except ClientError as error:
            with open(os.environ["ERRORS"], "a") as out:
                out.write(json.dumps(error.response["Error"]) + "\\n")
            raise
    return {"ok": len(event["Records"])}
"""


def project(tmp_path: Path, scenario: str, handlers: dict[str, str] | None = None) -> str:
    """Write ``scenarios/x.yaml`` (``OUTFILE`` and ``ERRFILE`` replaced by files of the
    project) and the handler modules; returns the scenario's path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for module, source in (handlers or {}).items():
        (tmp_path / f"{module}.py").write_text(source)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    path = tmp_path / "scenarios" / "x.yaml"
    text = textwrap.dedent(scenario)
    text = text.replace("OUTFILE", str(tmp_path / "out.jsonl"))
    text = text.replace("ERRFILE", str(tmp_path / "errors.jsonl"))
    path.write_text(text)
    return str(path)


def lines(path: Path) -> list[dict]:
    """The JSON lines of a file a handler wrote (none if it wrote nothing)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def effect(result, index: int = 0) -> dict:
    """The effects counted for ``faults[index]`` of a run."""
    return result.faults[index]["effects"]
