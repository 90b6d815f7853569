"""Consent under races and faults, and the edges of the privacy promise: real daemons,
real HTTP on 127.0.0.1, real files.  Each test is one promise of docs/PRIVACY.md.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgpack
import pytest

from tests.conftest import (
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    db_rows,
    read_line,
    stream,
    wait_for,
)
from tests.fake_endpoint import Receiver

NOBODY = 65534
IS_ROOT = os.geteuid() == 0


def snapshot(d: Daemon) -> dict[str, Any]:
    with d.client() as c:
        return c.snapshot()


# --- 1. no request carrying counts after an opt-out took effect --------------------------

def test_opt_out_during_the_daemons_retry_wait_stops_every_later_post(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d, version="1.4.0")
    stream(d, version="2.0.0")  # two batches: the second is never tried before opt-out
    assert d.stop() == 0
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
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    r.fail_next(100, 503, retry_after="2")
    flush = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "flush", *home.args(), "--endpoint", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    try:
        wait_for(lambda: len(r.posts()) == 1, timeout=20, what="the first (refused) POST")
        out = cli(home, "consent", "off")
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


def test_a_fifo_as_config_means_off_and_the_daemon_stays_responsive(
        home: Home, daemons: DaemonFactory) -> None:
    home.config.unlink()
    os.mkfifo(home.config)
    d = daemons.start(home)
    stream(d)  # sync answered: no thread hangs on the FIFO
    snap = snapshot(d)
    assert snap["enabled"] is False and snap["counts"] == {}
    assert "not a regular file" in d.stderr
    assert d.stop() == 0  # SIGTERM works


@pytest.mark.parametrize("kind", ["oversize", "dev-zero"])
def test_an_oversize_or_endless_config_means_off(home: Home, daemons: DaemonFactory,
                                                 kind: str) -> None:
    home.config.unlink()
    if kind == "oversize":
        home.config.write_text("[desktop]\nmetrics = true\n" + "#" * (1024 * 1024) + "\n")
    else:
        home.config.symlink_to("/dev/zero")
    d = daemons.start(home)
    stream(d)
    assert snapshot(d)["enabled"] is False
    assert d.stop() == 0
    assert ("larger than" in d.stderr) if kind == "oversize" else (
        "not a regular file" in d.stderr)


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


# --- 4. dev is decided when counted ----------------------------------------------------------

def test_counts_made_under_the_dev_marker_stay_dev_when_it_is_removed_before_the_commit(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    home.dev_marker.write_text("")
    d = daemons.start(home)
    wait_for(lambda: snapshot(d)["dev"] is True, what="dev build")
    with d.client() as c:
        c.hello("1.4.0")
        c.compaction()  # counted under the marker, no turn yet: not committed
        c.ping()
        home.dev_marker.unlink()
        wait_for(lambda: snapshot(d)["dev"] is False, timeout=5, what="marker removal seen")
        c.turn("stop")  # now the commit happens, under a release build
        c.sync()
    assert d.stop() == 0
    with sqlite3.connect(home.db) as db:
        rows = set(db.execute("SELECT dev, counter FROM counts"))
    assert (1, "compaction") in rows and (0, "compaction") not in rows
    assert (0, "turns") in rows
    out = cli(home, "flush", "--endpoint", url)
    assert out.returncode == 0, out.stderr
    (body,) = r.batches.values()
    assert "compaction" not in body["counts"] and body["counts"]["turns"] == 1


# --- 5. residue: every artifact that holds counts is purged ----------------------------------

def test_opt_out_deletes_moved_aside_copies_of_a_corrupt_database(
        home: Home, daemons: DaemonFactory) -> None:
    home.state_dir.mkdir(mode=0o700)
    home.db.write_bytes(b"SQLite format 3\x00" + b"turns finish_reason stop" * 400)
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    copies = [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name]
    assert copies, "the corrupt database was not moved aside"
    out = cli(home, "consent", "off")
    assert out.returncode == 0, out.stderr
    assert [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name] == []


def test_no_label_survives_in_the_wal_after_an_emptying_upload_and_opt_out(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
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


def test_database_wal_and_shm_are_0600_under_umask_022(
        home: Home, daemons: DaemonFactory) -> None:
    stderr = open(home.root / "umask.stderr", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "run", *home.args()], stdout=subprocess.PIPE,
        stderr=stderr, text=True, env=clean_env(), stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0o022))
    try:
        assert read_line(proc, 20).startswith("READY")
        d = Daemon(home, proc, home.root / "umask.stderr", "", stderr)
        stream(d)
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in home.db_files()}
        assert {"metrics.sqlite3", "metrics.sqlite3-wal", "metrics.sqlite3-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
        assert d.stop() == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        stderr.close()


# --- 6. bounded client versions --------------------------------------------------------------

def test_300_client_versions_make_at_most_17_groups_and_keep_every_count(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    path = str(home.socket)
    data = b"".join(
        msgpack.packb({"type": "hello", "proto": 1, "client_version": f"1.0.{i}"})
        + msgpack.packb({"type": "compaction"}) for i in range(300))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(data + msgpack.packb({"type": "turn"}) + msgpack.packb({"type": "sync",
                                                                           "id": 1}))
        unpacker = msgpack.Unpacker(raw=False)
        while not list(unpacker):
            unpacker.feed(s.recv(65536))
    assert d.stop() == 0
    bodies = json.loads(cli(home, "show", "--json").stdout)
    assert len(bodies) <= 17
    assert sum(b["counts"].get("compaction", 0) for b in bodies) == 300
    assert {b["client"]["version"] for b in bodies} >= {"1.0.0", "1.0.15", "unknown"}


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


def test_an_unacceptable_config_endpoint_is_refused_by_the_daemon_in_one_line(
        home: Home, daemons: DaemonFactory) -> None:
    home.opt_in(True, extra='[metrics]\nendpoint = "http://example.com/v1/metrics"\n')
    d = daemons.start(home)
    wait_for(lambda: "upload:" in d.stderr, what="the upload decision")
    assert "must be https://" in d.stderr
    assert d.stop() == 0


def test_user_agent_names_metricsd_and_its_version(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    from metricsd import __version__

    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    assert cli(home, "flush", "--endpoint", url).returncode == 0
    (post,) = r.posts()
    assert post.headers["user-agent"] == f"metricsd/{__version__}"
    assert "authorization" not in post.headers


def test_a_huge_retry_after_ends_the_flush_in_one_line(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    r.fail_next(1, 503, retry_after="9" * 5000)
    out = cli(home, "flush", "--endpoint", url)
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
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str],
        veto: dict[str, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    d = daemons.start(home, "--endpoint", url, env=clean_env(**veto))
    stream(d)
    assert snapshot(d)["enabled"] is False
    wait_for(lambda: "upload:" in d.stderr, what="the upload decision")
    status = cli(home, "status", env=clean_env(**veto))
    assert next(iter(veto)) in status.stdout
    assert d.stop() == 0
    assert r.posts() == [] and db_rows(home) == 0


def test_do_not_track_0_is_no_veto(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(DO_NOT_TRACK="0"))
    stream(d)
    assert snapshot(d)["enabled"] is True
    assert d.stop() == 0
