"""The Lambda REST API over a runtime (``LambdaApi.handle``), without a backend: zips become
``code_dir`` functions, updates cold-start, Event invocations run in the background, errors are
AWS's."""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import zipfile
from typing import Any

import pytest

from sim.services.lambda_ import LambdaApi, LambdaRuntime

ROLE = "arn:aws:iam::123456789012:role/r"
ARN = "arn:aws:lambda:us-east-1:123456789012:function"


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


ECHO = make_zip(
    {
        "lambda_function.py": "import helpers\n\ncalls = 0\n\n"
        "def handler(event, context):\n    global calls\n    calls += 1\n"
        "    return {'event': event, 'calls': calls, 'helpers': helpers.NAME,"
        " 'custom': context.client_context.custom if context.client_context else None}\n",
        "helpers.py": "NAME = 'echo helpers'\n",
    }
)


class Client:
    """Calls ``LambdaApi.handle`` as the router and the server do; JSON in and out."""

    def __init__(self, runtime: LambdaRuntime):
        self.api = LambdaApi(runtime)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        if isinstance(body, bytes):
            data = body
        else:
            data = b"" if body is None else json.dumps(body).encode()
        status, answer_headers, payload = self.api.handle(method, path, headers or {}, data)
        try:
            document = json.loads(payload) if payload else None
        except ValueError:
            document = payload
        return status, answer_headers, document

    def create(self, name: str, code: bytes = ECHO, **extra: Any) -> Any:
        request = {
            "FunctionName": name,
            "Runtime": "python3.11",
            "Role": ROLE,
            "Handler": "lambda_function.handler",
            "Code": {"ZipFile": base64.b64encode(code).decode()},
            **extra,
        }
        status, _, document = self.call("POST", "/2015-03-31/functions", request)
        assert status == 201, document
        return document

    def invoke(self, name: str, event: Any = None, **headers: str) -> tuple[int, dict, Any]:
        return self.call(
            "POST",
            f"/2015-03-31/functions/{name}/invocations",
            json.dumps(event).encode() if event is not None else b"",
            headers,
        )


@pytest.fixture
def api(runtime: LambdaRuntime) -> Client:
    return Client(runtime)


def test_a_zip_becomes_a_function_imported_from_its_own_directory(api, runtime):
    created = api.create("echo", Environment={"Variables": {"STAGE": "dev"}}, Tags={"team": "a"})
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    config = runtime.get_function("echo")
    assert config.code_dir is not None and config.code_dir.startswith(runtime.code_root)
    assert sorted(os.listdir(config.code_dir)) == ["helpers.py", "lambda_function.py"]
    status, headers, payload = api.invoke("echo", {"a": 1})
    assert status == 200
    assert payload == {"event": {"a": 1}, "calls": 1, "helpers": "echo helpers", "custom": None}
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert headers["x-amzn-RequestId"] == runtime.invocations[-1].request_id
    assert "helpers" not in sys.modules and "lambda_function" not in sys.modules
    status, _, got = api.call("GET", "/2015-03-31/functions/echo")
    assert got["Tags"] == {"team": "a"}
    assert got["Configuration"]["Environment"] == {"Variables": {"STAGE": "dev"}}
    assert got["Configuration"]["State"] == "Active"


def test_no_payload_is_an_empty_object_and_client_context_reaches_the_context(api):
    api.create("echo")
    _, _, payload = api.invoke("echo")
    assert payload["event"] == {}
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    _, _, payload = api.invoke("echo", {}, **{"X-Amz-Client-Context": context})
    assert payload["custom"] == {"k": "v"}
    status, headers, error = api.invoke("echo", {}, **{"X-Amz-Client-Context": "%%%"})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestContentException")
    assert error == {
        "Type": "User",
        "message": "Client context must be a valid Base64-encoded JSON object.",
    }


def test_functions_are_found_by_arn_partial_arn_and_latest_qualifier(api):
    api.create("echo")
    for reference in (
        f"{ARN}:echo",
        f"{ARN}:echo:$LATEST",
        "123456789012:function:echo",
        "echo:$LATEST",
    ):
        status, _, payload = api.invoke(reference.replace("$", "%24"), {"r": 1})
        assert status == 200, (reference, payload)
    status, _, error = api.invoke("echo:prod", {})
    assert (status, error["Message"]) == (404, f"Function not found: {ARN}:echo:prod")
    status, _, error = api.invoke("arn:aws:lambda:eu-west-1:123456789012:function:echo", {})
    assert status == 404
    assert error["Message"].startswith("Function not found: arn:aws:lambda:eu-west-1:")
    status, headers, error = api.invoke("bad name!", {})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "ValidationException")
    assert "Type" not in error
    assert error["message"].startswith("1 validation error detected: Value 'bad name!' at ")


def test_update_code_cold_starts_the_new_code_and_deletes_the_old(api, runtime):
    api.create("echo")
    api.invoke("echo", {})
    old_dir = runtime.get_function("echo").code_dir
    second = make_zip({"lambda_function.py": "def handler(e, c):\n    return 'v2'\n"})
    status, _, updated = api.call(
        "PUT",
        "/2015-03-31/functions/echo/code",
        {"ZipFile": base64.b64encode(second).decode()},
    )
    assert status == 200 and updated["LastUpdateStatus"] == "InProgress"
    assert updated["CodeSize"] == len(second)
    assert not os.path.exists(old_dir)
    _, _, payload = api.invoke("echo", {})
    assert payload == "v2"
    assert runtime.invocations[-1].cold_start


