"""The one consent authority: may counts leave memory right now?  Blocking file I/O.

Every egress asks :meth:`Authority.decide` right before it acts — each commit to SQLite,
each sealing of batches, each upload attempt — and holds the *egress lock* (shared)
while it acts.  ``metricsd consent off`` writes config.toml, then takes the lock
exclusively to purge: once it has printed that counts were deleted, no commit or request
that began before can still be running, and every later one reads the new file.  Every
wait for that lock is bounded: a holder that never lets go hangs nobody.

The decision fails closed (see :mod:`metricsd.core.consent`): a missing file, a FIFO, a
device, a file over 1 MiB, a file another user could write (owner, mode, directory
chain), a read error, a parse error, a duplicate key or a value of the wrong type all
mean *opted out* — never "keep the previous state".  It is taken from the file's
content every time, never from its timestamps.  The environment's
veto (``DO_NOT_TRACK``, ``METRICSD_METRICS=off``) is read once, at start, since a
process's environment cannot change under it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import tomlkit

from metricsd import locks
from metricsd.core.consent import (
    CONSENT_KEY,
    CONSENT_TABLE,
    MAX_CONFIG_BYTES,
    ConfigFile,
    Decision,
    dev_from_env,
    env_veto,
    missing_config,
    parse_config,
    unreadable_config,
    with_endpoint,
)
from metricsd.directories import config_problem
from metricsd.portable import O_CLOEXEC, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, current_uid
from metricsd.settings import EGRESS_LOCK_NAME

#: How long ``consent off`` waits for an egress in progress (an upload attempt takes at
#: most ~11 s) before it gives up and says so.
EXCLUSIVE_WAIT_SECONDS: Final = 30.0
#: How long an egress (a commit, the sealing of batches) waits while an opt-out holds the
#: lock before it gives up for now (:class:`EgressBusy`) — a purge takes milliseconds.
SHARED_WAIT_SECONDS: Final = 0.5
#: How often a bounded wait tries the lock again.
LOCK_POLL_SECONDS: Final = 0.05


def read_config_bytes(path: Path) -> bytes | ConfigFile:
    """config.toml's complete bytes, or the decision *off* with why.  Never blocks on a
    FIFO or a device (opened non-blocking, then required to be a regular file), never
    reads more than :data:`MAX_CONFIG_BYTES` + 1 bytes, and never trusts a file another
    user could have written: one owned by someone else (not root), writable by group or
    others, or in a directory chain another user could write to."""
    where = str(path)
    problem = config_problem(path)
    if problem is not None:
        return unreadable_config(where, f"unsafe location: {problem}")
    try:
        fd = os.open(path, os.O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
    except FileNotFoundError:
        return missing_config(where)
    except OSError as exc:
        return unreadable_config(where, exc.strerror or type(exc).__name__)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return unreadable_config(where, "not a regular file")
        uid = current_uid()  # None on Windows: no POSIX owner or mode to judge
        if uid is not None and st.st_uid not in (uid, 0):
            return unreadable_config(where, "it belongs to another user")
        if uid is not None and st.st_mode & 0o022:
            return unreadable_config(
                where, f"it is writable by other users (mode {st.st_mode & 0o777:o})")
        if st.st_size > MAX_CONFIG_BYTES:
            return unreadable_config(where, f"larger than {MAX_CONFIG_BYTES} bytes")
        chunks = []
        total = 0
        while total <= MAX_CONFIG_BYTES:
            chunk = os.read(fd, MAX_CONFIG_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return unreadable_config(where, exc.strerror or type(exc).__name__)
    except Exception:  # fail closed, whatever went wrong
        return unreadable_config(where, "unexpected error")
    finally:
        os.close(fd)


def read_config_file(path: Path) -> ConfigFile:
    """Read and decide config.toml (see :func:`read_config_bytes`)."""
    data = read_config_bytes(path)
    return data if isinstance(data, ConfigFile) else read_config_parsed(data, path)


def read_config_parsed(data: bytes, path: Path) -> ConfigFile:
    """Decide from bytes already read (:func:`metricsd.core.consent.parse_config`)."""
    try:
        return parse_config(data, str(path))
    except Exception:  # fail closed, whatever went wrong
        return unreadable_config(str(path), "unexpected error")


class Authority:
    """config.toml + the environment's veto + the dev marker -> :class:`Decision`.

    Every decision reads the file's content again: a change is never judged by its
    timestamps or size (a same-size rewrite within a filesystem's timestamp granularity
    looks unchanged to ``stat``).  Only the parse is cached, keyed by the exact bytes.
    Thread-safe; blocking (stat and small reads): call it off the trio thread."""

    def __init__(self, config: Path, dev_marker: Path, environ: Mapping[str, str], *,
                 endpoint_flag: str | None = None, endpoint_env: str | None = None) -> None:
        """``endpoint_flag``/``endpoint_env``: ``--endpoint`` and ``METRICSD_ENDPOINT`` as
        given; every decision carries the endpoint they and config.toml put in effect."""
        self.config = config
        self.dev_marker = dev_marker
        self._endpoint_flag = endpoint_flag
        self._endpoint_env = endpoint_env
        self._veto = env_veto(environ)
        self._dev_env = dev_from_env(environ)
        self._lock = threading.Lock()
        self._data: bytes | None = None
        self._file = ConfigFile(opted_in=False, problem="not read yet")

    @property
    def files(self) -> list[Path]:
        """What a file watcher should watch."""
        return [self.config, self.dev_marker]

    def decide(self) -> Decision:
        """The decision as of now, from the file's current content; any failure means off."""
        with self._lock:
            data = read_config_bytes(self.config)
            if isinstance(data, ConfigFile):
                self._data, self._file = None, data
            elif data != self._data:
                self._file = read_config_parsed(data, self.config)
                self._data = data
            dev = self._dev_env or os.path.exists(self.dev_marker)
            return with_endpoint(Decision(self._file, self._veto, dev), self._endpoint_flag,
                                 self._endpoint_env)


