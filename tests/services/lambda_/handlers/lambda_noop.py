"""A handler that does nothing (benchmarks, smoke tests)."""


def handler(event, context):
    return None