def test_update_configuration_and_revision_ids(api, runtime):
    api.create("echo")
    _, _, before = api.call("GET", "/2015-03-31/functions/echo/configuration")
    status, _, error = api.call(
        "PUT", "/2015-03-31/functions/echo/configuration", {"Timeout": 9, "RevisionId": "old"}
    )
    assert (status, error["message"][:35]) == (412, "The Revision Id provided does not m")
    status, _, updated = api.call(
        "PUT",
        "/2015-03-31/functions/echo/configuration",
        {
            "Timeout": 9,
            "MemorySize": 512,
            "Environment": {"Variables": {"A1": "x"}},
            "Description": "updated",
            "RevisionId": before["RevisionId"],
        },
    )
    assert status == 200
    assert (updated["Timeout"], updated["MemorySize"], updated["Description"]) == (
        9,
        512,
        "updated",
    )
    assert updated["RevisionId"] != before["RevisionId"]
    assert runtime.get_function("echo").env == {"A1": "x"}
    status, _, error = api.call(
        "PUT",
        "/2015-03-31/functions/echo/configuration",
        {"Environment": {"Variables": {"AWS_REGION": "x"}}},
    )
    assert status == 400 and "Reserved keys used in this request: AWS_REGION" in error["message"]


def test_event_invocations_run_in_the_background_once(api, runtime):
    api.create("echo")
    status, headers, payload = api.invoke("echo", {"n": 1}, **{"X-Amz-Invocation-Type": "Event"})
    assert (status, payload) == (202, None)
    assert runtime.wait_async(10)
    record = runtime.invocations[-1]
    assert record.request_id == headers["x-amzn-RequestId"]
    assert record.payload["event"] == {"n": 1}
    assert record.source == "api:Event"
    status, _, _ = api.invoke("echo", {}, **{"X-Amz-Invocation-Type": "DryRun"})
    assert status == 204
    assert len(runtime.invocations) == 1
    status, _, error = api.invoke("echo", {}, **{"X-Amz-Invocation-Type": "Later"})
    assert status == 400
    assert (
        "Member must satisfy enum value set: [Event, RequestResponse, DryRun]" in (error["message"])
    )


def test_a_zip_package_shadows_an_imported_package_of_the_same_name(api):
    import lambdapkg  # the test handlers' own package, imported in this process

    code = make_zip(
        {
            "lambdapkg/__init__.py": "",
            "lambdapkg/app.py": "def handler(event, context):\n    return {'from': 'zip'}\n",
        }
    )
    api.create("shadow", code=code, Handler="lambdapkg/app.handler")
    _, _, payload = api.invoke("shadow", {})
    assert payload == {"from": "zip"}
    assert sys.modules["lambdapkg"] is lambdapkg  # the process's package is back


def test_list_functions_pages_and_delete_removes_the_code(api, runtime):
    for name in ("c", "a", "b"):
        api.create(name)
    status, _, page = api.call("GET", "/2015-03-31/functions/?MaxItems=2")
    assert [f["FunctionName"] for f in page["Functions"]] == ["a", "b"]
    _, _, rest = api.call("GET", f"/2015-03-31/functions/?Marker={page['NextMarker']}")
    assert [f["FunctionName"] for f in rest["Functions"]] == ["c"]
    assert "NextMarker" not in rest
    code_dir = runtime.get_function("a").code_dir
    status, _, _ = api.call("DELETE", "/2015-03-31/functions/a")
    assert status == 204 and not os.path.exists(code_dir)
    root = runtime.code_root
    runtime.close()
    assert not os.path.exists(root)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (b"PK\x03\x04 not really", "Could not unzip uploaded file."),
        (make_zip({"../escape.py": "x = 1\n"}), "Could not unzip uploaded file."),
    ],
)
def test_bad_zips_are_refused(api, runtime, code, message):
    status, headers, error = api.call(
        "POST",
        "/2015-03-31/functions",
        {
            "FunctionName": "bad",
            "Runtime": "python3.11",
            "Role": ROLE,
            "Handler": "x.handler",
            "Code": {"ZipFile": base64.b64encode(code).decode()},
        },
    )
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert error["message"].startswith(message)
    assert not runtime.has_function("bad")


def test_create_function_validation(api):
    status, _, error = api.call("POST", "/2015-03-31/functions", {"FunctionName": "x"})
    assert status == 400
    assert error["message"] == (
        "2 validation errors detected: Value null at 'role' failed to satisfy constraint: Member "
        "must not be null; Value null at 'code' failed to satisfy constraint: Member must not be "
        "null"
    )
    status, _, error = api.call(
        "POST",
        "/2015-03-31/functions",
        {"FunctionName": "x", "Role": ROLE, "Code": {"ZipFile": ""}, "Runtime": "python3.11"},
    )
    assert error["message"] == (
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages."
    )
    status, _, error = api.call("POST", "/2015-03-31/functions", b"{not json")
    assert (status, error["message"][:39]) == (400, "Could not parse request body into json:")


def test_other_operations_are_named_as_not_implemented(api):
    status, headers, error = api.call("POST", "/2015-03-31/functions/echo/versions")
    assert (status, headers["x-amzn-ErrorType"]) == (501, "NotImplemented")
    assert "PublishVersion" in error["message"]
    status, headers, _ = api.call("GET", "/2015-03-31/nothing-here")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")
