"""The command line as a user meets it: help, usage errors, exit codes, closed pipes,
failures named plainly.  Real processes, a real HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import DaemonFactory, Home, clean_env, cli, stream, wait_for
from tests.fake_endpoint import Receiver
from tests.inprocess import SEEDED, seed_for_next_daemon


def metricsd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "metricsd", *args], capture_output=True,
                          text=True, env=clean_env(), timeout=60)


def test_help_lists_commands_environment_defaults_and_exit_codes() -> None:
    out = metricsd("--help")
    assert out.returncode == 0
    for word in ("run", "status", "show", "consent", "flush", "METRICSD_SOCKET",
                 "DO_NOT_TRACK", "METRICSD_METRICS", "user_state_dir", "exit codes"):
        assert word in out.stdout, word
    for command in ("run", "status", "show", "consent", "flush"):
        sub = metricsd(command, "--help")
        assert sub.returncode == 0 and f"usage: metricsd {command}" in sub.stdout
        assert "--socket" in sub.stdout and "exit codes" in sub.stdout


def test_common_options_work_before_the_command_too(home: Home) -> None:
    out = metricsd("--socket", str(home.socket), "--config", str(home.config),
                   "--state-dir", str(home.state_dir), "status")
    assert out.returncode == 0, out.stderr
    assert str(home.socket) in out.stdout


def test_an_unknown_option_shows_the_commands_own_usage() -> None:
    out = metricsd("status", "--bogus")
    assert out.returncode == 2
    assert "usage: metricsd status" in out.stderr and "--bogus" in out.stderr


@pytest.mark.parametrize("command", ["show", "status"])
def test_a_pipe_closed_early_ends_without_a_traceback(home: Home, daemons: DaemonFactory,
                                                      command: str) -> None:
    d = daemons.start(home)
    for version in ("1.0.0", "1.0.1", "1.0.2"):
        stream(d, version=version)
    assert d.stop() == 0
    cmd = [sys.executable, "-m", "metricsd", command, *home.args()]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=clean_env())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(30) in (0, 1), err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.fixture
def refused_url() -> str:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1/metrics"


@pytest.mark.long
def test_flush_names_a_refused_connection_and_exits_1(home: Home, refused_url: str) -> None:
    seed_for_next_daemon(home, SEEDED)  # a completed day, as a daemon would have left it
    out = cli(home, "flush", "--endpoint", refused_url)
    assert out.returncode == 1, out
    assert "connection refused" in out.stdout
    assert "kept for the next upload with the same batch id" in out.stdout


class _PlainHTTP(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _PlainHTTP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.long
def test_flush_names_a_tls_failure(home: Home, plain_http_port: int) -> None:
    seed_for_next_daemon(home, SEEDED)  # a completed day, as a daemon would have left it
    out = cli(home, "flush", "--endpoint", f"https://127.0.0.1:{plain_http_port}/v1/metrics")
    assert out.returncode == 1, out
    assert "TLS" in out.stdout


def test_a_404_deletes_the_batch_says_so_and_exits_1(
        home: Home, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED)  # a completed day, as a daemon would have left it
    r.fail_next(1, 404)
    out = cli(home, "flush", "--endpoint", url + "-typo")
    assert out.returncode == 1, out
    assert "rejected it with HTTP 404" in out.stdout and "check the endpoint URL" in out.stdout
    assert out.stdout.count("batch ") >= 1


def test_ctrl_c_during_flush_says_what_was_sent(
        home: Home, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED)  # a completed day, as a daemon would have left it
    r.fail_next(5, 503, retry_after="60")
    # Started with SIGINT ignored, as a background job or nohup starts it: flush itself
    # restores the default handler, so Ctrl-C still interrupts it.
    proc = subprocess.Popen([sys.executable, "-m", "metricsd", "flush", *home.args(),
                             "--endpoint", url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=clean_env(),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    wait_for(lambda: len(r.posts()) == 1, timeout=20, what="the first attempt")
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "interrupted: delivered 0 batch(es)" in stdout
    assert "Traceback" not in stderr


def test_consent_on_without_an_endpoint_says_nothing_will_be_sent(home: Home) -> None:
    home.config.unlink()
    out = cli(home, "consent", "on")
    assert out.returncode == 0
    assert "no endpoint is configured" in out.stdout


def test_the_daemon_names_config_database_and_endpoint_at_start(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--endpoint", "https://metrics.example.com/v1/metrics?k=s3cr3t")
    wait_for(lambda: "upload endpoint" in d.stderr, what="the start-up lines")
    assert str(home.config) in d.stderr and str(home.db) in d.stderr
    assert "upload endpoint https://metrics.example.com (from --endpoint)" in d.stderr
    assert "s3cr3t" not in d.stderr
    assert d.stop() == 0
