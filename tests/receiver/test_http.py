"""The upload endpoint's replies, in this process (httpx.ASGITransport) and, where the
process is the point (several receivers on one database, supervised workers, the command
line, a stalled body), against real receiver processes; real databases throughout."""

from __future__ import annotations

import datetime
import json
import sqlite3
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from metricsd_receiver.app import Settings
from metricsd_receiver.query import exact_summary
from metricsd_receiver.storage import open_storage

from tests.conftest import wait_for
from tests.receiver.bodies import body
from tests.receiver.conftest import Database, ReceiverFactory, in_process
from tests.receiver.desktops import add_bodies, same_sums


def test_valid_body_is_accepted_once(database: Database) -> None:
    with in_process(database.url) as r:
        b = body()
        first = r.post(b)
        assert (first.status_code, first.json()) == (202, {"duplicate": False})
        again = r.post(b)
        assert (again.status_code, again.json()) == (202, {"duplicate": True})
    assert database.count("batches") == 1
    assert database.count("batch_counts") == 10  # 9 counts + 1 non-zero health counter
    stored = database.rows("SELECT client_version, os, arch, daemon_version FROM batches")
    assert stored == [("1.4.0", "linux", "x86_64", "0.1.0")]


def test_bad_requests_get_their_status_and_store_nothing(database: Database) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b'{"a": "', b"y" * 5000, b'"}'):
            yield part

    with in_process(database.url, Settings(local_only=True, max_body=4096)) as r:
        good = body()
        cases: list[tuple[int, httpx.Response]] = [
            (400, r.post(None, raw=b"{not json")),
            (400, r.post({**good, "extra": 1})),
            (400, r.post({**good, "counts": {"turns": 1, "secret_counter": 3}})),
            (400, r.post({**good, "client": {"version": "my-secret-build"}})),
            (400, r.post(good, headers={
                "Idempotency-Key": "00000000-0000-4000-8000-000000000000"})),
            (400, r.post(None, raw=json.dumps(good).replace('"schema": 2',
                                                           '"schema": 2, "schema": 2').encode())),
            (413, r.post(None, raw=b'{"pad": "' + b"x" * 5000 + b'"}')),
            (415, r.post(good, headers={"Content-Type": "text/plain"})),
            (415, r.post(good, headers={"Content-Type": "application/x-www-form-urlencoded"})),
            (415, r.post(good, headers={"Content-Encoding": "gzip"})),
            (405, r.get("/v1/metrics")),
            (404, r.request("POST", "/v1/other", json=good)),
        ]
        for want, resp in cases:
            assert resp.status_code == want, (want, resp.status_code, resp.text)
            assert "error" in resp.json()
        # chunked (no Content-Length) and over the limit
        chunked = r.request("POST", "/v1/metrics", content=chunks(),
                            headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413
    assert database.count("batches") == 0
    assert database.count("batch_counts") == 0
    # nothing of the request comes back in a reply
    for _, resp in cases:
        assert "secret" not in resp.text


def test_two_receiver_processes_store_a_batch_once(
        database: Database, receivers: ReceiverFactory) -> None:
    a = receivers.start(database.url, "--workers", "2")
    b = receivers.start(database.url)
    bodies = [body(turns=5 + i) for i in range(8)]  # 8 installs: over k

    def post(args: tuple[int, int]) -> dict[str, bool]:
        which, i = args
        resp = (a, b)[which].post(bodies[i])
        assert resp.status_code == 202, resp.text
        result: dict[str, bool] = resp.json()
        return result

    jobs = [(w, i) for i in range(len(bodies)) for w in (0, 1, 0, 1)]
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(post, jobs))
    fresh = [job for job, reply in zip(jobs, replies, strict=True) if not reply["duplicate"]]
    assert sorted(i for _, i in fresh) == list(range(len(bodies)))  # each stored exactly once
    assert database.count("batches") == len(bodies)
    storage = open_storage(database.url)
    try:
        sums = exact_summary(storage, day_from="2026-11-20", day_to="2026-11-20",
                             version=None, k=5)
    finally:
        storage.close()
    same_sums(sums["total"], add_bodies(bodies))
    assert sums["total"]["turns"] == sum(5 + i for i in range(len(bodies)))
    # the rollups got each batch once too
    assert database.rows("SELECT day, client_version, batches FROM daily_batches") in (
        [("2026-11-20", "1.4.0", len(bodies))],
        [(datetime.date(2026, 11, 20), "1.4.0", len(bodies))])
    assert a.stop() == 0 and b.stop() == 0  # SIGTERM: a clean stop, workers included
    assert a.proc.poll() == 0


