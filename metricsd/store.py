"""SQLite storage: committed counts, the upload outbox, purge.  Blocking code.

Every method runs on one worker thread at a time (the daemon serialises calls with a
capacity limiter; the command line calls it directly).  Only allow-listed labels and
re-rendered client versions are ever written: :meth:`Store.commit` refuses anything
else, so a bug upstream cannot put a client string on disk.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from metricsd.core.batches import (
    DEV_KEEP_DAYS,
    SCHEMA,
    SCHEMA_TABLES,
    SCHEMA_V1,
    Batch,
    CountRow,
    Pending,
    day_after,
    held_groups,
    plan_seal,
)
from metricsd.core.counts import Groups, VersionCap, add_into
from metricsd.core.facts import (
    HEALTH_COUNTERS,
    UNKNOWN_VERSION,
    Fact,
    is_allowed,
    is_rendered_version,
)

log = logging.getLogger("metricsd")

SCHEMA_VERSION: Final = 3
#: meta key of the last upload's result line (daemon-written).
LAST_UPLOAD_KEY: Final = "last_upload"
#: meta key: every day up to this one is closed (sealed days older than the newest
#: SEALED_DAYS_KEPT are remembered by this one value).
SEALED_FLOOR_KEY: Final = "sealed_floor"
#: How many sealed days are remembered one by one (more than a year of daily reports).
SEALED_DAYS_KEPT: Final = 400

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

#: Replayable streams (v1.3): each stream's highest committed event number, written in the
#: same transaction as the counts it covers; local only (never uploaded), deleted by a
#: purge, forgotten after 7 days without the stream.  Created on open, additively (no
#: schema version of its own: an older daemon ignores it).
_STREAMS_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS streams (stream BLOB PRIMARY KEY, counted INTEGER NOT NULL, "
    "seen INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS streams_seen ON streams (seen)",
)
_STREAM_UPSERT: Final = (
    "INSERT INTO streams (stream, counted, seen) VALUES (?, ?, ?) ON CONFLICT (stream) "
    "DO UPDATE SET counted = MAX(counted, excluded.counted), seen = excluded.seen"
)

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


class PrivacyGuardError(ValueError):
    """The store refused to write something that is not an allow-listed fact or a
    re-rendered client version: a bug upstream, never a storage fault (never retried)."""


def _check_fact(counter: str, label: str) -> None:
    if not is_allowed(counter, label):
        raise PrivacyGuardError("refusing to store a fact outside the allow-list")


class Store:
    def __init__(self, path: Path, *, connect: bool = True) -> None:
        self.path = path
        #: The client versions held, kept in memory so that a commit never scans stored
        #: rows; read from the database once (first commit), again after a seal or drop.
        self._cap: VersionCap | None = None
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
               dev_now: bool = False, streams: Mapping[bytes, int] | None = None,
               seen: int = 0) -> str:
        """Add deltas to the committed counts in one transaction; returns the day they
        were written under.

        ``day`` is the wall clock's UTC day; the day the counts belong to is decided
        inside the transaction that writes them: a day already sealed (by this process
        or another) is closed, so its counts go to the next open day (see
        :func:`_open_day`).  Each group keeps the dev flag it was counted under;
        ``dev_now`` (the build is a dev build as of this commit) marks every group dev as
        well, never the reverse.  Client versions beyond the store's 16 (pending batches
        included) are folded into ``unknown``; the set is kept in memory, so a commit
        costs the same whatever the database holds.

        ``streams``: the replayable streams' marks these deltas bring them to, written in
        the same transaction (``seen``: the wall-clock second, for forgetting them)."""
        rows = []
        for (dev, client_version), facts in groups.items():
            if not is_rendered_version(client_version):
                raise PrivacyGuardError("refusing to store an unrendered client version")
            if client_version != UNKNOWN_VERSION:
                client_version = self._versions().admit(client_version)
            for (counter, label), n in facts.items():
                _check_fact(counter, label)
                if n:
                    rows.append((int(dev or dev_now), daemon_version, client_version,
                                 counter, label, n))
        if not rows and not streams:
            return day
        with self._tx() as db:
            day = _open_day(db, day)
            db.executemany(_UPSERT, [(dev, dv, cv, day, counter, label, n)
                                     for dev, dv, cv, counter, label, n in rows])
            if streams:
                db.executemany(_STREAM_UPSERT, [(sid, mark, seen)
                                                for sid, mark in streams.items()])
        return day

    def stream_marks(self) -> dict[bytes, tuple[int, float]]:
        """Every stream's committed mark and last-seen second."""
        return {bytes(sid): (int(counted), float(seen)) for sid, counted, seen in
                self._db.execute("SELECT stream, counted, seen FROM streams")}

    def forget_streams(self, before: int) -> int:
        """Delete the marks of streams not seen since ``before``; how many."""
        with self._tx() as db:
            return int(db.execute("DELETE FROM streams WHERE seen < ?", (before,)).rowcount)

    def _versions(self) -> VersionCap:
        if self._cap is None:
            self._cap = VersionCap(self.client_versions())
        return self._cap

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

    def dev_totals(self) -> dict[Fact, int]:
        """Counts made under a dev build, summed: they stay on this machine (30 days)."""
        total: dict[Fact, int] = {}
        add_into(total, _fact_rows(self._db.execute(
            "SELECT counter, label, SUM(n) FROM counts WHERE dev = 1 GROUP BY counter, label")))
        return total

    def pending(self, today: str) -> list[Pending]:
        """What the next seal on ``today`` makes of the release-build counts: one entry
        per (day, client version) — completed days, and counts dated after today (a
        clock that ran ahead) — bounded as sealing bounds them (see
        :func:`~metricsd.core.batches.plan_seal`)."""
        return plan_seal(_release_rows(self._db), today=today,
                         open_day=_open_day(self._db, today)).batches

    def held(self, today: str) -> list[Pending]:
        """Release-build counts of ``today``: they wait until the day is over (unless
        the next seal takes today too, see :meth:`pending`)."""
        if _open_day(self._db, today) != today:
            return []
        rows = list(_release_rows(self._db))
        if any(row[0] > today for row in rows):
            return []  # the next seal takes today, with the counts dated after it
        return held_groups(rows, today=today)

    def sealed_days(self) -> list[str]:
        """The days remembered as sealed, oldest first."""
        return [str(r[0]) for r in self._db.execute("SELECT day FROM sealed_days ORDER BY day")]

    def prune(self, today: str) -> int:
        """Delete dev-build counts older than DEV_KEEP_DAYS before ``today`` (they are
        kept as long as pending batches are), and remember sealed days beyond the newest
        SEALED_DAYS_KEPT by a single floor.  Returns the number of count rows deleted."""
        with self._tx() as db:
            deleted = db.execute("DELETE FROM counts WHERE dev = 1 AND day < ?",
                                 (day_after(today, -DEV_KEEP_DAYS),)).rowcount
            row = db.execute("SELECT day FROM sealed_days ORDER BY day DESC LIMIT 1 "
                             "OFFSET ?", (SEALED_DAYS_KEPT,)).fetchone()
            if row is not None:
                floor = str(row[0])
                db.execute("DELETE FROM sealed_days WHERE day <= ?", (floor,))
                old = _sealed_floor(db)
                if old is None or floor > old:
                    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT "
                               "(key) DO UPDATE SET value = excluded.value",
                               (SEALED_FLOOR_KEY, floor))
        return max(deleted, 0)

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
            db.execute("DELETE FROM streams")
            _forget_sealed_days(db)
            db.execute("DELETE FROM meta WHERE key NOT IN (?, ?)",
                       (LAST_UPLOAD_KEY, SEALED_FLOOR_KEY))
        busy, _log, _done = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreUnavailable("the write-ahead log could not be truncated (busy)")
        removed = remove_moved_aside(self.path)
        return bool(had) or removed > 0

    # --- outbox ----------------------------------------------------------------------

    def seal_batches(self, new_id: Iterable[str], *, now: int, today: str) -> list[str]:
        """Move release-build committed counts into the outbox and close their days,
        atomically (one transaction, so a commit in another process lands either before
        it — and is sealed — or after it, on an open day).

        Completed days (before ``today``) are sealed, and so are counts dated after today
        (a wall clock that ran ahead: they move to the first open day from today on, which
        is sealed now); one batch per (UTC day, client version), naming the newest daemon
        version, every value bounded (``health.clipped``).  Health counters of a day
        without counts travel with the next open day's (see
        :func:`~metricsd.core.batches.plan_seal`)."""
        ids = iter(new_id)
        sealed: list[str] = []
        with self._tx() as db:
            plan = plan_seal(_release_rows(db), today=today, open_day=_open_day(db, today))
            for pending in plan.batches:
                batch_id = next(ids)
                _insert_batch(db, batch_id, now, pending.daemon_version,
                              pending.client_version, pending.period_from,
                              pending.period_to, pending.facts, SCHEMA)
                sealed.append(batch_id)
            for day in plan.taken:
                db.execute("DELETE FROM counts WHERE dev = 0 AND day = ?", (day,))
            for day in plan.days:
                db.execute("INSERT OR IGNORE INTO sealed_days (day) VALUES (?)", (day,))
            if plan.carried:
                day = _open_day(db, today)
                db.executemany(_UPSERT, [
                    (0, dv, cv, day, counter, label, n)
                    for (dv, cv), facts in plan.carried.items()
                    for (counter, label), n in facts.items()])
        self._cap = None  # versions may have left with the sealed counts
        return sealed

    def batches(self) -> list[Batch]:
        """Pending batches, oldest day first."""
        rows = self._db.execute(
            "SELECT batch_id, created, daemon_version, client_version, period_from, "
            "period_to, attempts, schema FROM outbox ORDER BY period_to, created, rowid"
        ).fetchall()
        out = []
        for row in rows:
            batch_id, created, daemon_version, client_version, first, last, attempts, schema \
                = row
            if schema not in SCHEMA_TABLES:
                continue  # defence in depth: never send a body of an unknown schema
            facts = dict(_fact_rows(self._db.execute(
                "SELECT counter, label, n FROM outbox_counts WHERE batch_id = ?", (batch_id,)),
                schema))
            out.append(Batch(batch_id, created, daemon_version, client_version, first, last,
                             attempts, facts, schema))
        return out

    def delete_batch(self, batch_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM outbox_counts WHERE batch_id = ?", (batch_id,))
            db.execute("DELETE FROM outbox WHERE batch_id = ?", (batch_id,))
        self._cap = None

    def drop_batches(self, batch_ids: Iterable[str], day: str) -> int:
        """Drop batches for good and count each drop in its group's health, on ``day``
        (the wall clock's; the next open day if that one is sealed).  The drop travels
        with the next counts sealed, whatever their client version."""
        dropped = 0
        with self._tx() as db:
            day = _open_day(db, day)
            for batch_id in batch_ids:
                row = db.execute("SELECT daemon_version, client_version FROM outbox "
                                 "WHERE batch_id = ?", (batch_id,)).fetchone()
                if row is None:
                    continue
                db.execute("DELETE FROM outbox_counts WHERE batch_id = ?", (batch_id,))
                db.execute("DELETE FROM outbox WHERE batch_id = ?", (batch_id,))
                db.execute(_UPSERT, (0, row[0], row[1], day, "dropped_batches", "", 1))
                dropped += 1
        self._cap = None
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


def _release_rows(db: sqlite3.Connection) -> Iterator[CountRow]:
    """Every release-build count (allow-listed facts of the current schema only)."""
    for day, dv, cv, counter, label, n in db.execute(
            "SELECT day, daemon_version, client_version, counter, label, n FROM counts "
            "WHERE dev = 0"):
        if n and _allowed(counter, label, SCHEMA):
            yield str(day), str(dv), str(cv), str(counter), str(label), int(n)


def _sealed_floor(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (SEALED_FLOOR_KEY,)).fetchone()
    return None if row is None else str(row[0])


def _forget_sealed_days(db: sqlite3.Connection) -> None:
    """Opting out: the list of days reported goes too.  What stays is one floor (every
    day up to it is closed) no later than the day of the last upload, a date the database
    keeps anyway: so opting in again never makes a second report for a day already
    reported, and nothing new about when metricsd was used is kept."""
    newest = db.execute("SELECT MAX(day) FROM sealed_days").fetchone()[0]
    db.execute("DELETE FROM sealed_days")
    floor = _sealed_floor(db)
    newest = max(filter(None, (newest, floor)), default=None)
    last = db.execute("SELECT value FROM meta WHERE key = ?", (LAST_UPLOAD_KEY,)).fetchone()
    db.execute("DELETE FROM meta WHERE key = ?", (SEALED_FLOOR_KEY,))
    if newest is not None and last is not None:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                   (SEALED_FLOOR_KEY, min(str(newest), str(last[0])[:10])))


