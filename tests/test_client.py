"""The Python client distribution (clients/python, ``metricsd_client``) on its own: what
the cross-client conformance suite (tests/conformance) does not cover."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trio
from metricsd_client import (
    AsyncClient,
    Client,
    NoReplyError,
    PeerUidError,
    SidecarError,
    default_socket_path,
    encode,
    peer_uid,
    request,
    socket_path,
    spawn_sidecar,
)

from metricsd.settings import default_socket
from tests.conftest import DaemonFactory, Home, clean_env, cli, wait_for
from tests.rawclient import Client as RawClient
from tests.vectors.generate import OUT, decode_parts

ROOT = Path(__file__).resolve().parents[1]
VECTORS: dict[str, Any] = json.loads(Path(OUT).read_text())
WITH_CALLS = [v for v in VECTORS["events"] + VECTORS["errors"] if "calls" in v]
EVERY = {"turns": 2, "finish_reason": {"stop": 1, "none": 1}, "empty_final": 1,
         "cache_hit": {"95-98": 1}, "provider_error": {"rate_limit": 1},
         "tool_error": {"timeout": 1}, "compaction": 1}


def _every_event(c: Client | AsyncClient) -> None:
    c.usage(cache_hit_tokens=95, cache_miss_tokens=5)
    c.provider_error("slow down", status=429)
    c.tool_result(None)
    c.tool_result("timed out")
    c.compaction()
    c.turn("stop")
    c.turn(None, empty_final=True)


def _counts(home: Home) -> dict[str, Any]:
    with RawClient(home.socket) as raw:
        counts: dict[str, Any] = raw.snapshot()["counts"]
        return counts


# --- packaging --------------------------------------------------------------------------

def test_distribution_depends_on_msgpack_and_platformdirs_only() -> None:
    meta = tomllib.loads((ROOT / "clients" / "python" / "pyproject.toml").read_text())
    deps = sorted(d.split(">")[0].split("=")[0] for d in meta["project"]["dependencies"])
    assert meta["project"]["name"] == "metricsd-client"
    assert deps == ["msgpack", "platformdirs"]


def test_importing_the_client_loads_no_daemon_code() -> None:
    code = ("import sys, metricsd_client; print(sorted(m for m in ('trio', 'httpx', "
            "'tomlkit', 'sqlite3', 'metricsd', 'asyncio', 'anyio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("vector", WITH_CALLS, ids=[v["name"] for v in WITH_CALLS])
def test_encoder_writes_the_vector_bytes(vector: dict[str, Any]) -> None:
    import metricsd_client

    out = b"".join(encode(getattr(metricsd_client, f"{helper}_message")(*args))
                   for helper, args in vector["calls"])
    assert out == decode_parts(vector["hex"])


def test_event_fast_paths_write_the_builders_bytes() -> None:
    from metricsd_client import _wire

    fast: dict[str, Callable[..., bytes]] = {
        "turn": _wire.turn_bytes, "usage": _wire.usage_bytes,
        "tool_result": _wire.tool_result_bytes}
    calls = [call for v in WITH_CALLS for call in v["calls"] if call[0] in fast]
    calls += [["turn", ["stop", 1]], ["turn", ["stop", True]], ["turn", ["x" * 300, False]],
              ["usage", [2**40, 70_000]], ["tool_result", ["é" * 20_000]],
              ["tool_result", ["\udcff"]]]
    for helper, args in calls * 2:  # twice: from the turn cache too
        builder = getattr(_wire, f"{helper}_message")
        assert fast[helper](*args) == encode(builder(*args)), (helper, args)
    for bad in ([-1, 0], [True, 0], [1.0, 0]):
        with pytest.raises((TypeError, ValueError)):
            _wire.usage_bytes(*bad)


# --- paths, peers, one-shot requests ------------------------------------------------------

def test_socket_path_is_the_daemons(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("METRICSD_SOCKET", str(tmp_path / "env.sock"))
    assert socket_path(tmp_path / "arg.sock") == tmp_path / "arg.sock"
    assert socket_path() == tmp_path / "env.sock"
    monkeypatch.delenv("METRICSD_SOCKET")
    tmp_path.chmod(0o700)
    for xdg in (str(tmp_path), "", "relative/dir"):
        monkeypatch.setenv("XDG_RUNTIME_DIR", xdg)
        assert socket_path() == default_socket_path() == default_socket()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert default_socket_path() == tmp_path / "metricsd" / "metricsd.sock"


def test_peer_uid_is_ours_on_a_socketpair() -> None:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with a, b:
        assert peer_uid(a) == os.geteuid()


def test_request_replies_and_errors_name_the_path(home: Home, daemons: DaemonFactory,
                                                  tmp_path: Path) -> None:
    missing = tmp_path / "none.sock"
    with pytest.raises(FileNotFoundError, match=f"cannot connect to {missing}"):
        request(missing, {"type": "ping"}, timeout=2)
    daemons.start(home)
    assert request(home.socket, {"type": "ping"}, timeout=5)["type"] == "pong"
    snap = request(home.socket, {"type": "snapshot"}, timeout=5)
    assert snap["type"] == "snapshot" and snap["counts"] == {}
    reply = request(home.socket, {"type": "sync"}, timeout=5)  # no id: an error reply
    assert reply["type"] == "error" and reply["code"] == "invalid_event"
    # A peer that closes without a reply, and one that never answers.
    for behaviour in ("close", "silent"):
        path = tmp_path / f"{behaviour}.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(path))
            server.listen(1)
            if behaviour == "close":
                with pytest.raises(NoReplyError, match=str(path)):
                    _request_while(server, path, close=True)
            else:
                with pytest.raises(TimeoutError, match=str(path)):
                    request(path, {"type": "ping"}, timeout=0.3)


def _request_while(server: socket.socket, path: Path, close: bool) -> dict[str, Any]:
    import threading

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(100)
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    try:
        return request(path, {"type": "ping"}, timeout=5)
    finally:
        t.join(10)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to serve a socket as another uid")
def test_request_refuses_another_users_socket() -> None:
    import shutil
    import tempfile

    from tests.conformance.test_conformance import NOBODY, _read_all, _serve_as_nobody

    root = Path(tempfile.mkdtemp(prefix="mdf-", dir="/tmp"))
    os.chmod(root, 0o755)
    os.chown(root, NOBODY, NOBODY)
    path = root / "m.sock"
    pid, report, stop = _serve_as_nobody(path)
    try:
        assert os.read(report, 6) == b"READY\n"
        with pytest.raises(PeerUidError, match=f"{path} is served by uid {NOBODY}"):
            request(path, {"type": "ping"}, timeout=5)
    finally:
        os.close(stop)
        out = _read_all(report)
        os.close(report)
        os.waitpid(pid, 0)
        shutil.rmtree(root, ignore_errors=True)
    assert out.split() == ["CONN", "0"]


# --- the client ---------------------------------------------------------------------------

def test_turns_are_written_at_once_and_sync_snapshot_work(home: Home,
                                                          daemons: DaemonFactory) -> None:
    daemons.start(home)
    with Client(home.socket, "1.4.0") as c:
        _every_event(c)
        wait_for(lambda: _counts(home) == EVERY, what="the events, without a sync")
        assert c.sync() is True
        snap = c.snapshot()
        assert snap is not None and snap["counts"] == EVERY and snap["enabled"] is True
        pong = c.ping()
        assert pong is not None and pong["proto"] == 1
        c.status(1.0)  # a daemon without `status` ignores it: None, no exception
        assert c.errors == [] and c.dropped == 0 and c.connected
        assert c.socket_path == home.socket
    assert [b["client"]["version"] for b in json.loads(cli(home, "show", "--json").stdout)] \
        == ["1.4.0"]


def test_bad_arguments_are_dropped_and_counted_not_raised(home: Home,
                                                          daemons: DaemonFactory) -> None:
    daemons.start(home)
    with Client(home.socket) as c:
        c.usage(cache_hit_tokens=-1, cache_miss_tokens=3)
        c.usage(cache_hit_tokens="3", cache_miss_tokens=3)  # type: ignore[arg-type]
        c.usage(cache_hit_tokens=True, cache_miss_tokens=3)
        c.tool_result(42)  # type: ignore[arg-type]
        c.provider_error("x", status="429")  # type: ignore[arg-type]
        c.turn(5)  # type: ignore[arg-type]
        c.tool_result("deadline exceeded " + "é" * 20_000)  # clipped, still counted
        c.provider_error("\udcff status 429")  # a lone surrogate: replaced, still counted
        assert c.sync() is True
        assert c.dropped == 6
        assert c.errors == []
        snap = c.snapshot()
        assert snap is not None and snap["counts"] == {"tool_error": {"timeout": 1},
                                                       "provider_error": {"rate_limit": 1}}


def test_sync_reports_events_lost_with_a_killed_daemon(home: Home,
                                                       daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with Client(home.socket) as c:
        assert c.sync() is True
        c.compaction()  # no sync: the client has no confirmation for it
        wait_for(lambda: _counts(home) == {"compaction": 1}, what="the compaction")
        d.kill()
        daemons.start(home)
        c.usage(cache_hit_tokens=1, cache_miss_tokens=0)
        # Whatever the killed daemon did with the compaction, it was never confirmed: the
        # first sync after the loss says so; the next one covers only what came since.
        assert c.sync() is False
        assert c.sync() is True
        assert _counts(home).get("cache_hit") == {"100": 1}
        assert c.stats.reconnects == 1


def test_a_daemon_that_never_reads_cannot_block_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        c = Client(path, max_queue=100_000, max_queue_bytes=64 << 20)
        for _ in range(100_000):  # far more than the socket buffers hold
            c.tool_result("command timed out after 120 seconds")
        assert c.sync(0.3) is False
        c.close(0.3)
        assert c.dropped > 0


def test_a_forked_child_has_its_own_connection(home: Home, daemons: DaemonFactory) -> None:
    daemons.start(home)
    c = Client(home.socket, "1.0.0")
    c.turn("stop")
    assert c.sync() is True
    c.compaction()  # queued or written by the parent: never repeated by the child
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            c.turn("length")
            status = 0 if c.sync(10) else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    c.turn("stop")
    assert c.sync() is True
    c.close()
    assert _counts(home) == {"turns": 3, "finish_reason": {"stop": 2, "length": 1},
                             "compaction": 1}


def test_async_client_under_asyncio_and_trio(home: Home, daemons: DaemonFactory) -> None:
    async def scenario() -> tuple[bool, dict[str, Any] | None, bool]:
        async with AsyncClient(home.socket, "1.4.0") as c:
            _every_event(c)
            ok = await c.sync()
            snap = await c.snapshot()
        absent = AsyncClient(home.root / "none.sock")
        absent.turn("stop")
        lost = await absent.sync(0.2)
        await absent.aclose()
        return ok, snap, lost

    daemons.start(home)
    ok, snap, lost = asyncio.run(scenario())
    assert ok is True and snap is not None and snap["counts"] == EVERY and lost is False
    ok, snap, lost = trio.run(scenario)
    assert ok is True and snap is not None and lost is False
    assert snap["counts"]["turns"] == 4


def test_async_waits_are_cancellable() -> None:
    async def main() -> None:
        c = AsyncClient("/nonexistent/dir/m.sock")
        with trio.move_on_after(0.1) as scope:
            await c.sync(60)
        assert scope.cancelled_caught
        await c.aclose()

    trio.run(main)


def test_spawn_sidecar_reports_a_daemon_that_cannot_start(home: Home) -> None:
    too_long = str(home.root / ("x" * 120) / "m.sock")
    exe = str(Path(sys.executable).with_name("metricsd"))
    with pytest.raises(SidecarError, match="exit status 1"):
        spawn_sidecar(exe, *home.args(), "--socket", too_long, stderr=subprocess.DEVNULL,
                      env=clean_env())


def test_status_command_talks_to_the_daemon_through_request(home: Home,
                                                            daemons: DaemonFactory) -> None:
    out = cli(home, "status", env=clean_env())
    assert "not running" in out.stdout
    daemons.start(home)
    out = cli(home, "status", env=clean_env())
    assert out.returncode == 0, out.stderr
    assert "not running" not in out.stdout


def test_documented_python_examples_compile() -> None:
    import re

    for doc in (ROOT / "README.md", ROOT / "docs" / "CLIENTS.md"):
        blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.DOTALL)
        assert blocks, doc
        for block in blocks:
            compile(block, str(doc), "exec")
    tour = re.search(r"<<'PY'\n(.*?)\nPY", (ROOT / "README.md").read_text(), re.DOTALL)
    assert tour is not None and "metricsd_client" in tour.group(1)
    compile(tour.group(1), "README tour", "exec")
