"""A fake upload endpoint for the tests (not shipped; the real one is metricsd-receiver).

It serves ``POST /v1/metrics`` on 127.0.0.1: it validates the body with the receiver's own
validator (202 valid, 400 invalid, 405 wrong method, 404 elsewhere), stores each batch id once
(a retried batch is acknowledged again but not stored twice) and, with ``--out``,
appends every new batch to a JSON-lines file.

For tests it can be told to fail or hang the next requests, in process
(:meth:`Receiver.fail_next`, :meth:`Receiver.hang_next`) or over HTTP
(``POST /control/fail?n=2&status=503&retry_after=1``, ``POST /control/hang?n=1``,
``GET /control/state``).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from metricsd_receiver import schema as receiver_schema

PATH: Final = "/v1/metrics"
MAX_BODY: Final = 1024 * 1024


#: The receiver's refusal.
Invalid = receiver_schema.Invalid


def validate(body: object, idempotency_key: str | None = None) -> dict[str, Any]:
    """Check ``body`` with the receiver's own validator (metricsd_receiver.schema): there
    is one validator of upload bodies, and this test endpoint uses it.  Returns ``body``
    or raises :class:`Invalid`."""
    receiver_schema.validate(json.dumps(body).encode(), idempotency_key)
    assert isinstance(body, dict)
    return body


@dataclass
class Request:
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The receiver's state; thread-safe."""

    out: Path | None = None
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _fail: list[tuple[int, str | None]] = field(default_factory=list)
    _hang: int = 0
    #: Requests hanging right now (waiting for :meth:`release`).
    hanging: int = 0
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self._lock)

    def fail_next(self, n: int, status: int = 503, retry_after: str | None = None) -> None:
        with self._lock:
            self._fail.extend([(status, retry_after)] * n)

    def hang_next(self, n: int) -> None:
        """The next ``n`` POSTs hang until :meth:`release` (or the client gives up)."""
        with self._lock:
            self._hang += n
            self._release.clear()

    def release(self) -> None:
        self._release.set()

    def handle_post(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str],
                                                                         bytes]:
        with self._lock:
            hang = self._hang > 0
            if hang:
                self._hang -= 1
            fail = self._fail.pop(0) if self._fail and not hang else None
        if hang:
            with self._lock:
                self.hanging += 1
            try:
                self._release.wait(120)
            finally:
                with self._lock:
                    self.hanging -= 1
            return 503, {}, b'{"error":"hung"}'
        if fail is not None:
            status, retry_after = fail
            extra = {"Retry-After": retry_after} if retry_after is not None else {}
            return status, extra, b'{"error":"told to fail"}'
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return 400, {}, b'{"error":"Content-Type must be application/json"}'
        try:
            body = validate(json.loads(raw), headers.get("idempotency-key"))
        except (Invalid, ValueError) as exc:
            return 400, {}, json.dumps({"error": str(exc)}).encode()
        with self._lock:
            duplicate = body["batch_id"] in self.batches
            if not duplicate:
                self.batches[body["batch_id"]] = body
                if self.out is not None:
                    with self.out.open("a", encoding="utf-8") as f:
                        f.write(json.dumps(body, separators=(",", ":")) + "\n")
        return 202, {}, json.dumps({"duplicate": duplicate}).encode()

    def record(self, request: Request) -> None:
        with self.changed:
            self.requests.append(request)
            self.changed.notify_all()

    def posts(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path == PATH]

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"batches": list(self.batches.values()),
                    "requests": [{"method": r.method, "path": r.path, "status": r.status,
                                  "idempotency_key": r.headers.get("idempotency-key")}
                                 for r in self.requests]}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write("receiver: " + (format % args) + "\n")

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
               raw: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.server.receiver.record(Request(self.command, urlsplit(self.path).path, status,
                                            {k.lower(): v for k, v in self.headers.items()},
                                            raw))

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY:
            return None
        return self.rfile.read(int(length))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self._body()
        if raw is None:
            self._reply(400, b'{"error":"Content-Length required (at most 1 MiB)"}')
            return
        if url.path == PATH:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body = self.server.receiver.handle_post(headers, raw)
            self._reply(status, body, extra, raw)
        elif url.path in ("/control/fail", "/control/hang", "/control/release"):
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            r = self.server.receiver
            if url.path == "/control/fail":
                r.fail_next(int(q.get("n", "1")), int(q.get("status", "503")),
                            q.get("retry_after"))
            elif url.path == "/control/hang":
                r.hang_next(int(q.get("n", "1")))
            else:
                r.release()
            self._reply(200, b"{}")
        else:
            self._reply(404, b'{"error":"not found"}')

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/control/state":
            self._reply(200, json.dumps(self.server.receiver.state()).encode())
        elif url.path == PATH:
            self._reply(405, b'{"error":"method not allowed"}', {"Allow": "POST"})
        else:
            self._reply(404, b'{"error":"not found"}')

    def _not_allowed(self) -> None:
        if urlsplit(self.path).path == PATH:
            self._reply(405, b'{"error":"method not allowed"}', {"Allow": "POST"})
        else:
            self._reply(404, b'{"error":"not found"}')

    do_PUT = do_DELETE = do_PATCH = _not_allowed


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr: tuple[str, int], receiver: Receiver, verbose: bool) -> None:
        super().__init__(addr, _Handler)
        self.receiver = receiver
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (a killed daemon) is no error of ours.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve(receiver: Receiver | None = None, host: str = "127.0.0.1", port: int = 0,
          verbose: bool = False) -> Iterator[tuple[Receiver, str]]:
    """Run a receiver in a background thread; yields (receiver, endpoint URL)."""
    r = receiver or Receiver()
    server = _Server((host, port), r, verbose)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield r, f"http://{host}:{server.server_address[1]}{PATH}"
    finally:
        r.release()
        server.shutdown()
        server.server_close()
