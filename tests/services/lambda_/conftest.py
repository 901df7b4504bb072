"""Fixtures for the Lambda runtime tests.

Handler modules live in ``handlers/`` as real files. The test tree has no ``__init__.py`` files,
so ``tests.services.lambda_.handlers.x`` would import only when the repository root happens to be
on ``sys.path`` (``python -m pytest`` from the root, not the ``pytest`` script). Instead this
conftest puts ``handlers/`` on ``sys.path`` and the handlers use top-level module names, all
prefixed ``lambda_`` (plus the ``lambdapkg`` package) so they cannot shadow anything; ``task_a/``
and ``task_b/`` are *not* on the path: they are deployment roots passed as ``code_dir``.
"""

from __future__ import annotations

import os
import sys

import pytest

HANDLERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handlers")
if HANDLERS not in sys.path:
    sys.path.insert(0, HANDLERS)

import lambda_shared  # noqa: E402

from sim.ids import derive_rng  # noqa: E402
from sim.services.lambda_ import LambdaRuntime  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_shared():
    lambda_shared.reset()
    yield
    lambda_shared.reset()


@pytest.fixture
def runtime():
    rt = LambdaRuntime(rng=derive_rng(1, "lambda"))
    yield rt
    rt.close()


@pytest.fixture
def handlers_dir() -> str:
    return HANDLERS
