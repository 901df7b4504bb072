"""Handler errors, marshalling, import errors and injected faults, in the Python runtime's words."""

from __future__ import annotations

import pytest

from sim.errors import ResourceNotFoundException
from sim.services.lambda_ import FunctionConfig, HandlerImportError, HandlerInitError

NBSP = "\u00a0"


def test_exception_payload_and_log(runtime, handlers_dir):
    runtime.create_function(FunctionConfig(name="v", handler="lambda_errors:raise_value_error"))
    result = runtime.invoke("v", {"value": -1})
    rid = result.request_id
    assert result.outcome == "error"
    assert result.function_error == "Unhandled"
    payload = result.payload
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "bad value: -1"
    assert payload["errorType"] == "ValueError"
    assert payload["requestId"] == rid
    path = f"{handlers_dir}/lambda_errors.py"
    # From the handler down; none of the simulator's frames.
    assert payload["stackTrace"] == [
        f'  File "{path}", line 14, in raise_value_error\n    return _validate(event["value"])\n',
        f'  File "{path}", line 9, in _validate\n    raise ValueError(f"bad value: {{value}}")\n',
    ]
    expected_entry = (
        "[ERROR] ValueError: bad value: -1\n"
        "Traceback (most recent call last):\n"
        f'{NBSP * 2}File "{path}", line 14, in raise_value_error\n'
        f'{NBSP * 4}return _validate(event["value"])\n'
        f'{NBSP * 2}File "{path}", line 9, in _validate\n'
        f'{NBSP * 4}raise ValueError(f"bad value: {{value}}")\n'
    )
    assert result.logs.startswith(f"START RequestId: {rid} Version: $LATEST\n")
    assert f"{expected_entry}END RequestId: {rid}\n" in result.logs
    # The record keeps Python's own traceback and the exception itself.
    assert result.error["traceback"].startswith("Traceback (most recent call last):\n")
    assert result.error["traceback"].endswith("ValueError: bad value: -1\n")
    assert isinstance(result.exception, ValueError)
    assert runtime.invocations[-1].error["errorType"] == "ValueError"


def test_chained_exception_traceback_is_kept(runtime):
    runtime.create_function(FunctionConfig(name="c", handler="lambda_errors:raise_chained"))
    result = runtime.invoke("c", {})
    assert result.payload["errorType"] == "RuntimeError"
    assert result.payload["errorMessage"] == "lookup failed"
    assert "KeyError: 'missing'" in result.error["traceback"]
    assert "direct cause of the following exception" in result.error["traceback"]


def test_marshal_error(runtime):
    runtime.create_function(FunctionConfig(name="m", handler="lambda_errors:return_set"))
    result = runtime.invoke("m", {})
    message = "Unable to marshal response: Object of type set is not JSON serializable"
    assert result.outcome == "error"
    assert result.payload == {
        "errorMessage": message,
        "errorType": "Runtime.MarshalError",
        "requestId": result.request_id,
        "stackTrace": [],
    }
    assert f"[ERROR] Runtime.MarshalError: {message}\nTraceback (most recent call last):\nEND" in (
        result.logs
    )


def test_decimal_and_bytes_responses(runtime):
    runtime.create_function(FunctionConfig(name="d", handler="lambda_errors:return_decimal"))
    runtime.create_function(FunctionConfig(name="b", handler="lambda_errors:return_bytes"))
    assert runtime.invoke("d", {}).payload == {"price": 1.1, "qty": 5}
    assert runtime.invoke("b", {}).payload == b"\x00raw"


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "nonexistent_pkg_xyz.mod:handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'nonexistent_pkg_xyz.mod': No module named 'nonexistent_pkg_xyz'",
        ),
        (
            "lambdapkg.nothere:handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'lambdapkg.nothere': No module named 'lambdapkg.nothere'",
        ),
        (
            "lambda_imports_missing:handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'lambda_imports_missing': "
            "No module named 'nonexistent_dependency_xyz'",
        ),
        (
            "lambda_noop:missing",
            "Runtime.HandlerNotFound",
            "Handler 'missing' missing on module 'lambda_noop'",
        ),
        (
            "lambda_noop",
            "Runtime.MalformedHandlerName",
            "Bad handler 'lambda_noop': not enough values to unpack (expected 2, got 1)",
        ),
        (
            "sys.handler",
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module sys as a handler module",
        ),
    ],
)
def test_import_errors_fail_create_function(runtime, handler, error_type, message):
    with pytest.raises(HandlerImportError) as err:
        runtime.create_function(FunctionConfig(name="broken", handler=handler))
    assert str(err.value) == f"{error_type}: {message}"
    assert err.value.error_type == error_type
    assert err.value.payload == {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": "",
        "stackTrace": [],
    }
    assert f"[ERROR] {error_type}: {message}\n" in err.value.logs
    with pytest.raises(ResourceNotFoundException):
        runtime.get_function("broken")


