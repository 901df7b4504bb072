"""Function configuration, its validation, and the limits AWS enforces (named, with sources)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.errors import ValidationException
from sim.services.lambda_.exceptions import InvalidParameterValueException

# CreateFunction Timeout: default 3 s, 1..900 s. (aws-semantics.md §3)
DEFAULT_TIMEOUT_S = 3
MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 900
# MemorySize: 128..10,240 MB, default 128. (aws-semantics.md §3)
DEFAULT_MEMORY_MB = 128
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10_240
# Invoke: 6 MB for synchronous requests (aws-semantics.md §3, API_Invoke), as the error text says.
SYNC_REQUEST_LIMIT_BYTES = 6_291_456
# Invoke with InvocationType=Event: 1 MB (it was 256 KB before; aws-semantics.md §3, API_Invoke).
ASYNC_REQUEST_LIMIT_BYTES = 1_048_576
# A synchronous response above this fails with Function.ResponseSizeTooLarge.
SYNC_RESPONSE_LIMIT_BYTES = 6_291_556
# On-demand Init phase limit (Lambda execution environment lifecycle docs).
INIT_TIMEOUT_S = 10.0

RUNTIME = "python3.11"
TASK_ROOT = "/var/task"
RUNTIME_DIR = "/var/runtime"
LATEST = "$LATEST"

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"

_FUNCTION_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_PYTHON_RUNTIME = re.compile(r"python3\.\d+")
_ENV_KEY = re.compile(r"[a-zA-Z]([a-zA-Z0-9_])+")

# Keys AWS sets itself and refuses in a function's configuration (configuration-envvars docs).
RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


@dataclass(frozen=True)
class FunctionConfig:
    """One function, as CreateFunction describes it.

    ``handler`` is ``"package.module:function"`` (an import path, a colon, an attribute) or AWS's
    ``"module.function"`` form (split at the last dot; ``/`` in the module part means ``.``, as on
    AWS). ``code_dir``, if given, plays the part of the deployment package root (``/var/task``): it
    is put first on ``sys.path`` while the function initialises and runs, ``LAMBDA_TASK_ROOT``
    points at it, and modules imported from it are private to each execution environment.
    ``region`` and ``account_id`` default to the runtime's. ``runtime`` (``python3.x``) sets
    ``AWS_EXECUTION_ENV`` and the response encoder's ``ensure_ascii`` (off from python3.12, as in
    awslambdaric); the code itself runs on the simulator's interpreter.
    """

    name: str
    handler: str
    runtime: str = RUNTIME
    timeout: int = DEFAULT_TIMEOUT_S
    memory: int = DEFAULT_MEMORY_MB
    env: Mapping[str, str] = field(default_factory=dict)
    role_arn: str | None = None
    region: str | None = None
    account_id: str | None = None
    code_dir: str | None = None
    description: str = ""
    # PutFunctionConcurrency: None = unreserved (the account's pool); 0 throttles every request.
    reserved_concurrency: int | None = None
    # DeadLetterConfig.TargetArn: an SQS queue or SNS topic for failed asynchronous events.
    dead_letter_target: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    @property
    def module_name(self) -> str:
        return split_handler(self.handler)[0]

    @property
    def function_attr(self) -> str:
        return split_handler(self.handler)[1]

    @property
    def aws_handler(self) -> str:
        """The handler in AWS's ``module.function`` spelling (what ``_HANDLER`` holds)."""
        module, attr = split_handler(self.handler)
        return f"{module}.{attr}"


def split_handler(handler: str) -> tuple[str, str]:
    """``"a.b:fn"`` → ``("a.b", "fn")``; ``"a.b.fn"`` → ``("a.b", "fn")`` (AWS's rsplit).

    Raises ``ValueError`` with Python's unpacking message when there is nothing to split, which
    is the text AWS puts after ``Bad handler '<handler>': ``.
    """
    if ":" in handler:
        module, attr = handler.rsplit(":", 1)
    else:
        module, attr = handler.rsplit(".", 1)
    return module, attr


def _validation(value: object, member: str, constraint: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def validate(config: FunctionConfig) -> None:
    """Raise the error CreateFunction would for this configuration."""
    if not isinstance(config.name, str) or not _FUNCTION_NAME.fullmatch(config.name):
        raise _validation(
            config.name,
            "functionName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ "
            "and have length between 1 and 64",
        )
    if not isinstance(config.handler, str) or not config.handler or len(config.handler) > 128:
        raise _validation(
            config.handler, "handler", "Member must have length less than or equal to 128"
        )
    if re.search(r"\s", config.handler):
        raise _validation(
            config.handler, "handler", r"Member must satisfy regular expression pattern: [^\s]+"
        )
    if not isinstance(config.runtime, str) or not _PYTHON_RUNTIME.fullmatch(config.runtime):
        raise InvalidParameterValueException(
            f"The runtime parameter of {config.runtime} is not supported: the simulator runs "
            "Python handlers (python3.x) only"
        )
    timeout = config.timeout
    if not isinstance(timeout, int) or isinstance(timeout, bool):
        raise _validation(timeout, "timeout", "Member must be an integer")
    if timeout < MIN_TIMEOUT_S:
        raise _validation(
            timeout, "timeout", f"Member must have value greater than or equal to {MIN_TIMEOUT_S}"
        )
    if timeout > MAX_TIMEOUT_S:
        raise _validation(
            timeout, "timeout", f"Member must have value less than or equal to {MAX_TIMEOUT_S}"
        )
    memory = config.memory
    if not isinstance(memory, int) or isinstance(memory, bool):
        raise _validation(memory, "memorySize", "Member must be an integer")
    if memory < MIN_MEMORY_MB:
        raise _validation(
            memory, "memorySize", f"Member must have value greater than or equal to {MIN_MEMORY_MB}"
        )
    if memory > MAX_MEMORY_MB:
        raise _validation(
            memory, "memorySize", f"Member must have value less than or equal to {MAX_MEMORY_MB}"
        )
    for key, value in config.env.items():
        if not isinstance(key, str) or not _ENV_KEY.fullmatch(key):
            raise _validation(
                key,
                "environment.variables",
                "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
            )
        if not isinstance(value, str):
            raise InvalidParameterValueException(
                f"Environment variable values must be strings: {key}={value!r}"
            )
    reserved = sorted(RESERVED_ENV_KEYS.intersection(config.env))
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {','.join(reserved)}"
        )
