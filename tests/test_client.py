"""The Python clients (metricsd.client, metricsd.aclient) against real daemons."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import trio

from metricsd.aclient import AsyncClient, AsyncSafeClient
from metricsd.client import (
    BACKOFF_MAX,
    Backoff,
    Client,
    ConnectionLost,
    ProtocolError,
    SafeClient,
    clip,
    encode,
    socket_path,
    tool_result_message,
    turn_message,
)
from metricsd.core.wire import MAX_MESSAGE_BYTES, MAX_STRING_BYTES
from tests.conftest import DaemonFactory, Home, clean_env, cli

EVERY_HELPER = {"turns": 2, "finish_reason": {"stop": 1, "none": 1}, "empty_final": 1,
                "cache_hit": {"90-99": 1}, "provider_error": {"rate_limit": 1},
                "tool_error": {"timeout": 1}, "compaction": 1}


def _every_helper(c: Client | AsyncClient | SafeClient | AsyncSafeClient) -> None:
    c.hello("1.4.0")
    c.usage(cache_hit_tokens=95, cache_miss_tokens=5)
    c.provider_error("slow down", status=429)
    c.tool_result(None)
    c.tool_result("timed out")
    c.compaction()
    c.turn("stop")
    c.turn(None, empty_final=True)


def _bodies(home: Home) -> list[dict[str, Any]]:
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    bodies: list[dict[str, Any]] = json.loads(out.stdout)
    return bodies


def test_socket_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("METRICSD_SOCKET", str(tmp_path / "env.sock"))
    assert socket_path(tmp_path / "arg.sock") == tmp_path / "arg.sock"
    assert socket_path() == tmp_path / "env.sock"
    monkeypatch.delenv("METRICSD_SOCKET")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    tmp_path.chmod(0o700)
    assert socket_path() == tmp_path / "metricsd" / "metricsd.sock"


def test_blocking_helpers_batch_into_one_write_and_sync(home: Home,
                                                        daemons: DaemonFactory) -> None:
    daemons.start(home)
    with Client(home.socket) as c, Client(home.socket) as observer:
        _every_helper(c)
        assert c.buffered > 0
        # Nothing has been written yet: the batch goes out in one sendall.
        assert observer.snapshot()["counts"] == {}
        c.sync()
        assert c.buffered == 0
        snap = observer.snapshot()
        assert snap["enabled"] is True and snap["dev"] is False
        assert snap["counts"] == EVERY_HELPER
        pong = c.ping()
        assert pong["proto"] == 1 and isinstance(pong["version"], str)
        assert c.errors == []
    assert [b["client"] for b in _bodies(home)] == [{"version": "1.4.0"}]


def test_sync_returns_only_after_the_commit(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    c = Client(home.socket)
    c.usage(1, 1)  # no turn: only the sync forces a commit
    c.compaction()
    c.sync()
    d.kill()  # SIGKILL loses whatever was not committed
    daemons.start(home)
    with Client(home.socket) as c2:
        assert c2.snapshot()["counts"] == {"cache_hit": {"50-89": 1}, "compaction": 1}
    c.close()


def test_blocking_client_reconnects_after_a_restart(home: Home,
                                                    daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with Client(home.socket) as c:
        c.hello("2.1.0-beta.3")
        c.turn("stop")
        c.sync()
        d.kill()
        daemons.start(home)
        c.turn("length")  # the write finds the old connection dead and reconnects
        c.sync()
        assert c.reconnects == 1
        assert c.snapshot()["counts"] == {"turns": 2, "finish_reason": {"stop": 1,
                                                                        "length": 1}}
        daemons.started[-1].kill()
        daemons.start(home)
        assert c.ping()["type"] == "pong"  # a request retries on a fresh connection
        assert c.reconnects == 2
    # The hello was repeated on the new connections: no counts under "unknown".
    assert [b["client"]["version"] for b in _bodies(home)] == ["2.1.0-beta.3"]


def test_strict_client_reports_a_lost_daemon(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    c = Client(home.socket, reconnect=False)
    c.ping()
    d.kill()
    c.turn("stop")
    with pytest.raises(OSError):
        c.sync()
    daemons.start(home)
    with pytest.raises(ConnectionLost):
        c.sync()  # reconnect is off: it stays disconnected
    c.close()
    with Client(home.socket) as fresh:
        assert fresh.snapshot()["counts"] == {}
    daemons.started[-1].kill()
    with pytest.raises(OSError):
        Client(home.socket)


def test_errors_fatal_and_not(home: Home, daemons: DaemonFactory) -> None:
    daemons.start(home)
    with Client(home.socket) as c:
        c.send({"type": "usage", "cache_hit_tokens": -1})
        c.compaction()
        c.sync()  # the invalid event is dropped, the connection stays
        assert [e["code"] for e in c.errors] == ["invalid_event"]
        assert c.snapshot()["counts"] == {"compaction": 1}
        c.send_raw(b"\xc1")
        with pytest.raises(ProtocolError) as info:
            c.ping()
        assert info.value.code == "malformed"
        with pytest.raises(ConnectionLost):
            c.receive()  # and then the daemon closed the connection
        with pytest.raises(ConnectionLost):
            c.receive()  # nothing to write, no connection: no reply can come
        assert c.ping()["type"] == "pong"  # a request connects again


def test_long_strings_are_clipped_not_fatal(home: Home, daemons: DaemonFactory) -> None:
    daemons.start(home)
    long_error = "deadline exceeded " + "é" * MAX_STRING_BYTES
    assert len(clip(long_error).encode()) <= MAX_STRING_BYTES
    assert clip("short") == "short"
    with Client(home.socket) as c:
        c.tool_result(long_error)
        c.sync()
        assert c.errors == []
        assert c.snapshot()["counts"] == {"tool_error": {"timeout": 1}}
    with pytest.raises(ValueError):
        encode({"type": "x", **{f"k{i}": "v" * 9000 for i in range(8)}})
    assert len(encode(tool_result_message("e" * 10**6))) < MAX_MESSAGE_BYTES
    assert encode(turn_message("stop")) == bytes.fromhex(
        "83a474797065a47475726ead66696e6973685f726561736f6ea473746f70ab656d7074795f66696e616cc2")


def test_a_large_batch_flushes_itself(home: Home, daemons: DaemonFactory) -> None:
    daemons.start(home)
    with Client(home.socket) as c:
        for _ in range(20_000):
            c.usage(3, 1)
        assert c.buffered < 64 * 1024  # written as it filled, not held whole
        c.sync()
        assert c.snapshot()["counts"] == {"cache_hit": {"50-89": 20_000}}


# --- SafeClient -------------------------------------------------------------------------

def test_safe_client_never_raises_without_a_daemon(home: Home) -> None:
    with SafeClient(home.socket, max_buffer=200) as s:
        _every_helper(s)
        s.tool_result(object())  # type: ignore[arg-type]  # cannot be encoded: dropped
        assert s.flush() is False
        assert s.sync() is False
        assert s.ping() is None
        assert s.snapshot() is None
        for _ in range(10):
            s.compaction()
        assert s.dropped >= 1 + 5  # the unencodable one and those over 200 bytes
        assert s.failures >= 1 and isinstance(s.last_error, OSError)
    # Even a path that cannot exist, or a socket path that is a directory.
    with SafeClient(home.root) as s:
        s.turn("stop")
        assert s.sync() is False


def test_safe_clients_give_up_on_a_daemon_that_does_not_answer(home: Home) -> None:
    """A peer that accepts and never replies: each call returns within its timeout."""
    home.socket.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(home.socket))
        silent.listen(8)
        s = SafeClient(home.socket, timeout=0.2)
        s.turn("stop")
        assert s.ping() is None
        assert s.sync() is False
        assert isinstance(s.last_error, TimeoutError)
        s.close()

        async def main() -> None:
            a = AsyncSafeClient(home.socket, timeout=0.2)
            a.turn("stop")
            assert await a.sync() is False
            assert isinstance(a.last_error, TimeoutError)
            await a.aclose()

        trio.run(main)


def test_backoff_spaces_attempts() -> None:
    now = [100.0]
    b = Backoff(0.5, 4.0, clock=lambda: now[0])
    assert b.ready()
    delays = []
    for _ in range(6):
        b.failed()
        assert not b.ready()
        start = now[0]
        while not b.ready():
            now[0] += 0.25
        delays.append(now[0] - start)
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    b.succeeded()
    assert b.ready()
    assert BACKOFF_MAX >= 4.0


def test_safe_client_survives_a_killed_daemon(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    s = SafeClient(home.socket, backoff=Backoff(0.0, 0.0))
    s.hello("3.0.0")
    s.turn("stop")
    assert s.sync() is True
    d.kill()
    s.usage(0, 5)  # queued while the daemon is away
    s.turn("stop")  # write attempt fails quietly
    assert s.sync() is False
    assert s.connected is False
    daemons.start(home)
    s.compaction()
    assert s.sync() is True  # reconnects; the queued events are delivered
    snap = s.snapshot()
    assert snap is not None
    assert snap["counts"] == {"turns": 2, "finish_reason": {"stop": 2},
                              "cache_hit": {"0": 1}, "compaction": 1}
    assert s.dropped == 0
    s.close()
    assert [b["client"]["version"] for b in _bodies(home)] == ["3.0.0"]


def test_safe_client_backs_off_instead_of_retrying_each_call(home: Home) -> None:
    now = [0.0]
    s = SafeClient(home.socket, backoff=Backoff(10.0, 10.0, clock=lambda: now[0]))
    assert s.sync() is False
    failures = s.failures
    for _ in range(50):
        s.turn("stop")  # each turn would flush, but the back-off holds the attempts
    assert s.failures == failures
    now[0] = 11.0
    s.flush()
    assert s.failures == failures + 1


# --- trio -------------------------------------------------------------------------------

def test_trio_client(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)

    async def main() -> None:
        async with await AsyncClient.open(home.socket) as c:
            _every_helper(c)
            assert c.buffered > 0
            await c.sync()
            assert c.buffered == 0
            assert (await c.snapshot())["counts"] == EVERY_HELPER
            assert (await c.ping())["proto"] == 1
            c.send({"type": "turn", "finish_reason": 3})
            await c.sync()
            assert [e["code"] for e in c.errors] == ["invalid_event"]
            # Reconnect after the daemon is killed and started again.
            d.kill()
            daemons.start(home)
            c.compaction()
            await c.sync()
            assert c.reconnects == 1
            counts = (await c.snapshot())["counts"]
            assert counts["compaction"] == 2 and counts["turns"] == 2
            c.send_raw(b"\x05")
            with pytest.raises(ProtocolError):
                await c.ping()
        # Reconnect off: a lost daemon is an error, and it stays disconnected.
        async with await AsyncClient.open(home.socket, reconnect=False) as strict:
            await strict.ping()
            daemons.started[-1].kill()
            strict.turn("stop")
            with pytest.raises(ConnectionLost):
                await strict.sync()
            with pytest.raises(ConnectionLost):
                await strict.sync()

    trio.run(main)
    assert [b["client"]["version"] for b in _bodies(home)] == ["1.4.0"]


def test_trio_safe_client(home: Home, daemons: DaemonFactory) -> None:
    async def main() -> None:
        s = AsyncSafeClient(home.socket, backoff=Backoff(0.0, 0.0, clock=trio.current_time))
        _every_helper(s)
        assert await s.sync() is False  # no daemon yet: no exception
        assert await s.ping() is None
        assert s.failures >= 1
        await trio.to_thread.run_sync(lambda: daemons.start(home))
        assert await s.sync() is True  # what was queued is delivered
        snap = await s.snapshot()
        assert snap is not None and snap["counts"] == EVERY_HELPER
        await trio.to_thread.run_sync(daemons.started[-1].kill)
        s.compaction()
        assert await s.sync() is False
        await s.aclose()

    trio.run(main)


def test_status_still_talks_to_the_daemon_through_the_client(home: Home,
                                                              daemons: DaemonFactory) -> None:
    out = cli(home, "status", env=clean_env())
    assert "not running" in out.stdout
    daemons.start(home)
    out = cli(home, "status", env=clean_env())
    assert out.returncode == 0, out.stderr
    assert "not running" not in out.stdout


def test_connect_waits_for_a_full_listen_backlog(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A Unix socket whose backlog is full refuses a non-blocking connect at once (EAGAIN);
    # the client keeps trying until its timeout instead of failing the first time.
    path = str(tmp_path / "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(0)
    fillers: list[socket.socket] = []
    retried = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        retried.set()  # the client met the full backlog and waits to retry
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    try:
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            fillers.append(s)
            try:
                s.connect(path)
            except BlockingIOError:
                break
        result: list[BaseException | Client] = []

        def connect() -> None:
            try:
                result.append(Client(path, timeout=30))
            except BaseException as exc:
                result.append(exc)

        t = threading.Thread(target=connect)
        t.start()
        while t.is_alive() and not retried.wait(0.05):
            pass
        # Drain the backlog only now: the waiting client gets its turn.
        while t.is_alive():
            ready, _, _ = select.select([listener], [], [], 0.05)
            if ready:
                listener.accept()[0].close()
        t.join()
        assert len(result) == 1 and isinstance(result[0], Client), result
        result[0].close()
    finally:
        for s in fillers:
            s.close()
        listener.close()
