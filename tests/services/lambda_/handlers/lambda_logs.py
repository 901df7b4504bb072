"""Writes through print, sys.stderr and logging."""

import logging
import sys

import lambda_shared

logger = logging.getLogger(__name__)
print("init says hello")


def handler(event, context):
    print("printed line")
    print("to stderr", file=sys.stderr)
    logger.info("info message")
    logger.warning("warning message %s", 42)
    if event.get("wait_for_other_thread"):
        lambda_shared.EVENTS["handler_started"].set()
        lambda_shared.EVENTS["other_done"].wait(5)
    return "ok"
