"""metricsd.locks: the POSIX branch for real (flock between open file descriptions, as
two processes hold them); the Windows branch against a stand-in ``msvcrt`` that keeps a
byte-range lock table the way Windows does (the real one cannot run here)."""

from __future__ import annotations

import errno
import os
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricsd import locks


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "x.lock"
    p.write_text("1234\n")
    return p


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR)


def test_exclusive_excludes_everyone(path: Path) -> None:
    a, b = _open(path), _open(path)
    try:
        assert locks.try_lock(a, locks.EXCLUSIVE)
        assert not locks.try_lock(b, locks.EXCLUSIVE)
        assert not locks.try_lock(b, locks.SHARED)
        locks.unlock(a)
        assert locks.try_lock(b, locks.SHARED)
    finally:
        os.close(a)
        os.close(b)


def test_shared_holders_share_and_keep_exclusive_out(path: Path) -> None:
    a, b, c = _open(path), _open(path), _open(path)
    try:
        assert locks.try_lock(a, locks.SHARED)
        assert locks.try_lock(b, locks.SHARED)
        assert not locks.try_lock(c, locks.EXCLUSIVE)
        locks.release(a)
        assert not locks.try_lock(c, locks.EXCLUSIVE)
        locks.release(b)
        assert locks.try_lock(c, locks.EXCLUSIVE)
    finally:
        os.close(c)


def test_release_closes_and_frees(path: Path) -> None:
    a, b = _open(path), _open(path)
    assert locks.try_lock(a, locks.EXCLUSIVE)
    locks.release(a)
    with pytest.raises(OSError):
        os.fstat(a)
    try:
        assert locks.try_lock(b, locks.EXCLUSIVE)
    finally:
        os.close(b)


def _blocking_waits_for_the_holder(path: Path) -> None:
    a, b = _open(path), _open(path)
    got = threading.Event()

    def waiter() -> None:
        locks.lock(b, locks.EXCLUSIVE)
        got.set()

    try:
        assert locks.try_lock(a, locks.EXCLUSIVE)
        t = threading.Thread(target=waiter, daemon=True)
        t.start()
        assert not got.wait(0.3)  # still held: the waiter must not have the lock
        locks.unlock(a)
        assert got.wait(10)
        t.join(10)
        assert not locks.try_lock(a, locks.SHARED)  # the waiter holds it now
    finally:
        os.close(a)
        os.close(b)


def test_blocking_lock_waits_for_the_holder(path: Path) -> None:
    _blocking_waits_for_the_holder(path)


# --- the Windows branch, against a stand-in msvcrt -----------------------------------------

class FakeMsvcrt(types.ModuleType):
    """``msvcrt.locking`` semantics: locks ``nbytes`` from the descriptor's current
    position; a region held through another descriptor fails with EACCES (LK_NBLCK);
    LK_UNLCK of a region not held fails.  Records every locked offset."""

    LK_UNLCK = 0
    LK_LOCK = 1
    LK_NBLCK = 2

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int], int] = {}  # (inode, offset) -> fd
        self.offsets: list[int] = []
        self.mutex = threading.Lock()

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        self.offsets.append(offset)
        key = (os.fstat(fd).st_ino, offset)
        with self.mutex:
            if mode == self.LK_UNLCK:
                if self.held.get(key) != fd:
                    raise OSError(errno.EACCES, "not locked")
                del self.held[key]
            elif mode == self.LK_NBLCK:
                if key in self.held:
                    raise OSError(errno.EACCES, "Permission denied")
                self.held[key] = fd
            else:
                raise AssertionError("LK_LOCK gives up after 10 s: not to be used")


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMsvcrt]:
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(locks, "POLL_SECONDS", 0.01)
    yield fake


def test_windows_locks_a_byte_past_the_content_and_keeps_the_position(
        path: Path, windows: FakeMsvcrt) -> None:
    """The locked byte lies past the pid written in the file (a Windows lock is
    mandatory: locking byte 0 would stop a reader of the pid), and the caller's file
    position is unchanged."""
    a = _open(path)
    try:
        os.lseek(a, 2, os.SEEK_SET)
        assert locks.try_lock(a, locks.EXCLUSIVE)
        assert os.lseek(a, 0, os.SEEK_CUR) == 2
        assert windows.offsets == [locks.WINDOWS_LOCK_OFFSET]
        assert path.stat().st_size < locks.WINDOWS_LOCK_OFFSET
        locks.unlock(a)
        assert os.lseek(a, 0, os.SEEK_CUR) == 2
        assert windows.held == {}
    finally:
        os.close(a)


def test_windows_shared_is_exclusive(path: Path, windows: FakeMsvcrt) -> None:
    """msvcrt has no shared mode: two shared holders take turns."""
    a, b = _open(path), _open(path)
    try:
        assert locks.try_lock(a, locks.SHARED)
        assert not locks.try_lock(b, locks.SHARED)
        locks.release(a)
        assert locks.try_lock(b, locks.SHARED)
    finally:
        os.close(b)


def test_windows_blocking_lock_polls_until_free(path: Path, windows: FakeMsvcrt) -> None:
    _blocking_waits_for_the_holder(path)


def test_windows_other_errors_are_raised(path: Path, windows: FakeMsvcrt,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int, mode: int, nbytes: int) -> None:
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(windows, "locking", broken)
    a = _open(path)
    try:
        with pytest.raises(OSError) as info:
            locks.try_lock(a, locks.EXCLUSIVE)
        assert info.value.errno == errno.EBADF
    finally:
        os.close(a)
