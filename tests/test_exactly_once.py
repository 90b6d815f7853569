"""Exactly once: each finding of the exactness review, against real processes.

Every test here failed on the code before the fix it names and passes now.
"""

from __future__ import annotations

import http.server
import json
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from typing import Any, ClassVar

from metricsd_client._wire import (
    ReplyParser,
    compaction_message,
    encode,
    hello_message,
    ping_message,
    snapshot_message,
)

from tests.conftest import (
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    read_line,
    wait_for,
)
from tests.fake_endpoint import Receiver
from tests.inprocess import seed_for_next_daemon


def _turns(d: Daemon, n: int) -> None:
    with d.client() as c:
        for _ in range(n):
            c.turn("stop")
        c.sync()


def _snapshot_turns(d: Daemon) -> int:
    with d.client() as c:
        return int(c.snapshot()["counts"].get("turns", 0))


def test_commands_against_a_running_daemon_keep_its_commits_durable(
        home: Home, daemons: DaemonFactory) -> None:
    """Running show/status/flush/consent and the sqlite3 shell beside a running daemon must
    not take its locks away (closing any descriptor of the database drops them all), so
    every turn acknowledged by a sync survives a SIGKILL, counted once."""
    d = daemons.start(home)
    _turns(d, 5)
    for command in (["show", "--json"], ["status"], ["flush"], ["consent"], ["show"]):
        out = cli(home, *command)
        assert out.returncode in (0, 1), (command, out.stderr)
    with sqlite3.connect(home.db) as db:  # what an operator's `sqlite3` shell does
        assert db.execute("SELECT COUNT(*) FROM counts").fetchone()[0] >= 1
    db.close()
    assert home.db.with_name("metrics.sqlite3-wal").exists()
    _turns(d, 10)
    # flush with nothing to upload says so, and does not claim "nothing" while turns wait
    d.stop(signal.SIGKILL)
    d2 = daemons.start(home)
    assert _snapshot_turns(d2) == 15


def _raw_connect(home: Home) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(home.socket))
    return s


def test_events_behind_an_unsendable_reply_are_counted(
        home: Home, daemons: DaemonFactory) -> None:
    """A client that asked for replies during a stall and then gave up its connection:
    everything it wrote before closing is counted, not thrown away with the connection."""
    d = daemons.start(home)
    ping, event = encode(ping_message()), encode(compaction_message())
    n = 1_200  # about 150 KB: fits the socket buffers, so sendall never blocks
    s = _raw_connect(home)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall((ping * 10 + event) * n)  # never reads a pong
    s.close()
    wait_for(lambda: _compactions(d) == n, timeout=60, what=f"{n} compactions counted")


def _compactions(d: Daemon) -> int:
    with d.client() as c:
        return int(c.snapshot()["counts"].get("compaction", 0))


def test_a_dying_daemon_counts_what_waiting_connections_wrote(
        home: Home, daemons: DaemonFactory) -> None:
    """Connections still in the listen backlog when the daemon is told to stop are taken
    in and counted before it exits, not dropped with the listener."""
    d = daemons.start(home)
    d.proc.send_signal(signal.SIGSTOP)
    socks = []
    for _ in range(5):
        s = _raw_connect(home)  # the kernel queues it: the daemon is stopped
        s.sendall(encode(compaction_message()) * 100)
        socks.append(s)
    d.proc.send_signal(signal.SIGTERM)
    d.proc.send_signal(signal.SIGCONT)
    assert d.wait() == 0, d.stderr
    for s in socks:
        s.close()
    d2 = daemons.start(home)
    assert _compactions(d2) == 500


def test_tcp_transport_requires_the_token(home: Home, daemons: DaemonFactory) -> None:
    """`run --listen tcp`: endpoint.json (0600) names the port and token; a connection
    whose first message is not a hello with that token gets `unauthorized`, is closed, and
    counts nothing; the file is removed at exit."""
    d = daemons.start(home, "--listen", "tcp", wait_ready=False)
    endpoint = home.socket.parent / "endpoint.json"
    d.ready_line = read_line(d.proc, 20)
    assert d.ready_line == f"READY {endpoint}"
    assert stat.S_IMODE(endpoint.stat().st_mode) == 0o600
    info = json.loads(endpoint.read_text())
    assert info["pid"] == d.proc.pid and len(info["token"]) == 64

    def connect() -> socket.socket:
        return socket.create_connection(("127.0.0.1", info["port"]), timeout=10)

    with connect() as bad:
        bad.sendall(encode(compaction_message()) + encode(hello_message("1.0.0")))
        parser = ReplyParser()
        replies = _replies_until_closed(bad, parser)
    assert [r["code"] for r in replies] == ["unauthorized"]
    with connect() as wrong:
        wrong.sendall(encode({**hello_message(), "token": "0" * 64})
                      + encode(compaction_message()))
        assert [r["code"] for r in _replies_until_closed(wrong, ReplyParser())] == [
            "unauthorized"]
    with connect() as good:
        good.sendall(encode({**hello_message("1.0.0"), "token": info["token"]})
                     + encode(compaction_message()) * 3 + encode(snapshot_message()))
        reply = _replies(good, ReplyParser(), 1)[0]
    assert reply["counts"] == {"compaction": 3}
    assert d.stop() == 0
    assert not endpoint.exists()


