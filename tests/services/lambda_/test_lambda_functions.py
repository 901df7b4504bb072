"""Control plane, context object, environment variables, request ids, event copies."""

from __future__ import annotations

import os
import re

import pytest

from sim.errors import ResourceNotFoundException, ValidationException
from sim.ids import derive_rng
from sim.services.lambda_ import (
    FunctionConfig,
    InvalidParameterValueException,
    InvalidRequestContentException,
    LambdaRuntime,
    RequestTooLargeException,
    ResourceConflictException,
)


def test_create_get_list_delete(runtime):
    created = runtime.create_function(FunctionConfig(name="b", handler="lambda_noop:handler"))
    runtime.create_function(FunctionConfig(name="a", handler="lambda_noop:handler"))
    assert created.region == "us-east-1"
    assert created.account_id == "123456789012"
    assert created.arn == "arn:aws:lambda:us-east-1:123456789012:function:b"
    assert created.timeout == 3 and created.memory == 128
    assert runtime.get_function("b") == created
    assert runtime.get_function(created.arn) == created
    assert [f.name for f in runtime.list_functions()] == ["a", "b"]
    runtime.delete_function("b")
    assert [f.name for f in runtime.list_functions()] == ["a"]
    with pytest.raises(ResourceNotFoundException) as err:
        runtime.get_function("b")
    assert err.value.message == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:b"
    )
    with pytest.raises(ResourceNotFoundException):
        runtime.invoke("b", {})


