"""Exhaustion: many clients, idle and slow clients, the connection cap, a client that
floods without reading.  Real daemons; the limits are shortened with the testing knobs of
metricsd.server (METRICSD_IDLE_TIMEOUT ...) so each case takes about a second.

Nothing here asserts a time: deadlines only bound how long a test waits for an outcome.
"""

from __future__ import annotations

import selectors
import socket
import sys
import threading
from pathlib import Path

import msgpack
import pytest

from metricsd.server import (
    ENV_IDLE_TIMEOUT,
    ENV_MAX_CONNECTIONS,
    ENV_MESSAGE_TIMEOUT,
    ENV_SEND_TIMEOUT,
)
from tests.conftest import Daemon, DaemonFactory, Home, clean_env, wait_for

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
                              "cache_hit": {"90-99": CLIENTS},
                              "tool_error": {"permission": CLIENTS}}
    print(f"\n500 clients: daemon peak RSS {rss} kB")
    if rss is not None:
        assert rss < RSS_BOUND_KB
    assert d.stop() == 0


def test_a_client_that_never_sends_is_closed_and_others_are_served(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(**{ENV_IDLE_TIMEOUT: "0.5"}))
    with connect(home) as silent:
        assert closed_by_daemon(silent)
    wait_for(lambda: "closed a connection idle for 0.5s" in d.stderr, what="the log line")
    assert pings_ok(home)


def test_a_client_that_trickles_one_byte_at_a_time_is_closed(
        home: Home, daemons: DaemonFactory) -> None:
    # The idle timeout is long: only the partial-message deadline can close it.
    d = daemons.start(home, env=clean_env(**{ENV_MESSAGE_TIMEOUT: "1",
                                             ENV_IDLE_TIMEOUT: "300"}))
    message = msgpack.packb({"type": "tool_result", "error": "x" * 200})
    pace = threading.Event()  # never set: its wait() is the trickle's pace
    sent = 0
    with connect(home) as s:
        s.settimeout(0.2)
        try:
            while sent < len(message) - 1:
                s.sendall(message[sent:sent + 1])
                sent += 1
                try:
                    if not s.recv(1):
                        break
                except TimeoutError:
                    pace.wait(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert sent < len(message) - 1, "a trickling client was never closed"
    wait_for(lambda: "stayed incomplete" in d.stderr, what="the log line")
    assert pings_ok(home)


def test_a_client_that_keeps_sending_whole_messages_is_not_idle(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(**{ENV_IDLE_TIMEOUT: "0.5"}))
    pace = threading.Event()
    with connect(home) as s:
        for _ in range(12):  # ~1.8 s in all, far past one idle timeout
            s.sendall(PING)
            assert replies(s), "an active client was closed as idle"
            pace.wait(0.15)
    assert "idle" not in d.stderr


def test_the_connection_cap_refuses_clearly_and_recovers(
        home: Home, daemons: DaemonFactory) -> None:
    cap = 20
    d = daemons.start(home, env=clean_env(**{ENV_MAX_CONNECTIONS: str(cap)}))
    held = [connect(home) for _ in range(cap)]
    try:
        for s in held:  # each one is being served
            s.sendall(PING)
            assert replies(s)
        refused = []
        for _ in range(5):
            s = connect(home)
            try:
                s.sendall(PING)
            except OSError:
                pass
            refused.append(closed_by_daemon(s))
            s.close()
        assert all(refused)
        assert d.stderr.count("refusing new ones") == 1  # one line, not one per refusal
        held.pop().close()
        wait_for(lambda: pings_ok(home), what="a free slot to be used")
        assert "accepting connections again" in d.stderr
    finally:
        for s in held:
            s.close()


def test_a_client_that_floods_without_reading_is_dropped_and_blocks_nobody(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(**{ENV_SEND_TIMEOUT: "2"}))
    flood = PING * 200_000  # 1.2 MB of pings: several MB of pongs nobody reads
    outcome: list[BaseException | None] = []

    def flooder() -> None:
        with connect(home, timeout=30) as s:
            try:
                for _ in range(50):
                    s.sendall(flood)
            except OSError as exc:
                outcome.append(exc)
                return
            outcome.append(None)

    t = threading.Thread(target=flooder)
    t.start()
    # While the flooder's connection is open (it is not read), everybody else is served.
    wait_for(lambda: t.is_alive() and pings_ok(home)
             and "did not read its replies" not in d.stderr,
             what="a ping served during the flood")
    t.join(60)
    assert outcome and isinstance(outcome[0], OSError), "the flooder was never dropped"
    wait_for(lambda: "did not read its replies" in d.stderr, what="the log line")
    assert pings_ok(home)
    rss = peak_rss_kb(d.proc.pid)
    print(f"\nflood: daemon peak RSS {rss} kB")
    if rss is not None:
        assert rss < RSS_BOUND_KB


@pytest.mark.skipif(sys.platform != "linux", reason="/proc is Linux-only")
def test_peak_rss_is_readable(home: Home, daemons: DaemonFactory) -> None:
    d: Daemon = daemons.start(home)
    assert (peak_rss_kb(d.proc.pid) or 0) > 0
