"""Lambda's REST-JSON API (``/2015-03-31/functions...``), served from a :class:`LambdaRuntime`.

What ``aws lambda ...``, ``awslocal lambda ...`` and boto3's ``lambda`` client reach on the
embedded backend, in-process (:mod:`sim.backends.embedded.router`) and over HTTP
(:mod:`sim.backends.embedded.server`). Requests and answers follow botocore's service model
(``botocore/data/lambda/2015-03-31/service-2.json``)::

    api = LambdaApi(lambda: runtime)          # or a runtime; fetch_s3=..., event_source_mappings=...
    status, headers, body = api.handle("POST", "/2015-03-31/functions/f/invocations", headers, body)

Operations:

* **Invoke** (``POST /2015-03-31/functions/{name}/invocations``): ``RequestResponse`` answers 200
  with the handler's payload, ``X-Amz-Executed-Version: $LATEST``, ``X-Amz-Function-Error:
  Unhandled`` and AWS's error document (``errorMessage``, ``errorType``, ``requestId``,
  ``stackTrace``) when the function failed or timed out, and ``X-Amz-Log-Result`` (the last 4 KB
  of the invocation's log, base64) with ``X-Amz-Log-Type: Tail``; ``x-amzn-RequestId`` is the
  invocation's request id. ``DryRun`` answers 204. ``Event`` answers 202 and queues the event (:meth:`LambdaRuntime.invoke_async`,
  :mod:`.asynchronous`): retries, maximum event age, destinations and the dead-letter queue as
  Lambda's event queue handles them. A throttled invocation (reserved concurrency 0, a throttle
  fault) answers 429 ``TooManyRequestsException`` ``Rate Exceeded.`` with its ``Reason``. An empty payload is ``{}``. Request ids are the runtime's (deterministic for a
  seed).
* **CreateFunction** from a zip (``Code.ZipFile``, or ``Code.S3Bucket``/``S3Key`` read from the
  backend's S3 when ``fetch_s3`` is given), python3.x runtimes only: the zip is unpacked into its
  own directory under the runtime's ``code_root`` and becomes the function's ``code_dir``, its
  import root (:mod:`.deployment`). As on AWS, the code is first loaded at the first invocation
  (an import error is that invocation's ``Runtime.ImportModuleError``).
* **GetFunction**, **GetFunctionConfiguration**, **ListFunctions** (``MaxItems``/``Marker``),
  **DeleteFunction** (204), **UpdateFunctionCode** (zip or S3; ``DryRun``, ``RevisionId``),
  **UpdateFunctionConfiguration** (``Handler``, ``Environment``, ``Timeout``, ``MemorySize``,
  ``Runtime``, ``Role``, ``Description``; ``RevisionId``). An update discards the function's
  execution environment: the next invocation is a cold start with the new code/configuration.
* **Put/Update/Get/DeleteFunctionEventInvokeConfig** (``MaximumRetryAttempts``,
  ``MaximumEventAgeInSeconds``, ``DestinationConfig``, checked as AWS checks them),
  **Put/Get/DeleteFunctionConcurrency** (reserved concurrency; 0 throttles every invocation),
  and ``DeadLetterConfig`` on CreateFunction / UpdateFunctionConfiguration.
* **ListEventSourceMappings** / **GetEventSourceMapping** for the mappings given by
  ``event_source_mappings`` (the scenario's Kinesis mappings; read-only).
* The deprecated **InvokeAsync** (``POST /2014-11-13/functions/{name}/invoke-async``): 202.

Functions are addressed by name, full ARN or partial ARN (``123456789012:function:f``), with an
optional ``:$LATEST`` qualifier; versions and aliases do not exist, so any other qualifier is
``ResourceNotFoundException``. Every other Lambda operation answers HTTP 501 ``NotImplemented``,
naming the operation.

Errors are AWS's: status, ``x-amzn-ErrorType`` header and a JSON body ``{"Type": "User",
"Message"|"message": ...}`` with the member spelling of the error's shape in the model, and AWS's
texts (``Function not found: arn:aws:lambda:REGION:ACCOUNT:function:NAME``, ``Function already
exist: NAME``, ``Request must be smaller than 6291456 bytes for the InvokeFunction operation``,
``Could not parse request body into json: ...``, ``Could not unzip uploaded file. ...``).

Where the simulator differs: functions are ``Active`` at once (the CreateFunction answer says
``Pending``, as AWS's does, and UpdateFunctionCode/Configuration answers say ``InProgress``; every
later read says ``Active``/``Successful``, and nothing has to wait); the execution role is checked
for its ARN's shape only; ``Publish``, layers, VPC, tags beyond storing them, and code signing are
accepted and ignored; ``GetFunction``'s ``Code`` has no download ``Location``; one runtime serves
every region (its functions' ARNs carry the runtime's region).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, unquote

from sim.errors import AwsError, ResourceNotFoundException, ValidationException
from sim.services.lambda_ import deployment, event_invoke_config, wire
from sim.services.lambda_.config import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    LATEST,
    FunctionConfig,
    validate,
)
from sim.services.lambda_.exceptions import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    PreconditionFailedException,
    ResourceConflictException,
    ServiceException,
)
from sim.services.lambda_.runtime import LambdaRuntime

FUNCTIONS_PREFIX = "/2015-03-31/functions"
EVENT_INVOKE_CONFIG_PREFIX = "/2019-09-25/functions"
CONCURRENCY_PREFIXES = ("/2017-10-31/functions", "/2019-09-30/functions")
EVENT_SOURCE_MAPPINGS_PREFIX = "/2015-03-31/event-source-mappings"
INVOKE_ASYNC_PREFIX = "/2014-11-13/functions"
# Path prefixes of Lambda's API that tell a Lambda request from others when it is not signed.
PATH_PREFIXES = (
    FUNCTIONS_PREFIX,
    EVENT_SOURCE_MAPPINGS_PREFIX,
    INVOKE_ASYNC_PREFIX,
    EVENT_INVOKE_CONFIG_PREFIX,
    *CONCURRENCY_PREFIXES,
)

# X-Amz-Log-Result: "The last 4 KB of the execution log" (API_Invoke).
LOG_RESULT_BYTES = 4096
# ListFunctions MaxItems: 1..10,000; AWS returns 50 per page when it is not given.
LIST_DEFAULT_ITEMS = 50
LIST_MAX_ITEMS = 10_000
# Environment variables of one function: 4 KB in total (configuration-envvars docs).
ENVIRONMENT_LIMIT_BYTES = 4096
DESCRIPTION_MAX_CHARS = 256

# Shapes' patterns in botocore's model (the text of a validation error names them).
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
_ROLE = re.compile(ROLE_PATTERN)
_FUNCTION_REF = re.compile(
    r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[a-zA-Z0-9-_]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?"
)

_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")
_EMPTY_SHA256 = deployment.code_sha256(b"")

# Error shapes whose message member is "Message" (the others spell it "message"), and the HTTP
# status of each error the API raises (botocore's model).
_CAPITAL_MESSAGE = frozenset({"ResourceNotFoundException", "ServiceException"})
_STATUS = {
    "ResourceNotFoundException": 404,
    "ResourceConflictException": 409,
    "RequestTooLargeException": 413,
    "RequestEntityTooLargeException": 413,
    "PreconditionFailedException": 412,
    "ServiceException": 500,
    "NotImplemented": 501,
}

Response = tuple[int, dict[str, str], bytes]


class LambdaApi:
    """Answers Lambda API requests from a runtime.

    ``runtime`` is a :class:`LambdaRuntime` or a callable returning the one to use now (the
    embedded backend swaps runtimes between runs). ``fetch_s3(bucket, key, version)`` returns an
    object's bytes (for ``Code.S3Bucket``); ``event_source_mappings()`` returns the mappings to
    list (:class:`sim.services.esm.kinesis.KinesisEventSourceMapping`: ``uuid``, ``stream_arn``,
    ``function_name``, ``describe()``).
    """

    def __init__(
        self,
        runtime: LambdaRuntime | Callable[[], LambdaRuntime],
        *,
        fetch_s3: Callable[[str, str, str | None], bytes] | None = None,
        event_source_mappings: Callable[[], Iterable[Any]] | None = None,
    ):
        self._runtime = runtime if callable(runtime) else (lambda: runtime)
        self._fetch_s3 = fetch_s3
        self._mappings = event_source_mappings or (lambda: ())

    # ------------------------------------------------------------------ dispatch

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        """One request: ``path`` as sent (percent-encoded, with its query string)."""
        raw_path, _, query_string = path.partition("?")
        query = {k: v[-1] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
        segments = [unquote(s) for s in raw_path.rstrip("/").split("/")[1:]]
        try:
            return self._route(method.upper(), segments, query, _Headers(headers), body)
        except AwsError as error:
            return error_response(error)
        except Exception as exc:  # a bug of ours: answer as Lambda's ServiceException does
            return error_response(ServiceException(f"streamlab: {type(exc).__name__}: {exc}"))

    def _route(
        self,
        method: str,
        segments: list[str],
        query: dict[str, str],
        headers: _Headers,
        body: bytes,
    ) -> Response:
        n = len(segments)
        if n >= 2 and segments[0] == "2015-03-31" and segments[1] == "functions":
            if n == 2:
                if method == "GET":
                    return self.list_functions(query)
                if method == "POST":
                    return self.create_function(body)
            elif n == 3:
                if method == "GET":
                    return self.get_function(segments[2], query)
                if method == "DELETE":
                    return self.delete_function(segments[2], query)
            elif n == 4:
                action = segments[3]
                if action == "invocations" and method == "POST":
                    return self.invoke(segments[2], query, headers, body)
                if action == "configuration" and method == "GET":
                    return self.get_function_configuration(segments[2], query)
                if action == "configuration" and method == "PUT":
                    return self.update_function_configuration(segments[2], body)
                if action == "code" and method == "PUT":
                    return self.update_function_code(segments[2], body)
        elif n == 4 and segments[1] == "functions" and segments[3] == "event-invoke-config":
            if segments[0] == "2019-09-25":
                return self.event_invoke_config(method, segments[2], query, body)
        elif n == 4 and segments[1] == "functions" and segments[3] == "concurrency":
            if segments[0] == "2017-10-31" and method in ("PUT", "DELETE"):
                return self.function_concurrency(method, segments[2], body)
            if segments[0] == "2019-09-30" and method == "GET":
                return self.function_concurrency(method, segments[2], body)
        elif n >= 2 and segments[0] == "2015-03-31" and segments[1] == "event-source-mappings":
            if n == 2 and method == "GET":
                return self.list_event_source_mappings(query)
            if n == 3 and method == "GET":
                return self.get_event_source_mapping(segments[2])
        elif (
            n == 4
            and segments[:2] == ["2014-11-13", "functions"]
            and segments[3] == "invoke-async"
            and method == "POST"
        ):
            return self.invoke_async(segments[2], body)
        operation = _operation_name(method, "/" + "/".join(segments))
        if operation is None:
            raise AwsError(
                f"streamlab's Lambda has no operation {method} /{'/'.join(segments)}",
                code="UnknownOperationException",
                status=404,
            )
        raise AwsError(
            f"streamlab's Lambda API does not implement {operation} (it serves Invoke, "
            "CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, "
            "DeleteFunction, UpdateFunctionCode, UpdateFunctionConfiguration, "
            "Put/Update/Get/DeleteFunctionEventInvokeConfig, Put/Get/DeleteFunctionConcurrency, "
            "ListEventSourceMappings, GetEventSourceMapping)",
            code="NotImplemented",
            status=501,
        )

    # ------------------------------------------------------------------ functions

    def _resolve(self, reference: str, qualifier: str | None = None) -> tuple[LambdaRuntime, str]:
        """(runtime, function name) for a name / ARN / partial ARN, or AWS's errors."""
        runtime = self._runtime()
        match = _FUNCTION_REF.fullmatch(reference)
        if match is None or len(reference) > 170:
            raise ValidationException(
                f"1 validation error detected: Value '{reference}' at 'functionName' failed to "
                f"satisfy constraint: Member must satisfy regular expression pattern: "
                f"{FUNCTION_NAME_PATTERN}"
            )
        name = match["name"]
        derived = match["qualifier"]
        if qualifier is not None and derived is not None and qualifier != derived:
            raise InvalidParameterValueException(
                "The derived qualifier from the function name does not match the specified "
                "qualifier."
            )
        qualifier = qualifier if qualifier is not None else derived
        region = match["region"] or runtime.region
        account = match["account"] or runtime.account_id
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        if qualifier is not None:
            arn = f"{arn}:{qualifier}"
        if (
            qualifier not in (None, LATEST)
            or region != runtime.region
            or account != runtime.account_id
            or not runtime.has_function(name)
        ):
            raise ResourceNotFoundException(f"Function not found: {arn}")
        return runtime, name

    def invoke(
        self, reference: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> Response:
        invocation_type = headers.get("x-amz-invocation-type") or "RequestResponse"
        log_type = headers.get("x-amz-log-type") or "None"
        errors = []
        if invocation_type not in _INVOCATION_TYPES:
            errors.append(_enum_error(invocation_type, "invocationType", _INVOCATION_TYPES))
        if log_type not in _LOG_TYPES:
            errors.append(_enum_error(log_type, "logType", _LOG_TYPES))
        if errors:
            raise _validation_errors(errors)
        runtime, name = self._resolve(reference, query.get("Qualifier"))
        client_context = _client_context(headers.get("x-amz-client-context"))
        if not body.strip():
            body = b"{}"  # no payload: the function gets an empty object
        if invocation_type == "DryRun":
            return 204, _headers(), b""
        if invocation_type == "Event":
            request_id = runtime.invoke_async(
                name, body, client_context=client_context, source="api:Event"
            )
            return 202, _headers(request_id), b""
        result = runtime.invoke(
            name, body, client_context=client_context, source="api:RequestResponse"
        )
        response_headers = _headers(result.request_id)
        response_headers["X-Amz-Executed-Version"] = LATEST
        if result.function_error:
            response_headers["X-Amz-Function-Error"] = result.function_error
        if log_type == "Tail":
            tail = result.logs.encode("utf-8")[-LOG_RESULT_BYTES:]
            response_headers["X-Amz-Log-Result"] = base64.b64encode(tail).decode("ascii")
        payload = result.payload
        if isinstance(payload, bytes | bytearray):
            data = bytes(payload)
        else:
            config = runtime.get_function(name)
            data = wire.response_encoder(config.runtime)(payload).encode("utf-8")
        return 200, response_headers, data

    def invoke_async(self, reference: str, body: bytes) -> Response:
        """The deprecated InvokeAsync: an Event invocation answering ``{"Status": 202}``."""
        runtime, name = self._resolve(reference)
        request_id = runtime.invoke_async(name, body or b"{}", source="api:InvokeAsync")
        return _json(202, {"Status": 202}, request_id)

    # ------------------------------------------------------------------ asynchronous settings

    def event_invoke_config(
        self, method: str, reference: str, query: Mapping[str, str], body: bytes
    ) -> Response:
        """Put (PUT), Update (POST), Get (GET), Delete (DELETE) FunctionEventInvokeConfig."""
        runtime = self._runtime()
        qualifier = query.get("Qualifier")
        match = _FUNCTION_REF.fullmatch(reference)
        name = match["name"] if match else reference
        arn = f"arn:aws:lambda:{runtime.region}:{runtime.account_id}:function:{name}:{LATEST}"
        missing = f"The function {arn} doesn't have an EventInvokeConfig"
        if method in ("GET", "DELETE"):
            if not runtime.has_function(name):
                raise ResourceNotFoundException(missing)
            runtime, name = self._resolve(reference, qualifier)
        else:
            if not runtime.has_function(name):
                raise ResourceNotFoundException("The function doesn't exist.")
            runtime, name = self._resolve(reference, qualifier)
        invoker = runtime.async_invoker
        current = invoker.config_for(name)
        if method == "GET":
            if current is None:
                raise ResourceNotFoundException(missing)
            return _json(200, event_invoke_config.document(current, arn))
        if method == "DELETE":
            if current is None:
                raise ResourceNotFoundException(missing)
            invoker.configure(name, None)
            return 204, _headers(), b""
        if method == "POST" and current is None:
            raise ResourceNotFoundException(missing)
        config = event_invoke_config.parse(
            _json_body(body),
            function_name=name,
            function_exists=runtime.has_function,
            previous=current if method == "POST" else None,
            now=time.time(),
        )
        invoker.configure(name, config)
        return _json(200, event_invoke_config.document(config, arn))

    def function_concurrency(self, method: str, reference: str, body: bytes) -> Response:
        """PutFunctionConcurrency (PUT), GetFunctionConcurrency (GET),
        DeleteFunctionConcurrency (DELETE)."""
        runtime, name = self._resolve(reference)
        if method == "GET":
            reserved = runtime.get_function(name).reserved_concurrency
            return _json(
                200, {} if reserved is None else {"ReservedConcurrentExecutions": reserved}
            )
        if method == "DELETE":
            runtime.set_concurrency(name, None)
            return 204, _headers(), b""
        request = _json_body(body)
        reserved = request.get("ReservedConcurrentExecutions")
        if not isinstance(reserved, int) or reserved < event_invoke_config.RESERVED_CONCURRENCY_MIN:
            raise _validation_errors(
                [
                    f"Value '{reserved}' at 'reservedConcurrentExecutions' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 0"
                ]
            )
        runtime.set_concurrency(name, reserved)
        return _json(200, {"ReservedConcurrentExecutions": reserved})

    def get_function(self, reference: str, query: Mapping[str, str]) -> Response:
        runtime, name = self._resolve(reference, query.get("Qualifier"))
        answer: dict[str, Any] = {
            "Configuration": self._configuration(runtime, name),
            "Code": {"RepositoryType": "S3"},
        }
        tags = runtime.function_metadata(name).get("tags")
        if tags:
            answer["Tags"] = dict(tags)
        return _json(200, answer)

    def get_function_configuration(self, reference: str, query: Mapping[str, str]) -> Response:
        runtime, name = self._resolve(reference, query.get("Qualifier"))
        return _json(200, self._configuration(runtime, name))

    def list_functions(self, query: Mapping[str, str]) -> Response:
        runtime = self._runtime()
        max_items = _max_items(query.get("MaxItems"))
        names = [config.name for config in runtime.list_functions()]
        marker = query.get("Marker")
        start = 0
        if marker:
            start = next((i for i, n in enumerate(names) if n >= marker), len(names))
        page = names[start : start + max_items]
        answer: dict[str, Any] = {
            "Functions": [self._configuration(runtime, name) for name in page]
        }
        if start + max_items < len(names):
            answer["NextMarker"] = names[start + max_items]
        return _json(200, answer)

    def create_function(self, body: bytes) -> Response:
        request = _json_body(body)
        missing = [
            member
            for member, key in (
                ("functionName", "FunctionName"),
                ("role", "Role"),
                ("code", "Code"),
            )
            if request.get(key) is None
        ]
        if missing:
            raise _validation_errors(
                [
                    f"Value null at '{member}' failed to satisfy constraint: Member must not be "
                    "null"
                    for member in missing
                ]
            )
        runtime = self._runtime()
        reference = str(request["FunctionName"])
        match = _FUNCTION_REF.fullmatch(reference)
        if match is None or match["qualifier"] is not None:
            raise ValidationException(
                f"1 validation error detected: Value '{reference}' at 'functionName' failed to "
                f"satisfy constraint: Member must satisfy regular expression pattern: "
                f"{FUNCTION_NAME_PATTERN}"
            )
        name = match["name"]
        _check_role(request["Role"])
        if request.get("PackageType", "Zip") != "Zip":
            raise InvalidParameterValueException(
                "streamlab runs Zip packages only (PackageType Image needs a container runtime)"
            )
        if not request.get("Runtime") or not request.get("Handler"):
            raise InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."
            )
        variables = _environment(request.get("Environment"))
        description = _description(request.get("Description"))
        if runtime.has_function(name):
            raise ResourceConflictException(f"Function already exist: {name}")
        data = self._code_bytes(request["Code"])
        config = FunctionConfig(
            name=name,
            handler=str(request["Handler"]),
            runtime=str(request["Runtime"]),
            timeout=request.get("Timeout", DEFAULT_TIMEOUT_S),
            memory=request.get("MemorySize", DEFAULT_MEMORY_MB),
            env=variables or {},
            role_arn=str(request["Role"]),
            description=description or "",
            dead_letter_target=_dead_letter_target(request.get("DeadLetterConfig")),
        )
        validate(config)  # before unpacking: nothing to clean up when it fails
        code_dir = deployment.unpack(data, runtime.code_root, name)
        try:
            runtime.create_function(
                replace(config, code_dir=code_dir),
                init=False,
                metadata={
                    "code_size": len(data),
                    "code_sha256": deployment.code_sha256(data),
                    "revision_id": str(uuid.uuid4()),
                    "tags": dict(request.get("Tags") or {}),
                },
            )
        except BaseException:
            shutil.rmtree(code_dir, ignore_errors=True)
            raise
        return _json(201, self._configuration(runtime, name, phase="created"))

    def delete_function(self, reference: str, query: Mapping[str, str]) -> Response:
        runtime, name = self._resolve(reference, query.get("Qualifier"))
        runtime.delete_function(name)
        return 204, _headers(), b""

    def update_function_code(self, reference: str, body: bytes) -> Response:
        request = _json_body(body)
        runtime, name = self._resolve(reference)
        self._check_revision(runtime, name, request.get("RevisionId"))
        if request.get("ImageUri"):
            raise InvalidParameterValueException(
                "streamlab runs Zip packages only (ImageUri needs a container runtime)"
            )
        data = self._code_bytes(request)
        code_dir = deployment.unpack(data, runtime.code_root, name)
        if request.get("DryRun"):
            shutil.rmtree(code_dir, ignore_errors=True)
            return _json(200, self._configuration(runtime, name))
        try:
            runtime.update_function(
                name,
                code_dir=code_dir,
                metadata={
                    "code_size": len(data),
                    "code_sha256": deployment.code_sha256(data),
                    "revision_id": str(uuid.uuid4()),
                },
            )
        except BaseException:
            shutil.rmtree(code_dir, ignore_errors=True)
            raise
        return _json(200, self._configuration(runtime, name, phase="updated"))

    def update_function_configuration(self, reference: str, body: bytes) -> Response:
        request = _json_body(body)
        runtime, name = self._resolve(reference)
        self._check_revision(runtime, name, request.get("RevisionId"))
        changes: dict[str, Any] = {}
        if request.get("Role") is not None:
            _check_role(request["Role"])
            changes["role_arn"] = str(request["Role"])
        if request.get("Handler") is not None:
            changes["handler"] = str(request["Handler"])
        if request.get("Runtime") is not None:
            changes["runtime"] = str(request["Runtime"])
        if request.get("Timeout") is not None:
            changes["timeout"] = request["Timeout"]
        if request.get("MemorySize") is not None:
            changes["memory"] = request["MemorySize"]
        if request.get("Description") is not None:
            changes["description"] = _description(request["Description"])
        if request.get("Environment") is not None:
            changes["env"] = _environment(request["Environment"]) or {}
        if request.get("DeadLetterConfig") is not None:
            changes["dead_letter_target"] = _dead_letter_target(request["DeadLetterConfig"])
        runtime.update_function(name, metadata={"revision_id": str(uuid.uuid4())}, **changes)
        return _json(200, self._configuration(runtime, name, phase="updated"))

    def _check_revision(self, runtime: LambdaRuntime, name: str, revision: Any) -> None:
        if revision is None:
            return
        if revision != self._revision(runtime, name):
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the "
                "GetFunction/GetAlias API to retrieve the latest Revision Id"
            )

    def _code_bytes(self, code: Any) -> bytes:
        """The zip of a ``FunctionCode`` (or UpdateFunctionCode request): ``ZipFile`` (base64 in
        the JSON body) or ``S3Bucket``/``S3Key``/``S3ObjectVersion``."""
        if not isinstance(code, dict):
            raise InvalidParameterValueException("Code must be an object")
        if code.get("ImageUri"):
            raise InvalidParameterValueException(
                "streamlab runs Zip packages only (ImageUri needs a container runtime)"
            )
        if code.get("ZipFile") is not None:
            try:
                data = base64.b64decode(code["ZipFile"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise InvalidParameterValueException(deployment.UNZIP_ERROR) from None
            if len(data) > deployment.ZIP_REQUEST_LIMIT_BYTES:
                raise AwsError(
                    f"Request must be smaller than {deployment.ZIP_REQUEST_LIMIT_BYTES} bytes "
                    "for the CreateFunction operation",
                    code="RequestEntityTooLargeException",
                    status=413,
                )
            return data
        bucket, key = code.get("S3Bucket"), code.get("S3Key")
        if bucket and key:
            if self._fetch_s3 is None:
                raise InvalidParameterValueException(
                    "streamlab's Lambda here cannot read S3; upload the zip as ZipFile"
                )
            try:
                return self._fetch_s3(bucket, key, code.get("S3ObjectVersion"))
            except Exception as exc:
                error = getattr(exc, "response", {}).get("Error", {})
                raise InvalidParameterValueException(
                    "Error occurred while GetObject. S3 Error Code: "
                    f"{error.get('Code', type(exc).__name__)}. S3 Error Message: "
                    f"{error.get('Message', str(exc))}"
                ) from None
        raise InvalidParameterValueException(
            "Please provide a source for function code: ZipFile, or S3Bucket and S3Key"
        )

    def _revision(self, runtime: LambdaRuntime, name: str) -> str:
        metadata = runtime.function_metadata(name)
        revision = metadata.get("revision_id")
        if revision is None:
            revision = metadata["revision_id"] = str(uuid.uuid4())
        return revision

    def _configuration(
        self, runtime: LambdaRuntime, name: str, phase: str | None = None
    ) -> dict[str, Any]:
        """``FunctionConfiguration`` as AWS returns it. ``phase`` ``"created"`` / ``"updated"``
        gives the state the CreateFunction / Update* answers report."""
        config = runtime.get_function(name)
        metadata = runtime.function_metadata(name)
        try:
            handler = config.aws_handler
        except ValueError:
            handler = config.handler
        answer: dict[str, Any] = {
            "FunctionName": config.name,
            "FunctionArn": config.arn,
            "Runtime": config.runtime,
            "Role": config.role_arn,
            "Handler": handler,
            "CodeSize": metadata.get("code_size", 0),
            "Description": config.description,
            "Timeout": config.timeout,
            "MemorySize": config.memory,
            "LastModified": _timestamp(metadata.get("last_modified", time.time())),
            "CodeSha256": metadata.get("code_sha256", _EMPTY_SHA256),
            "Version": LATEST,
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self._revision(runtime, name),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{config.name}"},
        }
        if config.env:
            answer["Environment"] = {"Variables": dict(config.env)}
        if config.dead_letter_target:
            answer["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
        if phase == "created":
            del answer["LastUpdateStatus"]
            answer.update(
                State="Pending",
                StateReason="The function is being created.",
                StateReasonCode="Creating",
            )
        elif phase == "updated":
            answer.update(
                LastUpdateStatus="InProgress",
                LastUpdateStatusReason="The function is being created.",
                LastUpdateStatusReasonCode="Creating",
            )
        return answer

    # ------------------------------------------------------------------ event source mappings

    def list_event_source_mappings(self, query: Mapping[str, str]) -> Response:
        max_items = _max_items(query.get("MaxItems"), default=100)
        source = query.get("EventSourceArn")
        function = query.get("FunctionName")
        runtime = self._runtime()
        mappings = []
        for mapping in self._mappings():
            if source and mapping.stream_arn != source:
                continue
            if function:
                match = _FUNCTION_REF.fullmatch(function)
                if match is None or match["name"] != mapping.function_name:
                    continue
            mappings.append(mapping)
        mappings.sort(key=lambda m: m.uuid)
        marker = query.get("Marker")
        start = 0
        if marker:
            start = next((i for i, m in enumerate(mappings) if m.uuid >= marker), len(mappings))
        page = mappings[start : start + max_items]
        answer: dict[str, Any] = {"EventSourceMappings": [_mapping(m, runtime) for m in page]}
        if start + max_items < len(mappings):
            answer["NextMarker"] = mappings[start + max_items].uuid
        return _json(200, answer)

    def get_event_source_mapping(self, mapping_uuid: str) -> Response:
        runtime = self._runtime()
        for mapping in self._mappings():
            if mapping.uuid == mapping_uuid:
                return _json(200, _mapping(mapping, runtime))
        raise ResourceNotFoundException(
            "The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
            f"Request ID: {uuid.uuid4()})"
        )


# ---------------------------------------------------------------------- helpers


class _Headers:
    """Case-insensitive read access to request headers (``str`` or ``bytes`` values)."""

    def __init__(self, headers: Mapping[str, Any]):
        self._headers = {str(k).lower(): v for k, v in headers.items()}

    def get(self, name: str) -> str | None:
        value = self._headers.get(name.lower())
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value


def _headers(request_id: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
    }


def _json(status: int, document: Any, request_id: str | None = None) -> Response:
    return status, _headers(request_id), json.dumps(document).encode("utf-8")


def error_response(error: AwsError) -> Response:
    """AWS's error answer: status, ``x-amzn-ErrorType`` and ``{"Type", "Message"|"message"}``."""
    code = error.code
    status = _STATUS.get(code, error.status)
    key = "Message" if code in _CAPITAL_MESSAGE else "message"
    document: dict[str, str] = {} if code == "ValidationException" else {"Type": "User"}
    if status >= 500:
        document = {"Type": "Service"}
    document[key] = error.message
    reason = getattr(error, "reason", None)
    if reason:
        document["Reason"] = reason
    headers = _headers()
    headers["x-amzn-ErrorType"] = code
    return status, headers, json.dumps(document).encode("utf-8")


def _dead_letter_target(value: Any) -> str | None:
    """``DeadLetterConfig``: ``{"TargetArn": ARN}``; an empty ARN removes the queue."""
    target = (value or {}).get("TargetArn") or None
    if target:
        event_invoke_config.check_dead_letter_target(target)
    return target


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        request = json.loads(body or b"{}")
    except ValueError as e:
        raise InvalidRequestContentException(f"Could not parse request body into json: {e}") from e
    if not isinstance(request, dict):
        raise InvalidRequestContentException(
            "Could not parse request body into json: expected a JSON object"
        )
    return request


def _validation_errors(errors: list[str]) -> ValidationException:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


def _enum_error(value: str, member: str, allowed: Iterable[str]) -> str:
    return (
        f"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum "
        f"value set: [{', '.join(allowed)}]"
    )


def _client_context(header: str | None) -> dict[str, Any] | None:
    if not header:
        return None
    try:
        document = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError):
        document = None
    if not isinstance(document, dict):
        raise InvalidRequestContentException(
            "Client context must be a valid Base64-encoded JSON object."
        )
    return document


def _check_role(role: Any) -> None:
    if not isinstance(role, str) or not _ROLE.fullmatch(role):
        raise ValidationException(
            f"1 validation error detected: Value '{role}' at 'role' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {ROLE_PATTERN}"
        )


def _description(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) > DESCRIPTION_MAX_CHARS:
        raise ValidationException(
            f"1 validation error detected: Value '{text}' at 'description' failed to satisfy "
            f"constraint: Member must have length less than or equal to {DESCRIPTION_MAX_CHARS}"
        )
    return text


def _environment(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    variables = value.get("Variables") if isinstance(value, dict) else None
    variables = dict(variables or {})
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode("utf-8")) > ENVIRONMENT_LIMIT_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: " + measured
        )
    return variables


def _max_items(value: str | None, default: int = LIST_DEFAULT_ITEMS) -> int:
    if value is None or value == "":
        return default
    try:
        items = int(value)
    except ValueError:
        items = 0
    if not 1 <= items <= LIST_MAX_ITEMS:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at 'maxItems' failed to satisfy "
            f"constraint: Member must have value between 1 and {LIST_MAX_ITEMS}"
        )
    return items


