"""Where the daemon's socket is: an explicit path, else ``$METRICSD_SOCKET``, else the
daemon's own default, ``platformdirs.user_runtime_dir("metricsd", appauthor=False)`` +
``metricsd.sock`` (``endpoint.json`` there on Windows).

On Linux and the BSDs the default is computed by platformdirs itself, the library the
daemon uses, so that the two always agree (its runtime-directory checks have changed
between versions); on macOS and Windows it is the fixed rule of ``clients/spec.json``
(:func:`runtime_dir` also evaluates that rule for a simulated platform, for the tests).
"""

from __future__ import annotations

import json
import ntpath
import os
import posixpath
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import platformdirs

APP: Final = "metricsd"
SOCKET_NAME: Final = "metricsd.sock"
ENV_SOCKET: Final = "METRICSD_SOCKET"


def runtime_dir(platform: str | None = None,
                environ: Mapping[str, str] | None = None) -> str:
    """The daemon's default runtime directory on ``platform`` (default: this one).

    win32: ``%LOCALAPPDATA%\\Temp\\metricsd`` (the daemon passes ``appauthor=False``:
    not ``...\\metricsd\\metricsd``); darwin: ``$XDG_RUNTIME_DIR/metricsd`` when that is a
    private directory of the user's, else ``~/Library/Caches/TemporaryItems/metricsd``;
    elsewhere platformdirs' rule (``$XDG_RUNTIME_DIR``, ``/run/user/<uid>``, a private
    temporary fallback), computed by platformdirs on this platform."""
    platform = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    if platform == "win32":
        local = env.get("LOCALAPPDATA") or ntpath.join(
            env.get("USERPROFILE") or os.path.expanduser("~"), "AppData", "Local")
        return ntpath.join(ntpath.normpath(local), "Temp", APP)
    if platform == "darwin":
        xdg = env.get("XDG_RUNTIME_DIR", "")
        if posixpath.isabs(xdg) and _private_dir(xdg):
            return posixpath.join(xdg, APP)
        home = env.get("HOME") or os.path.expanduser("~")
        return posixpath.join(home, "Library", "Caches", "TemporaryItems", APP)
    with warnings.catch_warnings():
        # Without a usable $XDG_RUNTIME_DIR platformdirs falls back (and warns); the
        # daemon checks the directory chain before it serves there.
        warnings.simplefilter("ignore")
        return str(platformdirs.user_runtime_dir(APP, appauthor=False))


def _private_dir(path: str) -> bool:
    """A directory (not a symlink) of this user's with mode 0700."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    import stat

    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()
            and st.st_mode & 0o777 == 0o700)


def default_socket_path() -> Path:
    """The path a daemon started without ``--socket`` or ``METRICSD_SOCKET`` listens on.

    Raises ``OSError`` (``PermissionError``) where platformdirs finds no safe runtime
    directory at all (then set ``XDG_RUNTIME_DIR`` or pass a path)."""
    return Path(runtime_dir()) / SOCKET_NAME


def socket_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path``, else ``$METRICSD_SOCKET``, else :func:`default_socket_path`."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_SOCKET, "")
    return Path(env) if env else default_socket_path()


#: The loopback TCP transport's endpoint file, beside where the socket would be.
ENDPOINT_FILE: Final = "endpoint.json"
#: An endpoint file is small; anything longer is not one.
MAX_ENDPOINT_BYTES: Final = 4096


def endpoint_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The endpoint file a daemon started with ``--listen tcp`` writes: ``endpoint.json``
    in the directory of :func:`socket_path` (``path`` when it already names one)."""
    resolved = socket_path(path)
    return resolved if resolved.name.endswith(".json") else resolved.parent / ENDPOINT_FILE


class EndpointError(ConnectionRefusedError):
    """The endpoint file is not a daemon's (not JSON, no port or token)."""


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (of any user)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # ERROR_ACCESS_DENIED: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StaleEndpointError(ConnectionRefusedError):
    """The endpoint file names a daemon process that is no longer alive: whatever
    listens on its port now is not that daemon, and nothing is sent there."""


def read_endpoint(path: str | os.PathLike[str]) -> tuple[int, str]:
    """``(port, token)`` from a daemon's endpoint file, read afresh (a new daemon writes a
    new port and token).  :class:`StaleEndpointError` when its ``pid`` is not alive;
    ``FileNotFoundError`` when no daemon wrote one;
    ``PermissionError`` when the file is not this user's alone (on POSIX: owned by
    another uid, or readable by group or others); :class:`EndpointError` otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if os.name == "posix":
            st = os.fstat(fd)
            if st.st_uid != os.geteuid() or st.st_mode & 0o077:
                raise PermissionError(f"{os.fspath(path)} is not this user's alone (uid "
                                      f"{st.st_uid}, mode {st.st_mode & 0o777:o}): "
                                      "refusing to use it")
        data = os.read(fd, MAX_ENDPOINT_BYTES + 1)
    finally:
        os.close(fd)
    try:
        doc = json.loads(data) if len(data) <= MAX_ENDPOINT_BYTES else None
    except ValueError:
        doc = None
    port = doc.get("port") if isinstance(doc, dict) else None
    token = doc.get("token") if isinstance(doc, dict) else None
    pid = doc.get("pid") if isinstance(doc, dict) else None
    if (type(port) is not int or not 0 < port < 65536 or not isinstance(token, str)
            or not 0 < len(token) <= 256):
        raise EndpointError(f"{os.fspath(path)} is not a metricsd endpoint file")
    if type(pid) is int and not pid_alive(pid):
        raise StaleEndpointError(f"{os.fspath(path)} names pid {pid}, which is not running: "
                                 "a stale endpoint file (not connecting)")
    return port, token