def _open_day(db: sqlite3.Connection, day: str) -> str:
    """``day``, or — when it is sealed (a report for it was made: the wall clock was moved
    back, or another process sealed it at midnight) — the first day after it that is not.
    Point lookups on the sealed days (a year of them costs what one does)."""
    floor = _sealed_floor(db)
    if floor is not None and day <= floor:
        day = day_after(floor)
    for (sealed,) in db.execute("SELECT day FROM sealed_days WHERE day >= ? ORDER BY day",
                                (day,)):
        if sealed != day:
            break
        day = day_after(day)
    return day


def _fact_rows(cursor: sqlite3.Cursor,
               schema: int | None = None) -> Iterator[tuple[Fact, int]]:
    """Rows -> facts.  Defence in depth: a row that is not an allow-listed fact (of
    ``schema``; of any schema when None) is never passed on."""
    for counter, label, n in cursor:
        if n and _allowed(counter, label, schema):
            yield (counter, label), int(n)


def _allowed(counter: str, label: str, schema: int | None) -> bool:
    if schema is None:
        return any(_allowed(counter, label, known) for known in SCHEMA_TABLES)
    if schema == SCHEMA:
        return is_allowed(counter, label)
    counters, health = SCHEMA_TABLES[schema]
    if counter in health:
        return label == ""
    labels = counters.get(counter)
    return labels is not None and (label in labels if labels else label == "")


