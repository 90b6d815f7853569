"""Storage faults: a corrupt database, a state directory that cannot be used at start
(under a file, read-only, full) or that fills up while the daemon runs, and a database
from a newer schema.  Real daemons, real files; the read-only and full directories are
real tmpfs mounts when the tests run as root (root ignores file modes), chmod otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricsd.store import SCHEMA_VERSION
from tests.conftest import Daemon, DaemonFactory, Home, cli, wait_for
from tests.rawclient import Client

IS_ROOT = os.geteuid() == 0


def shown_turns(home: Home) -> int:
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    return sum(int(b["counts"].get("turns", 0)) for b in json.loads(out.stdout))


def stream_turns(c: Client, n: int) -> None:
    for _ in range(n):
        c.usage(10, 90)
        c.turn("length")


def no_ack_yet(c: Client) -> bool:
    """True if a sync is NOT acknowledged within a short wait (nothing can be committed)."""
    try:
        c.sync()
    except (TimeoutError, OSError):
        return True
    return False


# --- corrupt database --------------------------------------------------------------------

def damage_a_page(db: Path) -> None:
    """Overwrite the second page (the root of the counts b-tree) with garbage."""
    with db.open("r+b") as f:
        f.seek(4096)
        f.write(b"\xde\xad\xbe\xef" * 1024)


@pytest.mark.parametrize("damage", ["garbage file", "damaged page"])
def test_a_corrupt_database_is_moved_aside_and_a_fresh_one_serves(
        home: Home, daemons: DaemonFactory, damage: str) -> None:
    home.state_dir.mkdir(mode=0o700)
    if damage == "garbage file":
        home.db.write_bytes(b"this is not a database\n" * 500)
    else:
        d = daemons.start(home)
        with d.client() as c:
            stream_turns(c, 5)
            c.sync()
        assert d.stop() == 0
        damage_a_page(home.db)
    before = home.db.read_bytes()

    d = daemons.start(home)
    with d.client() as c:
        stream_turns(c, 2)
        c.sync()
        assert c.snapshot()["counts"]["turns"] == 2
    assert d.stop() == 0
    assert d.stderr.count("was unreadable; moved it to") == 1
    asides = [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name
              and not p.name.endswith(("-wal", "-shm"))]
    assert len(asides) == 1
    assert asides[0].read_bytes() == before  # kept as it was, for the user to inspect
    assert shown_turns(home) == 2


# --- newer schema ------------------------------------------------------------------------

def test_a_database_from_a_newer_schema_is_refused_and_never_touched(
        home: Home, daemons: DaemonFactory) -> None:
    home.state_dir.mkdir(mode=0o700)
    db = sqlite3.connect(home.db)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = home.db.read_bytes()
    files_before = sorted(p.name for p in home.state_dir.iterdir())

    d = daemons.start(home, wait_ready=False)
    assert d.proc.wait(30) == 1
    assert "newer than this daemon" in d.stderr
    out = cli(home, "show", "--json")
    assert out.returncode == 1
    assert "newer than this daemon" in out.stderr
    assert home.db.read_bytes() == before
    assert sorted(p.name for p in home.state_dir.iterdir()) == files_before


# --- the state directory cannot be used at start ------------------------------------------

@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[None]:
    path.mkdir(mode=0o700, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` completely; returns the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno in (errno.ENOSPC, errno.EDQUOT)
    finally:
        os.close(fd)
    return filler


def serves_from_memory_then_recovers(d: Daemon, home: Home, fix: object) -> None:
    """While nothing can be written: pings, counts in memory, no ack; after ``fix()``,
    the retried commit succeeds and the sync is acknowledged."""
    with d.client(timeout=2) as c:
        c.hello("1.2.3")
        stream_turns(c, 3)
        assert c.ping()["type"] == "pong"
        assert c.snapshot()["counts"]["turns"] == 3  # from memory
    with d.client(timeout=1.5) as c:
        assert no_ack_yet(c), "a sync was acknowledged although nothing could be committed"
    fix()  # type: ignore[operator]
    with d.client(timeout=60) as c:
        c.sync()
        assert c.snapshot()["counts"]["turns"] == 3
    wait_for(lambda: "commits succeed again" in d.stderr, what="the recovery line")
    # The commit was retried while the fault lasted, yet the fault has one line, not one
    # per retry; and the database's own start-up line is not repeated by later chores.
    assert d.stderr.count("commit failed") == 1, d.stderr
    assert d.stderr.count("ERROR: cannot open database") == 1, d.stderr
    assert d.stop() == 0
    assert shown_turns(home) == 3


@pytest.mark.long
def test_state_dir_under_a_file_serves_from_memory_and_retries(
        home: Home, daemons: DaemonFactory) -> None:
    home.state_dir.write_text("a file where the state directory should be")
    d = daemons.start(home)
    assert d.stderr.count("ERROR: cannot open database") == 1

    def fix() -> None:
        home.state_dir.unlink()

    serves_from_memory_then_recovers(d, home, fix)


@pytest.mark.long
def test_read_only_state_dir_serves_from_memory_and_retries(
        home: Home, daemons: DaemonFactory) -> None:
    with contextlib.ExitStack() as stack:
        if IS_ROOT:
            stack.enter_context(tmpfs(home.state_dir, "4m"))
            remount(home.state_dir, "ro")

            def fix() -> None:
                remount(home.state_dir, "rw")
        else:
            home.state_dir.mkdir(mode=0o500)

            def fix() -> None:
                home.state_dir.chmod(0o700)

        d = daemons.start(home)
        assert d.stderr.count("ERROR: cannot open database") == 1
        serves_from_memory_then_recovers(d, home, fix)


@pytest.mark.skipif(not IS_ROOT, reason="a full file system needs a tmpfs mount (root)")
@pytest.mark.long
def test_full_state_dir_at_start_serves_from_memory_and_retries(
        home: Home, daemons: DaemonFactory) -> None:
    with tmpfs(home.state_dir, "256k"):
        filler = fill(home.state_dir)
        d = daemons.start(home)
        assert d.stderr.count("ERROR: cannot open database") == 1
        serves_from_memory_then_recovers(d, home, filler.unlink)


@pytest.mark.skipif(not IS_ROOT, reason="a full file system needs a tmpfs mount (root)")
@pytest.mark.long
def test_state_dir_filling_up_while_running_loses_nothing_acknowledged(
        home: Home, daemons: DaemonFactory) -> None:
    with tmpfs(home.state_dir, "2m"):
        d = daemons.start(home)
        with d.client() as c:
            c.hello("1.2.3")
            stream_turns(c, 2)
            c.sync()  # committed before the disk fills
        filler = fill(home.state_dir)
        with d.client(timeout=2) as c:
            c.hello("1.2.3")
            stream_turns(c, 3)
            c.compaction()
            assert c.ping()["type"] == "pong"
            assert c.snapshot()["counts"]["turns"] == 5  # database + memory
        with d.client(timeout=1.5) as c:
            assert no_ack_yet(c)
        wait_for(lambda: "database or disk is full" in d.stderr, what="a clear log line")
        filler.unlink()
        with d.client(timeout=60) as c:
            c.sync()
            assert c.snapshot()["counts"]["turns"] == 5
        assert d.stop() == 0
        assert shown_turns(home) == 5
