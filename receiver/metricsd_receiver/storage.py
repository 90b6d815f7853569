"""Storage of accepted batches: SQLite (embedded default) or PostgreSQL (psycopg 3).

A batch is stored once whatever the number of receiver processes: ``batch_id`` is the
primary key and the insert is ``ON CONFLICT (batch_id) DO NOTHING``; its counts are written
in the same transaction only when that insert added the row.  Schema changes are numbered
migrations recorded in ``schema_migrations``, applied at start under a lock (SQLite's write
lock, a PostgreSQL advisory lock), so two receivers starting together migrate once.

Blocking calls only: the web app runs them in worker threads, through a small bounded pool
of connections per process.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

from metricsd_receiver.schema import HEALTH_COUNTERS, Batch

#: Numbered migrations; each is applied once, in order, in one transaction.
SQLITE_MIGRATIONS: Final[Sequence[tuple[int, Sequence[str]]]] = (
    (1, (
        """CREATE TABLE batches (
               batch_id TEXT PRIMARY KEY,
               received_at TEXT NOT NULL,
               day TEXT NOT NULL,
               period_from TEXT NOT NULL,
               daemon_version TEXT NOT NULL,
               os TEXT NOT NULL,
               arch TEXT NOT NULL,
               client_version TEXT NOT NULL)""",
        "CREATE INDEX batches_day_version ON batches (day, client_version)",
        """CREATE TABLE batch_counts (
               batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
               counter TEXT NOT NULL,
               label TEXT NOT NULL,
               n INTEGER NOT NULL,
               PRIMARY KEY (batch_id, counter, label))""",
    )),
)

POSTGRES_MIGRATIONS: Final[Sequence[tuple[int, Sequence[str]]]] = (
    (1, (
        """CREATE TABLE batches (
               batch_id uuid PRIMARY KEY,
               received_at timestamptz NOT NULL DEFAULT now(),
               day date NOT NULL,
               period_from date NOT NULL,
               daemon_version text NOT NULL,
               os text NOT NULL,
               arch text NOT NULL,
               client_version text NOT NULL)""",
        "CREATE INDEX batches_day_version ON batches (day, client_version)",
        """CREATE TABLE batch_counts (
               batch_id uuid NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
               counter text NOT NULL,
               label text NOT NULL,
               n bigint NOT NULL,
               PRIMARY KEY (batch_id, counter, label))""",
    )),
)

#: Arbitrary constant naming the advisory lock taken while migrating PostgreSQL.
_PG_MIGRATION_LOCK: Final = 0x6D657472

_INSERT_COLUMNS: Final = ("batch_id, received_at, day, period_from, daemon_version, os, arch, "
                          "client_version")


class StorageError(RuntimeError):
    """The database cannot be opened or used (message written by us)."""


@dataclass(frozen=True)
class GroupRow:
    """Totals of one (day, client version) group."""

    day: str
    client_version: str
    batches: int


@dataclass(frozen=True)
class CountRow:
    day: str
    client_version: str
    counter: str
    label: str
    n: int


class Storage(Protocol):
    url_kind: str

    def migrate(self) -> int: ...

    def insert(self, batch: Batch) -> bool: ...

    def groups(self, day_from: str, day_to: str) -> list[GroupRow]: ...

    def counts(self, day_from: str, day_to: str) -> list[CountRow]: ...

    def schema_version(self) -> int: ...

    def page(self, after: str, limit: int) -> list[Batch]: ...

    def close(self) -> None: ...


C = TypeVar("C")


class _Pool(Generic[C]):
    """At most ``size`` connections, created lazily, reused LIFO."""

    def __init__(self, connect: Callable[[], C], close: Callable[[C], None], size: int) -> None:
        self._connect = connect
        self._close = close
        self._idle: queue.LifoQueue[C] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._all: list[C] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[C]:
        with self._slots:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect()
                with self._lock:
                    self._all.append(conn)
            ok = False
            try:
                yield conn
                ok = True
            finally:
                if ok:
                    self._idle.put(conn)
                else:  # a failed connection may be broken: never reuse it
                    with self._lock:
                        if conn in self._all:
                            self._all.remove(conn)
                    try:
                        self._close(conn)
                    except Exception:
                        pass

    def close(self) -> None:
        """Close every connection; a later use opens new ones."""
        with self._lock:
            conns, self._all = self._all, []
            while True:
                try:
                    self._idle.get_nowait()
                except queue.Empty:
                    break
        for conn in conns:
            try:
                self._close(conn)
            except Exception:
                pass


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _count_rows(batch: Batch) -> list[tuple[str, str, str, int]]:
    rows = [(batch.batch_id, counter, label, n) for counter, label, n in batch.counts]
    rows += [(batch.batch_id, name, "", n) for name, n in batch.health if n]
    return rows


_PAGE_COLUMNS: Final = ("batch_id, period_from, day, daemon_version, os, arch, "
                        "client_version")


def _batches_of(heads: Sequence[tuple[Any, ...]], counts: Sequence[tuple[Any, ...]]
                ) -> list[Batch]:
    """Rebuild stored batches from their rows (for copying between databases)."""
    per: dict[str, list[tuple[str, str, int]]] = {}
    for batch_id, counter, label, n in counts:
        per.setdefault(str(batch_id), []).append((counter, label, int(n)))
    out = []
    for batch_id, period_from, day, daemon_version, os_label, arch, client_version in heads:
        rows = per.get(str(batch_id), [])
        health = {name: 0 for name in HEALTH_COUNTERS}
        for counter, _, n in rows:
            if counter in health:
                health[counter] = n
        out.append(Batch(
            batch_id=str(batch_id), daemon_version=daemon_version, os=os_label, arch=arch,
            client_version=client_version, period_from=str(period_from), period_to=str(day),
            counts=tuple(r for r in rows if r[0] not in health),
            health=tuple(health.items())))
    return out


class SQLiteStorage:
    """SQLite in WAL mode; every write is one ``BEGIN IMMEDIATE`` transaction.

    Writers queue on a lock instead of SQLite's busy handler (which sleeps and polls):
    a thread lock inside the process and an ``flock`` on ``FILE-writer.lock`` between
    receiver processes, so a waiting writer starts the moment the previous one commits.
    Readers never wait for writers (WAL)."""

    url_kind = "sqlite"

    def __init__(self, path: Path, pool_size: int = 8, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._pool: _Pool[sqlite3.Connection] = _Pool(self._connect, lambda c: c.close(),
                                                      pool_size)
        self._write_lock = threading.Lock()
        self._lock_fd: int | None = None

    @contextmanager
    def _writer(self) -> Iterator[None]:
        with self._write_lock:
            if self._lock_fd is None:
                lock_path = self.path.with_name(self.path.name + "-writer.lock")
                self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                                        0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self._busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open SQLite database {self.path}: "
                               f"{type(exc).__name__}") from None
        return conn

    def migrate(self) -> int:
        with self._writer(), self._pool.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
                done = {v for (v,) in conn.execute("SELECT version FROM schema_migrations")}
                for version, statements in SQLITE_MIGRATIONS:
                    if version in done:
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                                 (version, _utc_now()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return self.schema_version()

    def schema_version(self) -> int:
        with self._pool.connection() as conn:
            (v,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                                ).fetchone()
            return int(v)

    def insert(self, batch: Batch) -> bool:
        with self._writer(), self._pool.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    f"INSERT INTO batches ({_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (batch_id) DO NOTHING",
                    (batch.batch_id, _utc_now(), batch.period_to, batch.period_from,
                     batch.daemon_version, batch.os, batch.arch, batch.client_version))
                new = cur.rowcount == 1
                if new:
                    conn.executemany("INSERT INTO batch_counts VALUES (?, ?, ?, ?)",
                                     _count_rows(batch))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return new

    def page(self, after: str, limit: int) -> list[Batch]:
        """Up to ``limit`` stored batches with ``batch_id`` > ``after``, in id order."""
        with self._pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                heads = conn.execute(
                    f"SELECT {_PAGE_COLUMNS} FROM batches WHERE batch_id > ? "
                    "ORDER BY batch_id LIMIT ?", (after, limit)).fetchall()
                counts = conn.execute(
                    "SELECT batch_id, counter, label, n FROM batch_counts "
                    "WHERE batch_id IN (SELECT batch_id FROM batches WHERE batch_id > ? "
                    "ORDER BY batch_id LIMIT ?) ORDER BY batch_id, counter, label",
                    (after, limit)).fetchall()
            finally:
                conn.execute("COMMIT")
        return _batches_of(heads, counts)

    def groups(self, day_from: str, day_to: str) -> list[GroupRow]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT day, client_version, count(*) FROM batches "
                "WHERE day BETWEEN ? AND ? GROUP BY day, client_version",
                (day_from, day_to)).fetchall()
        return [GroupRow(d, v, int(n)) for d, v, n in rows]

    def counts(self, day_from: str, day_to: str) -> list[CountRow]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT b.day, b.client_version, c.counter, c.label, sum(c.n) "
                "FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id "
                "WHERE b.day BETWEEN ? AND ? "
                "GROUP BY b.day, b.client_version, c.counter, c.label",
                (day_from, day_to)).fetchall()
        return [CountRow(d, v, c, lb, int(n)) for d, v, c, lb, n in rows]

    def close(self) -> None:
        self._pool.close()
        with self._write_lock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class PostgresStorage:
    """PostgreSQL through psycopg 3; autocommit connections, an insert is one statement."""

    url_kind = "postgresql"

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self.url = url
        self._pool: _Pool[Any] = _Pool(self._connect, lambda c: c.close(), pool_size)

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise StorageError("PostgreSQL needs psycopg: pip install "
                               "'metricsd-receiver[postgres]'") from None
        try:
            return psycopg.connect(self.url, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to PostgreSQL: {type(exc).__name__}") from None

    def migrate(self) -> int:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version integer PRIMARY KEY, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
            done = {v for (v,) in conn.execute("SELECT version FROM schema_migrations")}
            for version, statements in POSTGRES_MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)",
                             (version,))
        return self.schema_version()

    def schema_version(self) -> int:
        with self._pool.connection() as conn, conn.transaction():
            (v,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                                ).fetchone()
            return int(v)

    def insert(self, batch: Batch) -> bool:
        """One statement, one round trip: the batch row and its counts together, or
        nothing when the ``batch_id`` exists (then no count row is returned)."""
        rows = _count_rows(batch)
        with self._pool.connection() as conn:
            added = conn.execute(
                f"WITH b AS (INSERT INTO batches ({_INSERT_COLUMNS}) "
                "VALUES (%s, now(), %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id) "
                "INSERT INTO batch_counts (batch_id, counter, label, n) "
                "SELECT b.batch_id, c.counter, c.label, c.n FROM b, "
                "unnest(%s::text[], %s::text[], %s::bigint[]) AS c (counter, label, n) "
                "RETURNING 1",
                (batch.batch_id, batch.period_to, batch.period_from, batch.daemon_version,
                 batch.os, batch.arch, batch.client_version, [r[1] for r in rows],
                 [r[2] for r in rows], [r[3] for r in rows])).fetchall()
            return len(added) > 0

    def page(self, after: str, limit: int) -> list[Batch]:
        """Up to ``limit`` stored batches with ``batch_id`` > ``after``, in id order."""
        first = after or "00000000-0000-0000-0000-000000000000"
        with self._pool.connection() as conn, conn.transaction():
            heads = conn.execute(
                f"SELECT {_PAGE_COLUMNS} FROM batches WHERE batch_id > %s::uuid "
                "ORDER BY batch_id LIMIT %s", (first, limit)).fetchall()
            counts = conn.execute(
                "SELECT batch_id, counter, label, n FROM batch_counts "
                "WHERE batch_id = ANY(%s::uuid[]) ORDER BY batch_id, counter, label",
                ([str(h[0]) for h in heads],)).fetchall()
        return _batches_of(heads, counts)

    def groups(self, day_from: str, day_to: str) -> list[GroupRow]:
        with self._pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                "SELECT day, client_version, count(*) FROM batches "
                "WHERE day BETWEEN %s::date AND %s::date GROUP BY day, client_version",
                (day_from, day_to)).fetchall()
        return [GroupRow(d.isoformat(), v, int(n)) for d, v, n in rows]

    def counts(self, day_from: str, day_to: str) -> list[CountRow]:
        with self._pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                "SELECT b.day, b.client_version, c.counter, c.label, sum(c.n) "
                "FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id "
                "WHERE b.day BETWEEN %s::date AND %s::date "
                "GROUP BY b.day, b.client_version, c.counter, c.label",
                (day_from, day_to)).fetchall()
        return [CountRow(d.isoformat(), v, c, lb, int(n)) for d, v, c, lb, n in rows]

    def close(self) -> None:
        self._pool.close()


DEFAULT_DATABASE: Final = "sqlite:///metricsd-receiver.sqlite3"


def open_storage(url: str, pool_size: int | None = None) -> Storage:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path`` or a plain file path;
    ``postgresql://...`` (also ``postgres://``) for PostgreSQL."""
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        return PostgresStorage(url, pool_size or 4)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise StorageError("a sqlite URL needs a file path: sqlite:///FILE")
        return SQLiteStorage(Path(path), pool_size or 8)
    if parts.scheme == "" and url:
        return SQLiteStorage(Path(url), pool_size or 8)
    raise StorageError("--database must be sqlite:///FILE or postgresql://...")


def describe(url: str) -> str:
    """The database URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def copy(source: Storage, target: Storage, page_size: int = 1000) -> tuple[int, int]:
    """Copy every batch from ``source`` into ``target`` (migrated first); a batch already
    in the target is skipped, so a copy can be repeated or resumed.  -> (added, skipped)."""
    target.migrate()
    added = skipped = 0
    after = ""
    while True:
        batches = source.page(after, page_size)
        if not batches:
            return added, skipped
        for batch in batches:
            if target.insert(batch):
                added += 1
            else:
                skipped += 1
        after = batches[-1].batch_id
