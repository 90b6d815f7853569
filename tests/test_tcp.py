"""The loopback TCP transport (`run --listen tcp`, the transport of platforms without
Unix sockets) as a first-class transport: the daemon's important behaviours over it,
against real daemon processes on Linux.  (Nothing here has run on Windows.)"""

from __future__ import annotations

import json
import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from metricsd_client._wire import (
    ReplyParser,
    compaction_message,
    encode,
    hello_message,
    snapshot_message,
    turn_message,
)

from metricsd import service
from tests.conftest import (
    START_TIMEOUT,
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    day_env,
    read_line,
)


def _endpoint(home: Home) -> Path:
    return home.socket.parent / "endpoint.json"


def start_tcp(daemons: DaemonFactory, home: Home, *extra: str,
              stdin: int | None = subprocess.DEVNULL) -> Daemon:
    d = daemons.start(home, "--listen", "tcp", *extra, wait_ready=False, stdin=stdin)
    d.ready_line = read_line(d.proc, START_TIMEOUT)
    assert d.ready_line == f"READY {_endpoint(home)}", (d.ready_line, d.stderr)
    return d


class Conn:
    """A raw connection to a TCP daemon: what a client library does, byte for byte."""

    def __init__(self, home: Home, token: str | None = None) -> None:
        info = json.loads(_endpoint(home).read_text())
        self.sock = socket.create_connection(("127.0.0.1", info["port"]), timeout=20)
        self.parser = ReplyParser()
        self.token = info["token"] if token is None else token

    def hello(self) -> None:
        self.send({**hello_message("1.2.3"), "token": self.token})

    def send(self, *messages: dict[str, Any]) -> None:
        self.sock.sendall(b"".join(encode(m) for m in messages))

    def reply(self) -> dict[str, Any]:
        while True:
            for r in self.parser.replies():
                return r
            data = self.sock.recv(65536)
            assert data, "connection closed before a reply"
            self.parser.feed(data)

    def replies_until_closed(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while data := self.sock.recv(65536):
            self.parser.feed(data)
            out.extend(self.parser.replies())
        return out

    def close(self) -> None:
        self.sock.close()


def _counts(home: Home) -> dict[str, Any]:
    c = Conn(home)
    try:
        c.hello()
        c.send(snapshot_message())
        reply = c.reply()
        assert reply["type"] == "snapshot"
        return dict(reply["counts"])
    finally:
        c.close()


def test_counts_and_sync_over_tcp_are_durable(home: Home, daemons: DaemonFactory) -> None:
    """Events counted over TCP; `sync` is acknowledged only once committed, so a SIGKILL
    right after the ack loses nothing (the next daemon, also over TCP, holds them)."""
    d = start_tcp(daemons, home)
    c = Conn(home)
    c.hello()
    c.send(*[compaction_message()] * 7, turn_message("stop", False), {"type": "sync", "id": 41})
    assert c.reply() == {"type": "ack", "id": 41}
    c.close()
    d.kill()
    d2 = start_tcp(daemons, home)
    counts = _counts(home)
    assert counts["compaction"] == 7
    assert counts["turns"] == 1
    assert d2.stop() == 0


def test_first_message_must_be_hello_with_the_token(home: Home,
                                                    daemons: DaemonFactory) -> None:
    """Anything but a hello with the token first — another message, a hello without a
    token, a wrong token — gets `unauthorized` and a close, and nothing it sent counts."""
    d = start_tcp(daemons, home)
    info = json.loads(_endpoint(home).read_text())
    wrong = ("f" if info["token"][0] != "f" else "e") + info["token"][1:]
    attempts: list[tuple[str | None, list[dict[str, Any]]]] = [
        (None, [compaction_message(), hello_message()]),   # not a hello first
        (None, [hello_message(), compaction_message()]),   # a hello without the token
        (wrong, [{"type": "hello", "proto": 1, "token": wrong}, compaction_message()]),
        (None, [{"type": "hello", "proto": 1, "token": 5}, compaction_message()]),
    ]
    for token, messages in attempts:
        c = Conn(home, token)
        c.send(*messages)
        assert [r.get("code") for r in c.replies_until_closed()] == ["unauthorized"]
        c.close()
    assert "compaction" not in _counts(home)
    assert d.stop() == 0


def test_endpoint_file_is_private_replaced_at_start_and_removed_at_exit(
        home: Home, daemons: DaemonFactory) -> None:
    d = start_tcp(daemons, home)
    path = _endpoint(home)
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    first = json.loads(path.read_text())
    assert first["pid"] == d.proc.pid and len(first["token"]) == 64
    assert not home.socket.exists()  # TCP only: no Unix socket is bound
    d.kill()  # a crash leaves the file behind ...
    assert path.exists()
    d2 = start_tcp(daemons, home)
    second = json.loads(path.read_text())  # ... and the next start replaces it
    assert second["pid"] == d2.proc.pid and second["token"] != first["token"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["endpoint.json", "m.sock.lock"]
    assert d2.stop() == 0
    assert not path.exists()


def test_a_second_run_on_the_same_socket_path_says_who_serves(
        home: Home, daemons: DaemonFactory) -> None:
    d = start_tcp(daemons, home)
    token = json.loads(_endpoint(home).read_text())["token"]
    for listen in ("tcp", "unix"):
        second = cli(home, "run", "--listen", listen, timeout=START_TIMEOUT)
        assert second.returncode == 0, second.stderr
        assert f"a daemon already serves {home.socket} (pid {d.proc.pid})" in second.stderr
    # The running daemon's endpoint.json was not touched.
    assert json.loads(_endpoint(home).read_text())["token"] == token
    assert d.stop() == 0


def test_status_reaches_a_tcp_daemon(home: Home, daemons: DaemonFactory) -> None:
    """`metricsd status` finds the daemon through endpoint.json when there is no socket,
    authenticates with its token and shows the running daemon's own view; after a crash
    (a stale endpoint.json, nothing listening) it reads the database instead."""
    d = start_tcp(daemons, home)
    c = Conn(home)
    c.hello()
    c.send(*[compaction_message()] * 2, {"type": "sync", "id": 1})
    assert c.reply()["type"] == "ack"
    out = cli(home, "status")
    assert out.returncode == 0, out.stderr
    assert f"running (pid {d.proc.pid}" in out.stdout, out.stdout
    assert "connections: 1 other than this one" in out.stdout, out.stdout  # ours
    assert re.search(r"^\s+compaction\s+2$", out.stdout, re.M), out.stdout
    c.close()
    d.kill()
    out = cli(home, "status")
    assert out.returncode == 0, out.stderr
    assert "not running" in out.stdout, out.stdout


def test_tcp_request_refuses_a_wrong_token(home: Home, daemons: DaemonFactory) -> None:
    d = start_tcp(daemons, home)
    endpoint = service.read_endpoint_file(home.socket.parent)
    assert endpoint is not None and endpoint.pid == d.proc.pid
    reply = service.tcp_request(endpoint, {"type": "ping"}, timeout=20)
    assert reply["type"] == "pong"
    forged = service.TcpEndpoint(endpoint.port, "0" * 64, endpoint.pid)
    with pytest.raises(PermissionError):
        service.tcp_request(forged, {"type": "ping"}, timeout=20)
    assert d.stop() == 0


@pytest.mark.parametrize("content", [
    "", "{", "[]", '{"port": 0, "token": "' + "a" * 64 + '"}',
    '{"port": 5000, "token": "short"}', '{"port": true, "token": "' + "a" * 64 + '"}',
    '{"port": 5000, "token": "' + "A" * 64 + '"}', " " * 5000,
])
def test_a_malformed_endpoint_file_is_no_endpoint(tmp_path: Path, content: str) -> None:
    (tmp_path / "endpoint.json").write_text(content)
    assert service.read_endpoint_file(tmp_path) is None


def test_endpoint_file_may_not_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text('{"port": 5000, "token": "' + "a" * 64 + '", "pid": 1}')
    assert service.read_endpoint_file(tmp_path) is None
    (tmp_path / "endpoint.json").symlink_to(real)
    assert service.read_endpoint_file(tmp_path) is None
    real.rename(tmp_path / "endpoint.json")
    assert service.read_endpoint_file(tmp_path) == service.TcpEndpoint(5000, "a" * 64, 1)


#: Runs the command line as on a platform without Unix sockets (Windows): the one switch
#: the daemon reads, metricsd.portable.HAS_AF_UNIX, turned off.
NO_AF_UNIX = ("import sys, metricsd.portable as p; p.HAS_AF_UNIX = False; "
              "from metricsd.cli import main; sys.exit(main(sys.argv[1:]))")


def test_without_unix_sockets_run_defaults_to_tcp(home: Home) -> None:
    env = {**clean_env(), **day_env(home.daemon_day())}
    proc = subprocess.Popen(
        [sys.executable, "-c", NO_AF_UNIX, "run", *home.args()],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    try:
        assert read_line(proc, START_TIMEOUT) == f"READY {_endpoint(home)}"
        status = subprocess.run([sys.executable, "-c", NO_AF_UNIX, "status", *home.args()],
                                capture_output=True, text=True, env=env, timeout=60)
        assert f"running (pid {proc.pid}" in status.stdout, status.stdout
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert err.count("this platform has no Unix sockets: listening on loopback TCP") == 1
    assert not _endpoint(home).exists()
    unix = subprocess.run([sys.executable, "-c", NO_AF_UNIX, "run", "--listen", "unix",
                           *home.args()], capture_output=True, text=True, env=env, timeout=60)
    assert unix.returncode == 2
    assert "use --listen tcp" in unix.stderr


def test_unauthenticated_connections_do_not_keep_a_watch_stdin_daemon_alive(
        home: Home, daemons: DaemonFactory) -> None:
    """Finding 8 of the v1.3 trial: over TCP the peer's pid is unknown, so a connection
    that never authenticated counted as another app instance's client and kept a
    --watch-stdin daemon serving after the app quit (and filled the connection cap).
    Now such a connection is nobody's client, and is closed after 5 s."""
    d = start_tcp(daemons, home, "--watch-stdin", stdin=subprocess.PIPE)
    info = json.loads(_endpoint(home).read_text())
    silent = socket.create_connection(("127.0.0.1", info["port"]), timeout=20)
    challenged = Conn(home)
    challenged.send({**hello_message("1.2.3"), "nonce": b"\x01" * 32})
    assert challenged.reply()["type"] == "challenge"
    try:
        assert d.proc.stdin is not None
        d.proc.stdin.close()  # the app quit
        assert d.proc.wait(20) == 0
        assert "stdin closed: exiting" in d.stderr
    finally:
        silent.close()
        challenged.sock.close()


def test_a_connection_that_never_authenticates_is_closed(home: Home,
                                                         daemons: DaemonFactory) -> None:
    d = start_tcp(daemons, home)
    info = json.loads(_endpoint(home).read_text())
    with socket.create_connection(("127.0.0.1", info["port"]), timeout=20) as silent:
        assert silent.recv(1) == b""  # closed by the daemon (after 5 s), not by us
    assert d.proc.poll() is None
