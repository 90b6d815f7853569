"""Fixtures for the receiver: real receiver processes on real databases.

PostgreSQL tests use the server named by ``METRICSD_TEST_PG_URL`` (``.ci/run`` starts one);
each test gets a fresh database on it.  Without the variable they skip, unless ``CI`` is
set: then they fail (no vacuous pass).  Chromium likewise.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import clean_env, read_line

try:
    import metricsd_receiver  # noqa: F401
except ImportError:  # only the daemon is installed
    if os.environ.get("CI"):
        raise
    #: pip install -e './receiver[test]' to run these (the README's test command does).
    collect_ignore_glob = ["test_*.py"]

PG_ENV = "METRICSD_TEST_PG_URL"
START_TIMEOUT = 30.0


def require(what: str, reason: str) -> None:
    """Skip on a developer machine, fail under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI: {reason}")
    pytest.skip(reason)


def pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        require("PostgreSQL", f"{PG_ENV} is not set (. receiver/ci_services.sh in a root "
                              "shell starts a server)")
        raise AssertionError("unreachable")
    return url


@dataclass
class PgDatabase:
    admin_url: str
    name: str

    @property
    def url(self) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path="/" + self.name))

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()


def create_pg_database() -> PgDatabase:
    import psycopg

    admin = pg_admin_url()
    name = "mdr_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PgDatabase(admin, name)


def drop_pg_database(db: PgDatabase) -> None:
    import psycopg

    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


@dataclass
class Database:
    """A fresh database of one kind, with a way to read it back directly."""

    kind: str
    url: str
    _rows: Callable[..., list[tuple[Any, ...]]]

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self._rows(sql, *params)

    def count(self, table: str) -> int:
        return int(self.rows(f"SELECT count(*) FROM {table}")[0][0])


