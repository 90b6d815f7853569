"""Where the daemon's socket is: an explicit path, else ``$METRICSD_SOCKET``, else the
daemon's own default, ``platformdirs.user_runtime_dir("metricsd")/metricsd.sock``.

The default is computed by platformdirs itself, the library the daemon uses, so that the
two always agree (platformdirs' runtime-directory rules have changed between versions:
ownership and mode checks, fallbacks).
"""

from __future__ import annotations

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
