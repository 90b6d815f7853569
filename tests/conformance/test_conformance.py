"""One behaviour, every client: each scenario runs a small driver program per client
(Python ``metricsd_client``, Go ``clients/go``, Node ``clients/node``) against a real daemon
started here, and the daemon's own counts decide.

Drivers: ``drivers/driver.py``, ``drivers/go`` (its own module),
``drivers/driver.cjs`` (loaded with ``require``).  A missing Go or Node toolchain skips
those clients locally and fails under CI (``CI`` set).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    DaemonFactory,
    Home,
    clean_env,
    cli,
    daemon_env,
    read_line,
    unavailable,
    wait_for,
)
from tests.rawclient import Client as RawClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GO_DIR = ROOT / "clients" / "go"
NODE_DIR = ROOT / "clients" / "node"
NOBODY = 65534
CLIENTS = ["python", "go", "node"]
#: Counts of drivers' every_event(): usage 95/5, tool errors (timeout, success), a 429,
#: a compaction and a turn that stopped.
EVERY_EVENT = {"turns": 1, "finish_reason": {"stop": 1}, "cache_hit": {"95-98": 1},
               "tool_error": {"timeout": 1}, "provider_error": {"rate_limit": 1},
               "compaction": 1}
#: RSS growth allowed while 1M events are enqueued with no daemon: a bounded queue holds
#: at most 10,000 events (1 MiB); an unbounded one would hold all of them (100+ MB).
MEMORY_BOUND_KB = 32 * 1024
#: An event call waits for nothing but a lock; this bound only catches a call that waits
#: for the daemon (connect, write), and is generous for a loaded CI machine.
MAX_CALL_MS = 1000.0


def _command(client: str, request: pytest.FixtureRequest) -> list[str]:
    if client == "python":
        return [sys.executable, str(HERE / "drivers" / "driver.py")]
    if client == "go":
        return [str(request.getfixturevalue("go_driver"))]
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    if not (NODE_DIR / "node_modules" / "@msgpack" / "msgpack").is_dir():
        unavailable("clients/node/node_modules is missing: run `npm ci --prefix clients/node`")
    assert node is not None
    return [node, str(HERE / "drivers" / "driver.cjs")]


@dataclass
class Driver:
    proc: subprocess.Popen[str]

    def step(self) -> str:
        line = read_line(self.proc, 60)
        try:
            step: str = json.loads(line)["step"]
        except (ValueError, KeyError):
            raise AssertionError(f"driver said {line!r}") from None
        return step

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, Any]:
        line = read_line(self.proc, 120)
        code = self.proc.wait(60)
        assert code == 0, f"driver exited {code} (it must never fail): {line!r}"
        result: dict[str, Any] = json.loads(line)["result"]
        return result


@pytest.fixture(params=CLIENTS)
def run(request: pytest.FixtureRequest) -> Iterator[Any]:
    client: str = request.param
    command = _command(client, request)
    started: list[subprocess.Popen[str]] = []

    def start(scenario: str, socket: Path | str, **env: str) -> Driver:
        proc = subprocess.Popen(
            [*command, scenario], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None, text=True,
            env=clean_env(MD_SOCKET=str(socket), MD_CLIENT=client, **env))
        started.append(proc)
        return Driver(proc)

    start.client = client  # type: ignore[attr-defined]
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _counts(home: Home) -> dict[str, Any]:
    with RawClient(home.socket) as c:
        counts: dict[str, Any] = c.snapshot()["counts"]
        return counts


def _client_versions(home: Home) -> list[str]:
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    return [b["client"]["version"] for b in json.loads(out.stdout)]


def test_turn_is_on_the_wire_without_a_sync(run: Any, home: Home,
                                           daemons: DaemonFactory) -> None:
    daemons.start(home)
    d = run("turn_prompt", home.socket)
    assert d.step() == "sent"
    # Another connection sees the turn while the client is idle: it was written at once,
    # not held for a buffer to fill, a sync or a close.
    wait_for(lambda: _counts(home) == EVERY_EVENT, timeout=10, what="the turn's counts")
    d.send("check")
    result = d.result()
    assert result["sync"] is True
    assert result["counts"] == EVERY_EVENT
    assert result["dropped"] == 0
    assert result["max_call_ms"] < MAX_CALL_MS


def test_daemon_killed_and_restarted_mid_stream(run: Any, home: Home,
                                                daemons: DaemonFactory) -> None:
    first = daemons.start(home)
    d = run("restart", home.socket)
    assert d.step() == "synced"
    first.kill()
    daemons.start(home)
    d.send("go")
    result = d.result()
    assert result["sync"] is True, result
    assert result["reconnects"] >= 1
    assert result["max_call_ms"] < MAX_CALL_MS, result
    # The synced turn survived the kill; everything sent after the restart counts once.
    assert _counts(home) == {"turns": 2, "finish_reason": {"stop": 1, "length": 1},
                             "compaction": 50}
    daemons.started[-1].stop()
    # The hello was repeated on the new connection: nothing counted as "unknown".
    assert set(_client_versions(home)) == {"1.2.3"}


def test_daemon_absent_nothing_raised_and_drops_counted(run: Any, home: Home) -> None:
    d = run("absent", home.socket)
    result = d.result()
    assert result["sync"] is False
    assert result["dropped"] == 200 * 7  # every event, counted at close
    assert result["max_call_ms"] < MAX_CALL_MS


@pytest.mark.parametrize("xdg", ["private", "unset", "not-private"])
def test_default_socket_path_is_the_daemons(run: Any, xdg: str, tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": ""}  # empty counts as unset, for all of them
    if xdg != "unset":
        runtime = tmp_path / "xdg"
        runtime.mkdir(mode=0o700 if xdg == "private" else 0o755)
        runtime.chmod(0o700 if xdg == "private" else 0o755)
        env["XDG_RUNTIME_DIR"] = str(runtime)
    daemon = subprocess.run(
        [sys.executable, "-c", "from metricsd.settings import default_socket; "
         "print(default_socket())"], capture_output=True, text=True, check=True,
        env=clean_env(**env))
    result = run("default_path", "", **env).result()
    assert result["path"] == daemon.stdout.strip()


@pytest.mark.long
def test_a_daemon_that_never_reads_cannot_block_the_caller(run: Any, home: Home) -> None:
    # A listener that never accepts: connections complete (the backlog), and every write
    # beyond the socket buffers would block.
    home.socket.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(home.socket))
        listener.listen(8)
        result = run("silent", home.socket).result()
    assert result["max_call_ms"] < MAX_CALL_MS, result
    assert result["sync"] is False
    assert result["dropped"] > 0  # the bounded queue overflowed instead of growing


def _serve_as_nobody(path: Path) -> tuple[int, int, int]:
    """Fork a child that drops to uid/gid nobody, serves ``path`` and counts the bytes each
    connection carries.  Returns (pid, report fd, stop fd): the child writes ``READY\n``,
    then, once the stop fd is closed, one ``CONN <n>`` line per connection."""
    report_r, report_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: only os/socket/selectors calls, then _exit
        status = 1
        try:
            os.close(report_r)
            os.close(stop_w)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(str(path))
            listener.listen(64)
            os.write(report_w, b"READY\n")
            sel = selectors.DefaultSelector()
            sel.register(listener, selectors.EVENT_READ)
            sel.register(stop_r, selectors.EVENT_READ)
            counts: dict[socket.socket, int] = {}
            lines: list[str] = []
            running = True
            while running:
                for key, _ in sel.select():
                    if key.fileobj == stop_r:
                        running = False
                    elif key.fileobj is listener:
                        conn, _ = listener.accept()
                        counts[conn] = 0
                        sel.register(conn, selectors.EVENT_READ)
                    else:
                        conn = key.fileobj  # type: ignore[assignment]
                        assert isinstance(conn, socket.socket)
                        try:
                            data = conn.recv(65536)
                        except OSError:
                            data = b""
                        if data:
                            counts[conn] += len(data)
                        else:
                            sel.unregister(conn)
                            lines.append(f"CONN {counts.pop(conn)}")
                            conn.close()
            lines += [f"CONN {n}" for n in counts.values()]
            os.write(report_w, "".join(line + "\n" for line in lines).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(report_w)
    os.close(stop_r)
    return pid, report_r, stop_w


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to serve a socket as another uid")
def test_socket_of_another_uid_gets_nothing(run: Any) -> None:
    root = Path(tempfile.mkdtemp(prefix="mdf-", dir="/tmp"))
    os.chmod(root, 0o755)
    os.chown(root, NOBODY, NOBODY)
    path = root / "m.sock"
    pid, report, stop = _serve_as_nobody(path)
    try:
        assert os.read(report, 6) == b"READY\n"
        assert path.stat().st_uid == NOBODY
        result = run("foreign", path).result()
    finally:
        os.close(stop)
        out = _read_all(report)
        os.close(report)
        os.waitpid(pid, 0)
        shutil.rmtree(root, ignore_errors=True)
    conns = [int(line.split()[1]) for line in out.splitlines() if line.startswith("CONN")]
    assert conns == [0] * len(conns), f"bytes reached another user's socket: {conns}"
    if run.client != "node":
        # Python and Go connect and ask the kernel (SO_PEERCRED); Node checks the socket
        # file's owner before connecting, so it may never connect at all.
        assert conns, "the client never tried the socket"
    assert result["sync"] is False
    assert result["refused"] >= 1
    assert result["dropped"] == 6


def test_a_million_events_without_a_daemon_stay_bounded(run: Any, home: Home) -> None:
    d = run("memory", home.socket)
    result = d.result()
    print(f"{run.client}: 1M events, RSS +{result['rss_growth_kb']} KiB, "
          f"{result['seconds']:.2f} s, dropped {result['dropped']}")
    assert result["dropped"] >= 1_000_000 - 10_000
    assert result["rss_growth_kb"] < MEMORY_BOUND_KB, result


def test_sidecar_spawns_the_daemon_and_connects(run: Any, home: Home) -> None:
    exe = Path(sys.executable).with_name("metricsd")
    d = run("spawn", "", MD_EXE=str(exe), MD_ARGS=json.dumps(home.args()))
    result = d.result()
    assert result == {"socket": str(home.socket), "already_running": False, "sync": True,
                      "exit": 0}
    # The sidecar's daemon committed and exited when its stdin closed.
    out = cli(home, "show", "--json", day=1)  # the day after the sidecar daemon's
    assert [b["counts"] for b in json.loads(out.stdout)] == [
        {"turns": 1, "finish_reason": {"stop": 1}}]


def test_sidecar_finds_an_already_running_daemon(run: Any, home: Home,
                                                 daemons: DaemonFactory) -> None:
    daemons.start(home)
    exe = Path(sys.executable).with_name("metricsd")
    d = run("spawn_existing", "", MD_EXE=str(exe), MD_ARGS=json.dumps(home.args()))
    result = d.result()
    assert result["socket"] == str(home.socket)
    # The spawned daemon sees the running one, prints READY with its socket and stands by
    # (older daemons exited 0 without a line: `already_running`); either way the events
    # reach the running daemon, and the helper's daemon leaves when its stdin closes.
    assert result["sync"] is True
    assert result["exit"] in (0, None)
    assert _counts(home) == {"turns": 1, "finish_reason": {"stop": 1}}


# --- v1.2 client behaviours (each client's driver implements the scenario) ---------------------

#: Clients whose driver implements the scenarios below (the others skip until they do).
LOST_CLIENTS = {"python", "go", "node"}
TCP_CLIENTS = {"python", "go", "node"}


def _needs(run: Any, clients: set[str]) -> None:
    if run.client not in clients:
        pytest.skip(f"the {run.client} driver does not implement this scenario yet")


def test_events_written_but_never_acknowledged_are_written_again(
        run: Any, home: Home, daemons: DaemonFactory) -> None:
    """v1.3 (replayable streams): a compaction written without a sync, the daemon SIGKILLed
    after reading it and restarted: the client writes it again, the new daemon counts it
    once; nothing is unconfirmed and both syncs succeed.  (Before streams it was
    ``unconfirmed`` and the first sync failed.)"""
    _needs(run, LOST_CLIENTS)
    first = daemons.start(home)
    d = run("lost", home.socket)
    assert d.step() == "sent"
    wait_for(lambda: _counts(home) == {"compaction": 1}, what="the compaction")
    first.kill()
    daemons.start(home)
    d.send("go")
    result = d.result()
    assert result["first_sync"] is True and result["second_sync"] is True, result
    assert result["unconfirmed"] == 0 and result["dropped"] == 0, result
    assert result["reconnects"] >= 1
    assert _counts(home).get("compaction", 0) == 2  # the one written again, and one more


def test_turn_over_loopback_tcp_with_a_token(run: Any, home: Home,
                                             daemons: DaemonFactory) -> None:
    _needs(run, TCP_CLIENTS)
    d = daemons.start(home, "--listen", "tcp", wait_ready=False)
    line = read_line(d.proc, 20)
    endpoint = Path(line.removeprefix("READY "))
    assert line.startswith("READY ") and endpoint.name == "endpoint.json", line
    assert endpoint.parent == home.socket.parent
    assert endpoint.stat().st_mode & 0o777 == 0o600
    driver = run("turn_prompt", endpoint)
    assert driver.step() == "sent"
    driver.send("check")
    result = driver.result()
    assert result["sync"] is True, result
    assert result["counts"] == EVERY_EVENT
    assert result["dropped"] == 0


def test_loopback_tcp_transport_with_a_token(run: Any, home: Home,
                                            daemons: DaemonFactory) -> None:
    """Every client over loopback TCP: the address is the endpoint file."""
    daemon = daemons.start(home, "--listen", "tcp", wait_ready=False)
    endpoint = home.socket.parent / "endpoint.json"
    assert read_line(daemon.proc, 20) == f"READY {endpoint}", daemon.stderr
    # The address is the endpoint file: the client reads port and token from it.
    result = run("usage_forms", endpoint).result()
    assert result["sync"] is True and result["dropped"] == 0, result
    assert result["counts"] == USAGE_FORMS
    assert not home.socket.exists()


# --- Go: usage forms, loopback TCP, lost events, two app instances ----------------------

GO_ONLY = pytest.mark.parametrize("run", ["go"], indirect=True)
#: What the usage_forms scenario sends: total + cached 100/30 (30 %) and 40/none (0 %),
#: read/write 10/0/5 (0 %) and none/900/none (100 %), split none/10 (0 %).
USAGE_FORMS = {"turns": 1, "finish_reason": {"stop": 1},
               "cache_hit": {"0": 3, "1-49": 1, "100": 1}}


def test_usage_forms_and_missing_counts(run: Any, home: Home,
                                        daemons: DaemonFactory) -> None:
    """Every client: the three usage forms, each count a provider left out (None / nil /
    null / undefined) sent as 0 and the event kept."""
    daemons.start(home)
    result = run("usage_forms", home.socket).result()
    assert result["sync"] is True and result["dropped"] == 0
    assert result["counts"] == USAGE_FORMS


def _start_tcp(home: Home, daemons: DaemonFactory) -> Path:
    d = daemons.start(home, "--listen", "tcp", wait_ready=False)
    endpoint = home.socket.parent / "endpoint.json"
    line = read_line(d.proc, 30)
    assert line == f"READY {endpoint}", (line, d.stderr)
    return endpoint


@GO_ONLY
def test_go_over_loopback_tcp(run: Any, home: Home, daemons: DaemonFactory) -> None:
    endpoint = _start_tcp(home, daemons)
    d = run("turn_prompt", endpoint)
    assert d.step() == "sent"
    d.send("check")
    result = d.result()
    assert result["sync"] is True and result["dropped"] == 0
    assert result["counts"] == EVERY_EVENT


@GO_ONLY
def test_go_over_tcp_finds_the_restarted_daemons_new_port_and_token(
        run: Any, home: Home, daemons: DaemonFactory) -> None:
    endpoint = _start_tcp(home, daemons)
    first = endpoint.read_text()
    d = run("restart", endpoint)
    assert d.step() == "synced"
    daemons.started[-1].kill()
    _start_tcp(home, daemons)
    assert endpoint.read_text() != first
    d.send("go")
    result = d.result()
    assert result["sync"] is True, result
    assert result["reconnects"] >= 1


@GO_ONLY
def test_go_reports_events_lost_with_a_killed_daemon(run: Any, home: Home,
                                                     daemons: DaemonFactory) -> None:
    """Events written after the last acknowledgement on a connection the daemon then loses
    (SIGKILL) are reported: counted as unconfirmed (never re-sent) and by one Sync; the
    events after the restart all count."""
    first = daemons.start(home)
    d = run("restart", home.socket)
    assert d.step() == "synced"
    first.kill()
    daemons.start(home)
    d.send("go")
    result = d.result()
    assert result["sync"] is True, result
    assert result["unconfirmed"] <= result["streamed"]
    assert (result["lost_reports"] >= 1) == (result["unconfirmed"] + result["dropped"] > 0)
    with RawClient(home.socket) as c:
        counts = c.snapshot()["counts"]
    assert counts["compaction"] == 50 and counts["turns"] == 2


@pytest.mark.long
def test_go_second_instance_loses_nothing_when_the_first_quits(
        request: pytest.FixtureRequest, home: Home) -> None:
    """Two app instances (two processes), each with its own supervised sidecar on the same
    socket: the second instance's daemon stands by.  The first quits while the second
    streams; the second loses nothing, and every event of both is counted once."""
    command = _command("go", request)
    exe = Path(sys.executable).with_name("metricsd")
    # Both instances' daemons run on one day, so that `show` (the next day) lists it.
    env = daemon_env(home, clean_env(MD_SOCKET="", MD_EXE=str(exe),
                                     MD_ARGS=json.dumps(home.args())))

    def start() -> Driver:
        return Driver(subprocess.Popen([*command, "instance"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, env=env))

    a = start()
    try:
        assert a.step() == "ready"
        b = start()
        try:
            assert b.step() == "ready"
            a.send("quit")
            got_a = a.result()
            b.send("quit")
            got_b = b.result()
        finally:
            if b.proc.poll() is None:
                b.proc.kill()
    finally:
        if a.proc.poll() is None:
            a.proc.kill()
    for got in (got_a, got_b):
        assert got["sync"] is True and got["exit"] == 0, got
        assert got["dropped"] == 0 and got["unconfirmed"] == 0 and got["lost_reports"] == 0
    expected = {"turns": 2, "compaction": got_a["sent"] + got_b["sent"] - 2}

    def counted() -> dict[str, int]:
        out = cli(home, "show", "--json")
        total: dict[str, int] = {"turns": 0, "compaction": 0}
        for batch in json.loads(out.stdout or "[]"):
            for key in total:
                total[key] += int(batch["counts"].get(key, 0))
        return total

    wait_for(lambda: counted() == expected, timeout=30, what=f"{expected} counted")


# --- v1.3: replayable streams, the daemon proves itself -------------------------------------

def test_stream_resumes_after_sigkill_nothing_lost_nothing_twice(
        run: Any, home: Home, daemons: DaemonFactory) -> None:
    """Events the daemon had read but not committed when it was SIGKILLed are written
    again to the next daemon (the client holds each until an ack's ``committed`` covers
    it); the new daemon counts each once.  Nothing is dropped or unconfirmed."""
    first = daemons.start(home)
    d = run("stream_kill", home.socket)
    assert d.step() == "sent"
    # The daemon has read and counted them (in memory): only a commit is missing.
    wait_for(lambda: _counts(home).get("compaction") == 300, timeout=20,
             what="the compactions read")
    first.kill()
    daemons.start(home)
    d.send("go")
    result = d.result()
    assert result["sync"] is True, result
    assert result["dropped"] == 0 and result["unconfirmed"] == 0, result
    assert result["reconnects"] >= 1
    assert result["max_call_ms"] < MAX_CALL_MS, result
    assert _counts(home) == {"compaction": 300, "turns": 1, "finish_reason": {"stop": 1}}


class _Impostor:
    """A loopback TCP listener of "another user" on a stale endpoint's port: it records
    every byte each connection sends and answers a ``hello`` with a made-up challenge."""

    def __init__(self) -> None:
        import threading

        import msgpack

        self._msgpack = msgpack
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            data = b""
            self.received.append(b"")
            with conn:
                conn.settimeout(5)
                answered = False
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                    self.received[-1] = data
                    if not answered:
                        answered = True
                        conn.sendall(self._msgpack.packb(
                            {"type": "challenge", "proof": os.urandom(32),
                             "nonce": os.urandom(32)}))

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self._thread.join(5)


@pytest.mark.parametrize("pid", ["dead", "alive"])
def test_an_impostor_on_a_stale_endpoint_receives_no_token_and_no_event(
        run: Any, tmp_path: Path, pid: str) -> None:
    """A daemon died uncleanly; its endpoint.json stays and another user listens on its
    port.  A client ignores an endpoint.json whose pid is dead; and when the pid is alive
    (reused), the listener cannot prove it holds the token, so it gets only a hello with
    a random nonce: no token, no byte of any event."""
    import msgpack

    token = "7e" * 32
    canary = "IMPOSTOR-CANARY-" + os.urandom(8).hex()
    impostor = _Impostor()
    dead = subprocess.Popen(["true"])
    dead.wait()
    endpoint = tmp_path / "endpoint.json"
    endpoint.write_text(json.dumps({"port": impostor.port, "token": token,
                                    "pid": dead.pid if pid == "dead" else os.getpid()}))
    endpoint.chmod(0o600)
    try:
        result = run("impostor", endpoint, MD_CANARY=canary).result()
    finally:
        impostor.close()
    assert result["sync"] is False
    assert result["max_call_ms"] < MAX_CALL_MS, result
    if pid == "dead":
        assert impostor.received == []
    for data in impostor.received:
        assert token.encode() not in data and canary.encode() not in data
        unpacker = msgpack.Unpacker(raw=False)
        unpacker.feed(data)
        messages = list(unpacker)
        assert [m.get("type") for m in messages] == ["hello"], messages
        assert "token" not in messages[0] and len(messages[0]["nonce"]) >= 16
