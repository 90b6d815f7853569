"""Load on metricsd-receiver: realistic batches from N simulated desktops.

Each simulated desktop uploads one batch per day for ``--days`` days, built by the daemon's
own ``batch_body`` (a client version from a skewed mix, counts drawn like a real agent's
day); uploads follow the daemon's policy (429/5xx/network error: back off, honour
Retry-After, same batch_id; at most 3 failures).  Duplicates are deliberate: a share of
batches is sent twice, as a daemon does when the receiver's reply was lost.

For each database (SQLite, PostgreSQL) and worker count (1, 4) a fresh receiver and a fresh
database are used; the table shows accepted batches per second, request latency (p50, p99)
and that exactly the unique batches were stored.

Usage:
    python bench/receiver_load.py [--desktops 1000] [--days 5] [--concurrency 64]
        [--pg-url postgresql://...] [--workers 1,4] [--databases sqlite,postgresql]
        [--screenshot docs/receiver-dashboard.png]

PostgreSQL: ``--pg-url`` or ``METRICSD_TEST_PG_URL`` names a server where a scratch
database may be created (``. receiver/ci_services.sh`` in a root shell starts one).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import glob
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from metricsd_receiver.query import exact_summary
from metricsd_receiver.storage import open_storage

from metricsd.core.batches import Host, batch_body

RESULTS = Path(__file__).resolve().parent / "results"

#: Client versions and their share of desktops: a release train with a long tail.
VERSIONS = (("1.6.0", 40), ("1.5.2", 25), ("1.5.1", 10), ("1.6.1-rc.1", 6), ("1.4.0", 5),
            ("1.6.0-dev", 3), ("unknown", 3), ("1.3.9", 2), ("1.2.0", 1))
FINISH = (("stop", 62), ("tool_calls", 25), ("length", 5), ("none", 4), ("other", 2),
          ("content_filter", 1), ("insufficient_system_resource", 1))
CACHE = (("90-99", 45), ("50-89", 25), ("100", 8), ("1-49", 12), ("0", 6), ("none", 4))
PROVIDER = (("rate_limit", 40), ("overloaded", 20), ("timeout", 15), ("server", 10),
            ("network", 8), ("auth", 3), ("bad_request", 2), ("canceled", 2))
TOOL = (("exit_nonzero", 45), ("not_found", 20), ("timeout", 10), ("denied", 10),
        ("permission", 5), ("invalid_args", 5), ("other", 5))
DUPLICATE_SHARE = 0.05


def pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def spread(rng: random.Random, n: int, table: tuple[tuple[str, int], ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _ in range(n):
        k = pick(rng, table)
        out[k] = out.get(k, 0) + 1
    return out


def day_batch(rng: random.Random, version: str, day: str) -> dict[str, Any]:
    turns = max(1, int(rng.lognormvariate(3.2, 0.8)))
    calls = turns * rng.randint(2, 4)
    facts: dict[tuple[str, str], int] = {("turns", ""): turns}
    for label, n in spread(rng, turns, FINISH).items():
        facts[("finish_reason", label)] = n
    for label, n in spread(rng, calls, CACHE).items():
        facts[("cache_hit", label)] = n
    for label, n in spread(rng, int(turns * rng.uniform(0, 0.08)), PROVIDER).items():
        facts[("provider_error", label)] = n
    for label, n in spread(rng, int(calls * rng.uniform(0, 0.1)), TOOL).items():
        facts[("tool_error", label)] = n
    facts[("compaction", "")] = int(turns * rng.uniform(0, 0.15))
    facts[("empty_final", "")] = int(turns * rng.uniform(0, 0.03))
    facts[("invalid_events", "")] = 1 if rng.random() < 0.02 else 0
    facts[("unknown_events", "")] = 3 if rng.random() < 0.01 else 0
    facts[("dropped_batches", "")] = 1 if rng.random() < 0.005 else 0
    body = batch_body(batch_id=str(uuid.uuid4()), daemon_version="0.1.0",
                      client_version=version, period_from=day, period_to=day,
                      facts={k: v for k, v in facts.items() if v},
                      host=Host(rng.choice(["linux", "darwin", "darwin"]),
                                rng.choice(["x86_64", "arm64"])))
    # the label mix above is the v1.1 one: upload schema 1, whatever the daemon's current
    body["schema"] = 1
    body["health"].pop("clipped", None)
    return body


def workload(desktops: int, days: int, seed: int = 1) -> list[dict[str, Any]]:
    """Every request in send order: each desktop's daily batches, some sent twice."""
    rng = random.Random(seed)
    today = datetime.datetime.now(datetime.UTC).date()
    sends: list[dict[str, Any]] = []
    for _ in range(desktops):
        version = pick(rng, VERSIONS)
        for d in range(days):
            day = (today - datetime.timedelta(days=days - 1 - d)).isoformat()
            body = day_batch(rng, version, day)
            sends.append(body)
            if rng.random() < DUPLICATE_SHARE:
                sends.append(body)  # a retry after a lost reply: same batch_id
    rng.shuffle(sends)
    return sends


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    fresh: int = 0
    duplicates: int = 0
    gave_up: int = 0


