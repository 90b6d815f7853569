"""The daemon's place in the operating system: its socket, instance lock, peer check and
service-manager hooks (systemd socket activation and notify).  Blocking, start-up only.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import logging
import os
import socket
import stat
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

log = logging.getLogger("metricsd")

#: sun_path limits (including the terminating NUL).
SUN_PATH_MAX: Final = 104 if sys.platform == "darwin" else 108
SD_LISTEN_FDS_START: Final = 3


class ServiceError(Exception):
    """Start-up cannot go on; the message is safe to print."""


# --- the runtime directory and the instance lock ------------------------------------------

def check_socket_path(path: Path) -> None:
    if len(os.fsencode(path)) >= SUN_PATH_MAX:
        raise ServiceError(
            f"socket path is {len(os.fsencode(path))} bytes, over the platform limit of "
            f"{SUN_PATH_MAX - 1}; choose a shorter --socket")


def prepare_directory(directory: Path) -> None:
    """Create the socket's directory 0700, or check an existing one is ours and private."""
    try:
        directory.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode):
        raise ServiceError(f"{directory} is a symlink; refusing to put the socket there")
    if not stat.S_ISDIR(st.st_mode):
        raise ServiceError(f"{directory} is not a directory")
    if st.st_uid != os.getuid():
        raise ServiceError(f"{directory} belongs to another user; refusing to use it")
    if st.st_mode & 0o077:
        raise ServiceError(
            f"{directory} is accessible to other users (mode {st.st_mode & 0o777:o}); "
            "the socket directory must be 0700")


@dataclass
class InstanceLock:
    path: Path
    file: IO[str]

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def lock_path(sock: Path) -> Path:
    return sock.with_name(sock.name + ".lock")


def acquire_lock(sock: Path) -> InstanceLock | int | None:
    """Take the per-socket instance lock.

    Returns the lock, or the pid of the daemon that holds it (``None`` if unknown)."""
    path = lock_path(sock)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    f = os.fdopen(fd, "r+", encoding="ascii")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            f.close()
            raise
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
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "r", encoding="ascii") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = f.read().strip()
            return int(text) if text.isdigit() else None
        return None  # nobody holds it


def remove_stale_socket(sock: Path) -> None:
    """Unlink a socket left by a crashed daemon.  Call only while holding the lock."""
    try:
        st = os.lstat(sock)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise ServiceError(f"{sock} exists and is not a socket; refusing to replace it")
    if st.st_uid != os.getuid():
        raise ServiceError(f"{sock} belongs to another user; refusing to replace it")
    os.unlink(sock)
    log.info("replaced a stale socket left by an earlier daemon")


def bind_socket(sock: Path) -> socket.socket:
    """Bind and listen on ``sock`` with mode 0600 (no window where it is wider)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        s.bind(os.fspath(sock))
    except OSError:
        s.close()
        raise
    finally:
        os.umask(old)
    os.chmod(sock, 0o600)
    s.listen(128)
    return s


# --- peer credentials ---------------------------------------------------------------------

def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a connected Unix socket."""
    if hasattr(socket, "SO_PEERCRED"):
        size = struct.calcsize("3i")
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size)
        _pid, uid, _gid = struct.unpack("3i", raw)
        return int(uid)
    return _getpeereid(sock.fileno())


def _getpeereid(fd: int) -> int | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    uid = ctypes.c_uint32()
    gid = ctypes.c_uint32()
    if libc.getpeereid(fd, ctypes.byref(uid), ctypes.byref(gid)) != 0:
        return None
    return int(uid.value)


# --- systemd --------------------------------------------------------------------------

def inherited_sockets(environ: Mapping[str, str]) -> list[socket.socket]:
    """Sockets passed by systemd socket activation (LISTEN_FDS / LISTEN_PID)."""
    pid = environ.get("LISTEN_PID", "")
    count = environ.get("LISTEN_FDS", "")
    if not pid.isdigit() or int(pid) != os.getpid() or not count.isdigit():
        return []
    out = []
    for fd in range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(count)):
        os.set_inheritable(fd, False)
        out.append(socket.socket(fileno=fd))
    for key in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
        os.environ.pop(key, None)
    return out


def sd_notify(state: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``state`` to NOTIFY_SOCKET (path or abstract); False when there is none."""
    addr = environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(addr)
            s.sendall(state.encode("ascii"))
    except OSError as exc:
        log.warning("could not notify the service manager (%s)", exc.strerror or exc)
        return False
    return True
