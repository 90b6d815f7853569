"""The one consent authority: may counts leave memory right now?  Blocking file I/O.

Every egress asks :meth:`Authority.decide` right before it acts — each commit to SQLite,
each sealing of batches, each upload attempt — and holds the *egress lock* (shared)
while it acts.  ``metricsd consent off`` writes config.toml, then takes the lock
exclusively to purge: once it has printed that counts were deleted, no commit or request
that began before can still be running, and every later one reads the new file.

The decision fails closed (see :mod:`metricsd.core.consent`): a missing file, a FIFO, a
device, a file over 1 MiB, a read error, a parse error, a duplicate key or a value of the
wrong type all mean *opted out* — never "keep the previous state".  The environment's
veto (``DO_NOT_TRACK``, ``METRICSD_METRICS=off``) is read once, at start, since a
process's environment cannot change under it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import tomlkit

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
)

#: The egress lock's file, in the state directory beside the database.
EGRESS_LOCK_NAME: Final = "egress.lock"
#: How long ``consent off`` waits for an egress in progress (an upload attempt takes at
#: most ~11 s) before it gives up and says so.
EXCLUSIVE_WAIT_SECONDS: Final = 30.0


def read_config_file(path: Path) -> ConfigFile:
    """Read config.toml completely, or decide *off*.  Never blocks on a FIFO or a device
    (opened non-blocking, then required to be a regular file) and never reads more than
    :data:`MAX_CONFIG_BYTES` + 1 bytes."""
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        return missing_config(where)
    except OSError as exc:
        return unreadable_config(where, exc.strerror or type(exc).__name__)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return unreadable_config(where, "not a regular file")
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
        return parse_config(b"".join(chunks), where)
    except OSError as exc:
        return unreadable_config(where, exc.strerror or type(exc).__name__)
    except Exception:  # fail closed, whatever went wrong
        return unreadable_config(where, "unexpected error")
    finally:
        os.close(fd)


def _stat_key(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)


class Authority:
    """config.toml + the environment's veto + the dev marker -> :class:`Decision`.

    Thread-safe; blocking (stat and small reads): call it off the trio thread."""

    def __init__(self, config: Path, dev_marker: Path, environ: Mapping[str, str]) -> None:
        self.config = config
        self.dev_marker = dev_marker
        self._veto = env_veto(environ)
        self._dev_env = dev_from_env(environ)
        self._lock = threading.Lock()
        self._key: object = object()
        self._file = ConfigFile(opted_in=False, problem="not read yet")

    @property
    def files(self) -> list[Path]:
        """What a file watcher should watch."""
        return [self.config, self.dev_marker]

    def decide(self, *, fresh: bool = False) -> Decision:
        """The decision as of now.  The file is re-read when its stat changed (or always,
        with ``fresh``); any failure means off."""
        with self._lock:
            key = (_stat_key(self.config), _stat_key(self.dev_marker))
            if fresh or key != self._key:
                self._file = read_config_file(self.config)
                self._key = key
            dev = self._dev_env or key[1] is not None
            return Decision(self._file, self._veto, dev)


# --- the egress lock ------------------------------------------------------------------

class EgressLock:
    """An advisory lock (flock) on ``<state dir>/egress.lock``.

    Held *shared* by every egress while it decides and acts, *exclusively* by an opt-out
    while it purges.  Each holder opens its own file description, so holders in one
    process (a commit thread and an upload) never release each other's lock."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / EGRESS_LOCK_NAME

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                       0o600)

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Blocking: waits while an opt-out purges."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def try_shared(self) -> int | None:
        """Non-blocking: the held descriptor (close it to release), or None while an
        opt-out holds the lock."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return None
            raise
        return fd

    @contextlib.contextmanager
    def exclusive(self, timeout: float = EXCLUSIVE_WAIT_SECONDS) -> Iterator[None]:
        """Waits up to ``timeout`` for every egress in progress to end; raises
        ``TimeoutError`` if one does not."""
        fd = self._open()
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("an upload in progress did not end") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)


# --- writing the flag --------------------------------------------------------------------

class ConfigWriteError(Exception):
    """config.toml was not changed; the message says why (never quotes the file)."""


def set_consent(path: Path, on: bool) -> None:
    """Set ``[desktop] metrics`` and nothing else, keeping comments and layout (tomlkit);
    create the file (0600) and the table if needed.  A file that cannot be read
    unambiguously is never overwritten: :class:`ConfigWriteError`."""
    current = read_config_file(path)
    if current.problem is not None and not current.missing:
        raise ConfigWriteError(current.problem.removesuffix(": metrics are off")
                               + "; fix it by hand, it was not changed")
    text = "" if current.missing else path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    desktop: Any = doc.get(CONSENT_TABLE)
    if desktop is None:
        table = tomlkit.table()
        table.add(CONSENT_KEY, on)
        doc.add(CONSENT_TABLE, table)
    else:
        desktop[CONSENT_KEY] = on
    _atomic_write(path, tomlkit.dumps(doc))


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = Path(os.path.realpath(path))  # keep a symlinked config.toml a symlink
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
