"""Any LocalStack-compatible endpoint (LocalStack, ministack, ``sim up`` on another machine).

The endpoint keeps its own state and its own wall clock: streamlab provisions resources and runs
producers and handlers against it through boto3. Its timestamps are its own.
"""

from __future__ import annotations

from sim.backends.base import Backend
from sim.backends.factory import TEST_CREDENTIALS, ClientFactory


class EndpointBackend(Backend):
    name = "endpoint"
    simulated_time = False
    keeps_state = True  # resources outlive a run: see sim.backends.endpoint_teardown

    def __init__(self, url: str, *, region: str, account_id: str):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint URL must start with http:// or https://, got {url!r}")
        super().__init__(
            region=region,
            account_id=account_id,
            factory=ClientFactory(
                region=region, endpoint_url=url.rstrip("/"), credentials=dict(TEST_CREDENTIALS)
            ),
        )
        self.url = url.rstrip("/")

    def start(self) -> None:
        """Check that something answers at the URL before provisioning anything."""
        import urllib.error
        import urllib.request

        try:
            urllib.request.urlopen(self.url + "/_localstack/health", timeout=5).close()
        except urllib.error.HTTPError:
            pass  # it answers, even if not LocalStack's health route
        except OSError as exc:
            raise ConnectionError(f"no endpoint answers at {self.url}: {exc}") from exc

    def stop(self) -> None:
        """Nothing to stop: the service outlives the run (resources stay, as the user chose)."""

    def describe(self) -> str:
        return f"endpoint {self.url} (region {self.region})"
