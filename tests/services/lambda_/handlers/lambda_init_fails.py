"""Init code that raises (a required setting missing)."""

import os

SETTING = os.environ["REQUIRED_SETTING"]


def handler(event, context):
    return SETTING
