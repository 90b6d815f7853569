"""Cheap hostile load against a real receiver process leaves legitimate uploads answered.

Each hostile source connects from its own loopback address (127.0.0.2, 127.0.0.3, ...);
the legitimate daemon from 127.0.0.1.  Linux routes all of 127.0.0.0/8 to the loopback
interface, so these are distinct source addresses to the receiver.
"""

from __future__ import annotations

import json
import select
import socket
import struct
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import wait_for
from tests.receiver.bodies import body
from tests.receiver.conftest import Database, ReceiverFactory, ReceiverProc


def _addr(r: ReceiverProc) -> tuple[str, int]:
    u = urlsplit(r.url)
    assert u.hostname is not None and u.port is not None
    return u.hostname, u.port


def _connect(r: ReceiverProc, source: str) -> socket.socket:
    return socket.create_connection(_addr(r), timeout=30, source_address=(source, 0))


def _request_head(b: dict[str, object], length: int | None = None) -> tuple[bytes, bytes]:
    payload = json.dumps(b).encode()
    head = (b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(length or len(payload)).encode() + b"\r\n\r\n")
    return head, payload


@contextmanager
def _client(source: str) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as c:
        yield c


def _post(c: httpx.Client, r: ReceiverProc, b: dict[str, object]) -> httpx.Response:
    return c.post(r.endpoint, content=json.dumps(b).encode(),
                  headers={"Content-Type": "application/json"})


def _read_status(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.partition(b"\r\n")[0]


def test_slow_headers_do_not_lock_out_uploads(sqlite_database: Database,
                                              receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url, "--max-connections", "40",
                        "--max-connections-per-source", "1000", "--header-timeout", "30")
    with ExitStack() as stack:
        slow = []
        for i in range(120):  # three times the cap, from several addresses, never finished
            s = stack.enter_context(_connect(r, f"127.0.0.{2 + i % 3}"))
            s.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        with _client("127.0.0.1") as c:
            for _ in range(5):
                resp = _post(c, r, body())
                assert resp.status_code == 202, resp.text
        # the cap holds: the oldest slow connections were closed to make room
        closed, _, _ = select.select(slow, [], [], 0)
        assert len(closed) >= len(slow) - 40
    assert sqlite_database.count("batches") == 5


def test_headers_trickling_past_the_deadline_get_408(sqlite_database: Database,
                                                     receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url, "--header-timeout", "1")
    with _connect(r, "127.0.0.2") as s:
        # One header byte at a time keeps a per-read timer happy; the deadline runs from
        # the first byte, so the request is cut off (bounded: at most 60 s of bytes).
        closed = False
        for i in range(600):
            try:
                s.sendall(b"POST /v1/metrics HTTP/1.1\r\n" if i == 0 else b"X")
            except OSError:
                closed = True
                break
            readable, _, _ = select.select([s], [], [], 0.1)
            if readable:
                closed = True
                break
        assert closed
        assert _read_status(s).startswith(b"HTTP/1.1 408")
    with _client("127.0.0.1") as c:
        assert _post(c, r, body()).status_code == 202


def test_oversized_headers_get_431(sqlite_database: Database,
                                   receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url)
    with _connect(r, "127.0.0.2") as s:
        s.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20_000)
        assert _read_status(s).startswith(b"HTTP/1.1 431")


def test_trickling_bodies_hold_no_upload_slot(sqlite_database: Database,
                                              receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url, "--max-inflight", "4",
                        "--max-connections-per-source", "100")
    with ExitStack() as stack:
        for _ in range(64):  # bodies that started and will not finish in time
            s = stack.enter_context(_connect(r, "127.0.0.2"))
            head, payload = _request_head(body())
            s.sendall(head + payload[:10])
        wait_for(lambda: httpx.get(r.url + "/healthz").status_code == 200,
                 what="the receiver to answer")
        with _client("127.0.0.1") as c:
            for _ in range(3):
                resp = _post(c, r, body())
                assert resp.status_code == 202, resp.text
    assert sqlite_database.count("batches") == 3


