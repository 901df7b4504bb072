"""Init succeeds the first time, fails once lambda_shared.FLAGS["break_init"] is set."""

import sys

import lambda_shared

if lambda_shared.FLAGS.get("break_init"):
    raise RuntimeError("init broke")


def handler(event, context):
    if event.get("exit"):
        sys.exit(1)
    return "fine"
