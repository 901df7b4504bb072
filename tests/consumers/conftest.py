"""The handler tests' shared fixture: ``module_cloud`` (tests/module_cloud.py)."""

from tests.module_cloud import module_cloud  # noqa: F401 (a fixture)
