"""The daemon as a desktop app's sidecar (docs/RUNNING.md): instance lock, stale and
foreign sockets, socket path limits, --watch-stdin, --idle-exit, clean signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from metricsd import instance
from tests.conftest import DaemonFactory, Home, clean_env, cli, summed_counts, wait_for


def run_once(home: Home, *extra: str, socket_path: Path | None = None,
             timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """`metricsd run` expected to return by itself (refusal or 'already served')."""
    args = home.args()
    if socket_path is not None:
        args[args.index("--socket") + 1] = str(socket_path)
    return subprocess.run([sys.executable, "-m", "metricsd", "run", *args, *extra],
                          capture_output=True, text=True, env=clean_env(),
                          stdin=subprocess.DEVNULL, timeout=timeout)


def shown(home: Home) -> list[dict[str, object]]:
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    bodies: list[dict[str, object]] = json.loads(out.stdout)
    return bodies


def test_socket_is_private_and_removed_on_sigterm(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    assert os.stat(home.socket).st_mode & 0o777 == 0o600
    assert os.stat(home.socket.parent).st_mode & 0o777 == 0o700
    with d.client() as c:
        assert c.ping()["type"] == "pong"
    assert d.stop(signal.SIGTERM) == 0
    assert not home.socket.exists()
    assert instance.serving_pid(home.socket) is None  # lock released


def test_second_run_names_the_serving_pid_and_exits_0(home: Home,
                                                      daemons: DaemonFactory) -> None:
    first = daemons.start(home)
    second = run_once(home)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""  # no READY: this process serves nothing
    assert f"already serves {home.socket} (pid {first.proc.pid})" in second.stderr
    assert instance.serving_pid(home.socket) == first.proc.pid
    with first.client() as c:  # the first one is untouched
        assert c.ping()["type"] == "pong"


def test_stale_socket_of_a_killed_daemon_is_replaced(home: Home,
                                                      daemons: DaemonFactory) -> None:
    first = daemons.start(home)
    with first.client() as c:
        c.turn("stop")
        c.sync()
    first.kill()
    assert home.socket.is_socket()  # left behind by SIGKILL
    second = daemons.start(home)
    with second.client() as c:
        c.turn("length")
        c.sync()
    assert "replaced a stale socket" in second.stderr
    assert second.stop() == 0
    counts = summed_counts(shown(home))  # one body per day: each daemon ran on its own
    assert counts == {"turns": 2, "finish_reason": {"stop": 1, "length": 1}}


def test_a_live_socket_without_the_lock_is_left_alone(home: Home) -> None:
    # Something else listens there (a service manager holding it for activation, say).
    home.socket.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
        other.bind(str(home.socket))
        other.listen(4)
        before = os.stat(home.socket).st_ino
        out = run_once(home)
        assert out.returncode == 0, out.stderr
        assert "already serves" in out.stderr
        assert os.stat(home.socket).st_ino == before


def test_a_file_that_is_not_a_socket_is_refused(home: Home) -> None:
    home.socket.parent.mkdir(mode=0o700)
    home.socket.write_text("precious")
    out = run_once(home)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        f"metricsd: {home.socket} exists and is not a socket; refusing to replace it")
    assert home.socket.read_text() == "precious"


@pytest.mark.parametrize("mode", [0o755, 0o711])
def test_a_directory_open_to_others_is_refused(home: Home, mode: int) -> None:
    home.socket.parent.mkdir(mode=0o700)
    os.chmod(home.socket.parent, mode)
    out = run_once(home)
    assert out.returncode == 1
    assert "must be 0700" in out.stderr
    assert not home.socket.exists()


def test_a_symlinked_directory_is_refused(home: Home) -> None:
    real = home.root / "real"
    real.mkdir(mode=0o700)
    home.socket.parent.symlink_to(real)
    out = run_once(home)
    assert out.returncode == 1
    assert "is a symlink" in out.stderr
    assert list(real.iterdir()) == []


def test_socket_path_over_the_platform_limit_is_one_clear_line(home: Home) -> None:
    deep = home.root / ("d" * (instance.SUN_PATH_MAX - len(str(home.root))))
    long_path = deep / "m.sock"
    assert len(os.fsencode(long_path)) >= instance.SUN_PATH_MAX
    out = run_once(home, socket_path=long_path)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("metricsd: socket path is ")
    assert f"limit of {instance.SUN_PATH_MAX - 1}" in lines[0]
    assert not deep.exists()
    # One byte under the limit still works.
    fits = home.root / "r" / ("s" * (instance.SUN_PATH_MAX - 1 - len(str(home.root / "r")) - 1))
    assert len(os.fsencode(fits)) == instance.SUN_PATH_MAX - 1
    out = run_once(home, "--idle-exit", "0.05", socket_path=fits)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"READY {fits}\n"


def test_watch_stdin_eof_exits_0_and_commits_what_was_sent(home: Home,
                                                            daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--watch-stdin", stdin=subprocess.PIPE)
    c = d.client()
    c.hello("2.0.1")
    c.usage(99, 1)
    c.tool_result("command timed out")
    c.ping()  # everything above is applied, nothing asked for a commit
    assert d.proc.stdin is not None
    d.proc.stdin.close()  # the parent went away
    assert d.proc.wait(20) == 0
    c.close()
    assert "stdin closed" in d.stderr
    assert not home.socket.exists()
    [body] = shown(home)
    assert body["client"] == {"version": "2.0.1"}
    assert body["counts"] == {"cache_hit": {"99": 1}, "tool_error": {"timeout": 1}}


def test_idle_exit_waits_for_the_last_client(home: Home, daemons: DaemonFactory) -> None:
    idle = 0.3
    d = daemons.start(home, "--idle-exit", str(idle))
    c = d.client()
    c.turn("stop")
    c.sync()
    # Held well past the idle time by a connected client.
    with pytest.raises(subprocess.TimeoutExpired):
        d.proc.wait(idle * 4)
    c.close()
    assert wait_for(lambda: d.proc.poll() is not None, timeout=20, what="idle exit")
    assert d.proc.returncode == 0
    assert "no client for" in d.stderr
    assert not home.socket.exists()
    assert shown(home)[0]["counts"] == {"turns": 1, "finish_reason": {"stop": 1}}


def test_watch_stdin_daemon_still_stops_on_sigterm(home: Home, daemons: DaemonFactory) -> None:
    # The blocked stdin read must not keep the process alive.
    d = daemons.start(home, "--watch-stdin", stdin=subprocess.PIPE)
    with d.client() as c:
        c.turn("stop")
        c.sync()
    assert d.stop(signal.SIGTERM) == 0
    assert "received SIGTERM" in d.stderr


def test_repeated_sigint_does_not_cut_the_final_commit_short(home: Home,
                                                             daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    c = d.client()
    c.usage(1, 0)
    c.ping()
    for _ in range(5):  # an impatient Ctrl-C Ctrl-C Ctrl-C ...
        d.proc.send_signal(signal.SIGINT)
    assert d.stop() == 0
    c.close()
    assert shown(home)[0]["counts"] == {"cache_hit": {"100": 1}}
