"""What another process or another local user can do to a running daemon through the
files and the socket it shares with them: a held egress lock, unsafe directories and
planted files, a same-size rewrite of config.toml within one timestamp tick, a bind mount
over it, a config.toml whose last line has no newline, and a burst of connects over the
connection cap.

A real daemon process where the process is the point (its exit code and refusals,
SIGTERM, ``status`` and ``consent off`` run while it runs, its descriptor limit); the
daemon in-process (metricsd.testing under trio's MockClock, see tests/inprocess.py) where
only what the daemon does with the files matters."""

from __future__ import annotations

import contextlib
import os
import resource
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trio
from metricsd_client._wire import status_message, turn_message

from metricsd.daemon import Committed, DecisionChanged
from metricsd.testing import Harness, open_daemon, seed_day
from tests.conftest import (
    START_TIMEOUT,
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    daemon_env,
    db_rows,
    make_home,
    read_line,
    show,
    stream,
    wait_for,
)
from tests.inprocess import (
    SEEDED,
    Endpoint,
    daemon_log,
    held_exclusively,
    rows,
    run,
    session,
    yesterday,
)
from tests.rawclient import Client

IS_ROOT = os.geteuid() == 0
NOBODY = 65534


def run_once(home: Home, *extra: str) -> subprocess.CompletedProcess[str]:
    """``metricsd run`` that must exit by itself (a refusal)."""
    return subprocess.run([sys.executable, "-m", "metricsd", "run", *home.args(), *extra],
                          capture_output=True, text=True, env=clean_env(), timeout=60,
                          stdin=subprocess.DEVNULL)


def nothing_to_read(c: Client) -> bool:
    assert c._sock is not None
    readable, _, _ = select.select([c._sock], [], [], 0)
    return not readable


# --- a held egress lock never hangs the daemon ------------------------------------------

