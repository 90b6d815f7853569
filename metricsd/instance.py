"""One daemon per socket: the instance lock beside the socket, a stale socket told from a
live one, and the Unix socket bound and removed again only if it is still ours.  Blocking,
start-up only."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from metricsd import locks
from metricsd.directories import ServiceError, foreign_owner
from metricsd.portable import O_CLOEXEC, O_NOFOLLOW

log = logging.getLogger("metricsd")

#: sun_path limits (including the terminating NUL).
SUN_PATH_MAX: Final = 104 if sys.platform == "darwin" else 108


def check_socket_path(path: Path) -> None:
    if len(os.fsencode(path)) >= SUN_PATH_MAX:
        raise ServiceError(
            f"socket path is {len(os.fsencode(path))} bytes, over the platform limit of "
            f"{SUN_PATH_MAX - 1}; choose a shorter --socket")


@dataclass
class InstanceLock:
    path: Path
    file: IO[str]

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def lock_path(sock: Path) -> Path:
    return sock.with_name(sock.name + ".lock")


def acquire_lock(sock: Path, *, wait: bool = False) -> InstanceLock | int | None:
    """Take the per-socket instance lock (``wait``: block until its holder exits).

    Returns the lock, or the pid of the daemon that holds it (``None`` if unknown)."""
    path = lock_path(sock)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    f = os.fdopen(fd, "r+", encoding="ascii")
    try:
        if wait:
            locks.lock(fd, locks.EXCLUSIVE)
            taken = True
        else:
            taken = locks.try_lock(fd, locks.EXCLUSIVE)
    except OSError:
        f.close()
        raise
    if not taken:
        f.seek(0)
        text = f.read().strip()
        f.close()
        return int(text) if text.isdigit() else None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return InstanceLock(path, f)


def serving_pid(sock: Path) -> int | None:
    """The pid recorded by the daemon holding the lock of ``sock``, if one holds it."""
    path = lock_path(sock)
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "r", encoding="ascii") as f:
        try:
            free = locks.try_lock(fd, locks.SHARED)
        except OSError:
            free = False
        if not free:
            text = f.read().strip()
            return int(text) if text.isdigit() else None
        with contextlib.suppress(OSError):
            locks.unlock(fd)
        return None  # nobody holds it


class SocketLive(ServiceError):
    """Something accepts on the socket path although no daemon holds the lock (an older
    daemon, or a service manager keeping it for activation): it is not stale."""


def remove_stale_socket(sock: Path) -> None:
    """Unlink a socket left by a crashed daemon.  Call only while holding the lock.

    Replaces only a socket (never another kind of file) owned by this uid on which nobody
    accepts connections."""
    try:
        st = os.lstat(sock)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise ServiceError(f"{sock} exists and is not a socket; refusing to replace it")
    if foreign_owner(st):
        raise ServiceError(f"{sock} belongs to another user; refusing to replace it")
    if socket_is_live(sock):
        raise SocketLive(f"{sock} accepts connections but no metricsd holds its lock; "
                         "leaving it alone")
    os.unlink(sock)
    log.info("replaced a stale socket left by an earlier daemon")


@dataclass(frozen=True)
class OwnFile:
    """A file this process made (a socket, ``endpoint.json``): only this very file, by
    device and inode, is removed at exit, never one another daemon put there since."""

    path: Path
    ident: tuple[int, int]

    def unlink(self) -> None:
        try:
            st = os.lstat(self.path)
            if (st.st_dev, st.st_ino) == self.ident:
                os.unlink(self.path)
        except OSError:
            pass


@dataclass(frozen=True)
class BoundSocket(OwnFile):
    """A socket this process bound."""

    sock: socket.socket


def bind_socket(sock: Path) -> BoundSocket:
    """Bind and listen on ``sock`` with mode 0600 (no window where it is wider)."""
    if sys.platform == "win32":
        raise ServiceError("this platform has no Unix sockets: use --listen tcp")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        s.bind(os.fspath(sock))
    except OSError:
        s.close()
        raise
    finally:
        os.umask(old)
    st = os.lstat(sock)
    os.chmod(sock, 0o600)
    s.listen(listen_backlog())
    return BoundSocket(sock, (st.st_dev, st.st_ino), s)


def socket_is_live(sock: Path, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on ``sock`` (a daemon, or a service manager
    holding the socket for activation)."""
    if sys.platform == "win32":
        return False  # no Unix sockets: nothing can accept on a path
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(os.fspath(sock))
        except (ConnectionRefusedError, FileNotFoundError):
            return False
        except OSError as exc:
            # EAGAIN: the backlog is full, so someone listens.
            return exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK) or isinstance(exc, TimeoutError)
    return True


def listen_backlog() -> int:
    """The platform's maximum listen backlog (the kernel caps a larger value anyway), so
    a burst of connects never fails with EAGAIN."""
    try:
        with open("/proc/sys/net/core/somaxconn", encoding="ascii") as f:
            return max(int(f.read().strip()), socket.SOMAXCONN)
    except (OSError, ValueError):
        return max(socket.SOMAXCONN, 4096)
