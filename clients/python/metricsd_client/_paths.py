"""Where the daemon's socket is: an explicit path, else ``$METRICSD_SOCKET``, else the
daemon's own default, ``platformdirs.user_runtime_dir("metricsd")/metricsd.sock``.

The default is computed by platformdirs itself, the library the daemon uses, so that the
two always agree (platformdirs' runtime-directory rules have changed between versions:
ownership and mode checks, fallbacks).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Final

import platformdirs

APP: Final = "metricsd"
SOCKET_NAME: Final = "metricsd.sock"
ENV_SOCKET: Final = "METRICSD_SOCKET"


def default_socket_path() -> Path:
    """The path a daemon started without ``--socket`` or ``METRICSD_SOCKET`` listens on.

    Raises ``OSError`` (``PermissionError``) where platformdirs finds no safe runtime
    directory at all (then set ``XDG_RUNTIME_DIR`` or pass a path)."""
    with warnings.catch_warnings():
        # Without a usable $XDG_RUNTIME_DIR platformdirs falls back (and warns); the
        # daemon checks the directory chain before it serves there.
        warnings.simplefilter("ignore")
        return Path(platformdirs.user_runtime_dir(APP)) / SOCKET_NAME


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


def read_endpoint(path: str | os.PathLike[str]) -> tuple[int, str]:
    """``(port, token)`` from a daemon's endpoint file, read afresh (a new daemon writes a
    new port and token).  ``FileNotFoundError`` when no daemon wrote one;
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
    if (type(port) is not int or not 0 < port < 65536 or not isinstance(token, str)
            or not 0 < len(token) <= 256):
        raise EndpointError(f"{os.fspath(path)} is not a metricsd endpoint file")
    return port, token
