"""Imports a dependency that was not packaged."""

import nonexistent_dependency_xyz  # noqa: F401


def handler(event, context):
    return None
