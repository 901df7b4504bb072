"""Reports the context object and the environment variables, at init and at invoke."""

import ctypes
import os
import time

KEYS = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "_HANDLER",
    "TZ",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "TABLE_NAME",
)
INIT_ENV = {key: os.environ.get(key) for key in KEYS}
_libc = ctypes.CDLL(None)
_libc.getenv.restype = ctypes.c_char_p


def handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(event.get("sleep", 0))
    second = context.get_remaining_time_in_millis()
    client = context.client_context.client if context.client_context else None
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "cognito_identity_id": context.identity.cognito_identity_id,
        "cognito_identity_pool_id": context.identity.cognito_identity_pool_id,
        "client_app_title": client.app_title if client else None,
        "client_custom": context.client_context.custom if context.client_context else None,
        "remaining": [first, second],
        "init_env": INIT_ENV,
        "env": {key: os.environ.get(key) for key in KEYS},
        "c_env_function_name": (_libc.getenv(b"AWS_LAMBDA_FUNCTION_NAME") or b"").decode(),
        "event": event,
    }
