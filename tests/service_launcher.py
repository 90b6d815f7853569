"""Start ``metricsd run`` the way a service manager does, for tests/test_activation.py.

    python tests/service_launcher.py systemd SOCKET [--dgram] -- RUN-ARGS...
        Bind SOCKET (0600), put it on fd 3, set LISTEN_FDS=1, LISTEN_PID (this pid, which
        the daemon keeps because we exec into it) and LISTEN_FDNAMES, then execve the
        daemon, exactly as systemd does.  NOTIFY_SOCKET / WATCHDOG_USEC come from the
        caller's environment.  --dgram passes a datagram socket instead (a broken unit).
    python tests/service_launcher.py launchd SOCKET -- RUN-ARGS...
        Bind SOCKET as launchd does, then run the daemon in this process with the one
        ctypes symbol ``launch_activate_socket`` stubbed (it does not exist off macOS):
        the stub hands out the fd in malloc'd memory that the daemon frees, like libSystem.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys
from typing import Any

from metricsd import activation, cli

SD_FD = 3


def bind(path: str, kind: int = socket.SOCK_STREAM) -> socket.socket:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    s = socket.socket(socket.AF_UNIX, kind)
    old = os.umask(0o177)
    try:
        s.bind(path)
    finally:
        os.umask(old)
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    return s


ActivateProto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.POINTER(ctypes.c_int)),
                                 ctypes.POINTER(ctypes.c_size_t))


def launchd_stub(fds: list[int], name: bytes = activation.LAUNCHD_SOCKET_NAME.encode()) -> Any:
    """A C-callable ``int launch_activate_socket(const char*, int**, size_t*)``."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]

    def activate(asked: bytes, out_fds: Any, out_count: Any) -> int:
        if asked != name:
            return errno.ENOENT
        mem = libc.malloc(ctypes.sizeof(ctypes.c_int) * len(fds))
        arr = ctypes.cast(mem, ctypes.POINTER(ctypes.c_int))
        for i, fd in enumerate(fds):
            arr[i] = fd
        out_fds[0] = arr
        out_count[0] = len(fds)
        return 0

    return ActivateProto(activate)


def main(argv: list[str]) -> int:
    mode, path, *rest = argv
    sep = rest.index("--")
    opts, run_args = rest[:sep], rest[sep + 1:]
    if mode == "systemd":
        s = bind(path, socket.SOCK_DGRAM if "--dgram" in opts else socket.SOCK_STREAM)
        if s.fileno() == SD_FD:  # dup2 onto itself would keep close-on-exec
            os.set_inheritable(SD_FD, True)
        else:
            os.dup2(s.fileno(), SD_FD, inheritable=True)
        env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()),
                   LISTEN_FDNAMES="metricsd")
        os.execve(sys.executable, [sys.executable, "-m", "metricsd", "run", *run_args], env)
    if mode == "launchd":
        s = bind(path)
        stub = launchd_stub([s.detach()])
        activation._launch_activate_socket_fn = lambda: stub
        return cli.main(["run", *run_args])
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
