"""A handler as deployed in a zip: imports its helper as a top-level module."""

import os

import helpers


def lambda_handler(event, context):
    return {"helpers": helpers.NAME, "task_root": os.environ["LAMBDA_TASK_ROOT"]}