# --- the egress lock ------------------------------------------------------------------

class EgressBusy(OSError):
    """Another process holds the egress lock and did not release it within the wait."""

    def __init__(self) -> None:
        super().__init__(errno.EWOULDBLOCK, "egress.lock is held by another process")


class EgressLockUnsafe(OSError):
    """``egress.lock`` is not a regular file of this user (a symlink, a directory, a file
    another user made): it is never used.  Since no process can take it, no egress
    happens while it is there."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(errno.EPERM, f"{path} {why}; remove it")


class EgressLock:
    """An advisory lock (flock) on ``<state dir>/egress.lock``.

    Held *shared* by every egress while it decides and acts, *exclusively* by an opt-out
    while it purges.  Each holder opens its own file description, so holders in one
    process (a commit thread and an upload) never release each other's lock.  Every wait
    for it is bounded (:class:`EgressBusy` after the wait): a holder that never lets go
    (a ``metricsd consent off`` stopped with Ctrl-Z) cannot hang anyone.  The file is
    opened without following a symlink and must be a regular file of this user
    (:class:`EgressLockUnsafe`)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / EGRESS_LOCK_NAME

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | O_CLOEXEC | O_NOFOLLOW
                         | O_NONBLOCK | O_NOCTTY, 0o600)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise EgressLockUnsafe(self.path, "is not a regular file") from None
            if exc.errno in (errno.EACCES, errno.EPERM) and os.path.lexists(self.path):
                raise EgressLockUnsafe(self.path, "cannot be opened (not yours)") from None
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise EgressLockUnsafe(self.path, "is not a regular file")
            uid = current_uid()
            if uid is not None and st.st_uid != uid:
                raise EgressLockUnsafe(self.path, "belongs to another user")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def check(self) -> None:
        """Raise :class:`EgressLockUnsafe` if the lock file cannot be used (start-up)."""
        os.close(self._open())

    def _take(self, mode: locks.Mode, timeout: float) -> int:
        """The descriptor holding the lock in ``mode``, after waiting at most
        ``timeout`` seconds; :class:`EgressBusy` when it stays held."""
        fd = self._open()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if locks.try_lock(fd, mode):
                    return fd
                if time.monotonic() >= deadline:
                    raise EgressBusy()
                time.sleep(min(LOCK_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def release(fd: int) -> None:
        """Release a lock returned by :meth:`try_shared` (closes ``fd``)."""
        locks.release(fd)

    @contextlib.contextmanager
    def shared(self, timeout: float = SHARED_WAIT_SECONDS) -> Iterator[None]:
        """Waits at most ``timeout`` while an opt-out purges; then :class:`EgressBusy`."""
        fd = self._take(locks.SHARED, timeout)
        try:
            yield
        finally:
            locks.release(fd)

    def try_shared(self) -> int | None:
        """Non-blocking: the held descriptor (close it to release), or None while an
        opt-out holds the lock."""
        try:
            return self._take(locks.SHARED, 0.0)
        except EgressBusy:
            return None

    @contextlib.contextmanager
    def exclusive(self, timeout: float = EXCLUSIVE_WAIT_SECONDS) -> Iterator[None]:
        """Waits up to ``timeout`` for every egress in progress to end; raises
        ``TimeoutError`` if one does not."""
        try:
            fd = self._take(locks.EXCLUSIVE, timeout)
        except EgressBusy:
            raise TimeoutError("an upload in progress did not end") from None
        try:
            yield
        finally:
            locks.release(fd)


# --- writing the flag --------------------------------------------------------------------

class ConfigWriteError(Exception):
    """config.toml was not changed; the message says why (never quotes the file)."""


def set_consent(path: Path, on: bool) -> None:
    """Set ``[desktop] metrics`` and nothing else, keeping comments and layout (tomlkit);
    create the file (0600) and the table if needed.  A file that cannot be read
    unambiguously is never overwritten: :class:`ConfigWriteError`.

    The new text is checked before it is written, and the file is read back after: both
    TOML readers must find exactly ``on`` in ``[desktop] metrics`` and everything else
    as it was.  If the file read back differs, the old content is put back and
    :class:`ConfigWriteError` says so: success is never reported for a flag that did not
    land (tomlkit can append a key onto a last line that has no final newline)."""
    current = read_config_bytes(path)
    if isinstance(current, ConfigFile):
        if not current.missing:
            raise ConfigWriteError(_unchanged(current))
        old: bytes | None = None
        text = ""
    else:
        parsed = read_config_parsed(current, path)
        if parsed.problem is not None:
            raise ConfigWriteError(_unchanged(parsed))
        old, text = current, current.decode("utf-8")
    new_text = with_flag(text, on)
    if not flag_landed(text, new_text, on):
        raise ConfigWriteError(f"{path} could not be changed without touching more than "
                               f"[{CONSENT_TABLE}] {CONSENT_KEY}; set it by hand, the file "
                               "was not changed")
    _atomic_write(path, new_text)
    after = read_config_bytes(path)
    if after == new_text.encode("utf-8"):
        return
    # Someone else wrote it meanwhile, or it cannot be read back as ours: put back the
    # previous content, never claim what is not in the file.
    with contextlib.suppress(OSError):
        if old is None:
            os.unlink(path)
        else:
            _atomic_write(path, old.decode("utf-8"))
    raise ConfigWriteError(f"{path} did not read back as written (changed meanwhile, or "
                           "unusable); it was put back, try again")


def _unchanged(file: ConfigFile) -> str:
    return ((file.problem or "unreadable").removesuffix(": metrics are off")
            + "; fix it by hand, it was not changed")


def with_flag(text: str, on: bool) -> str:
    """``text`` with ``[desktop] metrics = on``, through tomlkit (comments and layout
    kept).  A last line without a final newline gets one first: tomlkit would otherwise
    append the key onto it (into a trailing comment, or after a dotted key's value)."""
    if text and not text.endswith("\n"):
        text += "\r\n" if "\r\n" in text else "\n"
    doc = tomlkit.parse(text)
    desktop: Any = doc.get(CONSENT_TABLE)
    if desktop is None:
        table = tomlkit.table()
        table.add(CONSENT_KEY, on)
        doc.add(CONSENT_TABLE, table)
    else:
        desktop[CONSENT_KEY] = on
    return tomlkit.dumps(doc)


def flag_landed(old_text: str, new_text: str, on: bool) -> bool:
    """Both TOML readers agree on ``new_text``, find exactly ``on`` in ``[desktop]
    metrics``, and find everything else as in ``old_text``."""
    decided = parse_config(new_text.encode("utf-8"), "config.toml")
    if decided.problem is not None or decided.opted_in is not on:
        return False
    try:
        before, after = tomllib.loads(old_text), tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        return False
    desktop = after.get(CONSENT_TABLE)
    if not isinstance(desktop, dict) or desktop.pop(CONSENT_KEY, None) is not on:
        return False
    if not desktop and CONSENT_TABLE not in before:
        del after[CONSENT_TABLE]
    old_desktop = before.get(CONSENT_TABLE)
    if isinstance(old_desktop, dict):
        old_desktop.pop(CONSENT_KEY, None)
    return after == before


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = Path(os.path.realpath(path))  # keep a symlinked config.toml a symlink
    try:
        # Never writable by group or others: such a file would mean "off".
        mode = target.stat().st_mode & 0o755
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