def test_create_rejects_what_aws_rejects(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_noop:handler"))
    with pytest.raises(ResourceConflictException, match="Function already exist: f"):
        runtime.create_function(FunctionConfig(name="f", handler="lambda_noop:handler"))
    with pytest.raises(ValidationException) as err:
        runtime.create_function(
            FunctionConfig(name="g", handler="lambda_noop:handler", timeout=901)
        )
    assert err.value.message == (
        "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900"
    )
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        runtime.create_function(FunctionConfig(name="g", handler="lambda_noop:handler", timeout=0))
    with pytest.raises(ValidationException, match="memorySize"):
        runtime.create_function(FunctionConfig(name="g", handler="lambda_noop:handler", memory=64))
    with pytest.raises(ValidationException, match="functionName"):
        runtime.create_function(FunctionConfig(name="bad name", handler="lambda_noop:handler"))
    with pytest.raises(InvalidParameterValueException) as err:
        runtime.create_function(
            FunctionConfig(
                name="g",
                handler="lambda_noop:handler",
                env={"AWS_REGION": "x", "AWS_ACCESS_KEY_ID": "y", "OK": "z"},
            )
        )
    assert err.value.message.endswith(
        "Reserved keys used in this request: AWS_ACCESS_KEY_ID,AWS_REGION"
    )
    assert [f.name for f in runtime.list_functions()] == ["f"]


def test_context_fields_and_remaining_time(runtime):
    runtime.create_function(
        FunctionConfig(
            name="ctx",
            handler="lambda_context_probe:handler",
            memory=256,
            region="eu-west-1",
            account_id="111122223333",
        )
    )
    result = runtime.invoke("ctx", {"sleep": 0.05})
    assert result.outcome == "success" and result.function_error is None
    out = result.payload
    assert out["aws_request_id"] == result.request_id
    assert out["function_name"] == "ctx"
    assert out["function_version"] == "$LATEST"
    assert out["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:111122223333:function:ctx"
    assert out["memory_limit_in_mb"] == "256"  # a string, as the Python runtime gives it
    assert out["log_group_name"] == "/aws/lambda/ctx"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", out["log_stream_name"])
    assert out["cognito_identity_id"] is None and out["cognito_identity_pool_id"] is None
    assert out["client_app_title"] is None and out["client_custom"] is None
    first, second = out["remaining"]
    assert 2500 < first <= 3000
    assert second <= first - 40  # wall time passes while the handler sleeps


def test_client_context_and_identity(runtime):
    runtime.create_function(FunctionConfig(name="ctx", handler="lambda_context_probe:handler"))
    out = runtime.invoke(
        "ctx",
        {},
        client_context={"client": {"app_title": "rides"}, "custom": {"k": "v"}, "env": {}},
        identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
    ).payload
    assert out["client_app_title"] == "rides"
    assert out["client_custom"] == {"k": "v"}
    assert out["cognito_identity_id"] == "id-1"
    assert out["cognito_identity_pool_id"] == "pool-1"


def test_log_stream_date_comes_from_simulated_time():
    rt = LambdaRuntime(now=lambda: 1_700_000_000.0)  # 2023-11-14T22:13:20Z
    try:
        rt.create_function(FunctionConfig(name="ctx", handler="lambda_context_probe:handler"))
        result = rt.invoke("ctx", {})
        assert result.payload["log_stream_name"].startswith("2023/11/14/[$LATEST]")
        assert result.record.started_at == 1_700_000_000.0
    finally:
        rt.close()


def test_environment_variables_in_init_and_invoke_then_restored(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_PROFILE", "developer")
    monkeypatch.delenv("TABLE_NAME", raising=False)
    before = dict(os.environ)
    rt = LambdaRuntime(
        region="us-west-2",
        credentials={
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token",
        },
    )
    try:
        rt.create_function(
            FunctionConfig(
                name="envf",
                handler="lambda_context_probe:handler",
                memory=512,
                env={"TABLE_NAME": "weather"},
            )
        )
        assert dict(os.environ) == before  # restored after init
        out = rt.invoke("envf", {}).payload
        assert dict(os.environ) == before  # and after the invocation
    finally:
        rt.close()
    expected = {
        "AWS_LAMBDA_FUNCTION_NAME": "envf",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/envf",
        "AWS_LAMBDA_LOG_STREAM_NAME": out["log_stream_name"],
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": "us-west-2",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": "lambda_context_probe.handler",
        "TZ": ":UTC",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
        "AWS_PROFILE": None,  # a sandbox has no profiles
        "TABLE_NAME": "weather",
    }
    assert out["init_env"] == expected
    assert out["env"] == expected
    assert out["c_env_function_name"] == "envf"  # the C environment too (subprocesses, libc)


def test_request_ids_are_deterministic_for_a_seed():
    def run(seed: int) -> list[str]:
        rt = LambdaRuntime(rng=derive_rng(seed, "lambda"))
        try:
            rt.create_function(FunctionConfig(name="f", handler="lambda_noop:handler"))
            return [rt.invoke("f", {"i": i}).request_id for i in range(3)]
        finally:
            rt.close()

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert len(set(first)) == 3
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", r)
        for r in first
    )
    assert first != other


def test_event_is_a_json_copy(runtime):
    runtime.create_function(FunctionConfig(name="echo", handler="lambda_errors:return_echo"))
    event = {"t": (1, 2), 3: "x", "nested": {"k": [1.5, None, True]}}
    result = runtime.invoke("echo", event)
    assert result.payload == {
        "t": [1, 2],
        "3": "x",
        "nested": {"k": [1.5, None, True]},
        "mutated": True,
    }
    assert event == {"t": (1, 2), 3: "x", "nested": {"k": [1.5, None, True]}}


def test_event_as_request_body_bytes(runtime):
    runtime.create_function(FunctionConfig(name="echo", handler="lambda_errors:return_echo"))
    assert runtime.invoke("echo", b'{"a": 1}').payload == {"a": 1, "mutated": True}
    with pytest.raises(InvalidRequestContentException, match="Could not parse request body"):
        runtime.invoke("echo", b"{not json")


def test_request_size_limit(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_noop:handler"))
    with pytest.raises(RequestTooLargeException) as err:
        runtime.invoke("f", {"blob": "x" * 6_291_456})
    assert err.value.status == 413
    assert err.value.message == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )
    assert runtime.invocations == []


def test_invocation_log_records_source_and_can_be_cleared(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_counter:handler"))
    runtime.invoke("f", {}, source="kinesis:input-stream")
    runtime.invoke("f", {})
    assert [r.source for r in runtime.invocations] == ["kinesis:input-stream", None]
    assert [r.cold_start for r in runtime.invocations] == [True, False]
    assert [r.payload["count"] for r in runtime.invocations] == [1, 2]
    runtime.clear_invocations()
    assert runtime.invocations == []


def test_package_and_aws_handler_forms(runtime):
    runtime.create_function(FunctionConfig(name="colon", handler="lambdapkg.app:handler"))
    runtime.create_function(FunctionConfig(name="dotted", handler="lambdapkg.app.handler"))
    runtime.create_function(FunctionConfig(name="slash", handler="lambdapkg/app.handler"))
    for name in ("colon", "dotted", "slash"):
        assert runtime.invoke(name, {}).payload == {"module": "lambdapkg.app"}


def test_credentials_from_a_backend_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "developer")
    backend_env = {
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ACCESS_KEY_ID": "AKIDBACKEND",
        "AWS_SECRET_ACCESS_KEY": "s",
    }
    with LambdaRuntime(region="eu-west-1", credentials=backend_env) as rt:
        rt.create_function(FunctionConfig(name="f", handler="lambda_context_probe:handler"))
        env = rt.invoke("f", {}).payload["env"]
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDBACKEND"
    assert env["AWS_SESSION_TOKEN"] is None  # no token configured: none leaks in
    assert env["AWS_PROFILE"] is None
    assert rt.extra_env == {"AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}

    # Without explicit credentials the function resolves them as the process does.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDPROCESS")
    with LambdaRuntime(credentials={"AWS_REGION": "eu-west-1"}) as rt:
        rt.create_function(FunctionConfig(name="f", handler="lambda_context_probe:handler"))
        env = rt.invoke("f", {}).payload["env"]
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDPROCESS"
    assert env["AWS_PROFILE"] == "developer"


def test_runtime_names_the_execution_environment(runtime):
    runtime.create_function(
        FunctionConfig(name="f", handler="lambda_context_probe:handler", runtime="python3.12")
    )
    env = runtime.invoke("f", {}).payload["env"]
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    with pytest.raises(InvalidParameterValueException, match="nodejs20.x"):
        runtime.create_function(
            FunctionConfig(name="g", handler="lambda_noop:handler", runtime="nodejs20.x")
        )
