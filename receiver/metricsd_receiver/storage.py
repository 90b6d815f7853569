"""Storage of accepted batches: SQLite (embedded default) or PostgreSQL (psycopg 3).

A batch is stored once whatever the number of receiver processes: ``batch_id`` is the
primary key and the insert is ``ON CONFLICT (batch_id) DO NOTHING``; its counts, and its
additions to the daily rollups, are written in the same transaction only when that insert
added the row.  The rollups are what the dashboard reads:

* ``daily_batches`` (day, client version) -> batches: with one batch per install and UTC
  day (schema 2), the number of installs that reported;
* ``daily_counts`` (day, client version, schema, counter, label) -> exact sum.  Schema 1
  labels keep their schema so that they are never merged into schema 2 ones.

Sums are exact whatever is stored: PostgreSQL keeps them as ``numeric``; SQLite (64-bit
integers only) keeps each sum as ``hi * 2**53 + lo`` with ``0 <= lo < 2**53``: one batch
adds at most ``2**53 - 1`` to ``lo`` and carries into ``hi``, so neither can overflow.

Schema changes are numbered migrations recorded in ``schema_migrations``, applied at
start under a lock (SQLite's write lock, a PostgreSQL advisory lock), so two receivers
starting together migrate once.

Blocking calls only: the web app runs them in worker threads, through a small bounded pool
of connections per process.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

from metricsd_receiver.schema import TABLES, Batch

#: A migration step: SQL, or a function run on the connection (inside the transaction).
Step = str | Callable[[Any], None]
#: Numbered migrations; each is applied once, in order, in one transaction.
SQLITE_MIGRATIONS: Final[Sequence[tuple[int, Sequence[Step]]]] = (
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
    (2, (
        "ALTER TABLE batches ADD COLUMN schema INTEGER NOT NULL DEFAULT 1",
        """CREATE TABLE daily_batches (
               day TEXT NOT NULL,
               client_version TEXT NOT NULL,
               batches INTEGER NOT NULL,
               PRIMARY KEY (day, client_version))""",
        """CREATE TABLE daily_counts (
               day TEXT NOT NULL,
               client_version TEXT NOT NULL,
               schema INTEGER NOT NULL,
               counter TEXT NOT NULL,
               label TEXT NOT NULL,
               hi INTEGER NOT NULL,
               lo INTEGER NOT NULL,
               PRIMARY KEY (day, client_version, schema, counter, label))""",
        """INSERT INTO daily_batches (day, client_version, batches)
               SELECT day, client_version, count(*) FROM batches GROUP BY day, client_version""",
        lambda conn: _sqlite_rollups_from_batches(conn),
    )),
    (3, (
        # arrival times no finer than the UTC day: one install's days, arriving back to
        # back, cannot be linked by time
        "UPDATE batches SET received_at = substr(received_at, 1, 10)",
        """CREATE TABLE publish_reports (
               day TEXT NOT NULL,
               received_day TEXT NOT NULL,
               client_version TEXT NOT NULL,
               schema INTEGER NOT NULL,
               reports INTEGER NOT NULL,
               PRIMARY KEY (day, received_day, client_version, schema))""",
        """CREATE TABLE publish_counts (
               day TEXT NOT NULL,
               received_day TEXT NOT NULL,
               client_version TEXT NOT NULL,
               schema INTEGER NOT NULL,
               counter TEXT NOT NULL,
               label TEXT NOT NULL,
               n INTEGER NOT NULL,
               PRIMARY KEY (day, received_day, client_version, schema, counter, label))""",
        """CREATE TABLE releases (
               day TEXT NOT NULL,
               age INTEGER NOT NULL,
               released_on TEXT NOT NULL,
               PRIMARY KEY (day, age))""",
        """CREATE TABLE release_values (
               day TEXT NOT NULL,
               age INTEGER NOT NULL,
               client_version TEXT NOT NULL,
               counter TEXT NOT NULL,
               label TEXT NOT NULL,
               value INTEGER NOT NULL,
               scale REAL NOT NULL,
               PRIMARY KEY (day, age, client_version, counter, label))""",
        lambda conn: _publish_rollups_from_batches(conn, "?"),
    )),
)

POSTGRES_MIGRATIONS: Final[Sequence[tuple[int, Sequence[Step]]]] = (
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
    (2, (
        "ALTER TABLE batches ADD COLUMN schema smallint NOT NULL DEFAULT 1",
        """CREATE TABLE daily_batches (
               day date NOT NULL,
               client_version text NOT NULL,
               batches bigint NOT NULL,
               PRIMARY KEY (day, client_version))""",
        """CREATE TABLE daily_counts (
               day date NOT NULL,
               client_version text NOT NULL,
               schema smallint NOT NULL,
               counter text NOT NULL,
               label text NOT NULL,
               n numeric NOT NULL,
               PRIMARY KEY (day, client_version, schema, counter, label))""",
        """INSERT INTO daily_batches (day, client_version, batches)
               SELECT day, client_version, count(*) FROM batches GROUP BY day, client_version""",
        """INSERT INTO daily_counts (day, client_version, schema, counter, label, n)
               SELECT b.day, b.client_version, b.schema, c.counter, c.label, sum(c.n::numeric)
               FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id
               GROUP BY b.day, b.client_version, b.schema, c.counter, c.label""",
    )),
    (3, (
        "ALTER TABLE batches ALTER COLUMN received_at DROP DEFAULT",
        "ALTER TABLE batches ALTER COLUMN received_at TYPE date "
        "USING (received_at AT TIME ZONE 'UTC')::date",
        """CREATE TABLE publish_reports (
               day date NOT NULL,
               received_day date NOT NULL,
               client_version text NOT NULL,
               schema smallint NOT NULL,
               reports bigint NOT NULL,
               PRIMARY KEY (day, received_day, client_version, schema))""",
        """CREATE TABLE publish_counts (
               day date NOT NULL,
               received_day date NOT NULL,
               client_version text NOT NULL,
               schema smallint NOT NULL,
               counter text NOT NULL,
               label text NOT NULL,
               n bigint NOT NULL,
               PRIMARY KEY (day, received_day, client_version, schema, counter, label))""",
        """CREATE TABLE releases (
               day date NOT NULL,
               age integer NOT NULL,
               released_on date NOT NULL,
               PRIMARY KEY (day, age))""",
        """CREATE TABLE release_values (
               day date NOT NULL,
               age integer NOT NULL,
               client_version text NOT NULL,
               counter text NOT NULL,
               label text NOT NULL,
               value bigint NOT NULL,
               scale double precision NOT NULL,
               PRIMARY KEY (day, age, client_version, counter, label))""",
        lambda conn: _publish_rollups_from_batches(conn, "%s"),
    )),
)

#: SQLite keeps a sum as hi * LO_BASE + lo (see the module's docstring).
LO_BASE: Final = 2**53

#: Arbitrary constant naming the advisory lock taken while migrating PostgreSQL.
_PG_MIGRATION_LOCK: Final = 0x6D657472

_INSERT_COLUMNS: Final = ("batch_id, received_at, day, period_from, daemon_version, os, arch, "
                          "client_version, schema")


class StorageError(RuntimeError):
    """The database cannot be opened or used (message written by us)."""


def database_errors() -> tuple[type[BaseException], ...]:
    """What a database that cannot be reached or written raises: the app answers 503 (retry
    later) to these only; any other exception is a bug, answered 500 and logged.

    psycopg's errors are among them once psycopg is loaded: only PostgreSQL storage loads
    it (it cannot raise before), so a receiver on SQLite never imports it (about 0.1 s of
    start-up in each of its processes)."""
    out: list[type[BaseException]] = [StorageError, sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        out.append(psycopg.Error)
    pool = sys.modules.get("psycopg_pool")
    if pool is not None:
        out.append(pool.PoolTimeout)
    return tuple(out)


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
    schema: int
    counter: str
    label: str
    n: int


class Storage(Protocol):
    url_kind: str

    def migrate(self) -> int: ...

    def insert(self, batch: Batch, received_day: str | None = None) -> bool: ...

    def publishable(self, day: str, before: str
                    ) -> tuple[list[tuple[str, int, int]],
                               list[tuple[str, int, str, str, int]]]: ...

    def release_state(self) -> tuple[list[str], set[tuple[str, int]]]: ...

    def store_release(self, day: str, age: int, released_on: str,
                      values: Sequence[Any]) -> bool: ...

    def released(self, day_from: str, day_to: str) -> list[ReleasedRow]: ...

    def release_generation(self) -> str: ...

    def released_sums(self, day_from: str, day_to: str, version: str | None
                      ) -> list[tuple[str, str, str, int, float]]: ...

    def rollups(self, day_from: str, day_to: str
                ) -> tuple[list[GroupRow], list[CountRow]]: ...

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


def _utc_today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


#: One number of a stored release: (day, age, client version, counter, label, value,
#: Laplace scale).
ReleasedRow = tuple[str, int, str, str, str, int, float]


def _count_rows(batch: Batch) -> list[tuple[str, str, str, int]]:
    """(batch_id, counter, label, n), sorted: every writer touches rollup rows in one order
    (no deadlock between concurrent inserts on PostgreSQL)."""
    rows = [(batch.batch_id, counter, label, n) for counter, label, n in batch.counts]
    rows += [(batch.batch_id, name, "", n) for name, n in batch.health if n]
    rows.sort()
    return rows


def _sqlite_rollups_from_batches(conn: sqlite3.Connection) -> None:
    """Migration 2 on SQLite: build ``daily_counts`` from the stored batches once, summing
    in Python (SQLite's sum() overflows past 2**63)."""
    sums: dict[tuple[str, str, int, str, str], int] = {}
    cur = conn.execute("SELECT b.day, b.client_version, b.schema, c.counter, c.label, c.n "
                       "FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id")
    while rows := cur.fetchmany(10_000):
        for day, version, schema, counter, label, n in rows:
            key = (day, version, int(schema), counter, label)
            sums[key] = sums.get(key, 0) + int(n)
    conn.executemany("INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(*key, n // LO_BASE, n % LO_BASE) for key, n in sums.items()])


_PAGE_COLUMNS: Final = ("batch_id, period_from, day, daemon_version, os, arch, "
                        "client_version, schema")


def _publish_rows(batch: Batch) -> list[tuple[str, str, int]]:
    """(counter, label, n) of a batch as clipped for publishing (release.clip)."""
    from metricsd_receiver.release import clip

    return clip(batch)


def _publish_rollups_from_batches(conn: Any, ph: str) -> None:
    """Migration 3: the publishing rollups of the batches already stored, each clipped as
    a new one is (read a page at a time, summed here)."""
    reports: dict[tuple[str, str, str, int], int] = {}
    sums: dict[tuple[str, str, str, int, str, str], int] = {}
    after = ""
    while True:
        heads = conn.execute(
            f"SELECT {_PAGE_COLUMNS}, received_at FROM batches WHERE batch_id::text > {ph} "
            f"ORDER BY batch_id::text LIMIT 5000" if ph == "%s" else
            f"SELECT {_PAGE_COLUMNS}, received_at FROM batches WHERE batch_id > {ph} "
            "ORDER BY batch_id LIMIT 5000", (after,)).fetchall()
        if not heads:
            break
        ids = [str(h[0]) for h in heads]
        marks = ", ".join([ph] * len(ids))
        counts = conn.execute(
            f"SELECT batch_id, counter, label, n FROM batch_counts WHERE batch_id::text IN "
            f"({marks})" if ph == "%s" else
            f"SELECT batch_id, counter, label, n FROM batch_counts WHERE batch_id IN ({marks})",
            ids).fetchall()
        received = {str(h[0]): str(h[-1])[:10] for h in heads}
        for batch in _batches_of([h[:-1] for h in heads], counts):
            got = received[batch.batch_id]
            key = (batch.period_to, got, batch.client_version, batch.schema)
            reports[key] = reports.get(key, 0) + 1
            for counter, label, n in _publish_rows(batch):
                k2 = (*key, counter, label)
                sums[k2] = sums.get(k2, 0) + n
        after = ids[-1]
    cur = conn.cursor()
    if reports:
        cur.executemany(f"INSERT INTO publish_reports VALUES ({ph}, {ph}, {ph}, {ph}, {ph})",
                        [(*k, n) for k, n in reports.items()])
    if sums:
        cur.executemany(
            f"INSERT INTO publish_counts VALUES ({ph}, {ph}, {ph}, {ph}, {ph}, {ph}, {ph})",
            [(*k, n) for k, n in sums.items()])


def _batches_of(heads: Sequence[tuple[Any, ...]], counts: Sequence[tuple[Any, ...]]
                ) -> list[Batch]:
    """Rebuild stored batches from their rows (for copying between databases)."""
    per: dict[str, list[tuple[str, str, int]]] = {}
    for batch_id, counter, label, n in counts:
        per.setdefault(str(batch_id), []).append((counter, label, int(n)))
    out = []
    for (batch_id, period_from, day, daemon_version, os_label, arch, client_version,
         schema) in heads:
        rows = per.get(str(batch_id), [])
        health = {name: 0 for name in TABLES.bodies[int(schema)].health}
        for counter, _, n in rows:
            if counter in health:
                health[counter] = n
        out.append(Batch(
            schema=int(schema), batch_id=str(batch_id), daemon_version=daemon_version,
            os=os_label, arch=arch,
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
                        if isinstance(statement, str):
                            conn.execute(statement)
                        else:
                            statement(conn)
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

    def insert(self, batch: Batch, received_day: str | None = None) -> bool:
        """Store a batch once; ``received_day`` (its UTC day of arrival, today by default)
        is the finest arrival time kept."""
        got = received_day or _utc_today()
        published = _publish_rows(batch)
        with self._writer(), self._pool.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    f"INSERT INTO batches ({_INSERT_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING",
                    (batch.batch_id, got, batch.period_to, batch.period_from,
                     batch.daemon_version, batch.os, batch.arch, batch.client_version,
                     batch.schema))
                new = cur.rowcount == 1
                if new:
                    rows = _count_rows(batch)
                    conn.executemany("INSERT INTO batch_counts VALUES (?, ?, ?, ?)", rows)
                    day, version = batch.period_to, batch.client_version
                    conn.execute(
                        "INSERT INTO daily_batches VALUES (?, ?, 1) ON CONFLICT "
                        "(day, client_version) DO UPDATE SET batches = batches + 1",
                        (day, version))
                    conn.executemany(
                        "INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?, 0, ?) "
                        "ON CONFLICT (day, client_version, schema, counter, label) DO UPDATE "
                        f"SET hi = hi + (lo + excluded.lo) / {LO_BASE}, "
                        f"lo = (lo + excluded.lo) % {LO_BASE}",
                        [(day, version, batch.schema, c, lb, n) for _, c, lb, n in rows])
                    conn.execute(
                        "INSERT INTO publish_reports VALUES (?, ?, ?, ?, 1) ON CONFLICT "
                        "(day, received_day, client_version, schema) "
                        "DO UPDATE SET reports = reports + 1",
                        (day, got, version, batch.schema))
                    conn.executemany(
                        "INSERT INTO publish_counts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(day, received_day, client_version, schema, counter, label) "
                        "DO UPDATE SET n = n + excluded.n",
                        [(day, got, version, batch.schema, c, lb, n) for c, lb, n in published])
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

    def publishable(self, day: str, before: str
                    ) -> tuple[list[tuple[str, int, int]],
                               list[tuple[str, int, str, str, int]]]:
        """The clipped sums of ``day``'s reports received before the day ``before``:
        (version, schema, reports) and (version, schema, counter, label, sum)."""
        with self._pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                reports = conn.execute(
                    "SELECT client_version, schema, sum(reports) FROM publish_reports "
                    "WHERE day = ? AND received_day < ? GROUP BY client_version, schema",
                    (day, before)).fetchall()
                sums = conn.execute(
                    "SELECT client_version, schema, counter, label, sum(n) FROM publish_counts "
                    "WHERE day = ? AND received_day < ? "
                    "GROUP BY client_version, schema, counter, label", (day, before)).fetchall()
            finally:
                conn.execute("COMMIT")
        return ([(v, int(s), int(n)) for v, s, n in reports],
                [(v, int(s), c, lb, int(n)) for v, s, c, lb, n in sums])

    def release_state(self) -> tuple[list[str], set[tuple[str, int]]]:
        """Days with reports, and the (day, age) releases already stored."""
        with self._pool.connection() as conn:
            days = [d for (d,) in conn.execute(
                "SELECT DISTINCT day FROM publish_reports ORDER BY day")]
            done = {(d, int(a)) for d, a in conn.execute("SELECT day, age FROM releases")}
        return days, done

    def store_release(self, day: str, age: int, released_on: str,
                      values: Sequence[Any]) -> bool:
        """Store a release once: False (nothing written) when it is already there."""
        with self._writer(), self._pool.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                (newest,) = conn.execute("SELECT coalesce(max(age), 0) FROM releases "
                                         "WHERE day = ?", (day,)).fetchone()
                cur = conn.execute("INSERT INTO releases VALUES (?, ?, ?) ON CONFLICT "
                                   "(day, age) DO NOTHING", (day, age, released_on))
                new = cur.rowcount == 1 and int(newest) < age
                if new:
                    # a newer release replaces the older one (readers see the newest only)
                    conn.execute("DELETE FROM release_values WHERE day = ?", (day,))
                    conn.executemany(
                        "INSERT INTO release_values VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(day, age, v.version, v.counter, v.label, v.value, v.scale)
                         for v in values])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return new

    def released(self, day_from: str, day_to: str) -> list[ReleasedRow]:
        """The newest stored release of each day of the range (the only one kept)."""
        with self._pool.connection() as conn:
            rows: list[ReleasedRow] = conn.execute(
                "SELECT day, age, client_version, counter, label, value, scale "
                "FROM release_values WHERE day BETWEEN ? AND ?", (day_from, day_to)).fetchall()
        return rows

    def release_generation(self) -> str:
        """Changes whenever a release is stored (views built from releases stay valid
        until then)."""
        with self._pool.connection() as conn:
            (n, last) = conn.execute("SELECT count(*), coalesce(sum(age), 0) FROM releases"
                                     ).fetchone()
        return f"{n}/{last}"

    def released_sums(self, day_from: str, day_to: str, version: str | None
                      ) -> list[tuple[str, str, str, int, float]]:
        """Per (client version, counter, label) over the range: the sum of the released
        numbers and of their noise variances (2 b**2 each)."""
        with self._pool.connection() as conn:
            rows: list[tuple[str, str, str, int, float]] = conn.execute(
                "SELECT client_version, counter, label, sum(value), sum(2 * scale * scale) "
                "FROM release_values WHERE day BETWEEN ? AND ? "
                "AND (? IS NULL OR client_version = ?) "
                "GROUP BY client_version, counter, label",
                (day_from, day_to, version, version)).fetchall()
        return rows

    def rollups(self, day_from: str, day_to: str) -> tuple[list[GroupRow], list[CountRow]]:
        """The daily rollups of the range, read in one snapshot."""
        with self._pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                groups = conn.execute(
                    "SELECT day, client_version, batches FROM daily_batches "
                    "WHERE day BETWEEN ? AND ?", (day_from, day_to)).fetchall()
                counts = conn.execute(
                    "SELECT day, client_version, schema, counter, label, hi, lo "
                    "FROM daily_counts WHERE day BETWEEN ? AND ?",
                    (day_from, day_to)).fetchall()
            finally:
                conn.execute("COMMIT")
        return ([GroupRow(d, v, int(n)) for d, v, n in groups],
                [CountRow(d, v, int(s), c, lb, int(hi) * LO_BASE + int(lo))
                 for d, v, s, c, lb, hi, lo in counts])

    def close(self) -> None:
        self._pool.close()
        with self._write_lock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class PostgresStorage:
    """PostgreSQL through psycopg 3 and its pool (``psycopg_pool``): autocommit
    connections, checked before each use (a restarted server costs one failed request at
    most, never a stuck pool); an insert is one statement."""

    url_kind = "postgresql"

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self.url = url
        self._size = pool_size
        self._pool: Any = None
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        """A connection of its own (migrations: fail at once with a clear error)."""
        try:
            import psycopg
        except ImportError:
            raise StorageError("PostgreSQL needs psycopg: pip install "
                               "'metricsd-receiver[postgres]'") from None
        try:
            return psycopg.connect(self.url, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {describe(self.url)}: "
                               f"{type(exc).__name__}") from None

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=self._size, open=True, timeout=10,
                    kwargs={"autocommit": True, "connect_timeout": 10},
                    check=ConnectionPool.check_connection, name="metricsd-receiver")
            pool = self._pool
        with pool.connection() as conn:
            yield conn

    def migrate(self) -> int:
        conn = self._connect()
        try:
            self._migrate(conn)
            (v,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                                ).fetchone()
        finally:
            conn.close()
        return int(v)

    def _migrate(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version integer PRIMARY KEY, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
            done = {v for (v,) in conn.execute("SELECT version FROM schema_migrations")}
            for version, statements in POSTGRES_MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    if isinstance(statement, str):
                        conn.execute(statement)
                    else:
                        statement(conn)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)",
                             (version,))

    def schema_version(self) -> int:
        with self._connection() as conn, conn.transaction():
            (v,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                                ).fetchone()
            return int(v)

    def insert(self, batch: Batch, received_day: str | None = None) -> bool:
        """One statement, one round trip, one transaction: the batch row, its counts and its
        additions to the rollups together, or nothing when the ``batch_id`` exists."""
        rows = _count_rows(batch)
        published = _publish_rows(batch)
        counters, labels, ns = [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
        with self._connection() as conn:
            (added,) = conn.execute(
                f"WITH b AS (INSERT INTO batches ({_INSERT_COLUMNS}) "
                "VALUES (%(id)s, %(got)s, %(day)s, %(from)s, %(dv)s, %(os)s, %(arch)s, %(cv)s, "
                "%(schema)s) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id), "
                "c AS (INSERT INTO batch_counts (batch_id, counter, label, n) "
                "SELECT b.batch_id, c.counter, c.label, c.n FROM b, "
                "unnest(%(c)s::text[], %(l)s::text[], %(n)s::bigint[]) AS c (counter, label, n)), "
                "d AS (INSERT INTO daily_batches (day, client_version, batches) "
                "SELECT %(day)s::date, %(cv)s::text, 1 FROM b ON CONFLICT (day, client_version) "
                "DO UPDATE SET batches = daily_batches.batches + 1 RETURNING 1), "
                # r reads d: the (day, version) row is locked before the count rows, in
                # every writer, and the count rows in one (sorted) order: no deadlock
                "r AS (INSERT INTO daily_counts (day, client_version, schema, counter, label, n) "
                "SELECT %(day)s::date, %(cv)s::text, %(schema)s::smallint, c.counter, "
                "c.label, c.n FROM d, "
                "unnest(%(c)s::text[], %(l)s::text[], %(n)s::numeric[]) AS c (counter, label, n) "
                "ON CONFLICT (day, client_version, schema, counter, label) "
                "DO UPDATE SET n = daily_counts.n + excluded.n RETURNING 1), "
                "pr AS (INSERT INTO publish_reports (day, received_day, client_version, "
                "schema, reports) SELECT %(day)s::date, %(got)s::date, %(cv)s::text, "
                "%(schema)s::smallint, 1 FROM d ON CONFLICT (day, received_day, "
                "client_version, schema) DO UPDATE SET reports = publish_reports.reports + 1 "
                "RETURNING 1), "
                "pc AS (INSERT INTO publish_counts (day, received_day, client_version, schema, "
                "counter, label, n) SELECT %(day)s::date, %(got)s::date, %(cv)s::text, "
                "%(schema)s::smallint, c.counter, c.label, c.n FROM (SELECT 1 FROM pr LIMIT 1) "
                "AS x, unnest(%(pc)s::text[], %(pl)s::text[], %(pn)s::bigint[]) "
                "AS c (counter, label, n) ON CONFLICT (day, received_day, client_version, "
                "schema, counter, label) DO UPDATE SET n = publish_counts.n + excluded.n) "
                "SELECT count(*) FROM b",
                {"id": batch.batch_id, "day": batch.period_to, "from": batch.period_from,
                 "dv": batch.daemon_version, "os": batch.os, "arch": batch.arch,
                 "cv": batch.client_version, "schema": batch.schema, "c": counters,
                 "l": labels, "n": ns, "got": received_day or _utc_today(),
                 "pc": [r[0] for r in published], "pl": [r[1] for r in published],
                 "pn": [r[2] for r in published]}).fetchone()
            return bool(added)

    def page(self, after: str, limit: int) -> list[Batch]:
        """Up to ``limit`` stored batches with ``batch_id`` > ``after``, in id order."""
        first = after or "00000000-0000-0000-0000-000000000000"
        with self._connection() as conn, conn.transaction():
            heads = conn.execute(
                f"SELECT {_PAGE_COLUMNS} FROM batches WHERE batch_id > %s::uuid "
                "ORDER BY batch_id LIMIT %s", (first, limit)).fetchall()
            counts = conn.execute(
                "SELECT batch_id, counter, label, n FROM batch_counts "
                "WHERE batch_id = ANY(%s::uuid[]) ORDER BY batch_id, counter, label",
                ([str(h[0]) for h in heads],)).fetchall()
        return _batches_of(heads, counts)

    def publishable(self, day: str, before: str
                    ) -> tuple[list[tuple[str, int, int]],
                               list[tuple[str, int, str, str, int]]]:
        with self._connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            reports = conn.execute(
                "SELECT client_version, schema, sum(reports) FROM publish_reports "
                "WHERE day = %s::date AND received_day < %s::date "
                "GROUP BY client_version, schema", (day, before)).fetchall()
            sums = conn.execute(
                "SELECT client_version, schema, counter, label, sum(n) FROM publish_counts "
                "WHERE day = %s::date AND received_day < %s::date "
                "GROUP BY client_version, schema, counter, label", (day, before)).fetchall()
        return ([(v, int(s), int(n)) for v, s, n in reports],
                [(v, int(s), c, lb, int(n)) for v, s, c, lb, n in sums])

    def release_state(self) -> tuple[list[str], set[tuple[str, int]]]:
        with self._connection() as conn:
            days = [d.isoformat() for (d,) in conn.execute(
                "SELECT DISTINCT day FROM publish_reports ORDER BY day")]
            done = {(d.isoformat(), int(a)) for d, a in conn.execute(
                "SELECT day, age FROM releases")}
        return days, done

    def store_release(self, day: str, age: int, released_on: str,
                      values: Sequence[Any]) -> bool:
        with self._connection() as conn, conn.transaction():
            # one release of a day at a time (the advisory lock), the newest kept
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                         (_PG_MIGRATION_LOCK, day))
            (newest,) = conn.execute("SELECT coalesce(max(age), 0) FROM releases "
                                     "WHERE day = %s::date", (day,)).fetchone()
            new = conn.execute("INSERT INTO releases VALUES (%s, %s, %s) ON CONFLICT "
                               "(day, age) DO NOTHING RETURNING 1",
                               (day, age, released_on)).fetchone() is not None
            new = new and int(newest) < age
            if new:
                conn.execute("DELETE FROM release_values WHERE day = %s::date", (day,))
            if new and values:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO release_values VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [(day, age, v.version, v.counter, v.label, v.value, v.scale)
                         for v in values])
        return new

    def released(self, day_from: str, day_to: str) -> list[ReleasedRow]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT day::text, age, client_version, counter, label, value, scale "
                "FROM release_values WHERE day BETWEEN %s::date AND %s::date",
                (day_from, day_to)).fetchall()
        return rows  # type: ignore[no-any-return]

    def release_generation(self) -> str:
        with self._connection() as conn:
            (n, last) = conn.execute("SELECT count(*), coalesce(sum(age), 0) FROM releases"
                                     ).fetchone()
        return f"{n}/{last}"

    def released_sums(self, day_from: str, day_to: str, version: str | None
                      ) -> list[tuple[str, str, str, int, float]]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT client_version, counter, label, sum(value), sum(2 * scale * scale) "
                "FROM release_values WHERE day BETWEEN %s::date AND %s::date "
                "AND (%s::text IS NULL OR client_version = %s::text) "
                "GROUP BY client_version, counter, label",
                (day_from, day_to, version, version)).fetchall()
        return rows  # type: ignore[no-any-return]

    def rollups(self, day_from: str, day_to: str) -> tuple[list[GroupRow], list[CountRow]]:
        """The daily rollups of the range, read in one snapshot."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            groups = conn.execute(
                "SELECT day, client_version, batches FROM daily_batches "
                "WHERE day BETWEEN %s::date AND %s::date", (day_from, day_to)).fetchall()
            counts = conn.execute(
                "SELECT day, client_version, schema, counter, label, n FROM daily_counts "
                "WHERE day BETWEEN %s::date AND %s::date", (day_from, day_to)).fetchall()
        return ([GroupRow(d.isoformat(), v, int(n)) for d, v, n in groups],
                [CountRow(d.isoformat(), v, int(s), c, lb, int(n))
                 for d, v, s, c, lb, n in counts])

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


DEFAULT_DATABASE: Final = "sqlite:///metricsd-receiver.sqlite3"


class UsageError(ValueError):
    """The database URL is not one of the accepted forms (message written by us)."""


def open_storage(url: str, pool_size: int | None = None) -> Storage:
    """``sqlite:///relative/path`` or ``sqlite:////absolute/path``; ``postgresql://...``
    (also ``postgres://``) for PostgreSQL.  Any other form (a plain path, a ``key=value``
    connection string) is a :class:`UsageError`: it must never become a file name."""
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres") and url.startswith(parts.scheme + "://"):
        return PostgresStorage(url, pool_size or 4)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and not parts.query \
            and not parts.fragment:
        path = unquote(parts.path)[1:]
        if path and not path.endswith("/"):
            return SQLiteStorage(Path(path), pool_size or 8)
    raise UsageError("--database must be sqlite:///FILE (relative), sqlite:////FILE "
                     "(absolute) or postgresql://USER:PASSWORD@HOST:PORT/DB")


def describe(url: str) -> str:
    """The database URL for a log line: no password, no query string (which may carry
    one), nothing at all when it is not a URL we accept."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///"):
        return url.split("?", 1)[0].split("#", 1)[0]
    if parts.scheme not in ("postgresql", "postgres"):
        return "(a database URL of an unknown form)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    user = f"{parts.username}{':***' if parts.password is not None else ''}@" \
        if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


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
