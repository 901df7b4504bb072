"""Lambda's API on the HTTP endpoint: the aws CLI and awslocal (real subprocesses) and boto3
create functions from zips and invoke them; errors are AWS's (status, code, message)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from backend_support import ACCOUNT, REGION
from botocore.config import Config
from botocore.exceptions import ClientError

from sim.backends.embedded.server import EndpointServer

BIN = Path(sys.executable).parent
AWS, AWSLOCAL = str(BIN / "aws"), str(BIN / "awslocal")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"

HANDLER = """\
import json
import os
import time

import helper


def handler(event, context):
    print("handling", json.dumps(event, sort_keys=True))
    if "fail" in event:
        raise ValueError(f"bad input: {event['fail']}")
    return {
        "echo": event,
        "helper": helper.NAME,
        "greeting": os.environ.get("GREETING"),
        "request_id": context.aws_request_id,
        "now": time.time(),
    }
"""


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def function_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("code") / "function.zip"
    path.write_bytes(
        make_zip({"lambda_function.py": HANDLER, "helper.py": 'NAME = "helper from the zip"\n'})
    )
    return path


@pytest.fixture
def lam(endpoint: EndpointServer) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=endpoint.url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def run(
    endpoint: EndpointServer, env: dict[str, str], *args: str, program: str = AWS
) -> subprocess.CompletedProcess[str]:
    command = [program, *args]
    if program == AWS:
        command[1:1] = ["--endpoint-url", endpoint.url, "--output", "json"]
    else:
        env = {**env, "AWS_ENDPOINT_URL": endpoint.url}
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, cwd=env["HOME"]
    )


def ok(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, f"{done.args}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return json.loads(done.stdout) if done.stdout.strip() else None


def create(
    endpoint: EndpointServer, env: dict[str, str], name: str, function_zip: Path, *extra: str
) -> Any:
    return ok(
        run(
            endpoint,
            env,
            "lambda",
            "create-function",
            "--function-name",
            name,
            "--runtime",
            "python3.11",
            "--role",
            ROLE,
            "--handler",
            "lambda_function.handler",
            "--zip-file",
            f"fileb://{function_zip}",
            *extra,
        )  # fmt: skip
    )


def test_create_function_from_a_zip_and_invoke_it_with_the_aws_cli(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    created = create(
        endpoint, cli_env, "cli-echo", function_zip,
        "--environment", "Variables={GREETING=hello}", "--timeout", "10",
    )  # fmt: skip
    data = function_zip.read_bytes()
    assert created["FunctionName"] == "cli-echo"
    assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:cli-echo"
    assert created["Runtime"] == "python3.11"
    assert created["Handler"] == "lambda_function.handler"
    assert created["Timeout"] == 10 and created["MemorySize"] == 128
    assert created["CodeSize"] == len(data)
    assert created["Environment"] == {"Variables": {"GREETING": "hello"}}
    assert created["State"] == "Pending"  # as AWS answers CreateFunction

    out = tmp_path / "out.json"
    answer = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "invoke",
            "--function-name",
            "cli-echo",
            "--payload",
            '{"hello": "world"}',
            str(out),
        )  # fmt: skip
    )
    assert answer == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    payload = json.loads(out.read_text())
    assert payload["echo"] == {"hello": "world"}
    assert payload["helper"] == "helper from the zip"  # imported from the zip's directory
    assert payload["greeting"] == "hello"
    assert out.read_text().startswith('{"echo": {"hello": "world"}, ')  # the runtime's JSON

    configuration = ok(
        run(endpoint, cli_env, "lambda", "get-function", "--function-name", "cli-echo")
    )["Configuration"]
    assert configuration["State"] == "Active"
    assert configuration["LastUpdateStatus"] == "Successful"
    assert configuration["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_a_function_error_has_the_header_and_aws_error_document(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    create(endpoint, cli_env, "cli-failing", function_zip)
    out = tmp_path / "error.json"
    answer = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "invoke",
            "--function-name",
            "cli-failing",
            "--payload",
            '{"fail": "nope"}',
            str(out),
        )  # fmt: skip
    )
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(out.read_text())
    assert list(error) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert error["errorMessage"] == "bad input: nope"
    assert error["errorType"] == "ValueError"
    assert len(error["requestId"]) == 36
    assert "lambda_function.py" in error["stackTrace"][0]
    assert "raise ValueError" in error["stackTrace"][0]


def test_log_type_tail_returns_the_end_of_the_log(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    create(endpoint, cli_env, "cli-logs", function_zip)
    answer = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "invoke",
            "--function-name",
            "cli-logs",
            "--payload",
            '{"n": 1}',
            "--log-type",
            "Tail",
            str(tmp_path / "out.json"),
        )  # fmt: skip
    )
    request_id = json.loads((tmp_path / "out.json").read_text())["request_id"]
    log = base64.b64decode(answer["LogResult"]).decode()
    assert log.startswith(f"START RequestId: {request_id} Version: $LATEST\n")
    assert 'handling {"n": 1}\n' in log
    assert f"END RequestId: {request_id}\n" in log
    assert f"REPORT RequestId: {request_id}\tDuration: " in log
    assert "Init Duration: " in log  # the first invocation is the cold start


def test_an_unknown_function_is_aws_error_and_exit_status(
    endpoint: EndpointServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = run(
        endpoint, cli_env, "lambda", "invoke", "--function-name", "no-such-function",
        str(tmp_path / "out.json"),
    )  # fmt: skip
    assert done.returncode in (254, 255)
    assert (
        "An error occurred (ResourceNotFoundException) when calling the Invoke operation: "
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:no-such-function"
    ) in done.stderr


def test_list_functions_and_awslocal(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    create(endpoint, cli_env, "cli-listed", function_zip)
    listed = ok(run(endpoint, cli_env, "lambda", "list-functions"))
    names = [f["FunctionName"] for f in listed["Functions"]]
    assert "cli-listed" in names
    assert names == sorted(names)
    # awslocal (AWS_ENDPOINT_URL) reaches the same functions
    out = tmp_path / "local.json"
    done = run(
        endpoint, cli_env, "lambda", "invoke", "--function-name", "cli-listed",
        "--payload", '{"via": "awslocal"}', str(out), program=AWSLOCAL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["echo"] == {"via": "awslocal"}


def test_update_code_and_configuration_then_delete(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    create(endpoint, cli_env, "cli-updated", function_zip)
    second = tmp_path / "second.zip"
    second.write_bytes(
        make_zip(
            {
                "lambda_function.py": "import helper\n\ndef handler(event, context):\n"
                "    return {'version': 2, 'helper': helper.NAME}\n",
                "helper.py": 'NAME = "second helper"\n',
            }
        )
    )
    updated = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "update-function-code",
            "--function-name",
            "cli-updated",
            "--zip-file",
            f"fileb://{second}",
        )  # fmt: skip
    )
    assert updated["CodeSize"] == second.stat().st_size
    out = tmp_path / "out.json"
    ok(run(endpoint, cli_env, "lambda", "invoke", "--function-name", "cli-updated", str(out)))
    assert json.loads(out.read_text()) == {"version": 2, "helper": "second helper"}

    configured = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "update-function-configuration",
            "--function-name",
            "cli-updated",
            "--handler",
            "lambda_function.handler",
            "--memory-size",
            "256",
            "--timeout",
            "5",
            "--environment",
            "Variables={STAGE=test}",
        )  # fmt: skip
    )
    assert configured["MemorySize"] == 256 and configured["Timeout"] == 5
    assert configured["Environment"] == {"Variables": {"STAGE": "test"}}

    ok(run(endpoint, cli_env, "lambda", "delete-function", "--function-name", "cli-updated"))
    done = run(endpoint, cli_env, "lambda", "get-function", "--function-name", "cli-updated")
    assert done.returncode in (254, 255)
    assert "ResourceNotFoundException" in done.stderr


def test_event_and_dry_run_invocations(
    endpoint: EndpointServer, lam: Any, function_zip: Path
) -> None:
    lam.create_function(
        FunctionName="boto-async", Runtime="python3.12", Role=ROLE,
        Handler="lambda_function.handler", Code={"ZipFile": function_zip.read_bytes()},
    )  # fmt: skip
    dry = lam.invoke(FunctionName="boto-async", InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    queued = lam.invoke(FunctionName="boto-async", InvocationType="Event", Payload=b'{"e": 1}')
    assert queued["StatusCode"] == 202
    assert queued["Payload"].read() == b""
    runtime = endpoint.backend.lambda_runtime()
    assert runtime.wait_async(10)
    [record] = [r for r in runtime.invocations if r.function_name == "boto-async"]
    assert record.request_id == queued["ResponseMetadata"]["RequestId"]
    assert record.payload["echo"] == {"e": 1}
    assert record.source == "api:Event"


def test_error_codes_over_http_with_boto3(lam: Any, function_zip: Path) -> None:
    lam.create_function(
        FunctionName="boto-errors", Runtime="python3.11", Role=ROLE,
        Handler="lambda_function.handler", Code={"ZipFile": function_zip.read_bytes()},
    )  # fmt: skip

    def error(call: Any, **kwargs: Any) -> tuple[int, str, str]:
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        response = caught.value.response
        return (
            response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Code"],
            response["Error"]["Message"],
        )

    assert error(lam.invoke, FunctionName="missing") == (
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing",
    )
    assert error(lam.get_function, FunctionName="boto-errors", Qualifier="7") == (
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:boto-errors:7",
    )
    status, code, message = error(lam.invoke, FunctionName="boto-errors", Payload=b"{not json")
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json: ")
    too_large = b"[" + b"0," * 3_200_000 + b"0]"  # 6.4 MB: above the synchronous limit
    assert error(lam.invoke, FunctionName="boto-errors", Payload=too_large) == (
        413,
        "RequestTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    )
    above_async = b'"' + b"x" * 1_048_576 + b'"'  # fine synchronously, too large for Event
    assert error(
        lam.invoke, FunctionName="boto-errors", InvocationType="Event", Payload=above_async
    ) == (
        413,
        "RequestTooLargeException",
        "Request must be smaller than 1048576 bytes for the InvokeFunction operation",
    )
    assert error(
        lam.create_function, FunctionName="boto-errors", Runtime="python3.11", Role=ROLE,
        Handler="lambda_function.handler", Code={"ZipFile": function_zip.read_bytes()},
    ) == (409, "ResourceConflictException", "Function already exist: boto-errors")  # fmt: skip
    status, code, message = error(
        lam.create_function, FunctionName="boto-bad-zip", Runtime="python3.11", Role=ROLE,
        Handler="lambda_function.handler", Code={"ZipFile": b"not a zip"},
    )  # fmt: skip
    assert (status, code) == (400, "InvalidParameterValueException")
    assert (
        message
        == "Could not unzip uploaded file. Please check your file, then try to upload again."
    )
    status, code, message = error(
        lam.create_function, FunctionName="boto-node", Runtime="nodejs20.x", Role=ROLE,
        Handler="index.handler", Code={"ZipFile": function_zip.read_bytes()},
    )  # fmt: skip
    assert (status, code) == (400, "InvalidParameterValueException")
    assert "nodejs20.x" in message
    status, code, message = error(
        lam.create_function, FunctionName="boto-role", Runtime="python3.11", Role="not-a-role",
        Handler="lambda_function.handler", Code={"ZipFile": function_zip.read_bytes()},
    )  # fmt: skip
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("1 validation error detected: Value 'not-a-role' at 'role'")
    status, code, message = error(
        lam.update_function_configuration, FunctionName="boto-errors", Timeout=901
    )
    assert (status, code) == (400, "ValidationException")
    assert "Member must have value less than or equal to 900" in message
    assert error(lam.update_function_configuration, FunctionName="boto-errors", RevisionId="stale")[
        :2
    ] == (412, "PreconditionFailedException")
    status, code, message = error(lam.publish_version, FunctionName="boto-errors")
    assert (status, code) == (501, "NotImplemented")
    assert "PublishVersion" in message


def test_error_answers_carry_aws_headers(endpoint: EndpointServer) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    connection.request("GET", "/2015-03-31/functions/absent")  # unsigned: routed by path
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 404
    assert response.getheader("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert len(response.getheader("x-amzn-RequestId")) == 36
    assert body == {
        "Type": "User",
        "Message": f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:absent",
    }


def test_functions_reach_the_same_state_and_an_import_error_is_the_first_invocation(
    endpoint: EndpointServer, lam: Any
) -> None:
    handler = (
        "import boto3\n\n"
        "def handler(event, context):\n"
        "    boto3.client('dynamodb').put_item(TableName='LambdaApiTable',"
        " Item={'id': {'S': event['id']}})\n"
        "    return 'stored'\n"
    )
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=endpoint.url, region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    dynamodb.create_table(
        TableName="LambdaApiTable",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    lam.create_function(
        FunctionName="boto-writer", Runtime="python3.11", Role=ROLE, Handler="writer.handler",
        Code={"ZipFile": make_zip({"writer.py": handler})},
    )  # fmt: skip
    answer = lam.invoke(FunctionName="boto-writer", Payload=b'{"id": "from-lambda"}')
    assert json.loads(answer["Payload"].read()) == "stored"
    items = dynamodb.scan(TableName="LambdaApiTable")["Items"]
    assert items == [{"id": {"S": "from-lambda"}}]

    # As on AWS, code that cannot be imported is found out at the first invocation.
    lam.create_function(
        FunctionName="boto-broken", Runtime="python3.11", Role=ROLE, Handler="absent.handler",
        Code={"ZipFile": make_zip({"writer.py": handler})},
    )  # fmt: skip
    broken = lam.invoke(FunctionName="boto-broken")
    assert broken["FunctionError"] == "Unhandled"
    error = json.loads(broken["Payload"].read())
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"].startswith("Unable to import module 'absent'")


def test_cli_event_invocations_meet_the_event_invoke_config_and_its_destination(
    endpoint: EndpointServer, cli_env: dict[str, str], function_zip: Path, tmp_path: Path
) -> None:
    """Over HTTP with the aws CLI: no retries and an on-failure SQS destination; a failing
    Event invocation sends AWS's invocation record to the queue, a good one sends nothing."""
    create(endpoint, cli_env, "cli-async", function_zip)
    queue_url = ok(run(endpoint, cli_env, "sqs", "create-queue", "--queue-name", "cli-failed"))[
        "QueueUrl"
    ]
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:cli-failed"
    config = ok(
        run(
            endpoint,
            cli_env,
            "lambda",
            "put-function-event-invoke-config",
            "--function-name",
            "cli-async",
            "--maximum-retry-attempts",
            "0",
            "--destination-config",
            json.dumps({"OnFailure": {"Destination": queue_arn}}),
        )  # fmt: skip
    )
    assert config["MaximumRetryAttempts"] == 0
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn

    out = tmp_path / "out.json"
    for payload in ('{"fail": "on purpose"}', '{"fine": 1}'):
        answer = ok(
            run(
                endpoint,
                cli_env,
                "lambda",
                "invoke",
                "--function-name",
                "cli-async",
                "--invocation-type",
                "Event",
                "--payload",
                payload,
                str(out),
            )  # fmt: skip
        )
        assert answer["StatusCode"] == 202
    assert endpoint.backend.lambda_runtime().wait_async(10)

    received = ok(
        run(
            endpoint,
            cli_env,
            "sqs",
            "receive-message",
            "--queue-url",
            queue_url,
            "--max-number-of-messages",
            "10",
        )  # fmt: skip
    )
    [message] = received["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["functionArn"] == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:cli-async:$LATEST"
    )
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"fail": "on purpose"}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "bad input: on purpose"
