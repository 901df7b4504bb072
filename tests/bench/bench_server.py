"""HTTP servers for the ingest benchmark, each in its own process (started and killed by it).

    python tests/bench/bench_server.py streamlab --port P
        streamlab's EndpointServer over an EmbeddedBackend whose clock moves one simulated
        second per request (see ingest_worker.py), on 127.0.0.1:P.
    python tests/bench/bench_server.py trivial --port P
        The reference "trivial store behind Python's HTTP server": ThreadingHTTPServer with
        keep-alive (HTTP/1.1, TCP_NODELAY, one write per response, as streamlab's endpoint),
        PutRecords decoded with json, records appended to a list, answer built with json.

Both answer GET /_localstack/health with 200 once they listen.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve_streamlab(port: int) -> None:
    from ingest_worker import StepClock

    from sim.backends.embedded import EmbeddedBackend
    from sim.backends.embedded.server import EndpointServer

    backend = EmbeddedBackend(now=StepClock())
    backend.start()
    server = EndpointServer(backend, port=port)
    print(f"listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    finally:
        backend.stop()


class _Trivial(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    records: list[tuple[str, bytes]] = []
    shards = 4

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, payload: bytes) -> None:
        head = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"x-amzn-RequestId: trivial\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode("latin-1")
        self.wfile.write(head + payload)

    def do_GET(self) -> None:
        self._answer(200, b'{"services": {"kinesis": "running"}}')

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target") or ""
        request = json.loads(body or b"{}")
        operation = target.rsplit(".", 1)[-1]
        if operation == "PutRecords":
            store = self.records
            results = []
            for entry in request["Records"]:
                store.append((entry["PartitionKey"], base64.b64decode(entry["Data"])))
                number = len(store)
                results.append(
                    {
                        "SequenceNumber": f"4964{number:052d}",
                        "ShardId": f"shardId-{number % self.shards:012d}",
                    }
                )
            answer = {"FailedRecordCount": 0, "Records": results}
        elif operation == "CreateStream":
            answer = {}
        elif operation == "DescribeStreamSummary":
            answer = {"StreamDescriptionSummary": {"StreamStatus": "ACTIVE"}}
        else:
            self._answer(400, json.dumps({"__type": "InvalidAction"}).encode())
            return
        self._answer(200, json.dumps(answer).encode())


def serve_trivial(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Trivial)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("streamlab", "trivial"))
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.kind == "streamlab":
        serve_streamlab(args.port)
    else:
        serve_trivial(args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