def test_a_flooding_source_gets_429_and_others_do_not(database: Database,
                                                      receivers: ReceiverFactory) -> None:
    r = receivers.start(database.url, "--upload-rate", "1", "--upload-burst", "10")
    with _client("127.0.0.2") as flood:
        replies = [_post(flood, r, body()) for _ in range(25)]
    assert [x.status_code for x in replies[:10]] == [202] * 10
    limited = replies[10:]
    assert {x.status_code for x in limited} == {429}
    assert all(int(x.headers["Retry-After"]) >= 1 for x in limited)
    with _client("127.0.0.1") as c:
        assert _post(c, r, body()).status_code == 202
    assert database.count("batches") == 11


def test_a_client_that_disconnects_mid_body_is_one_line(sqlite_database: Database,
                                                        receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url, "--max-connections-per-source", "100")
    for _ in range(20):
        with _connect(r, "127.0.0.2") as s:
            head, payload = _request_head(body(), length=5000)
            s.sendall(head + payload)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    wait_for(lambda: r.stderr.count("went away before its body arrived") == 20,
             what="one line per aborted upload")
    with _client("127.0.0.1") as c:
        assert _post(c, r, body()).status_code == 202
    assert "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 21  # the start line and one per abort
    assert sqlite_database.count("batches") == 1


@pytest.mark.long
def test_a_connection_answered_before_its_body_is_not_left_open(
        sqlite_database: Database, receivers: ReceiverFactory) -> None:
    r = receivers.start(sqlite_database.url)
    early = (b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
             b"Content-Length: 10\r\n\r\n")
    with _connect(r, "127.0.0.2") as idle, _connect(r, "127.0.0.2") as reused:
        for s in (idle, reused):
            s.sendall(early)
            assert _read_status(s).startswith(b"HTTP/1.1 415")  # answered before the body
            s.sendall(b"0123456789")
        # the connection is usable again ...
        head, payload = _request_head(body())
        reused.sendall(head + payload)
        data = b""
        while b"202 Accepted" not in data:
            chunk = reused.recv(4096)
            assert chunk, data
            data += chunk
        # ... and, left idle, closed by the keep-alive timeout (not held forever)
        idle.settimeout(30)
        while idle.recv(4096):
            pass
    assert sqlite_database.count("batches") == 1


def test_a_valid_body_over_16_kib_in_one_read_is_accepted(sqlite_database: Database,
                                                          receivers: ReceiverFactory) -> None:
    # The header limit is for headers: a body that arrives in the same read as its
    # headers (one sendall, one segment on loopback) is never counted against it.
    r = receivers.start(sqlite_database.url)
    for size in (20_000, 60_000):
        b = body()
        payload = json.dumps(b).encode()
        payload += b" " * (size - len(payload))  # JSON whitespace: still a valid body
        head = (b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Idempotency-Key: " + b["batch_id"].encode() + b"\r\n"
                b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n")
        with _connect(r, "127.0.0.2") as s:
            s.sendall(head + payload)
            assert _read_status(s).startswith(b"HTTP/1.1 202"), size
    assert sqlite_database.count("batches") == 2


def test_a_new_x_forwarded_for_per_request_does_not_dodge_the_rate_limit(
        sqlite_database: Database, receivers: ReceiverFactory) -> None:
    # A sender on the receiver's own host (loopback) invents a new X-Forwarded-For for
    # each upload: without --trusted-proxy the header is ignored, the peer is the key.
    r = receivers.start(sqlite_database.url, "--upload-burst", "3", "--upload-rate", "1")
    with _client("127.0.0.1") as c:
        codes = [c.post(r.endpoint, content=json.dumps(body()).encode(),
                        headers={"Content-Type": "application/json",
                                 "X-Forwarded-For": f"198.51.100.{i}"}).status_code
                 for i in range(6)]
    assert codes == [202, 202, 202, 429, 429, 429]
    assert sqlite_database.count("batches") == 3