@pytest.fixture
def tmp(request: pytest.FixtureRequest) -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="mdr-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _sqlite_database(tmp: Path) -> Database:
    import sqlite3

    path = tmp / "receiver.sqlite3"

    def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    return Database("sqlite", f"sqlite:///{path}", rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield _sqlite_database(tmp)
        return
    pg = create_pg_database()
    try:
        yield Database("postgresql", pg.url,
                       lambda sql, *p: pg.query(sql.replace("?", "%s"), *p))
    finally:
        drop_pg_database(pg)


@pytest.fixture
def sqlite_database(tmp: Path) -> Database:
    return _sqlite_database(tmp)


@dataclass
class ReceiverProc:
    proc: subprocess.Popen[str]
    url: str
    stderr_path: Path
    _stderr: IO[str] = field(repr=False)
    database: str = ""
    k: int = 5

    def exact(self, **params: str) -> dict[str, Any]:
        """The exact sums stored (the small-group rule applied, no noise): what the
        releases are made from, read from the database (never served)."""
        from metricsd_receiver.query import exact_summary
        from metricsd_receiver.storage import open_storage

        storage = open_storage(self.database)
        try:
            return exact_summary(storage, day_from=params.get("from"),
                                 day_to=params.get("to"), version=params.get("version"),
                                 k=self.k)
        finally:
            storage.close()

    @property
    def endpoint(self) -> str:
        return self.url + "/v1/metrics"

    def post(self, body: Any, *, raw: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float = 30.0) -> httpx.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        h = {"Content-Type": "application/json"}
        if raw is None and isinstance(body, dict) and isinstance(body.get("batch_id"), str):
            h["Idempotency-Key"] = body["batch_id"]
        h.update(headers or {})
        return httpx.post(self.endpoint, content=data, headers=h, timeout=timeout)

    def summary(self, **params: str) -> dict[str, Any]:
        r = httpx.get(self.url + "/api/summary", params=params, timeout=30)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        finally:
            self._stderr.close()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


class ReceiverFactory:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[ReceiverProc] = []

    def start(self, database: str, *extra: str, env: dict[str, str] | None = None,
              host: str = "127.0.0.1", local_only: bool = True) -> ReceiverProc:
        """A receiver process; ``--local-only`` (the dashboard for loopback clients without
        a token) unless told otherwise."""
        stderr_path = self.tmp / f"receiver-{len(self.started)}.stderr"
        err = open(stderr_path, "w")  # noqa: SIM115 - closed by ReceiverProc.stop
        proc = subprocess.Popen(
            [sys.executable, "-m", "metricsd_receiver", "--host", host, "--port", "0",
             "--database", database, *(["--local-only"] if local_only else []), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
            env=env or clean_env())
        k = int(extra[extra.index("--k") + 1]) if "--k" in extra else 5
        r = ReceiverProc(proc, "", stderr_path, err, database, k)
        self.started.append(r)
        line = read_line(proc, START_TIMEOUT)
        assert line.startswith(f"LISTENING http://{host}:"), (line, r.stderr)
        r.url = line.removeprefix("LISTENING ")
        return r

    def cleanup(self) -> None:
        for r in self.started:
            if r.proc.poll() is None:
                r.proc.send_signal(signal.SIGTERM)
                try:
                    r.proc.wait(20)
                except subprocess.TimeoutExpired:
                    r.proc.kill()
                    r.proc.wait(10)
            if not r._stderr.closed:
                r._stderr.close()


@pytest.fixture
def receivers(tmp: Path) -> Iterator[ReceiverFactory]:
    f = ReceiverFactory(tmp)
    yield f
    f.cleanup()


class DroppingProxy:
    """A TCP proxy on 127.0.0.1 that forwards requests to ``target`` but, for the first
    ``drop`` requests, closes the connection instead of relaying the response: the
    receiver stored the batch, the daemon saw a network error and will retry it."""

    def __init__(self, target: str, drop: int) -> None:
        parts = urlsplit(target)
        assert parts.hostname is not None and parts.port is not None
        self.target = (parts.hostname, parts.port)
        self.drop = drop
        self.dropped = 0
        self.requests: list[bytes] = []
        self.responses: list[bytes] = []
        self._lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = self._read_request(conn)
            if not request:
                return
            # One request per upstream connection; the reply ends with the connection.
            request = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
            with socket.create_connection(self.target, timeout=30) as up:
                up.sendall(request)
                response = b""
                while chunk := up.recv(65536):
                    response += chunk
            with self._lock:
                self.requests.append(request)
                self.responses.append(response)
                drop = self.dropped < self.drop
                if drop:
                    self.dropped += 1
            if not drop:
                conn.sendall(response.replace(b"\r\n", b"\r\nConnection: close\r\n", 1))

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    require("Chromium", "no chromium binary (apt-get install chromium)")
    raise AssertionError("unreachable")


# --- the receiver in this process ---------------------------------------------------------

class Clock:
    """The receiver's wall clock, moved by the test."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def at(self, day: str, hour: int = 12) -> None:
        self.now = datetime.datetime.combine(datetime.date.fromisoformat(day),
                                             datetime.time(hour), datetime.UTC)


class InProcess:
    """The receiver's ASGI app in this process through ``httpx.ASGITransport``: real
    storage, no server.  Requests name the peer address they come from."""

    def __init__(self, portal: Any, app: Any, clock: Clock) -> None:
        self.portal = portal
        self.app = app
        self.clock = clock
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, source: str = "127.0.0.1") -> httpx.AsyncClient:
        if source not in self._clients:
            self._clients[source] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app, client=(source, 40000),
                                            raise_app_exceptions=False),
                base_url="http://receiver", timeout=30)
        return self._clients[source]

    def request(self, method: str, path: str, *, source: str = "127.0.0.1",
                **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.portal.call(
            lambda: self.client(source).request(method, path, **kwargs))
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, b: Any, *, source: str = "127.0.0.1", raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        data = raw if raw is not None else json.dumps(b).encode()
        h = {"Content-Type": "application/json"}
        if raw is None and isinstance(b, dict) and isinstance(b.get("batch_id"), str):
            h["Idempotency-Key"] = b["batch_id"]
        h.update(headers or {})
        return self.request("POST", "/v1/metrics", source=source, content=data, headers=h)

    def summary(self, token: str | None = None, **params: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.get("/api/summary", params=params, headers=headers)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def release(self) -> list[tuple[str, int]]:
        made: list[tuple[str, int]] = self.portal.call(self.app.state.receiver.release_due)
        return made

    def close(self) -> None:
        for c in self._clients.values():
            self.portal.call(c.aclose)


@contextmanager
def in_process(database: str, settings: Any = None, *, today: str = "2026-11-21"
               ) -> Iterator[InProcess]:
    """The app on ``database`` with its lifespan entered, its clock at noon UTC of
    ``today``; releases happen when the test calls :meth:`InProcess.release`."""
    from anyio.from_thread import start_blocking_portal
    from metricsd_receiver.app import Settings, create_app

    clock = Clock(datetime.datetime.now(datetime.UTC))
    clock.at(today)
    app = create_app(database, settings or Settings(local_only=True), clock=clock,
                     releases=False)
    with start_blocking_portal() as portal, \
            portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        r = InProcess(portal, app, clock)
        try:
            yield r
        finally:
            r.close()