class Connection:
    """A minimal keep-alive HTTP/1.1 client over asyncio streams.

    httpx's async pool costs more CPU per request than the receiver itself at this
    concurrency (on a 2-core machine it, not the receiver, was the bottleneck), so the
    load generator speaks HTTP directly: POST with Content-Length, read the status line,
    the headers and a Content-Length body."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[
            int, dict[str, str], bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
            raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            got = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
            data = await reader.readexactly(int(got.get("content-length", "0")))
        except BaseException:
            self.close()
            raise
        if got.get("connection", "").lower() == "close":
            self.close()
        return status, got, data

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def drive(endpoint: str, sends: list[dict[str, Any]], concurrency: int) -> tuple[
        Result, float]:
    result = Result()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for b in sends:
        queue.put_nowait(b)
    url = urlsplit(endpoint)
    assert url.hostname is not None and url.port is not None

    async def desktop() -> None:
        rng = random.Random()
        conn = Connection(url.hostname or "", url.port or 0)
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                conn.close()
                return
            data = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", "Idempotency-Key": body["batch_id"],
                       "User-Agent": "metricsd/0.1.0"}
            failures = 0
            while True:
                t0 = time.perf_counter()
                reply: dict[str, str] = {}
                try:
                    status, reply, payload = await conn.post(url.path, data, headers)
                    ok: int | None = status
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    ok = None
                result.latencies.append(time.perf_counter() - t0)
                if ok is not None:
                    result.statuses[ok] = result.statuses.get(ok, 0) + 1
                if ok == 202:
                    if json.loads(payload)["duplicate"]:
                        result.duplicates += 1
                    else:
                        result.fresh += 1
                    break
                failures += 1
                if failures >= 3 or (ok is not None and 400 <= ok < 500
                                     and ok not in (408, 429)):
                    result.gave_up += 1
                    break
                wait = float(reply.get("retry-after", "1")) if ok == 429 else \
                    min(60.0, 2.0 ** (failures - 1)) * (1 + rng.random())
                await asyncio.sleep(min(wait, 2.0))  # the real daemon waits in full

    t0 = time.perf_counter()
    await asyncio.gather(*(desktop() for _ in range(concurrency)))
    return result, time.perf_counter() - t0


def start_receiver(database: str, workers: int, *extra: str,
                   env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "metricsd_receiver", "--port", "0", "--database", database,
         "--workers", str(workers), "--retry-after", "1", "--max-inflight", "256",
         # the load generator is one source address: lift the per-source limits
         "--upload-rate", "100000000", "--upload-burst", "100000000",
         "--max-connections-per-source", "10000", "--local-only", *extra],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise SystemExit(f"receiver did not start: {line!r}")
    return proc, line.removeprefix("LISTENING ")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = "mdr_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(admin_url)._replace(path="/" + name))


def pg_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def screenshot(url: str, out: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("--screenshot needs chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                        f"--user-data-dir={profile}", "--virtual-time-budget=10000",
                        f"--screenshot={out}", "--window-size=1280,2900", url],
                       check=True, capture_output=True, timeout=120)
    print(f"screenshot: {out}")


def released_screenshot(database: str, last: str, out: Path) -> None:
    """The dashboard as it is once every day of the run is released: a receiver on the
    same database under libfaketime eight days after the last day (each day's second
    release then includes every report of the run), k = 5."""
    lib = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)
    if lib is None:
        raise SystemExit("--screenshot needs libfaketime (apt-get install faketime)")
    days = (datetime.date.fromisoformat(last) + datetime.timedelta(days=8)
            - datetime.datetime.now(datetime.UTC).date()).days
    proc, url = start_receiver(database, 1, "--k", "5",
                               env={"LD_PRELOAD": lib, "FAKETIME": f"{days:+d}d"})
    try:
        for _ in range(600):
            data = httpx.get(url + "/api/summary", timeout=60).json()
            if data["cells"]:
                break
            time.sleep(0.2)
        screenshot(url + "/", out)
    finally:
        stop(proc)


def run_one(kind: str, workers: int, args: argparse.Namespace, sends: list[dict[str, Any]],
            unique: int, turns: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="mdr-bench-"))
    pg_name = None
    try:
        if kind == "sqlite":
            database = f"sqlite:///{tmp / 'receiver.sqlite3'}"
        else:
            pg_name, database = pg_database(args.pg_url)
        proc, url = start_receiver(database, workers, "--k", "1")
        try:
            result, elapsed = asyncio.run(drive(url + "/v1/metrics", sends, args.concurrency))
            first, last = sends[0]["period"]["to"], sends[0]["period"]["to"]
            for b in sends:
                first, last = min(first, b["period"]["from"]), max(last, b["period"]["to"])
            # the exact stored sums (the dashboard shows noisy releases only)
            storage = open_storage(database)
            try:
                summary = exact_summary(storage, day_from=first, day_to=last, version=None,
                                        k=1)
            finally:
                storage.close()
            stored_ok = (summary["total"]["batches"] == unique
                         and summary["total"]["turns"] == turns and result.fresh == unique)
        finally:
            stop(proc)
        if args.screenshot and kind == "sqlite" and workers == 1:
            released_screenshot(database, last, Path(args.screenshot))
    finally:
        if pg_name is not None:
            pg_drop(args.pg_url, pg_name)
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "database": kind, "workers": workers, "requests": len(result.latencies),
        "batches_per_s": result.fresh / elapsed, "requests_per_s": len(result.latencies) / elapsed,
        "p50_ms": 1000 * percentile(result.latencies, 50),
        "p99_ms": 1000 * percentile(result.latencies, 99),
        "mean_ms": 1000 * statistics.fmean(result.latencies),
        "statuses": result.statuses, "duplicates": result.duplicates, "gave_up": result.gave_up,
        "stored_exactly_once": stored_ok, "seconds": elapsed,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--desktops", type=int, default=1000)
    p.add_argument("--days", type=int, default=5)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--workers", default="1,4")
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--pg-url", default=os.environ.get("METRICSD_TEST_PG_URL"))
    p.add_argument("--screenshot", metavar="PNG",
                   help="also save a Chromium screenshot of the dashboard (SQLite, 1 worker)")
    args = p.parse_args()
    kinds = args.databases.split(",")
    if "postgresql" in kinds and not args.pg_url:
        print("no --pg-url / METRICSD_TEST_PG_URL: PostgreSQL skipped", file=sys.stderr)
        kinds.remove("postgresql")
    sends = workload(args.desktops, args.days)
    unique_bodies = {b["batch_id"]: b for b in sends}
    unique = len(unique_bodies)
    turns = sum(b["counts"]["turns"] for b in unique_bodies.values())
    print(f"# {args.desktops} desktops x {args.days} days = {unique} batches, "
          f"{len(sends) - unique} sent twice; {args.concurrency} concurrent uploads; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load generator on the same machine, load average "
          f"{os.getloadavg()[0]:.2f} at start")
    rows = []
    for kind in kinds:
        for workers in (int(w) for w in args.workers.split(",")):
            rows.append(run_one(kind, workers, args, sends, unique, turns))
            r = rows[-1]
            print(f"  {kind} x{workers}: {r['batches_per_s']:.0f} batches/s", file=sys.stderr)
    print()
    print("| database | workers | batches/s | requests/s | p50 ms | p99 ms | 202 dup | "
          "429 | stored once |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['database']} | {r['workers']} | {r['batches_per_s']:,.0f} | "
              f"{r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
              f"{r['duplicates']} | {r['statuses'].get(429, 0)} | "
              f"{'yes' if r['stored_exactly_once'] else 'NO'} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "receiver_load.json"
    out.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))
    print(f"\nraw numbers: {out}")
    return 0 if all(r["stored_exactly_once"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
