"""Consent under races and faults, and the edges of the privacy promise: real daemons and
commands, real HTTP on 127.0.0.1, real files.  Each test is one promise of docs/PRIVACY.md.

Here are the promises a process keeps: commands run while a daemon runs, ``flush``, exit
codes, signals, a process's memory.  What the daemon alone decides runs in-process, in
test_consent_inprocess.py (and here, the environment veto, with ``status`` run
in-process).  A test that only needs counts of a completed day for a command
seeds them with ``metricsd.testing.seed_day`` instead of running a daemon first.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import msgpack
import pytest
import trio

from metricsd.core.batches import utc_day
from metricsd.daemon import UploadFinished
from metricsd.testing import WallClock, open_daemon, seed_day
from tests.conftest import (
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    db_rows,
    stream,
    wait_for,
)
from tests.fake_endpoint import Receiver
from tests.inprocess import (
    SEEDED,
    URL,
    Endpoint,
    command,
    home_of,
    rows,
    run,
    seed_for_next_daemon,
    session,
    yesterday,
)
from tests.inprocess import snapshot as inprocess_snapshot

NOBODY = 65534
IS_ROOT = os.geteuid() == 0


def snapshot(d: Daemon) -> dict[str, Any]:
    with d.client() as c:
        return c.snapshot()


# --- 1. no request carrying counts after an opt-out took effect --------------------------

def test_opt_out_during_the_daemons_retry_wait_stops_every_later_post(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED, client_version="1.4.0")
    # Two batches: the second is never tried before opt-out.
    seed_for_next_daemon(home, SEEDED, client_version="2.0.0")
    r.fail_next(100, 503, retry_after="2")
    d = daemons.start(home, "--endpoint", url)
    wait_for(lambda: len(r.posts()) == 1, timeout=20, what="the first (refused) POST")
    out = cli(home, "consent", "off")
    assert out.returncode == 0, out.stderr
    assert "deleted" in out.stdout
    posts_at_opt_out = len(r.posts())
    wait_for(lambda: "upload: stopped" in d.stderr or "; stopped: " in d.stderr, timeout=10,
             what="the daemon to stop its upload")
    with d.client() as c:  # a round trip: the daemon has handled everything before
        c.ping()
    assert d.stop() == 0
    assert len(r.posts()) == posts_at_opt_out == 1
    assert db_rows(home) == 0


def test_opt_out_during_flush_retries_stops_every_later_post(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_day(home.db, yesterday(), SEEDED)
    r.fail_next(100, 503, retry_after="2")
    flush = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "flush", *home.args(), "--endpoint", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    try:
        wait_for(lambda: len(r.posts()) == 1, timeout=20, what="the first (refused) POST")
        out = cli(home, "consent", "off", day=0)
        assert out.returncode == 0, out.stderr
        stdout, stderr = flush.communicate(timeout=30)
    finally:
        if flush.poll() is None:
            flush.kill()
    assert flush.returncode == 1, (stdout, stderr)
    assert "stopped" in stdout and "metrics are off" in stdout
    assert "Traceback" not in stderr
    assert len(r.posts()) == 1
    assert db_rows(home) == 0


# --- 2. a config that cannot be read completely and unambiguously means off -------------

def test_a_duplicate_key_means_opted_out_and_commands_keep_working(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home, "--endpoint", url)
    stream(d)
    assert snapshot(d)["enabled"] is True
    with home.config.open("a") as f:  # a hand edit: the old value stays above
        f.write("metrics = false\n")
    wait_for(lambda: snapshot(d)["enabled"] is False, timeout=5,
             what="the daemon to treat the ambiguous file as off")
    assert db_rows(home) == 0  # purged
    stream(d)
    assert snapshot(d)["counts"] == {}
    status = cli(home, "status")
    assert status.returncode == 0 and "Traceback" not in status.stderr
    assert "line 3" in status.stdout and "metrics are off" in status.stdout
    off = cli(home, "consent", "off")
    assert off.returncode == 0, off.stderr
    assert "deleted" in off.stdout
    assert d.stop() == 0
    assert "is not valid TOML (line 3" in d.stderr
    assert r.posts() == []


# --- 3. the runtime directory chain -------------------------------------------------------

@pytest.mark.skipif(not IS_ROOT, reason="needs root to create a directory owned by nobody")
def test_a_socket_directory_under_another_users_writable_directory_is_refused(
        home: Home) -> None:
    hostile = home.root / "shared"
    hostile.mkdir()
    os.chown(hostile, NOBODY, NOBODY)
    os.chmod(hostile, 0o777)
    sock = hostile / "mine" / "m.sock"
    done = subprocess.run([sys.executable, "-m", "metricsd", "run", *home.args(),
                           "--socket", str(sock)], capture_output=True, text=True,
                          env=clean_env(), timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done
    (line,) = done.stderr.strip().splitlines()
    assert "XDG_RUNTIME_DIR" in line and "--socket" in line
    assert not sock.exists()


@pytest.mark.skipif(not IS_ROOT, reason="needs root to pre-create another user's directory")
def test_the_tmp_runtime_fallback_pre_created_by_another_user_is_refused(
        home: Home) -> None:
    # platformdirs' fallback is <temporary directory>/runtime-<uid>: a private temporary
    # directory makes it this test's own, whatever an earlier command left in /tmp.
    tmp = home.root / "tmp"
    tmp.mkdir(mode=0o700)
    fallback = tmp / f"runtime-{os.getuid()}"
    fallback.mkdir()
    try:
        os.chown(fallback, NOBODY, NOBODY)
        os.chmod(fallback, 0o777)
        env = {k: v for k, v in clean_env(TMPDIR=str(tmp)).items()
               if k not in ("XDG_RUNTIME_DIR", "TEMP", "TMP")}
        args = ["--state-dir", str(home.state_dir), "--config", str(home.config),
                "--dev-marker", str(home.dev_marker)]
        done = subprocess.run([sys.executable, "-m", "metricsd", "run", *args],
                              capture_output=True, text=True, env=env, timeout=30,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 1, done
        assert "READY" not in done.stdout and "Traceback" not in done.stderr
        assert "XDG_RUNTIME_DIR" in done.stderr
        assert list(fallback.iterdir()) == []
        # The user can still see and switch off what is collected.
        for command in (["status"], ["consent", "off"], ["show"]):
            out = subprocess.run([sys.executable, "-m", "metricsd", *command, *args],
                                 capture_output=True, text=True, env=env, timeout=30)
            assert out.returncode == 0, (command, out.stderr)
            assert "Traceback" not in out.stderr
    finally:
        for child in fallback.iterdir():
            child.unlink()
        fallback.rmdir()


# --- 5. residue: every artifact that holds counts is purged ----------------------------------

def test_no_label_survives_in_the_wal_after_an_emptying_upload_and_opt_out(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED)
    d = daemons.start(home, "--endpoint", url)
    wait_for(lambda: len(r.batches) == 1, timeout=30, what="the upload")
    wait_for(lambda: "upload: delivered" in d.stderr, timeout=30, what="the upload log")
    assert db_rows(home) == 0  # the upload emptied the tables
    out = cli(home, "consent", "off")
    assert out.returncode == 0, out.stderr
    wait_for(lambda: snapshot(d)["enabled"] is False, what="opt-out seen")
    for path in home.db_files():
        data = path.read_bytes()
        for label in (b"exit_nonzero", b"95-98", b"finish_reason", b"2.0.1"):
            assert label not in data, (path.name, label)
    assert d.stop() == 0


# --- 6. bounded client versions --------------------------------------------------------------

@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_200k_client_versions_with_metrics_off_keep_memory_bounded(
        home: Home, daemons: DaemonFactory) -> None:
    home.opt_in(False)
    d = daemons.start(home)
    chunk = b"".join(msgpack.packb({"type": "hello", "proto": 1,
                                    "client_version": f"{i // 10000}.{i % 10000}.1"})
                     for i in range(20_000))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(home.socket))
        for _ in range(10):
            s.sendall(chunk)
        s.sendall(msgpack.packb({"type": "ping"}))
        unpacker = msgpack.Unpacker(raw=False)
        while not list(unpacker):
            unpacker.feed(s.recv(65536))
    status = Path(f"/proc/{d.proc.pid}/status").read_text()
    hwm_kb = int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM:")).split()[1])
    print(f"\n200k versions, metrics off: peak RSS {hwm_kb} kB")
    assert hwm_kb < 80 * 1024
    assert d.stop() == 0


# --- 7. endpoints ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://example.com/v1/metrics",          # plain http to a remote host
    "https://user:s3cr3t@example.com/v1/metrics",  # user info would travel as a header
    "https://example.com/v1/metrics#frag",
    "ftp://example.com/v1/metrics",
    "not a url",
    "https://",
])
def test_an_unacceptable_endpoint_is_a_usage_error_in_one_line(home: Home, url: str) -> None:
    out = cli(home, "flush", "--endpoint", url)
    assert out.returncode == 2, out
    (line,) = out.stderr.strip().splitlines()
    assert "endpoint" in line and "Traceback" not in out.stderr
    assert "s3cr3t" not in line  # the URL (which may hold a secret) is never echoed


def test_user_agent_names_metricsd_and_its_version(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    from metricsd import __version__

    r, url = receiver
    seed_day(home.db, yesterday(), SEEDED)
    assert cli(home, "flush", "--endpoint", url, day=0).returncode == 0
    (post,) = r.posts()
    assert post.headers["user-agent"] == f"metricsd/{__version__}"
    assert "authorization" not in post.headers


def test_a_huge_retry_after_ends_the_flush_in_one_line(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_day(home.db, yesterday(), SEEDED)
    r.fail_next(1, 503, retry_after="9" * 5000)
    out = cli(home, "flush", "--endpoint", url, day=0)
    assert out.returncode == 1, out
    assert "Traceback" not in out.stderr
    assert "Retry-After" in out.stdout
    assert len(r.posts()) == 1


# --- 8. an honest purge message ---------------------------------------------------------------

def test_consent_off_with_an_unusable_state_dir_fails_and_says_so(home: Home) -> None:
    blocker = home.root / "not-a-dir"
    blocker.write_text("")
    out = subprocess.run(
        [sys.executable, "-m", "metricsd", "consent", "off", "--state-dir",
         str(blocker / "state"), "--config", str(home.config), "--dev-marker",
         str(home.dev_marker), "--socket", str(home.socket)],
        capture_output=True, text=True, env=clean_env(), timeout=30)
    assert out.returncode == 1, out
    assert "deleted" not in out.stdout
    (line,) = out.stderr.strip().splitlines()
    assert "could not be deleted" in line
    assert "metrics = false" in home.config.read_text()  # the flag itself did change


# --- the environment veto -----------------------------------------------------------------

@pytest.mark.parametrize("veto", [{"DO_NOT_TRACK": "1"}, {"METRICSD_METRICS": "off"}])
def test_the_environment_veto_turns_metrics_off_whatever_the_file_says(
        tmp_path: Path, veto: dict[str, str]) -> None:
    """In-process: the daemon and ``status`` get the environment as an argument."""
    home = home_of(tmp_path)
    home.state_dir.mkdir(mode=0o700, parents=True)
    clock = WallClock()
    seed_day(home.db, utc_day(clock() - 86400), SEEDED)  # without the veto: uploaded
    ep = Endpoint()

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport,
                               environ=veto, wall_clock=clock) as h:
            done = await h.next(UploadFinished)
            assert done.result is None and next(iter(veto)) in done.why
            await session(h)
            assert (await inprocess_snapshot(h))["enabled"] is False
            status = await trio.to_thread.run_sync(
                partial(command, home, "status", wall_clock=clock, environ=veto))
            assert next(iter(veto)) in status.stdout, status

    run(test, autojump=False)
    assert ep.posts == [] and rows(home.db) == 0
