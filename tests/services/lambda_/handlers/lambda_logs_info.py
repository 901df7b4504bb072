"""Sets the root logger to INFO at init, as many deployed functions do."""

import logging

logging.getLogger().setLevel(logging.INFO)


def handler(event, context):
    logging.info("info visible")
    logging.debug("debug hidden")
    return None
