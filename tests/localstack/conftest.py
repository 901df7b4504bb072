"""One real LocalStack (host mode, ``sim.localstack_host``) for the tests in this directory.

The ``localstack`` fixture starts it once per session on a free port, with every service
streamlab uses loaded, and stops it (with the engines it started) after the last test; the
teardown fails if any of its processes outlive that. The instance is shared: tests delete what
they create (or use names of their own) and do not assume it is empty.
It needs ``.localstack-venv`` and the prepared engines: ``make test`` installs both
(``make localstack-install``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.daemon import free_port, process_alive
from sim.localstack_host import LocalStackHost


@pytest.fixture(scope="session")
def localstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackHost]:
    log = tmp_path_factory.mktemp("localstack") / "localstack.log"
    host = LocalStackHost(port=free_port(), log=log)
    host.start()
    try:
        yield host
    finally:
        processes = host.processes()
        host.stop()
    assert [pid for pid in processes if process_alive(pid)] == [], (
        "LocalStack left processes behind"
    )
