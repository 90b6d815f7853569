"""SQLite storage: committed counts, the upload outbox, purge.  Blocking code.

Every method runs on one worker thread at a time (the daemon serialises calls with a
capacity limiter; the command line calls it directly).  Only allow-listed labels and
re-rendered client versions are ever written: :meth:`Store.commit` refuses anything
else, so a bug upstream cannot put a client string on disk.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from metricsd.core.batches import Batch, Pending
from metricsd.core.counts import Groups, VersionCap, add_into
from metricsd.core.facts import (
    HEALTH_COUNTERS,
    UNKNOWN_VERSION,
    Fact,
    is_allowed,
    is_rendered_version,
)

log = logging.getLogger("metricsd")

SCHEMA_VERSION: Final = 1
#: meta key of the last upload's result line (daemon-written).
LAST_UPLOAD_KEY: Final = "last_upload"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS counts (
    dev            INTEGER NOT NULL,
    daemon_version TEXT    NOT NULL,
    client_version TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    counter        TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (dev, daemon_version, client_version, day, counter, label)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    batch_id       TEXT    PRIMARY KEY,
    created        INTEGER NOT NULL,
    daemon_version TEXT    NOT NULL,
    client_version TEXT    NOT NULL,
    period_from    TEXT    NOT NULL,
    period_to      TEXT    NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox_counts (
    batch_id TEXT    NOT NULL REFERENCES outbox(batch_id) ON DELETE CASCADE,
    counter  TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (batch_id, counter, label)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_UPSERT: Final = (
    "INSERT INTO counts (dev, daemon_version, client_version, day, counter, label, n) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (dev, daemon_version, client_version, day, counter, label) "
    "DO UPDATE SET n = n + excluded.n"
)

_HEALTH_SQL: Final = ", ".join(f"'{name}'" for name in HEALTH_COUNTERS)


class StoreError(Exception):
    """The database cannot be used; the message is safe to show."""


class NewerSchemaError(StoreError):
    """The database was written by a newer metricsd: it is refused and never touched."""


class StoreUnavailable(StoreError):
    """The database cannot be opened now (read-only or full directory ...); retry later."""


#: SQLite result codes that mean the file is damaged: such a database is moved aside.
#: Every other failure (cannot open, read-only, disk full, I/O error, busy) is retried
#: and never moves anything.
CORRUPT_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def is_corrupt(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in CORRUPT_CODES or isinstance(
        exc, _QuickCheckFailed)


class _QuickCheckFailed(sqlite3.DatabaseError):
    pass


def _check_fact(counter: str, label: str) -> None:
    if not is_allowed(counter, label):
        raise ValueError("refusing to store a fact outside the allow-list")


class Store:
    def __init__(self, path: Path, *, connect: bool = True) -> None:
        self.path = path
        #: None while the database is unavailable (see :meth:`open`).
        self._conn: sqlite3.Connection | None = _connect(path) if connect else None

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating) the database, for the daemon.

        A corrupt one is moved aside and replaced (one log line).  One that cannot be
        opened at all (read-only or full directory, I/O error) gives a store that is
        *unavailable*: every call raises :class:`StoreUnavailable` until a call finds the
        database usable again, so the daemon serves from memory and retries.  A database
        of a newer schema raises :class:`NewerSchemaError` and is never touched."""
        store = cls(path, connect=False)
        try:
            store._reconnect()
        except StoreUnavailable as exc:
            log.error("%s; keeping counts in memory and retrying", exc)
        return store

    @property
    def _db(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            conn = self._reconnect()
            log.info("database %s is available again", self.path)
        return conn

    def _reconnect(self) -> sqlite3.Connection:
        """Connect (moving a corrupt database aside), or raise :class:`StoreUnavailable`."""
        try:
            conn = _open_or_replace(self.path)
        except NewerSchemaError:
            raise
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(
                f"cannot open database {self.path} ({describe_error(exc)})") from None
        self._conn = conn
        return conn

    @classmethod
    def open_existing(cls, path: Path) -> Store | None:
        """Open the database if it exists (for read-mostly commands); never moves files."""
        if not path.exists():
            return None
        try:
            return cls(path)
        except NewerSchemaError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read database {path}: {exc}") from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            _closed(self.path)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if is_corrupt(exc):
                # Damaged while running: reopen (moving it aside) on the next call.
                log.error("database %s is damaged (%s); it will be moved aside",
                          self.path, describe_error(exc))
                self.close()
            raise

    # --- counts ----------------------------------------------------------------------

    def commit(self, groups: Groups, *, daemon_version: str, day: str,
               dev_now: bool = False) -> None:
        """Add deltas to the committed counts in one transaction.

        Each group keeps the dev flag it was counted under; ``dev_now`` (the build is a
        dev build as of this commit) marks every group dev as well, never the reverse.
        Client versions beyond the store's 16 (pending batches included) are folded into
        ``unknown``."""
        rows = []
        cap: VersionCap | None = None
        for (dev, client_version), facts in groups.items():
            if not is_rendered_version(client_version):
                raise ValueError("refusing to store an unrendered client version")
            if client_version != UNKNOWN_VERSION:
                if cap is None:
                    cap = VersionCap(self.client_versions())
                client_version = cap.admit(client_version)
            for (counter, label), n in facts.items():
                _check_fact(counter, label)
                if n:
                    rows.append((int(dev or dev_now), daemon_version, client_version, day,
                                 counter, label, n))
        if not rows:
            return
        with self._tx() as db:
            db.executemany(_UPSERT, rows)

    def client_versions(self) -> list[str]:
        """Client versions held (committed or in pending batches), oldest use first."""
        rows = self._db.execute(
            "SELECT client_version FROM (SELECT client_version, MIN(day) AS first FROM "
            "counts GROUP BY client_version UNION ALL SELECT client_version, period_from "
            "FROM outbox) WHERE client_version != ? GROUP BY client_version "
            "ORDER BY MIN(first), client_version", (UNKNOWN_VERSION,)).fetchall()
        return [str(r[0]) for r in rows]

    def committed_totals(self, *, include_outbox: bool = True) -> dict[Fact, int]:
        """Committed counts plus (by default) pending batches, summed over everything."""
        total: dict[Fact, int] = {}
        add_into(total, _fact_rows(self._db.execute(
            "SELECT counter, label, SUM(n) FROM counts GROUP BY counter, label")))
        if include_outbox:
            add_into(total, _fact_rows(self._db.execute(
                "SELECT counter, label, SUM(n) FROM outbox_counts GROUP BY counter, label")))
        return total

    def pending(self) -> list[Pending]:
        """Release-build committed counts not yet batched, one entry per version pair."""
        out: list[Pending] = []
        groups = self._db.execute(
            "SELECT daemon_version, client_version, MIN(day), MAX(day) FROM counts "
            "WHERE dev = 0 GROUP BY daemon_version, client_version "
            "ORDER BY daemon_version, client_version").fetchall()
        for daemon_version, client_version, first, last in groups:
            facts = dict(_fact_rows(self._db.execute(
                "SELECT counter, label, SUM(n) FROM counts WHERE dev = 0 AND "
                "daemon_version = ? AND client_version = ? GROUP BY counter, label",
                (daemon_version, client_version))))
            out.append(Pending(daemon_version, client_version, first, last, facts))
        return out

    def purge(self) -> bool:
        """Delete every count and pending batch, then checkpoint and truncate the
        write-ahead log (every time: an upload may have emptied the tables and left the
        old pages in the log), and remove moved-aside copies of corrupt databases.
        True if there was anything to delete.  Raises when any of it fails."""
        with self._tx() as db:
            had = db.execute(
                "SELECT EXISTS(SELECT 1 FROM counts) OR EXISTS(SELECT 1 FROM outbox)"
            ).fetchone()[0]
            db.execute("DELETE FROM outbox_counts")
            db.execute("DELETE FROM outbox")
            db.execute("DELETE FROM counts")
            db.execute("DELETE FROM meta WHERE key != ?", (LAST_UPLOAD_KEY,))
        busy, _log, _done = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreUnavailable("the write-ahead log could not be truncated (busy)")
        removed = remove_moved_aside(self.path)
        return bool(had) or removed > 0

    # --- outbox ----------------------------------------------------------------------

    def seal_batches(self, new_id: Iterable[str], *, now: int) -> list[str]:
        """Move release-build committed counts into the outbox, atomically.

        One batch per (daemon version, client version); a group that holds only health
        counters stays committed until it has counts to travel with."""
        ids = iter(new_id)
        sealed: list[str] = []
        with self._tx() as db:
            groups = db.execute(
                "SELECT daemon_version, client_version, MIN(day), MAX(day) FROM counts "
                f"WHERE dev = 0 GROUP BY daemon_version, client_version "
                f"HAVING SUM(CASE WHEN counter NOT IN ({_HEALTH_SQL}) THEN n ELSE 0 END) > 0 "
                "ORDER BY daemon_version, client_version").fetchall()
            for daemon_version, client_version, first, last in groups:
                batch_id = next(ids)
                db.execute(
                    "INSERT INTO outbox (batch_id, created, daemon_version, client_version, "
                    "period_from, period_to) VALUES (?, ?, ?, ?, ?, ?)",
                    (batch_id, now, daemon_version, client_version, first, last))
                db.execute(
                    "INSERT INTO outbox_counts (batch_id, counter, label, n) "
                    "SELECT ?, counter, label, SUM(n) FROM counts WHERE dev = 0 AND "
                    "daemon_version = ? AND client_version = ? GROUP BY counter, label",
                    (batch_id, daemon_version, client_version))
                db.execute(
                    "DELETE FROM counts WHERE dev = 0 AND daemon_version = ? AND "
                    "client_version = ?", (daemon_version, client_version))
                sealed.append(batch_id)
        return sealed

    def batches(self) -> list[Batch]:
        """Pending batches, oldest first."""
        rows = self._db.execute(
            "SELECT batch_id, created, daemon_version, client_version, period_from, "
            "period_to, attempts FROM outbox ORDER BY created, rowid").fetchall()
        out = []
        for row in rows:
            facts = dict(_fact_rows(self._db.execute(
                "SELECT counter, label, n FROM outbox_counts WHERE batch_id = ?", (row[0],))))
            batch_id, created, daemon_version, client_version, first, last, attempts = row
            out.append(Batch(batch_id, created, daemon_version, client_version, first, last,
                             attempts, facts))
        return out

    def delete_batch(self, batch_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM outbox_counts WHERE batch_id = ?", (batch_id,))
            db.execute("DELETE FROM outbox WHERE batch_id = ?", (batch_id,))

    def drop_batches(self, batch_ids: Iterable[str], day: str) -> int:
        """Drop batches for good and count each drop in its group's health."""
        dropped = 0
        with self._tx() as db:
            for batch_id in batch_ids:
                row = db.execute("SELECT daemon_version, client_version FROM outbox "
                                 "WHERE batch_id = ?", (batch_id,)).fetchone()
                if row is None:
                    continue
                db.execute("DELETE FROM outbox_counts WHERE batch_id = ?", (batch_id,))
                db.execute("DELETE FROM outbox WHERE batch_id = ?", (batch_id,))
                db.execute(_UPSERT, (0, row[0], row[1], day, "dropped_batches", "", 1))
                dropped += 1
        return dropped

    def note_attempt(self, batch_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE batch_id = ?",
                       (batch_id,))

    # --- meta ------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _fact_rows(cursor: sqlite3.Cursor) -> Iterator[tuple[Fact, int]]:
    for counter, label, n in cursor:
        # Defence in depth: a row that is not an allow-listed fact is never passed on.
        if is_allowed(counter, label) and n:
            yield (counter, label), int(n)


#: Databases this process holds a connection to.  POSIX drops *every* lock a process
#: holds on a file when *any* of its descriptors of that file is closed, and SQLite then
#: believes it is the last user and deletes a WAL still in use by others.  So no
#: descriptor of a database file is ever opened (and closed) while this process holds
#: a connection to it: the files are made private only before the first connection.
_OPEN_HERE: Final[dict[str, int]] = {}


def _private_files(path: Path) -> None:
    """Create the database file 0600 before SQLite does (its -wal and -shm then get the
    same mode: SQLite gives them the database file's), and narrow existing ones to 0600
    whatever the umask.  Never follows a symlink; a database file that is not a regular
    file is refused.  Only called while this process holds no connection to ``path``."""
    assert str(path) not in _OPEN_HERE, "a descriptor of an open database file"
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)
    for suffix in ("", "-wal", "-shm", "-journal"):
        name = str(path) + suffix
        create = os.O_CREAT if suffix == "" else 0
        try:
            fd = os.open(name, flags | create, 0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreUnavailable(f"cannot open {name} ({describe_error(exc)}): "
                                   "it must be a regular file, not a link") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreUnavailable(f"{name} is not a regular file")
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)


def _opened(path: Path) -> None:
    _OPEN_HERE[str(path)] = _OPEN_HERE.get(str(path), 0) + 1


def _closed(path: Path) -> None:
    left = _OPEN_HERE.get(str(path), 1) - 1
    if left > 0:
        _OPEN_HERE[str(path)] = left
    else:
        _OPEN_HERE.pop(str(path), None)


def _connect(path: Path) -> sqlite3.Connection:
    if str(path) not in _OPEN_HERE:
        _private_files(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    _opened(path)
    try:
        db.execute("PRAGMA busy_timeout = 10000")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"database {path} has schema version {version}, newer than this daemon's "
                f"({SCHEMA_VERSION}); refusing to touch it (upgrade metricsd)")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _QuickCheckFailed("quick_check failed")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            _migrate(db, version)
    except BaseException:
        db.close()
        _closed(path)
        raise
    return db


#: Schema migrations: MIGRATIONS[v] upgrades a database at user_version v to v + 1.
MIGRATIONS: Final[dict[int, str]] = {0: _SCHEMA}


def _migrate(db: sqlite3.Connection, version: int) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        current = db.execute("PRAGMA user_version").fetchone()[0]
        while current < SCHEMA_VERSION:
            for statement in MIGRATIONS[current].split(";"):
                if statement.strip():
                    db.execute(statement)
            current += 1
            db.execute(f"PRAGMA user_version = {current}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _open_or_replace(path: Path) -> sqlite3.Connection:
    """Connect; a corrupt database is moved aside (kept) first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _connect(path)
    except NewerSchemaError:
        raise
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise
    aside = _move_aside(path)
    log.warning("database %s was unreadable; moved it to %s and started a fresh one "
                "(opting out deletes it)", path, aside)
    return _connect(path)


def describe_error(exc: BaseException) -> str:
    """A log-safe description of a storage error: the texts of the OS, SQLite and this
    module are daemon-side (they never quote a client string); anything else is named
    by its type only."""
    name = type(exc).__name__
    if isinstance(exc, OSError):
        return f"{name}: {exc.strerror}" if exc.strerror else name
    if isinstance(exc, (sqlite3.Error, StoreError)):
        return f"{name}: {exc}" if str(exc) else name
    return name


#: Moved-aside copies are named ``<database>.corrupt-<UTC time>-<pid>[-wal|-shm]``.
CORRUPT_INFIX: Final = ".corrupt-"


def remove_moved_aside(path: Path) -> int:
    """Delete every moved-aside copy of the database at ``path`` (they hold counts too).
    Returns how many files were removed; raises if one cannot be."""
    removed = 0
    try:
        entries = list(path.parent.iterdir())
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.startswith(path.name + CORRUPT_INFIX):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    aside = path.with_name(f"{path.name}{CORRUPT_INFIX}{stamp}-{os.getpid()}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            src.rename(Path(str(aside) + suffix))
    return aside