def _timestamp(epoch: float) -> str:
    """``LastModified``: ``2024-05-01T12:00:00.000+0000``."""
    millis = int(round(epoch * 1000))
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}+0000"


def _mapping(mapping: Any, runtime: LambdaRuntime) -> dict[str, Any]:
    """``EventSourceMappingConfiguration``: the mapping's own ``describe()`` plus its ARN."""
    answer = dict(mapping.describe())
    answer.setdefault(
        "EventSourceMappingArn",
        f"arn:aws:lambda:{runtime.region}:{runtime.account_id}:event-source-mapping:{mapping.uuid}",
    )
    return answer


_OPERATIONS: list[tuple[str, re.Pattern[str], str]] | None = None


def _operation_name(method: str, path: str) -> str | None:
    """The Lambda operation botocore's model puts at ``method path`` (to name an operation
    streamlab does not implement)."""
    global _OPERATIONS
    if _OPERATIONS is None:
        import botocore.session

        model = botocore.session.get_session().get_service_model("lambda")
        operations = []
        for operation in model.operation_names:
            http = model.operation_model(operation).http
            uri = http["requestUri"].split("?", 1)[0].rstrip("/") or "/"
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(uri))
            operations.append((http["method"], re.compile(pattern + "/?"), operation))
        _OPERATIONS = operations
    for verb, pattern, operation in _OPERATIONS:
        if verb == method and pattern.fullmatch(path):
            return operation
    return None
