"""Advisory whole-file locks, one API on POSIX and Windows.

POSIX: ``fcntl.flock`` (shared and exclusive; released when the descriptor closes).

Windows: ``msvcrt.locking`` on one byte far past any content (a Windows byte-range lock
is mandatory, so locking byte 0 would stop others from *reading* the pid written there).
Windows has no shared mode in ``msvcrt``: a shared request takes the same exclusive
lock, so holders that would share on POSIX take turns instead (every wait in this
package is bounded, so a turn that is too long ends in the caller's "busy, retry later"
path, never in a hang).  Blocking waits poll every :data:`POLL_SECONDS`, since
``msvcrt.LK_LOCK`` gives up by itself after ten seconds.  The Windows branch
type-checks (``mypy --platform win32``) but has not run on Windows.
"""

from __future__ import annotations

import enum
import errno
import os
import sys
import time
from typing import Final

#: How often a blocking wait tries again where the platform cannot block (Windows).
POLL_SECONDS: Final = 0.05
#: Windows: the byte locked (past any content; locking beyond the end of a file is
#: allowed there).
WINDOWS_LOCK_OFFSET: Final = 0x7FFF_FFFF

_BUSY_ERRNOS: Final = frozenset({errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES,
                                 errno.EDEADLK})


class Mode(enum.Enum):
    SHARED = "shared"
    EXCLUSIVE = "exclusive"


SHARED: Final = Mode.SHARED
EXCLUSIVE: Final = Mode.EXCLUSIVE


def try_lock(fd: int, mode: Mode) -> bool:
    """Take the lock on ``fd`` in ``mode`` without waiting: True if taken, False while
    another holder has it.  Other errors are raised."""
    if sys.platform == "win32":
        import msvcrt

        where = os.lseek(fd, 0, os.SEEK_CUR)
        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in _BUSY_ERRNOS:
                return False
            raise
        finally:
            os.lseek(fd, where, os.SEEK_SET)
        return True
    import fcntl

    op = fcntl.LOCK_SH if mode is Mode.SHARED else fcntl.LOCK_EX
    try:
        fcntl.flock(fd, op | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise
    return True


def lock(fd: int, mode: Mode) -> None:
    """Take the lock on ``fd`` in ``mode``, waiting as long as its holder keeps it."""
    if sys.platform == "win32":
        while not try_lock(fd, mode):
            time.sleep(POLL_SECONDS)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_SH if mode is Mode.SHARED else fcntl.LOCK_EX)


def unlock(fd: int) -> None:
    """Release the lock held on ``fd`` (closing ``fd`` releases it too)."""
    if sys.platform == "win32":
        import msvcrt

        where = os.lseek(fd, 0, os.SEEK_CUR)
        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.lseek(fd, where, os.SEEK_SET)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def release(fd: int) -> None:
    """Unlock (best effort) and close ``fd``: Windows may release a lock some time after
    its handle closes, so it is released explicitly first."""
    try:
        unlock(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
