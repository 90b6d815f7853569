"""What differs between POSIX and Windows, named once: open flags that only exist on
POSIX (0 where absent), the user's uid (None on Windows, which has no POSIX uid), and
whether Unix sockets exist (CPython on Windows has no ``AF_UNIX``).

On Windows the daemon's files live in the per-user local app-data directory
(``%LOCALAPPDATA%``), whose access-control list admits only the user (and the system
and administrators): the uid and mode checks POSIX needs are left to that ACL.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Final

O_NOFOLLOW: Final[int] = getattr(os, "O_NOFOLLOW", 0)
O_CLOEXEC: Final[int] = getattr(os, "O_CLOEXEC", 0)
O_NONBLOCK: Final[int] = getattr(os, "O_NONBLOCK", 0)
O_NOCTTY: Final[int] = getattr(os, "O_NOCTTY", 0)
#: Windows: open files in binary mode (no newline translation); 0 elsewhere.
O_BINARY: Final[int] = getattr(os, "O_BINARY", 0)

#: Whether this Python offers Unix-domain sockets (not on Windows).
HAS_AF_UNIX: Final[bool] = hasattr(socket, "AF_UNIX")


def current_uid() -> int | None:
    """This process's uid; None on Windows (no POSIX owners: the checks that compare
    owners are skipped there, see the module's docstring)."""
    if sys.platform == "win32":
        return None
    return os.getuid()
