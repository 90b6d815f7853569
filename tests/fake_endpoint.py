"""A fake upload endpoint for the tests (not shipped; the real one is metricsd-receiver).

It serves ``POST /v1/metrics`` on 127.0.0.1: it validates the body strictly
(202 valid, 400 invalid, 405 wrong method, 404 elsewhere), stores each batch id once
(a retried batch is acknowledged again but not stored twice) and, with ``--out``,
appends every new batch to a JSON-lines file.

For tests it can be told to fail or hang the next requests, in process
(:meth:`Receiver.fail_next`, :meth:`Receiver.hang_next`) or over HTTP
(``POST /control/fail?n=2&status=503&retry_after=1``, ``POST /control/hang?n=1``,
``GET /control/state``).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from metricsd.core.batches import (
    ARCH_LABELS,
    CONTRIBUTION_BOUND,
    OS_LABELS,
    OTHER,
    SCHEMA,
    SCHEMA_TABLES,
)
from metricsd.core.facts import is_rendered_version

PATH: Final = "/v1/metrics"
MAX_BODY: Final = 1024 * 1024
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DAEMON_VERSION: Final = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:[-+][0-9A-Za-z.]+)?",
                                    re.ASCII)


class Invalid(ValueError):
    pass


def _require(cond: bool, what: str) -> None:
    if not cond:
        raise Invalid(what)


def _is_count(v: object, *, zero_ok: bool = False) -> bool:
    return type(v) is int and (v >= 0 if zero_ok else v > 0)


def validate(body: object, idempotency_key: str | None = None) -> dict[str, Any]:
    """Check ``body`` against the upload schema; return it or raise :class:`Invalid`."""
    _require(isinstance(body, dict), "body must be an object")
    assert isinstance(body, dict)
    _require(set(body) == {"schema", "batch_id", "daemon", "client", "period", "counts",
                           "health"}, "unexpected or missing top-level keys")
    _require(body["schema"] in SCHEMA_TABLES and type(body["schema"]) is int, "unknown schema")
    counters, health_names = SCHEMA_TABLES[body["schema"]]
    bound = CONTRIBUTION_BOUND if body["schema"] == SCHEMA else 2**63 - 1
    batch_id = body["batch_id"]
    _require(isinstance(batch_id, str), "batch_id must be a string")
    try:
        parsed = uuid.UUID(batch_id)
    except ValueError:
        raise Invalid("batch_id must be a UUID") from None
    _require(parsed.version == 4 and str(parsed) == batch_id, "batch_id must be a UUID4")
    if idempotency_key is not None:
        _require(idempotency_key == batch_id, "Idempotency-Key must equal batch_id")
    daemon = body["daemon"]
    _require(isinstance(daemon, dict) and set(daemon) == {"version", "os", "arch"},
             "daemon must have version, os, arch")
    _require(isinstance(daemon["version"], str)
             and _DAEMON_VERSION.fullmatch(daemon["version"]) is not None,
             "daemon.version must be x.y.z")
    _require(daemon["os"] in {*OS_LABELS.values(), OTHER}, "daemon.os not allowed")
    _require(daemon["arch"] in {*ARCH_LABELS.values(), OTHER}, "daemon.arch not allowed")
    client = body["client"]
    _require(isinstance(client, dict) and set(client) == {"version"}, "client must be {version}")
    _require(isinstance(client["version"], str) and is_rendered_version(client["version"]),
             "client.version not allowed")
    period = body["period"]
    _require(isinstance(period, dict) and set(period) == {"from", "to"},
             "period must have from and to")
    for key in ("from", "to"):
        _require(isinstance(period[key], str) and _DAY.fullmatch(period[key]) is not None,
                 "period dates must be YYYY-MM-DD")
    _require(period["from"] <= period["to"], "period.from after period.to")
    if body["schema"] == SCHEMA:
        _require(period["from"] == period["to"], "a schema 2 batch covers one day")
    counts = body["counts"]
    _require(isinstance(counts, dict) and bool(counts), "counts must be a non-empty object")
    for counter, value in counts.items():
        _require(counter in counters, "unknown counter")
        labels = counters[counter]
        if not labels:
            _require(_is_count(value) and value <= bound,
                     "an unlabelled counter must be a positive integer within the bound")
            continue
        _require(isinstance(value, dict) and bool(value), "a labelled counter must be an object")
        for label, n in value.items():
            _require(label in labels, "label not allowed")
            _require(_is_count(n) and n <= bound, "counts must be positive, within the bound")
    health = body["health"]
    _require(isinstance(health, dict) and set(health) == set(health_names),
             "health must have exactly the documented keys")
    _require(all(_is_count(v, zero_ok=True) for v in health.values()),
             "health values must be integers >= 0")
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
