"""A local HTTP server standing in for AWS in tests: it counts requests and answers canned JSON."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StandIn:
    """A local HTTP server that counts requests and answers every one with a canned JSON body.

    Kinesis ``ListStreams`` gets ``{"StreamNames": ["from-stand-in"]}``, DynamoDB
    ``ListTables`` ``{"TableNames": ["from-stand-in"]}``; anything else a 400 AccessDenied.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []  # (method, path, X-Amz-Target)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                target = self.headers.get("X-Amz-Target") or ""
                stand_in.requests.append((self.command, self.path, target))
                if target.endswith(".ListStreams"):
                    status, body = 200, {"StreamNames": ["from-stand-in"], "HasMoreStreams": False}
                elif target.endswith(".ListTables"):
                    status, body = 200, {"TableNames": ["from-stand-in"]}
                else:
                    status = 400
                    body = {"__type": "AccessDeniedException", "message": "stand-in for AWS"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