def test_a_held_egress_lock_leaves_status_answering_and_sync_waiting(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    stream(d)  # 3 turns committed
    with held_exclusively(home.state_dir / "egress.lock"):
        c = d.client(timeout=15)
        c.hello("2.0.1")
        c.turn("stop")  # asks for a commit, which cannot take the lock
        c.send({"type": "sync", "id": 7})
        c.flush()
        # Replies that only read are answered while the commit waits ...
        with d.client(timeout=5) as other:
            assert other.ping()["type"] == "pong"
            reply = other.status()
        assert reply["pid"] == d.proc.pid
        assert reply["enabled"] is True
        assert reply["counts"]["turns"] == 4  # the uncommitted turn is in memory
        out = cli(home, "status", timeout=30)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith(f"daemon:      running (pid {d.proc.pid}"), out.stdout
        # ... and the sync is not: nothing covers it yet.
        assert nothing_to_read(c)
        assert db_rows(home) > 0
    # Released: the commit happens and the sync is acknowledged.
    c._wait_for("ack", id=7)
    c.close()
    assert show(home)[0]["counts"]["turns"] == 4
    assert "egress.lock is held by another process" in d.stderr
    assert d.stop() == 0


def test_sigterm_ends_the_daemon_within_5s_while_the_egress_lock_is_held(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    stream(d)
    with held_exclusively(home.state_dir / "egress.lock"):
        with d.client() as c:
            c.turn("stop")
            c.ping()  # counted in memory; its commit waits for the lock
        d.proc.send_signal(signal.SIGTERM)
        assert d.proc.wait(5) == 0  # the contract's bound is the deadline of this wait
    final = [line for line in d.stderr.splitlines() if "final commit" in line]
    assert len(final) == 1, d.stderr
    assert "egress.lock is held by another process" in final[0]
    assert "uncommitted facts lost" in final[0]


def test_an_upload_blocked_by_the_lock_leaves_status_answering(tmp_path: Path) -> None:
    # The start-up upload seals batches under the lock: it gives up for now, and status
    # answers meanwhile.
    (tmp_path / "state").mkdir(mode=0o700)
    ep = Endpoint()

    async def status(h: Harness) -> dict[str, Any]:
        async with await h.connect() as c:
            return await c.request(status_message())

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint="https://127.0.0.1:9/metrics",
                               transport=ep.transport) as h:
            assert (await status(h))["pid"] == os.getpid()  # the daemon runs in this process
            # The run ends without a notification: it waits to try again.
            await log.line(lambda line: line.startswith("upload: "))
            assert (await status(h))["pid"] == os.getpid()

    with held_exclusively(tmp_path / "state" / "egress.lock"), daemon_log() as log:
        # Time stands still: what waits for the lock waits once (real time, on a worker
        # thread), then for a back-off that does not end.
        run(test, autojump=False)
    assert ep.posts == []


# --- the state directory and config.toml get the socket directory's checks -----------

def test_a_state_directory_writable_by_others_is_refused(home: Home) -> None:
    home.state_dir.mkdir()
    os.chmod(home.state_dir, 0o777)  # as if pre-created by another user
    out = run_once(home)
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("metricsd: state directory unsafe: ")
    assert "writable by other users (mode 777)" in line
    assert list(home.state_dir.iterdir()) == []
    assert not home.socket.exists()


def test_a_state_directory_under_a_directory_writable_by_others_is_refused(home: Home) -> None:
    shared = home.root / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    home.state_dir = shared / "state"
    out = run_once(home)
    assert out.returncode == 1
    assert "state directory unsafe" in out.stderr and str(shared) in out.stderr
    assert not home.state_dir.exists()


def test_a_config_directory_writable_by_others_is_refused(home: Home) -> None:
    os.chmod(home.config.parent, 0o777)
    out = run_once(home)
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("metricsd: config directory unsafe: ")


def test_a_config_directory_that_becomes_writable_by_others_means_off(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            await session(h)
            assert await trio.to_thread.run_sync(rows, h.database) > 0
            os.chmod(tmp_path, 0o777)  # the directory of config.toml
            try:
                h.config.write_text(h.config.read_text())  # a watch event: decide again
                await h.next(Committed, lambda n: not n.decision.counting)
                async with await h.connect() as c:
                    status = await c.request(status_message())
            finally:
                os.chmod(tmp_path, 0o700)
            assert await trio.to_thread.run_sync(rows, h.database) == 0  # purged
            assert status["enabled"] is False
            assert "unsafe location" in status["config_problem"]

    run(test)


def test_consent_on_refuses_a_config_in_a_directory_writable_by_others(home: Home) -> None:
    home.config.write_text("[desktop]\nmetrics = false\n")
    os.chmod(home.config.parent, 0o777)
    out = cli(home, "consent", "on")
    assert out.returncode == 1
    assert "writable by other users" in out.stderr
    assert home.config.read_text() == "[desktop]\nmetrics = false\n"


def test_a_planted_wal_symlink_never_gets_the_victims_file_chmodded(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's file")
    os.chmod(victim, 0o644)
    (tmp_path / "state").mkdir(mode=0o700)
    (tmp_path / "state" / "metrics.sqlite3-wal").symlink_to(victim)

    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as c:
            await c.send(turn_message("stop"))
            # Serving, the database unavailable.
            assert (await c.request(status_message()))["pid"] == os.getpid()

    with daemon_log() as log:
        run(test)
    assert any("metrics.sqlite3-wal" in line and "symbolic link" in line
               for line in log.lines), log.lines
    assert stat.S_IMODE(os.stat(victim).st_mode) == 0o644
    assert victim.read_text() == "someone's file"


@pytest.mark.parametrize("planted", ["symlink", "file of another user"])
def test_a_planted_egress_lock_is_refused_and_never_blocks_opt_out(
        home: Home, planted: str) -> None:
    if planted != "symlink" and not IS_ROOT:
        pytest.skip("needs root to make a file of another user")
    home.state_dir.mkdir(mode=0o700)
    seed_day(home.db, yesterday(), SEEDED)  # what opting out must delete
    target = home.root / "elsewhere"
    target.write_text("")
    lock = home.state_dir / "egress.lock"
    lock.unlink(missing_ok=True)
    if planted == "symlink":
        lock.symlink_to(target)
    else:
        lock.write_text("")
        os.chown(lock, NOBODY, NOBODY)
        target = lock
    with held_exclusively(target):  # whoever planted it holds it
        out = run_once(home)
        assert out.returncode == 1
        [line] = out.stderr.strip().splitlines()
        assert "egress.lock is not a regular file of yours" in line
        out = cli(home, "consent", "off", timeout=20, day=0)
        assert out.returncode == 0, out.stderr
        assert "metrics off: stored counts and pending batches were deleted" in out.stdout
        assert "remove it" in out.stdout
    assert db_rows(home) == 0
    assert lock.is_symlink() == (planted == "symlink")


# --- a same-size rewrite within one timestamp tick --------------------------------------

@pytest.fixture
def coarse_fs() -> Iterator[Path]:
    """A filesystem with 1-second timestamps (ext2 with 128-byte inodes), loop-mounted."""
    if not IS_ROOT or not shutil.which("mkfs.ext2") or not sys.platform.startswith("linux"):
        pytest.skip("needs root and mkfs.ext2 to mount a filesystem with 1 s timestamps")
    root = make_home().root
    image, mnt = root / "fs.img", root / "mnt"
    mnt.mkdir()
    with open(image, "wb") as f:
        f.truncate(4 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext2", "-q", "-F", "-I", "128", str(image)],
                          capture_output=True, timeout=30)
    mounted = made.returncode == 0 and subprocess.run(
        ["mount", "-o", "loop", str(image), str(mnt)], capture_output=True,
        timeout=30).returncode == 0
    if not mounted:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip("cannot loop-mount a filesystem here")
    try:
        os.chmod(mnt, 0o700)
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True, timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def rewrite_in_place(path: Path, text: str) -> os.stat_result:
    with open(path, "r+", encoding="utf-8") as f:
        f.write(text)
    return os.stat(path)


def test_a_same_size_rewrite_within_the_second_still_turns_metrics_off(
        coarse_fs: Path) -> None:
    config = coarse_fs / "config.toml"
    on, off = "[desktop]\nmetrics = true \n", "[desktop]\nmetrics = false\n"
    assert len(on) == len(off)
    config.write_text(off)
    tick_seen: list[bool] = []  # a rewrite that stat could not tell apart happened

    async def test() -> None:
        async with open_daemon(coarse_fs, opted_in=None) as h:
            # Round trips and a commit: the daemon's file watch (armed on a worker thread
            # while it starts) is in place before the first edit.
            await session(h)
            for _attempt in range(10):
                st_on = rewrite_in_place(config, on)
                await h.next(DecisionChanged,  # the daemon read `on`
                             lambda n: not n.old.counting and n.new.counting)
                st_off = rewrite_in_place(config, off)
                same = ((st_on.st_ino, st_on.st_size, st_on.st_mtime_ns, st_on.st_ctime_ns)
                        == (st_off.st_ino, st_off.st_size, st_off.st_mtime_ns,
                            st_off.st_ctime_ns))
                await h.next(DecisionChanged,  # off after the edit
                             lambda n: n.old.counting and not n.new.counting)
                if same:
                    break  # stat could not tell the two versions apart, and it went off
            else:
                return  # skipped below
            tick_seen.append(True)
            async with await h.connect() as c:
                await c.send(turn_message("stop"))
                await c.sync()
            database = h.database
            assert not database.exists() or await trio.to_thread.run_sync(rows, database) == 0

    run(test)
    if not tick_seen:
        pytest.skip("never managed to rewrite within one timestamp tick")


# --- a bind mount over config.toml ------------------------------------------------------

def test_a_bind_mount_over_the_config_turns_metrics_off_within_the_second(
        tmp_path: Path) -> None:
    if not IS_ROOT or not sys.platform.startswith("linux"):
        pytest.skip("needs root to bind-mount")
    other = tmp_path / "other.toml"
    other.write_text("[desktop]\nmetrics = false\n")
    config = tmp_path / "home" / "config.toml"
    mounted: list[bool] = []

    async def test() -> None:
        async with open_daemon(tmp_path / "home") as h:
            await session(h)
            async with await h.connect() as held:
                await held.sync()  # after this, nothing asks for a commit until it leaves
                assert await trio.to_thread.run_sync(rows, h.database) > 0
                mount = await trio.run_process(["mount", "--bind", str(other), str(config)],
                                               capture_stdout=True, capture_stderr=True,
                                               check=False)
                mounted.append(mount.returncode == 0)
                if not mounted[0]:
                    return
                # No client sends anything: only the watch can notice.
                await h.next(Committed, lambda n: not n.decision.counting)
                assert await trio.to_thread.run_sync(rows, h.database) == 0

    try:
        with daemon_log() as log:
            run(test)
    finally:
        if mounted == [True]:
            subprocess.run(["umount", str(config)], capture_output=True, timeout=30,
                           check=True)
    if mounted == [False]:
        pytest.skip("cannot bind-mount here")
    assert any("metrics off" in line for line in log.lines), log.lines


# --- consent on/off on a file whose last line has no newline ---------------------------

LAST_LINES = [
    "[desktop]\na.b.c = 1 # a comment, and no newline",  # the flag went into the comment
    "[desktop]\r\nkeep = \"yes\"\r\nx.y.z = 1",  # the file was broken
]


@pytest.mark.parametrize("value", ["on", "off"])
@pytest.mark.parametrize("text", LAST_LINES)
def test_consent_lands_in_the_table_when_the_last_line_has_no_newline(
        home: Home, text: str, value: str) -> None:
    home.config.write_bytes(text.encode())
    before = tomllib.loads(text)
    out = cli(home, "consent", value)
    assert out.returncode == 0, out.stderr
    after = tomllib.loads(home.config.read_text())
    assert after["desktop"].pop("metrics") is (value == "on")
    before["desktop"].pop("metrics", None)
    assert after == before
    shown = cli(home, "consent")
    assert shown.stdout.startswith(f"metrics {value}"), shown.stdout


def test_a_write_that_would_not_land_is_refused_before_it_is_written() -> None:
    from metricsd.consent import flag_landed, with_flag

    text = "[desktop]\na.b.c = 1 # c"
    assert flag_landed(text, with_flag(text, True), True)
    # What tomlkit writes when the key is appended to the comment of the last line:
    assert not flag_landed(text, "[desktop]\na.b.c = 1 # cmetrics = true\n", True)
    assert not flag_landed(text, "[desktop]\na.b.c = 2\nmetrics = true\n", True)
    assert not flag_landed("x = 1", "x = 1\n[desktop]\nmetrics = false\n", True)


def test_a_flag_that_does_not_read_back_is_never_reported_and_the_file_is_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import metricsd.consent as consent

    config = tmp_path / "config.toml"
    original = "# mine\n[desktop]\nmetrics = false\n"
    config.write_text(original)
    real_write = consent._atomic_write
    writes: list[str] = []

    def racing_write(path: Path, text: str) -> None:
        # Another writer lands between our write and our read-back.
        real_write(path, text if writes else text + "metrics = 1\n")
        writes.append(text)

    monkeypatch.setattr(consent, "_atomic_write", racing_write)
    with pytest.raises(consent.ConfigWriteError, match="did not read back as written"):
        consent.set_consent(config, True)
    assert config.read_text() == original
    # A file that did not exist is removed again.
    writes.clear()
    missing = tmp_path / "new.toml"
    with pytest.raises(consent.ConfigWriteError):
        consent.set_consent(missing, True)
    assert not missing.exists()


# --- a burst of connects over the cap -------------------------------------------------

def start_with_fd_limit(daemons: DaemonFactory, home: Home, limit: int, *extra: str) -> Daemon:
    """A daemon whose RLIMIT_NOFILE (hard and soft) is ``limit``."""
    stderr_path = home.root / "limited.stderr"
    err = open(stderr_path, "w")  # noqa: SIM115 - closed by Daemon.stop
    proc = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "run", *home.args(), *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
        env=daemon_env(home, clean_env()),
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)))
    d = Daemon(home, proc, stderr_path, "", err)
    daemons.started.append(d)
    d.ready_line = read_line(proc, START_TIMEOUT)
    assert d.ready_line == f"READY {home.socket}", (d.ready_line, d.stderr)
    return d


