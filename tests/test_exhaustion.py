"""Exhaustion against real daemons: many clients, bursts of connects, the connection cap.
The timeouts (partial message, unread replies, idle) are tested in-process under trio's
MockClock in tests/test_server.py.

Nothing here asserts a time: deadlines only bound how long a test waits for an outcome.
"""

from __future__ import annotations

import selectors
import socket
import sys
from pathlib import Path

import msgpack
import pytest

from tests.conftest import Daemon, DaemonFactory, Home, wait_for

CLIENTS = 500
#: Generous: the daemon idles at ~40 MB; 500 clients must not take it anywhere near this.
RSS_BOUND_KB = 200 * 1024

PING = msgpack.packb({"type": "ping"})


def connect(home: Home, timeout: float = 10.0) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Connect in blocking mode: a non-blocking AF_UNIX connect fails with EAGAIN (it does
    # not wait) while the listen backlog is full, as it is during a burst of 500.
    s.connect(str(home.socket))
    s.settimeout(timeout)
    return s


def replies(s: socket.socket) -> list[dict[str, object]]:
    """Read until at least one complete reply arrives; [] on EOF."""
    unpacker = msgpack.Unpacker(raw=False)
    while True:
        data = s.recv(65536)
        if not data:
            return []
        unpacker.feed(data)
        got = list(unpacker)
        if got:
            return got


def closed_by_daemon(s: socket.socket) -> bool:
    """True once the daemon has closed ``s`` (EOF or reset); waits up to the timeout."""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except ConnectionResetError:
        return True


def peak_rss_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def pings_ok(home: Home) -> bool:
    try:
        with connect(home, timeout=5) as s:
            s.sendall(PING)
            return bool(replies(s))
    except OSError:
        return False


def test_500_concurrent_clients_lose_nothing_and_memory_stays_bounded(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    socks = [connect(home, timeout=30) for _ in range(CLIENTS)]
    try:
        # All connected at once; every one sends a realistic burst, then a sync.
        burst = b"".join(msgpack.packb(m) for m in (
            {"type": "hello", "proto": 1, "client_version": "3.1.4"},
            {"type": "usage", "cache_hit_tokens": 95, "cache_miss_tokens": 5},
            {"type": "tool_result", "error": "permission denied: /etc/shadow"},
            {"type": "turn", "finish_reason": "stop", "empty_final": False},
            {"type": "sync", "id": 1},
        ))
        for s in socks:
            s.sendall(burst)
        sel = selectors.DefaultSelector()
        for s in socks:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, msgpack.Unpacker(raw=False))
        acked = 0
        while acked < CLIENTS:
            events = sel.select(timeout=30)
            assert events, f"only {acked} of {CLIENTS} syncs acknowledged"
            for key, _ in events:
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                data = sock.recv(65536)
                assert data, "the daemon closed a well-behaved client"
                key.data.feed(data)
                for reply in key.data:
                    assert reply == {"type": "ack", "id": 1}
                    acked += 1
                    sel.unregister(sock)
        sel.close()
        rss = peak_rss_kb(d.proc.pid)
    finally:
        for s in socks:
            s.close()
    with d.client() as c:
        snap = c.snapshot()
    assert snap["counts"] == {"turns": CLIENTS, "finish_reason": {"stop": CLIENTS},
                              "cache_hit": {"95-98": CLIENTS},
                              "tool_error": {"permission": CLIENTS}}
    print(f"\n500 clients: daemon peak RSS {rss} kB")
    if rss is not None:
        assert rss < RSS_BOUND_KB
    assert d.stop() == 0


def test_at_the_cap_the_longest_idle_connection_is_closed_to_admit_a_new_one(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--max-connections", "3")
    a, b, c = (connect(home) for _ in range(3))
    try:
        for s in (a, b, c):  # each is served; a has received nothing for the longest
            s.sendall(PING)
            assert replies(s)
        b.sendall(PING)  # b and c are now more recent than a
        assert replies(b)
        with connect(home) as new:
            new.sendall(PING)
            assert replies(new), "the new connection was not admitted"
            assert closed_by_daemon(a), "the longest-idle connection was not closed"
            for s in (b, c):  # the others keep working
                s.sendall(PING)
                assert replies(s)
        wait_for(lambda: "longest-idle" in d.stderr, what="the log line")
        assert d.stderr.count("longest-idle") == 1  # once per episode
    finally:
        for s in (a, b, c):
            s.close()


def test_a_burst_of_400_connects_with_timeouts_is_never_refused(
        home: Home, daemons: DaemonFactory) -> None:
    daemons.start(home)
    socks = []
    try:
        for _ in range(400):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)  # what Python apps and Go's net.Dial do: EAGAIN if the backlog
            socks.append(s)  # is full
            s.connect(str(home.socket))
        for s in socks:
            s.sendall(PING)
        for s in socks:
            assert replies(s)
    finally:
        for s in socks:
            s.close()


@pytest.mark.skipif(sys.platform != "linux", reason="/proc is Linux-only")
def test_peak_rss_is_readable(home: Home, daemons: DaemonFactory) -> None:
    d: Daemon = daemons.start(home)
    assert (peak_rss_kb(d.proc.pid) or 0) > 0
