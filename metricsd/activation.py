"""Service managers: sockets passed by systemd socket activation or launchd, and
``sd_notify`` (ready, stopping, the watchdog).  The environment's variables come in as an
argument; the ``LISTEN_*`` variables are then removed from the process environment so that
no child takes the sockets for its own.  Blocking."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

from metricsd.directories import ServiceError

log = logging.getLogger("metricsd")

#: The first descriptor a service manager passes (``sd_listen_fds(3)``).
SD_LISTEN_FDS_START: Final = 3


#: The name of the ``Sockets`` entry in the LaunchAgent plist (launchd/).
LAUNCHD_SOCKET_NAME: Final = "Listeners"
_LISTEN_VARS: Final = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")


def inherited_sockets(environ: Mapping[str, str]) -> list[socket.socket]:
    """Sockets passed by systemd socket activation (LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES).

    As ``sd_listen_fds(1)``: only when LISTEN_PID is this process; the variables are then
    removed from ``os.environ`` so that no child process takes them for its own.  Every
    passed descriptor must be a listening Unix stream socket (``Accept=no``)."""
    pid = environ.get("LISTEN_PID", "")
    count = environ.get("LISTEN_FDS", "")
    if not pid.isdigit() or int(pid) != os.getpid() or not count.isdigit():
        return []
    names = environ.get("LISTEN_FDNAMES", "")  # read before ``environ`` may lose it
    for key in _LISTEN_VARS:
        os.environ.pop(key, None)
    fds = range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(count))
    if names and len(names.split(":")) != len(fds):
        log.warning("LISTEN_FDNAMES does not name every passed socket; names ignored")
    return [_adopt(fd, "systemd") for fd in fds]


def _adopt(fd: int, manager: str) -> socket.socket:
    """Wrap an inherited descriptor, checking it is a listening Unix stream socket."""
    try:
        os.set_inheritable(fd, False)
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise ServiceError(f"descriptor {fd} passed by {manager} is not a socket "
                           f"({exc.strerror or exc})") from None
    listening = sock.getsockopt(socket.SOL_SOCKET, getattr(socket, "SO_ACCEPTCONN", 0x0002))
    unix = getattr(socket, "AF_UNIX", -1)
    if sock.family != unix or sock.type != socket.SOCK_STREAM or not listening:
        sock.detach()
        raise ServiceError(f"descriptor {fd} passed by {manager} is not a listening Unix "
                           "stream socket (use ListenStream= with Accept=no)")
    return sock


_ActivateFn = Callable[[bytes, Any, Any], int]


def _launch_activate_socket_fn() -> _ActivateFn | None:
    """libSystem's ``launch_activate_socket``, or None where it does not exist (not macOS).

    The one place the tests stub: everything around the call is exercised for real."""
    try:
        fn = ctypes.CDLL(None).launch_activate_socket
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_int)),
                   ctypes.POINTER(ctypes.c_size_t)]
    fn.restype = ctypes.c_int
    return cast(_ActivateFn, fn)


def launchd_sockets(name: str = LAUNCHD_SOCKET_NAME) -> list[socket.socket]:
    """The sockets of the plist's ``Sockets`` entry ``name``; [] when not run by launchd."""
    fn = _launch_activate_socket_fn()
    if fn is None:
        return []
    fds = ctypes.POINTER(ctypes.c_int)()
    count = ctypes.c_size_t(0)
    err = fn(name.encode("ascii"), ctypes.byref(fds), ctypes.byref(count))
    if err in (errno.ESRCH, errno.ENOENT):  # not a launchd job / no such Sockets entry
        return []
    if err != 0:
        raise ServiceError(f"launch_activate_socket failed ({os.strerror(err)})")
    try:
        raw = [int(fds[i]) for i in range(count.value)]
    finally:
        libc = ctypes.CDLL(None)
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free(ctypes.cast(fds, ctypes.c_void_p))
    return [_adopt(fd, "launchd") for fd in raw]


def activated_sockets(environ: Mapping[str, str]) -> tuple[list[socket.socket], str]:
    """Sockets handed over by a service manager and its name, or ``([], "")``."""
    socks = inherited_sockets(environ)
    if socks:
        return socks, "systemd"
    socks = launchd_sockets()
    if socks:
        return socks, "launchd"
    return [], ""


def sd_notify(state: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``state`` to NOTIFY_SOCKET (path or abstract); False when there is none."""
    addr = environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if not sys.platform.startswith("linux"):
        return False  # systemd is Linux only
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(state.encode("ascii"))
    except OSError as exc:
        log.warning("could not notify the service manager (%s)", exc.strerror or exc)
        return False
    return True


def watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between ``WATCHDOG=1`` pings (half of WATCHDOG_USEC), or None when systemd
    did not ask for them (or asked another pid)."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and (not pid.isdigit() or int(pid) != os.getpid()):
        return None
    return int(usec) / 2e6