def test_a_burst_of_connects_never_overshoots_the_connection_cap(
        home: Home, daemons: DaemonFactory) -> None:
    # 16 connections + the 64 descriptors kept for the daemon itself fit in 100; 64
    # connections at once would not, and commits would fail for want of a descriptor.
    d = start_with_fd_limit(daemons, home, 100, "--max-connections", "16")
    burst = []
    try:
        for _ in range(64):  # all connected before the daemon serves any of them
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(os.fspath(home.socket))
            burst.append(s)
        with d.client(timeout=10) as c:
            reply = c.status()
            assert reply["max_connections"] == 16
            assert reply["connections"] <= 16
            c.hello("2.0.1")
            c.turn("stop")
            c.sync()
        with d.client(timeout=10) as c:
            assert c.status()["connections"] <= 16
        for s in burst:
            s.setblocking(False)

        def closed() -> int:
            n = 0
            for s in burst:
                with contextlib.suppress(BlockingIOError):
                    n += s.recv(1) == b""
            return n

        wait_for(lambda: closed() >= 64 - 16, timeout=5, what="the evicted connections")
    finally:
        for s in burst:
            s.close()
    assert show(home)[0]["counts"]["turns"] == 1
    assert "closing the longest-idle one for each new one" in d.stderr
    assert d.stop() == 0
