"""Loopback TCP, for a platform without Unix sockets (or ``--listen tcp``): a port the
kernel picks on 127.0.0.1, and ``endpoint.json`` beside where the socket would be, which
tells clients the port and the token.  Clients read that file with their own reader
(``metricsd_client``'s; ``metricsd status`` uses it too).  Blocking, start-up only."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from pathlib import Path
from typing import Final

from metricsd.instance import OwnFile, listen_backlog
from metricsd.portable import O_CLOEXEC, O_NOFOLLOW

#: Beside the socket path, over loopback TCP: where clients find the port and the token.
ENDPOINT_FILE: Final = "endpoint.json"


#: The ``endpoint.json`` this process wrote.
EndpointFile = OwnFile


def bind_tcp() -> socket.socket:
    """Listen on 127.0.0.1, on a port the kernel picks."""
    return socket.create_server(("127.0.0.1", 0), backlog=listen_backlog())


def write_endpoint_file(directory: Path, port: int, token: str) -> EndpointFile:
    """Write ``{"port", "token", "pid"}`` to ``directory/endpoint.json``, created 0600
    and replaced atomically (a client never reads half a file)."""
    import json

    path = directory / ENDPOINT_FILE
    tmp = directory / f".{ENDPOINT_FILE}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            json.dump({"port": port, "token": token, "pid": os.getpid()}, f)
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    st = os.lstat(path)
    return EndpointFile(path, (st.st_dev, st.st_ino))


#: Windows: how often, and how long, replacing endpoint.json is retried while a client
#: has the old one open (Windows refuses to replace an open file).
REPLACE_RETRY_SECONDS: Final = 0.05
REPLACE_RETRIES: Final = 100


def _replace(src: Path, dst: Path) -> None:
    """``os.replace``; on Windows retried for a bounded time while a reader holds ``dst``."""
    if sys.platform != "win32":
        os.replace(src, dst)
        return
    import time

    for _ in range(REPLACE_RETRIES - 1):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            time.sleep(REPLACE_RETRY_SECONDS)
    os.replace(src, dst)
