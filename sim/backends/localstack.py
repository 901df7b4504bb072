"""LocalStack as a backend: the one ``make localstack`` started, or one started for the run.

LocalStack (host mode, :mod:`sim.localstack_host`) holds the streams, tables, buckets, queues and
topics; streamlab runs the producers, the Lambda handlers and their event source mappings
against it through boto3 (LocalStack cannot run Lambda code without Docker). See
docs/backends.md for what runs where and what the clock means there.
"""

from __future__ import annotations

from sim.backends.endpoint import EndpointBackend


class LocalStackBackend(EndpointBackend):
    """``sim run --backend localstack``: the background LocalStack if one runs (``make
    localstack``), else a host-mode LocalStack started on a free port for this run and stopped
    after it."""

    name = "localstack"

    def __init__(self, *, region: str, account_id: str):
        from sim import localstack_host
        from sim.daemon import free_port

        state = localstack_host.read_state()
        self._host = None
        if state is None:
            self._host = localstack_host.LocalStackHost(port=free_port())
            url = self._host.url
        else:
            url = state["url"]
        super().__init__(url, region=region, account_id=account_id)

    def start(self) -> None:
        if self._host is not None and not self._host.running():
            self._host.start()
        super().start()

    def stop(self) -> None:
        """Stops LocalStack if this run started it (a background one keeps running)."""
        if self._host is not None:
            self._host.stop()

    def describe(self) -> str:
        how = "started for this run" if self._host is not None else "running in the background"
        return f"LocalStack {self.url} ({how}, region {self.region})"
