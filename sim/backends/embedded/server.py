"""One HTTP endpoint for the embedded backend (default 127.0.0.1:4566, loopback only).

Kinesis requests (``X-Amz-Target: Kinesis_20131202.*``) go to streamlab's shard store, Firehose
requests (``Firehose_20150804.*``) to streamlab's Firehose, DynamoDB Streams requests
(``DynamoDBStreams_20120810.*``) to streamlab's stream store; Lambda
requests (SigV4 credential scope service ``lambda``, or, unsigned, a path under
``/2015-03-31/functions`` or ``/2015-03-31/event-source-mappings``) go to streamlab's Lambda API
(:mod:`sim.services.lambda_.api`, the backend's ``lambda_api()``: the last run's functions, or
functions created through the API); every other AWS request goes to moto's own WSGI application,
which shares its state with the in-process mock. So the aws CLI, ``awslocal``, another process or
a JVM see what a simulation wrote, and can invoke its functions.

``/_localstack/health`` answers as LocalStack's does, so tools that wait for LocalStack wait for
us. ``/_streamlab/…`` is the control API used by ``sim run`` against a running endpoint
(see :mod:`sim.endpoint_control`).

The server speaks HTTP/1.1 with keep-alive and sends each response in one write with Nagle off:
a keep-alive server that writes headers and body separately waits on the client's delayed ACK
(about 40 ms a call).
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from sim.backends.embedded.intercept import Request
from sim.backends.embedded.router import (
    DYNAMODB_STREAMS_TARGET_PREFIX,
    FIREHOSE_TARGET_PREFIX,
    KINESIS_TARGET_PREFIX,
    is_lambda_request,
    region_of,
)

LOOPBACK = "127.0.0.1"
LOOPBACK_HOSTS = (LOOPBACK, "localhost", "::1")
DEFAULT_PORT = 4566
HEALTH_PATH = "/_localstack/health"
CONTROL_PREFIX = "/_streamlab/"
SERVICES = (
    "kinesis",
    "firehose",
    "lambda",
    "dynamodb",
    "dynamodbstreams",
    "s3",
    "sqs",
    "sns",
    "iam",
    "sts",
    "events",
    "logs",
)

# A control handler gets (method, path, body, send) and answers through send(status, headers,
# body_chunks) where body_chunks may be a generator streaming lines.
ControlHandler = Callable[
    [str, str, bytes, Callable[[int, dict[str, str], Iterable[bytes]], None]], None
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: EndpointServer):
        self.endpoint = endpoint
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _BadRequest(Exception):
    """A request whose body cannot be read (malformed chunked encoding, bad Content-Length)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "streamlab"
    sys_version = ""
    server: _Server
    _responded = False  # whether the current request's status line has been written

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.endpoint.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # -- request ---------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadRequest(f"bad chunk size line {size_line[:40]!r}") from None
                if size < 0:
                    raise _BadRequest(f"bad chunk size {size}")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise _BadRequest("the connection closed inside a chunk")
                chunks.append(chunk)
                self.rfile.readline(1024)
            return b"".join(chunks)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest("bad Content-Length") from None
        if length < 0:
            raise _BadRequest("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        endpoint = self.server.endpoint
        self._responded = False
        try:
            body = self._read_body()
        except _BadRequest as exc:
            # The rest of the connection cannot be framed any more: answer and close it.
            self.close_connection = True
            payload = json.dumps({"__type": "BadRequest", "message": f"streamlab: {exc}"})
            with contextlib.suppress(OSError):  # the client may be gone already
                self._send(400, {"Content-Type": "application/x-amz-json-1.1"}, payload.encode())
            return
        try:
            target = self.headers.get("X-Amz-Target") or ""
            if target.startswith(KINESIS_TARGET_PREFIX):
                service = endpoint.backend.kinesis(region_of(self.headers))
                status, headers, payload = service.handle(
                    target, self.headers.get("Content-Type") or "", body
                )
                self._send(status, headers, payload)
            elif target.startswith(FIREHOSE_TARGET_PREFIX) and hasattr(
                endpoint.backend, "firehose"
            ):
                service = endpoint.backend.firehose(region_of(self.headers))
                status, headers, payload = service.handle(
                    target, self.headers.get("Content-Type") or "", body
                )
                self._send(status, headers, payload)
            elif target.startswith(DYNAMODB_STREAMS_TARGET_PREFIX) and hasattr(
                endpoint.backend, "dynamodb_streams"
            ):
                service = endpoint.backend.dynamodb_streams(region_of(self.headers))
                status, headers, payload = service.handle(
                    target, self.headers.get("Content-Type") or "", body
                )
                self._send(status, headers, payload)
            elif self.path.startswith(HEALTH_PATH):
                self._send(200, {"Content-Type": "application/json"}, endpoint.health_body())
            elif self.path.startswith(CONTROL_PREFIX) and endpoint.control is not None:
                endpoint.control(self.command, self.path, body, self._send_stream)
            elif (
                not target
                and endpoint.lambda_api is not None
                and is_lambda_request(self.headers, self.path)
            ):
                status, headers, payload = endpoint.lambda_api().handle(
                    self.command, self.path, self.headers, body
                )
                self._send(status, headers, payload)
            else:
                answer = None
                backend = endpoint.backend
                if getattr(backend, "intercepting", False):
                    url = f"http://{self.headers.get('Host') or endpoint.host}{self.path}"
                    answer = backend.intercept(Request(self.command, url, self.headers, body))
                if answer is None:
                    answer = endpoint.call_moto(self, body)
                status, headers, payload = answer
                self._send(status, headers, payload)
        except Exception as exc:  # a bug of ours: answer as AWS's InternalFailure does
            if endpoint.verbose:
                traceback.print_exc()
            if self._responded:  # too late for a status line: end the response here
                self.close_connection = True
                return
            payload = json.dumps(
                {"__type": "InternalFailure", "message": f"streamlab: {type(exc).__name__}: {exc}"}
            ).encode()
            self._send(500, {"Content-Type": "application/x-amz-json-1.1"}, payload)

    # -- response --------------------------------------------------------------------------
    def _head(self, status: int, headers: dict[str, str] | list[tuple[str, str]]) -> list[str]:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        lines = [f"HTTP/1.1 {status} {reason}"]
        items = headers.items() if isinstance(headers, dict) else headers
        for name, value in items:
            if name.lower() not in (
                "content-length",
                "connection",
                "transfer-encoding",
                "date",
                "server",
            ):
                lines.append(f"{name}: {value}")
        lines.append("Server: streamlab")
        return lines

    def _send(
        self, status: int, headers: dict[str, str] | list[tuple[str, str]], payload: bytes
    ) -> None:
        lines = self._head(status, headers)
        length = str(len(payload))
        if self.command == "HEAD":
            # A HEAD answer has no body but describes the GET's (S3 HeadObject's size).
            items = headers.items() if isinstance(headers, dict) else headers
            length = next(
                (str(v) for k, v in items if k.lower() == "content-length"), str(len(payload))
            )
            payload = b""
        lines.append(f"Content-Length: {length}")
        if self.close_connection:
            lines.append("Connection: close")
        self._responded = True
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def _send_stream(self, status: int, headers: dict[str, str], chunks: Iterable[bytes]) -> None:
        """Stream a response of unknown length (the control API's progress lines)."""
        lines = self._head(status, headers)
        lines.append("Connection: close")
        self.close_connection = True
        self._responded = True
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            self.wfile.write(chunk)
            self.wfile.flush()


class EndpointServer:
    """Serves an :class:`EmbeddedBackend` over HTTP on a background thread."""

    def __init__(
        self,
        backend: Any,
        *,
        host: str = LOOPBACK,
        port: int = DEFAULT_PORT,
        control: ControlHandler | None = None,
        verbose: bool = False,
    ):
        if host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"the endpoint binds loopback only ({', '.join(LOOPBACK_HOSTS)}), not {host!r}"
            )
        self.backend = backend
        self.control = control
        self.verbose = verbose
        # The backend's Lambda API, if it serves one (the embedded backend does).
        self.lambda_api = getattr(backend, "lambda_api", None)
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> EndpointServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="streamlab-endpoint", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def health_body(self) -> bytes:
        from sim import __version__

        return json.dumps(
            {
                "services": {name: "running" for name in SERVICES},
                "edition": "streamlab",
                "version": __version__,
            }
        ).encode()

    # -- moto over WSGI --------------------------------------------------------------------
    def call_moto(self, handler: _Handler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        path, _, query = handler.path.partition("?")
        host = handler.headers.get("Host") or f"{self.host}:{self.port}"
        if host.startswith("["):  # [::1]:4566
            server_name, _, rest = host[1:].partition("]")
            server_port = rest.lstrip(":")
        else:
            server_name, _, server_port = host.partition(":")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": handler.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "RAW_URI": handler.path,
            "REQUEST_URI": handler.path,
            "QUERY_STRING": query,
            "SERVER_NAME": server_name,
            "SERVER_PORT": server_port or str(self.port),
            "SERVER_PROTOCOL": handler.request_version,
            "REMOTE_ADDR": handler.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in handler.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key == "CONTENT_LENGTH":
                continue
            elif key == "TRANSFER_ENCODING":
                continue  # the body is already de-chunked
            else:
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        environ.setdefault("CONTENT_TYPE", "")
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return lambda data: captured.setdefault("written", []).append(data)

        result = self._moto(environ, start_response)
        try:
            chunks = captured.get("written", []) + [chunk for chunk in result]
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return captured["status"], captured["headers"], b"".join(chunks)