def _insert_batch(db: sqlite3.Connection, batch_id: str, now: int, daemon_version: str,
                  client_version: str, first: str, last: str, facts: dict[Fact, int],
                  schema: int) -> None:
    db.execute(
        "INSERT INTO outbox (batch_id, created, daemon_version, client_version, "
        "period_from, period_to, schema) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (batch_id, now, daemon_version, client_version, first, last, schema))
    db.executemany(
        "INSERT INTO outbox_counts (batch_id, counter, label, n) VALUES (?, ?, ?, ?)",
        [(batch_id, counter, label, n) for (counter, label), n in facts.items() if n])


def _seal_v1_counts(db: sqlite3.Connection) -> None:
    """Migration 1 -> 2 (facts v2): counts committed before it carry the v1.1 labels.
    Release-build ones become schema 1 batches as they were counted (one per version
    pair, as schema 1 had it), never relabelled; dev-build ones stay local as they are."""
    groups = db.execute(
        "SELECT daemon_version, client_version, MIN(day), MAX(day) FROM counts "
        f"WHERE dev = 0 GROUP BY daemon_version, client_version "
        f"HAVING SUM(CASE WHEN counter NOT IN ({_HEALTH_SQL}) THEN n ELSE 0 END) > 0"
    ).fetchall()
    # ``created`` only orders batches of the same day; a migration has no date of its own.
    now = 0
    for daemon_version, client_version, first, last in groups:
        facts = dict(_fact_rows(db.execute(
            "SELECT counter, label, SUM(n) FROM counts WHERE dev = 0 AND daemon_version = ? "
            "AND client_version = ? GROUP BY counter, label",
            (daemon_version, client_version)), SCHEMA_V1))
        _insert_batch(db, str(uuid.uuid4()), now, daemon_version, client_version, first,
                      last, facts, SCHEMA_V1)
        db.execute("DELETE FROM counts WHERE dev = 0 AND daemon_version = ? AND "
                   "client_version = ?", (daemon_version, client_version))


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
            if exc.errno == errno.ELOOP:
                raise StoreUnavailable(f"cannot open database {name}: it is a symbolic "
                                       "link; refusing to follow it") from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreUnavailable(f"cannot open database {name}: not a regular file")
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
        for statement in _STREAMS_SCHEMA:
            db.execute(statement)
    except BaseException:
        db.close()
        _closed(path)
        raise
    return db


#: Schema migrations: MIGRATIONS[v] upgrades a database at user_version v to v + 1.
#: Version 2 is facts v2: batches carry their upload schema, and counts committed under
#: the v1.1 labels are sealed as schema 1 batches (:func:`_seal_v1_counts`).  Version 3
#: remembers the sealed days (a day once reported is closed, whatever the clock does).
MIGRATIONS: Final[dict[int, str]] = {
    0: _SCHEMA,
    1: "ALTER TABLE outbox ADD COLUMN schema INTEGER NOT NULL DEFAULT 1",
    2: "CREATE TABLE IF NOT EXISTS sealed_days (day TEXT PRIMARY KEY) WITHOUT ROWID",
}


def _run_migration(db: sqlite3.Connection, version: int) -> None:
    for statement in MIGRATIONS[version].split(";"):
        if statement.strip():
            db.execute(statement)
    if version == 1:
        _seal_v1_counts(db)


def _migrate(db: sqlite3.Connection, version: int) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        current = db.execute("PRAGMA user_version").fetchone()[0]
        while current < SCHEMA_VERSION:
            _run_migration(db, current)
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


def purge_database(path: Path) -> bool:
    """Opting out, without a daemon: delete every count and pending batch of the database
    at ``path`` (tables, WAL pages, moved-aside copies).  A database too damaged to open
    is deleted whole, with its -wal/-shm/-journal: it holds counts too, and nothing can
    be kept of it.  True if anything was deleted; raises when something could not be."""
    removed = remove_moved_aside(path)
    if not path.exists():
        return removed > 0
    try:
        store = Store(path)
    except NewerSchemaError:
        raise
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        log.warning("database %s was unreadable; deleted it", path)
        return True
    try:
        return store.purge() or removed > 0
    finally:
        store.close()


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