def test_overload_gets_429_with_retry_after(sqlite_database: Database,
                                            receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url, "--max-inflight", "1", "--retry-after", "7")
    path = sqlite_database.url.removeprefix("sqlite:///")
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the database is busy: the first upload waits on it
    first: list[httpx.Response] = []
    t = threading.Thread(target=lambda: first.append(r.post(body())))
    t.start()
    try:
        wait_for(lambda: httpx.get(r.url + "/healthz").json()["uploads_in_progress"] == 1,
                 what="the first upload to be in flight")
        second = r.post(body())
        assert second.status_code == 429, second.text
        assert second.headers["Retry-After"] == "7"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        t.join(30)
    assert first[0].status_code == 202
    assert sqlite_database.count("batches") == 1


def test_database_url_errors_are_one_usage_line_without_secrets(tmp: Path) -> None:
    import subprocess
    import sys

    for url in ("mysql://x/y", "host=db.example user=u password=hunter2-secret dbname=m",
                "receiver.sqlite3", "sqlite://relative-without-third-slash",
                "sqlite:///x.db?password=hunter2-secret"):
        bad = subprocess.run([sys.executable, "-m", "metricsd_receiver", "--database", url,
                              "--port", "0"], capture_output=True, text=True, timeout=30,
                             cwd=tmp)
        assert bad.returncode == 2, (url, bad.stderr)
        assert bad.stderr.count("\n") == 1 and "sqlite:///FILE" in bad.stderr
        assert "hunter2" not in bad.stderr
    assert list(tmp.iterdir()) == []  # no file named after a connection string


def test_a_database_password_never_reaches_a_log_line(receivers: ReceiverFactory,
                                                      tmp: Path) -> None:
    import subprocess
    import sys

    # a server that refuses: the failure is logged without the password
    url = "postgresql://u:hunter2-secret@127.0.0.1:1/db?sslpassword=other-secret"
    bad = subprocess.run([sys.executable, "-m", "metricsd_receiver", "--database", url,
                          "--port", "0", "--log-level", "debug"], capture_output=True,
                         text=True, timeout=60, cwd=tmp)
    assert bad.returncode == 1
    assert "hunter2" not in bad.stderr and "other-secret" not in bad.stderr
    assert "postgresql://u:***@127.0.0.1:1/db" in bad.stderr


def test_a_stalled_body_gets_408(sqlite_database: Database, receivers: ReceiverFactory) -> None:
    import socket
    from urllib.parse import urlsplit

    r = receivers.start(sqlite_database.url, "--body-timeout", "0.5")
    u = urlsplit(r.url)
    assert u.hostname is not None and u.port is not None
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 500\r\n\r\n{\"schema\": 1")  # and then nothing
        reply = s.recv(65536)
    assert reply.startswith(b"HTTP/1.1 408 "), reply
    assert httpx.get(r.url + "/healthz").json()["uploads_in_progress"] == 0
    assert sqlite_database.count("batches") == 0


def test_dashboard_token_from_the_environment(sqlite_database: Database,
                                              receivers: ReceiverFactory) -> None:
    from tests.conftest import clean_env

    r = receivers.start(sqlite_database.url, env=clean_env(METRICSD_RECEIVER_TOKEN="tok-123"),
                        local_only=False)
    assert httpx.get(r.url + "/").status_code == 401  # loopback is not enough with a token
    ok = httpx.get(r.url + "/api/summary", headers={"Authorization": "Bearer tok-123"})
    assert ok.status_code == 200
    assert "tok-123" not in r.stderr


def test_a_dead_worker_is_restarted(sqlite_database: Database,
                                    receivers: ReceiverFactory) -> None:
    import os
    import signal

    r = receivers.start(sqlite_database.url, "--workers", "2", "--log-level", "info")
    pid = r.proc.pid

    def cmdline(child: int) -> bytes | None:
        """``child``'s command line, or None once it is gone (a killed worker is reaped
        between the listing of the children and this read)."""
        try:
            return Path(f"/proc/{child}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            return None

    def children() -> list[int]:
        """The workers (uvicorn spawns them; multiprocessing's resource tracker is not one)."""
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:  # a thread of the supervisor may end between the listing and the read
                found += [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
        return [c for c in found
                if (line := cmdline(c)) is not None and b"resource_tracker" not in line]

    first = children()
    assert len(first) == 2
    os.kill(first[0], signal.SIGKILL)
    wait_for(lambda: len(children()) == 2 and first[0] not in children(),
             what="the worker to be replaced")
    assert r.proc.poll() is None  # the receiver goes on
    assert f"Child process [{first[0]}] died" in r.stderr  # uvicorn's supervisor
    for _ in range(6):  # every worker answers, the new one included
        assert r.post(body()).status_code == 202
    assert sqlite_database.count("batches") == 6
    assert r.stop() == 0