def test_init_code_exception_fails_create_function(runtime, monkeypatch, handlers_dir):
    monkeypatch.delenv("REQUIRED_SETTING", raising=False)
    with pytest.raises(HandlerImportError) as err:
        runtime.create_function(FunctionConfig(name="i", handler="lambda_init_fails:handler"))
    assert HandlerInitError is HandlerImportError
    assert err.value.error_type == "KeyError"
    assert err.value.payload["errorMessage"] == "'REQUIRED_SETTING'"
    # As on AWS, the trace runs through importlib's frames to the module's line (and on into os).
    assert any(
        line.startswith(f'  File "{handlers_dir}/lambda_init_fails.py", line 5, in <module>\n')
        for line in err.value.payload["stackTrace"]
    )
    assert "[ERROR] KeyError: 'REQUIRED_SETTING'\n" in err.value.logs
    assert "LAMBDA_WARNING: Unhandled exception." in err.value.logs
    assert isinstance(err.value.__cause__, KeyError)
    # Set in the function's configuration, the same code initialises fine.
    runtime.create_function(
        FunctionConfig(
            name="i",
            handler="lambda_init_fails:handler",
            env={"REQUIRED_SETTING": "on"},
        )
    )
    assert runtime.invoke("i", {}).payload == "on"


def test_fault_hook(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_counter:handler"))
    seen = []

    def second_call(info):
        seen.append((info.function_name, info.invocation_number, info.event, info.source))
        return info.invocation_number == 2

    handle = runtime.add_fault("f", second_call)
    ok = runtime.invoke("f", {"n": 1}, source="test")
    failed = runtime.invoke("f", {"n": 2}, source="test")
    assert ok.outcome == "success"
    assert seen == [("f", 1, {"n": 1}, "test"), ("f", 2, {"n": 2}, "test")]
    assert failed.outcome == "error"
    assert failed.payload == {
        "errorMessage": "Injected fault: f invocation 2",
        "errorType": "InjectedFault",
        "requestId": failed.request_id,
        "stackTrace": [],
    }
    assert "[ERROR] InjectedFault: Injected fault: f invocation 2\n" in failed.logs
    handle.remove()
    runtime.add_fault("f", lambda info: ConnectionError("table unreachable"))
    custom = runtime.invoke("f", {})
    assert custom.payload["errorType"] == "ConnectionError"
    assert custom.payload["errorMessage"] == "table unreachable"
    runtime.clear_faults("f")
    # The handler never ran for the injected failures.
    assert runtime.invoke("f", {}).payload["count"] == 2


def test_fault_hook_without_arguments_and_with_a_message(runtime):
    runtime.create_function(FunctionConfig(name="f", handler="lambda_counter:handler"))
    window = {"open": True}

    def predicate(window=window):  # a scenario's time-window check needs no invocation info
        return window["open"]

    runtime.add_fault("f", predicate, "DynamoDB is down")
    failed = runtime.invoke("f", {})
    assert failed.payload["errorType"] == "InjectedFault"
    assert failed.payload["errorMessage"] == "DynamoDB is down"
    window["open"] = False
    assert runtime.invoke("f", {}).outcome == "success"
