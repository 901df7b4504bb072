"""The context object a handler receives, shaped like the Python runtime's ``LambdaContext``.

Field for field as awslambdaric's ``lambda_context.py``: ``memory_limit_in_mb`` is a **string**
(the runtime reads it from ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``), ``identity`` is always a
``CognitoIdentity`` (its fields ``None`` unless the caller passed one), ``client_context`` is
``None`` unless the caller passed one, and ``get_remaining_time_in_millis()`` never goes below 0.

Simulated time stands still while a handler runs, so the deadline is kept in wall-clock terms
(``time.monotonic``, which time-machine leaves alone).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any

_monotonic = time.monotonic


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: Mapping[str, Any] | None = None):
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client:
    __slots__ = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )

    def __init__(self, client: Mapping[str, Any]):
        for name in self.__slots__:
            setattr(self, name, client.get(name))

    def __repr__(self) -> str:
        fields = ",".join(f"{name}={getattr(self, name)}" for name in self.__slots__)
        return f"{self.__class__.__name__}([{fields}])"


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __init__(self, client_context: Mapping[str, Any]):
        self.custom = client_context.get("custom")
        self.env = client_context.get("env")
        client = client_context.get("client")
        self.client = Client(client) if client is not None else None

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}([custom={self.custom},env={self.env},client={self.client}])"
        )


class LambdaContext:
    """What ``handler(event, context)`` gets as ``context``."""

    __slots__ = (
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "function_name",
        "memory_limit_in_mb",
        "function_version",
        "invoked_function_arn",
        "tenant_id",
        "client_context",
        "identity",
        "_deadline",
    )

    def __init__(
        self,
        *,
        aws_request_id: str,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: str,
        log_group_name: str,
        log_stream_name: str,
        deadline: float,
        client_context: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
    ):
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.function_name = function_name
        self.memory_limit_in_mb = memory_limit_in_mb
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(identity)
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        remaining = int((self._deadline - _monotonic()) * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg: object) -> None:
        """As the runtime's ``context.log``: the text goes to the function's log, no newline added."""
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )
