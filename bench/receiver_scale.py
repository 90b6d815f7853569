"""metricsd-receiver at scale: a 30-day dashboard view over N stored batches, and ingest
through HTTP as a ratio to the same inserts done directly.

1. **Fill.** A fresh database (SQLite file, PostgreSQL scratch database) is migrated by the
   receiver's own code, then N batches of 30 days (one per install and day, 16 client
   versions, ~10 counts each) are written straight into its tables — ``COPY`` on
   PostgreSQL, ``executemany`` on SQLite — with the daily rollups they add up to.
2. **View.** A real receiver process serves the database; ``GET /api/summary`` and
   ``GET /`` of the last 30 days are timed (median of ``--repeat``): built afresh, and
   kept (a view is kept until the next release).  Baseline, same run:
   the query the dashboard ran before rollups (``GROUP BY day, client version, counter,
   label`` over every stored batch of the range), timed once.  The view serves releases:
   the receiver computes the due ones at start (each report is taken to arrive the day
   after its day), and the timing starts once they are there.
3. **Ingest.** New day batches are POSTed to the receiver at 1, 16 and 64 connections
   (HTTP/1.1 keep-alive, the load generator of ``bench/receiver_load.py``).  Baseline,
   same run and database: the same inserts (the receiver's storage code: psycopg or
   sqlite3, the same statements) from 1, 16 and 64 threads, without HTTP.  The ratio is
   HTTP batches/s ÷ direct batches/s.

Usage:
    python bench/receiver_scale.py [--batches 1000000] [--databases sqlite,postgresql]
        [--ingest 2000] [--workers 1] [--repeat 5] [--pg-url postgresql://...]

PostgreSQL: ``--pg-url`` or ``METRICSD_TEST_PG_URL`` (``. receiver/ci_services.sh`` in a
root shell starts a scratch server).  Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from metricsd_receiver.release import clip
from metricsd_receiver.schema import HEALTH_COUNTERS, Batch, validate
from metricsd_receiver.storage import LO_BASE, open_storage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from receiver_load import (
    Connection,
    pg_database,
    pg_drop,
    start_receiver,
    stop,
)

DAYS = 30
VERSIONS = [f"1.{minor}.{patch}" for minor in range(4) for patch in range(4)]  # 16
FINISH = ("stop", "tool_calls", "length", "none")
CACHE = ("100", "none", "0", "1-49")
PROVIDER = ("rate_limit", "overloaded", "timeout")
TOOL = ("exit_nonzero", "not_found", "timeout")


def _days(today: datetime.date) -> list[str]:
    return [(today - datetime.timedelta(days=DAYS - i)).isoformat() for i in range(DAYS)]


def _counts(rng: random.Random) -> list[tuple[str, str, int]]:
    turns = rng.randint(1, 300)
    out = [("turns", "", turns), ("finish_reason", rng.choice(FINISH), turns),
           ("cache_hit", rng.choice(CACHE), turns * 3)]
    if rng.random() < 0.5:
        out.append(("provider_error", rng.choice(PROVIDER), rng.randint(1, 5)))
    if rng.random() < 0.6:
        out.append(("tool_error", rng.choice(TOOL), rng.randint(1, 9)))
    if rng.random() < 0.3:
        out.append(("compaction", "", rng.randint(1, 4)))
    if rng.random() < 0.1:
        out.append(("empty_final", "", 1))
    if rng.random() < 0.02:
        out.append(("invalid_events", "", 1))
    return sorted(out)


def generate(n: int, today: datetime.date, seed: int = 1) -> Iterator[
        tuple[str, str, str, list[tuple[str, str, int]]]]:
    """(batch_id, day, client version, counts) for n batches spread over 30 days."""
    rng = random.Random(seed)
    days = _days(today)
    for i in range(n):
        yield (str(uuid.UUID(int=rng.getrandbits(128), version=4)), days[i % DAYS],
               VERSIONS[min(len(VERSIONS) - 1, int(rng.expovariate(0.35)))], _counts(rng))


def _rollups(rows: Iterator[tuple[str, str, str, list[tuple[str, str, int]]]],
             on_batch: Any) -> tuple[dict[tuple[str, str], int],
                                     dict[tuple[str, str, str, str], int]]:
    batches: dict[tuple[str, str], int] = {}
    sums: dict[tuple[str, str, str, str], int] = {}
    for batch_id, day, version, counts in rows:
        on_batch(batch_id, day, version, counts)
        batches[(day, version)] = batches.get((day, version), 0) + 1
        for counter, label, n in counts:
            key = (day, version, counter, label)
            sums[key] = sums.get(key, 0) + n
    return batches, sums


def _arrival(day: str) -> str:
    """Reports arrive the day after their day (stored as that day only)."""
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()


def _publish_rollups(rows: Iterator[tuple[str, str, str, list[tuple[str, str, int]]]]
                     ) -> tuple[dict[tuple[str, str, str], int],
                                dict[tuple[str, str, str, str, str], int]]:
    """What the receiver's inserts add to the publishing rollups: each report clipped by
    the receiver's own code (release.clip)."""
    reports: dict[tuple[str, str, str], int] = {}
    published: dict[tuple[str, str, str, str, str], int] = {}
    health = tuple((name, 0) for name in HEALTH_COUNTERS)
    for batch_id, day, version, counts in rows:
        key = (day, _arrival(day), version)
        reports[key] = reports.get(key, 0) + 1
        batch = Batch(2, batch_id, "0.1.0", "linux", "x86_64", version, day, day,
                      tuple(counts), health)
        for counter, label, v in clip(batch):
            k2 = (*key, counter, label)
            published[k2] = published.get(k2, 0) + v
    return reports, published


def wait_for_releases(base_url: str, view: dict[str, str], due: int) -> float:
    """Seconds until the receiver (started on the filled database) has released the ``due``
    days of the view whose release time has come."""
    t0 = time.perf_counter()
    while True:
        data = httpx.get(base_url + "/api/summary", params=view, timeout=120).json()
        if sum(1 for r in data["released"] if r is not None) >= due:
            return time.perf_counter() - t0
        time.sleep(0.5)


def fill_sqlite(path: Path, n: int, today: datetime.date) -> None:
    import sqlite3

    open_storage(f"sqlite:///{path}").migrate()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    heads: list[tuple[Any, ...]] = []
    counts: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", heads)
        conn.executemany("INSERT INTO batch_counts VALUES (?, ?, ?, ?)", counts)
        heads.clear()
        counts.clear()

    def on_batch(batch_id: str, day: str, version: str, c: list[tuple[str, str, int]]) -> None:
        heads.append((batch_id, _arrival(day), day, day, "0.1.0", "linux", "x86_64",
                      version, 2))
        counts.extend((batch_id, counter, label, v) for counter, label, v in c)
        if len(heads) >= 20_000:
            flush()

    batches, sums = _rollups(generate(n, today), on_batch)
    flush()
    conn.executemany("INSERT INTO daily_batches VALUES (?, ?, ?)",
                     [(d, v, b) for (d, v), b in batches.items()])
    conn.executemany("INSERT INTO daily_counts VALUES (?, ?, 2, ?, ?, ?, ?)",
                     [(d, v, c, lb, s // LO_BASE, s % LO_BASE)
                      for (d, v, c, lb), s in sums.items()])
    reports, published = _publish_rollups(generate(n, today))
    conn.executemany("INSERT INTO publish_reports VALUES (?, ?, ?, 2, ?)",
                     [(*k, n) for k, n in reports.items()])
    conn.executemany("INSERT INTO publish_counts VALUES (?, ?, ?, 2, ?, ?, ?)",
                     [(*k, n) for k, n in published.items()])
    conn.execute("COMMIT")
    conn.close()


def fill_postgres(url: str, n: int, today: datetime.date) -> None:
    """Two passes over the same seeded batches (two COPYs cannot share a connection),
    each streamed in chunks: memory stays small at a million batches."""
    import psycopg

    open_storage(url).migrate()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY batches (batch_id, received_at, day, period_from, daemon_version, "
                      "os, arch, client_version, schema) FROM STDIN") as cp:
            chunk: list[str] = []
            for batch_id, day, version, _ in generate(n, today):
                chunk.append(f"{batch_id}\t{_arrival(day)}\t{day}\t{day}\t0.1.0\tlinux\t"
                             f"x86_64\t{version}\t2\n")
                if len(chunk) >= 20_000:
                    cp.write("".join(chunk))
                    chunk.clear()
            cp.write("".join(chunk))
        with cur.copy("COPY batch_counts (batch_id, counter, label, n) FROM STDIN") as cp:
            rows: list[str] = []

            def on_batch(batch_id: str, day: str, version: str,
                         c: list[tuple[str, str, int]]) -> None:
                rows.extend(f"{batch_id}\t{counter}\t{label}\t{v}\n"
                            for counter, label, v in c)
                if len(rows) >= 100_000:
                    cp.write("".join(rows))
                    rows.clear()

            batches, sums = _rollups(generate(n, today), on_batch)
            cp.write("".join(rows))
        cur.executemany("INSERT INTO daily_batches VALUES (%s, %s, %s)",
                        [(d, v, b) for (d, v), b in batches.items()])
        cur.executemany("INSERT INTO daily_counts VALUES (%s, %s, 2, %s, %s, %s)",
                        [(d, v, c, lb, s) for (d, v, c, lb), s in sums.items()])
        reports, published = _publish_rollups(generate(n, today))
        cur.executemany("INSERT INTO publish_reports VALUES (%s, %s, %s, 2, %s)",
                        [(*k, n) for k, n in reports.items()])
        cur.executemany("INSERT INTO publish_counts VALUES (%s, %s, %s, 2, %s, %s, %s)",
                        [(*k, n) for k, n in published.items()])
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def baseline_view(url: str, day_from: str, day_to: str) -> float:
    """The pre-rollup dashboard query over every stored batch of the range."""
    sql = ("SELECT b.day, b.client_version, c.counter, c.label, sum(c.n) "
           "FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id "
           "WHERE b.day BETWEEN {a} AND {b} GROUP BY b.day, b.client_version, c.counter, "
           "c.label")
    t0 = time.perf_counter()
    if url.startswith("sqlite:"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute(sql.format(a="?", b="?"), (day_from, day_to)).fetchall()
        conn.execute("SELECT day, client_version, count(*) FROM batches WHERE day BETWEEN ? "
                     "AND ? GROUP BY day, client_version", (day_from, day_to)).fetchall()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(url) as pg:
            pg.execute(sql.format(a="%s", b="%s"), (day_from, day_to)).fetchall()
            pg.execute("SELECT day, client_version, count(*) FROM batches WHERE day BETWEEN "
                       "%s AND %s GROUP BY day, client_version", (day_from, day_to)).fetchall()
    return time.perf_counter() - t0


def timed_get(url: str, params: dict[str, str], repeat: int) -> tuple[float, float, int]:
    """(cold ms, kept ms, bytes): median of ``repeat`` views built afresh (each a range
    one more day back, so none is kept yet; the days added have no reports) and of
    ``repeat`` repeats of one view (kept by the receiver until the next release)."""
    cold, kept = [], []
    size = 0
    first = datetime.date.fromisoformat(params["from"])
    with httpx.Client(timeout=120) as c:
        c.get(url.rsplit("/", 1)[0] + "/healthz")  # warm the connection
        for i in range(repeat):
            shifted = dict(params, **{"from": (first - datetime.timedelta(days=i)).isoformat()})
            t0 = time.perf_counter()
            r = c.get(url, params=shifted)
            cold.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text[:200]
            size = len(r.content)
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = c.get(url, params=params)
            kept.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text[:200]
    return statistics.median(cold), statistics.median(kept), size


def ingest_bodies(n: int, today: datetime.date, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    day = (today - datetime.timedelta(days=1)).isoformat()
    out = []
    for _ in range(n):
        counts: dict[str, Any] = {}
        health = {"invalid_events": 0, "unknown_events": 0, "dropped_batches": 0,
                  "clipped": 0}
        for counter, label, v in _counts(rng):
            if counter in health:
                health[counter] = v
            elif label:
                counts.setdefault(counter, {})[label] = v
            else:
                counts[counter] = v
        out.append(json.dumps({
            "schema": 2, "batch_id": str(uuid.uuid4()),
            "daemon": {"version": "0.1.0", "os": "linux", "arch": "x86_64"},
            "client": {"version": rng.choice(VERSIONS)}, "period": {"from": day, "to": day},
            "counts": counts, "health": health}).encode())
    return out


def ingest_direct(url: str, bodies: list[bytes], threads: int) -> float:
    storage = open_storage(url, pool_size=threads)
    batches = [validate(b) for b in bodies]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        assert all(pool.map(storage.insert, batches))
    elapsed = time.perf_counter() - t0
    storage.close()
    return len(bodies) / elapsed


def ingest_http(endpoint: str, bodies: list[bytes], connections: int) -> float:
    host, _, port = endpoint.removeprefix("http://").partition("/")[0].partition(":")
    queue = list(reversed(bodies))
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    async def one() -> None:
        conn = Connection(host, int(port))
        while True:
            with lock:
                if not queue:
                    break
                data = queue.pop()
            status, _, _ = await conn.post("/v1/metrics", data,
                                           {"Content-Type": "application/json"})
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    async def run() -> float:
        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(connections)))
        return time.perf_counter() - t0

    elapsed = asyncio.run(run())
    assert statuses == {202: len(bodies)}, statuses
    return len(bodies) / elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=1_000_000)
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--ingest", type=int, default=2000, help="batches per ingest run")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--pg-url", default=os.environ.get("METRICSD_TEST_PG_URL"))
    args = p.parse_args()
    today = datetime.datetime.now(datetime.UTC).date()
    view = {"from": (today - datetime.timedelta(days=DAYS)).isoformat(),
            "to": (today - datetime.timedelta(days=1)).isoformat()}
    views: list[str] = []
    ingests: list[str] = []
    for kind in args.databases.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="mdr-scale-"))
        pg_name = None
        if kind == "sqlite":
            url = f"sqlite:///{tmp / 'receiver.sqlite3'}"
        else:
            if not args.pg_url:
                raise SystemExit("PostgreSQL: set --pg-url or METRICSD_TEST_PG_URL")
            pg_name, url = pg_database(args.pg_url)
        try:
            t0 = time.perf_counter()
            if kind == "sqlite":
                fill_sqlite(tmp / "receiver.sqlite3", args.batches, today)
            else:
                fill_postgres(url, args.batches, today)
            fill = time.perf_counter() - t0
            print(f"{kind}: {args.batches:,} batches written in {fill:.0f} s", flush=True)
            base = baseline_view(url, view["from"], view["to"])
            proc, base_url = start_receiver(url, args.workers, "--k", "5")
            try:
                # the view serves releases: the days due (all but the last one) are
                # released by the receiver at start
                took = wait_for_releases(base_url, view, DAYS - 1)
                print(f"{kind}: {DAYS - 1} days released in {took:.1f} s", flush=True)
                api, api_kept, api_size = timed_get(base_url + "/api/summary", view,
                                                    args.repeat)
                page, page_kept, page_size = timed_get(base_url + "/", view, args.repeat)
                views.append(f"| {kind} | {args.batches:,} | {api * 1000:,.0f} | "
                             f"{page * 1000:,.0f} | {api_kept * 1000:,.1f} | "
                             f"{page_kept * 1000:,.1f} | {base * 1000:,.0f} | "
                             f"{base / page:,.0f}x |")
                for i, conns in enumerate((1, 16, 64) if args.ingest else ()):
                    direct = ingest_direct(url, ingest_bodies(args.ingest, today, 10 + i),
                                           conns)
                    http = ingest_http(base_url + "/v1/metrics",
                                       ingest_bodies(args.ingest, today, 20 + i), conns)
                    ingests.append(f"| {kind} | {conns} | {http:,.0f} | {direct:,.0f} | "
                                   f"{http / direct:.2f} |")
                    print(ingests[-1], flush=True)
            finally:
                stop(proc)
            print(f"({kind}: JSON {api_size:,} bytes, page {page_size:,} bytes)", flush=True)
        finally:
            if pg_name and args.pg_url:
                pg_drop(args.pg_url, pg_name)
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
    print(f"\n30-day view over stored batches (median of {args.repeat}; receiver "
          f"--workers {args.workers}):\n")
    print("| database | stored batches | /api/summary ms | / ms | kept /api/summary ms | "
          "kept / ms | baseline: GROUP BY over batches, ms | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(views))
    print(f"\nIngest, {args.ingest:,} new day batches per run:\n")
    print("| database | connections | HTTP batches/s | direct batches/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(ingests))


if __name__ == "__main__":
    main()
