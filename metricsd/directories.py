"""The directories the daemon and its commands trust: the socket's, the state directory
and config.toml's.  A directory another user could write to (or that another user owns)
anywhere in the chain is refused; the daemon's own are created 0700.  Blocking, start-up
only."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from metricsd.portable import current_uid
from metricsd.settings import EGRESS_LOCK_NAME


class ServiceError(Exception):
    """Start-up cannot go on; the message is safe to print."""


def chain_problem(directory: Path, uid: int | None = None) -> str | None:
    """Why another local user could replace what lives in ``directory`` (None: nobody
    can).  The directory and every ancestor up to ``/`` must be owned by the user or by
    root, and none may be writable by group or others unless it has the sticky bit (as
    ``/tmp`` has).  Checked on the real path, symlinks resolved; a directory that does not
    exist yet is judged by its nearest existing ancestor (it would be created there).
    The one rule for the socket's directory, the state directory and config.toml's.

    Windows has no POSIX owners or modes: nothing is judged there (None), and the
    per-user local app-data directory's access-control list is what keeps other users
    out (see :mod:`metricsd.portable`)."""
    own = current_uid() if uid is None else uid
    if own is None:
        return None
    return _real_chain_problem(os.path.realpath(directory), own)


def _real_chain_problem(real: str, uid: int) -> str | None:
    """:func:`chain_problem` for a path already resolved (strings: this runs at every
    consent decision, and pathlib would triple its cost)."""
    part = real
    while True:
        try:
            st = os.stat(part)
        except FileNotFoundError:
            st = None  # not created yet: its parent decides who could create it
        except OSError as exc:
            return f"{part} cannot be checked ({exc.strerror or type(exc).__name__})"
        if st is not None:
            if st.st_uid not in (uid, 0):
                return f"{part} belongs to another user"
            if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
                return f"{part} is writable by other users (mode {st.st_mode & 0o7777:o})"
        parent = os.path.dirname(part)
        if parent == part:
            return None
        part = parent


def foreign_owner(st: os.stat_result) -> bool:
    """Whether a file belongs to another user (never on Windows: no POSIX owners)."""
    uid = current_uid()
    return uid is not None and st.st_uid != uid


def check_directory_chain(directory: Path, uid: int | None = None) -> None:
    """:func:`chain_problem` for the socket's directory: another local user could swap
    the socket (the ``/tmp/runtime-<uid>`` fallback pre-created by someone else is the
    case this is for)."""
    problem = chain_problem(directory, uid)
    if problem is not None:
        raise ServiceError(f"{problem}, so the socket could be replaced by them; refusing "
                           "to serve there (set XDG_RUNTIME_DIR or use --socket)")


def prepare_state_directory(directory: Path) -> None:
    """Check the state directory's chain (:func:`chain_problem`), then create it 0700
    (with its parents) or check the existing one is the user's and not writable by group
    or others, and that no unusable ``egress.lock`` was planted in it.  Otherwise another
    user could plant the database's ``-wal`` or the egress lock there.  A directory that
    cannot be made or used (read-only, a file in its place) is not refused here: that is
    a storage fault the daemon serves through from memory."""
    problem = chain_problem(directory)
    if problem is None:
        real = Path(os.path.realpath(directory))
        try:
            directory.mkdir(parents=True, mode=0o700)
        except OSError:
            pass  # exists, or cannot be made: the database says so, and retries
        try:
            st = os.stat(real)
        except OSError:
            return  # unusable, not unsafe: the daemon serves from memory and retries
        if not stat.S_ISDIR(st.st_mode) or sys.platform == "win32":
            return
        if st.st_uid != os.getuid():
            problem = f"{real} belongs to another user"
        elif st.st_mode & 0o022:
            problem = f"{real} is writable by other users (mode {st.st_mode & 0o7777:o})"
    if problem is not None:
        raise ServiceError(f"state directory unsafe: {problem}, so another user could "
                           "plant files beside the database; refusing to use it (fix its "
                           "permissions or use --state-dir)")
    lock = Path(os.path.realpath(directory)) / EGRESS_LOCK_NAME
    try:
        st = os.lstat(lock)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode) or foreign_owner(st):
        raise ServiceError(f"{lock} is not a regular file of yours (opting out would be "
                           "blocked by it); refusing to use it: remove it")


def config_problem(config: Path) -> str | None:
    """:func:`chain_problem` for config.toml: the directory it is named in and, for a
    symlink, the directory it really lives in (another user must not be able to replace
    the file that holds the user's consent).  None on Windows (see :func:`chain_problem`)."""
    uid = current_uid()
    if uid is None:
        return None
    named = os.path.realpath(os.path.dirname(os.path.abspath(config)))
    real = os.path.dirname(os.path.realpath(config))
    problem = _real_chain_problem(named, uid)
    if problem is None and real != named:
        problem = _real_chain_problem(real, uid)
    return problem


def check_config_location(config: Path) -> None:
    """:func:`config_problem`, as a refusal to start."""
    problem = config_problem(config)
    if problem is not None:
        raise ServiceError(f"config directory unsafe: {problem}, so another user could "
                           "replace config.toml; refusing to use it (fix its permissions "
                           "or use --config)")


def prepare_directory(directory: Path) -> None:
    """Create the socket's directory 0700, or check an existing one is ours and private;
    then check the whole directory chain (:func:`check_directory_chain`)."""
    try:
        directory.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode):
        raise ServiceError(f"{directory} is a symlink; refusing to put the socket there")
    if not stat.S_ISDIR(st.st_mode):
        raise ServiceError(f"{directory} is not a directory")
    if sys.platform == "win32":
        return  # no POSIX owner or mode: the per-user app-data ACL keeps others out
    if st.st_uid != os.getuid():
        raise ServiceError(f"{directory} belongs to another user; refusing to use it "
                           "(set XDG_RUNTIME_DIR or use --socket)")
    if st.st_mode & 0o077:
        raise ServiceError(
            f"{directory} is accessible to other users (mode {st.st_mode & 0o777:o}); "
            "the socket directory must be 0700 (set XDG_RUNTIME_DIR or use --socket)")
    check_directory_chain(directory)