def _replies(s: socket.socket, parser: ReplyParser, n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while len(out) < n:
        data = s.recv(65536)
        assert data, "connection closed early"
        parser.feed(data)
        out.extend(parser.replies())
    return out


def _replies_until_closed(s: socket.socket, parser: ReplyParser) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while data := s.recv(65536):
        parser.feed(data)
        out.extend(parser.replies())
    return out


def test_a_second_instance_keeps_counting_when_the_first_quits(
        home: Home, daemons: DaemonFactory) -> None:
    """Two app instances each spawn `run --watch-stdin`: the second stands by.  When the
    first app quits (closes stdin) while the second's client is connected, the daemon
    keeps serving; when it finally exits, the standby takes over at once."""
    # App instance A's sidecar: its parent is a shell standing in for app A (the test
    # process plays app B, whose client must keep the daemon up when A quits).
    app_a = subprocess.Popen(
        ["sh", "-c", '"$@"; true', "app-a", sys.executable, "-m", "metricsd", "run",
         *home.args(), "--watch-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=clean_env())
    try:
        assert read_line(app_a, 20) == f"READY {home.socket}"
        b = daemons.start(home, "--watch-stdin", stdin=subprocess.PIPE)  # stands by
        assert b.proc.poll() is None
        with b.client() as c:
            c.compaction()
            c.sync()
            assert app_a.stdin is not None
            app_a.stdin.close()  # app A quits
            for _ in range(10):
                c.compaction()
            c.sync()  # still served by A's daemon
            assert app_a.poll() is None
        assert app_a.wait(20) == 0  # its last client (of another process) left
    finally:
        if app_a.poll() is None:
            app_a.kill()
    wait_for(lambda: "taking over" in b.stderr, timeout=20, what="standby takes over")
    with b.client() as c:
        wait_for(lambda: c.snapshot()["counts"].get("compaction") == 11, timeout=10,
                 what="counts kept across the hand-over")


class _EndlessBody(http.server.BaseHTTPRequestHandler):
    """Answers 202 with a body of 1 GB, counting how much of it the client took."""

    sent: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(202)
        self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        chunk, sent = b"x" * 65536, 0
        try:
            while sent < 1 << 30:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            _EndlessBody.sent.append(sent)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_huge_response_body_is_not_read(home: Home) -> None:
    """The endpoint answers with a 1 GB body: flush delivers, reads at most 64 KiB of it
    (plus what the sockets buffer) and closes the connection."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndlessBody)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        seed_for_next_daemon(home, {("turns", ""): 2})  # a completed day to send
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/metrics"
        out = cli(home, "flush", "--endpoint", url, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "delivered" in out.stdout
        wait_for(lambda: _EndlessBody.sent, what="the server to notice the close")
        assert max(_EndlessBody.sent) < 16 << 20, _EndlessBody.sent
    finally:
        server.shutdown()
        server.server_close()


def test_flush_never_says_kept_for_batches_an_opt_out_deleted(
        home: Home, receiver: tuple[Receiver, str]) -> None:
    """`consent off` during a flush waits for the attempt in flight, then deletes the
    rest: flush must say they were deleted, not kept."""
    r, url = receiver
    for version in ("1.0.0", "2.0.0"):  # two batches of a completed day
        seed_for_next_daemon(home, {("turns", ""): 1, ("finish_reason", "stop"): 1},
                             client_version=version)
    r.hang_next(1)
    flush = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "flush", *home.args(), "--endpoint", url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env())
    wait_for(lambda: r.hanging == 1, timeout=30, what="the first attempt in flight")
    off = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "consent", *home.args(), "off"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env())
    wait_for(lambda: "false" in home.config.read_text(), timeout=30,
             what="consent off to write the file and wait for the attempt in flight")
    r.release()
    out, _ = flush.communicate(timeout=60)
    off_out, _ = off.communicate(timeout=60)
    assert off.returncode == 0, off_out
    assert flush.returncode == 1, out
    assert "kept" not in out, out
    assert "deleted" in out, out
    assert len(r.requests) == 1  # nothing sent after the opt-out
