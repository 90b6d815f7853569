"""What a turn's commit costs against what the database already holds.

The store of each case is filled first (with SQL, quickly) and synced to disk
(``os.sync``, so that the fill's write-back does not land in the timed commits); then the
same small commit — one turn's facts of one client version, as the daemon writes after a
``turn`` — is timed many times through ``Store.commit``.  The first commit of a process,
which reads the set of client versions once, is timed apart, and 20 untimed commits warm
up.  The CPU time of a commit (its thread's) is the figure that shows what it scans; the
wall time adds the disk's flush, the same for every case and noisy on a shared machine.
Cases: an empty store (the baseline, measured in the same run), a year of stored release
counts that were never sent (no endpoint), a year of pending batches (sealed by an older
daemon), a year of dev-build counts (never sealed), and all three at once.  Each case runs
in its own process, against the ``metricsd/`` of each revision given (``git archive``;
default: the working tree), interleaved.

Usage: python bench/commit_history.py [--rev REV ...] [--commits N] [--reps R]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import PY, ROOT, header, median, save, table

CASES = ("empty", "year stored", "year pending", "year dev-build", "all three")

PROBE = r'''
import datetime, json, os, sys, tempfile, time, uuid
from pathlib import Path
from metricsd import __version__
from metricsd.core.facts import COUNTERS
from metricsd.store import Store

case, commits = sys.argv[1], int(sys.argv[2])
FACTS = [(c, l) for c, labels in COUNTERS.items() for l in (labels[:4] or ("",))]
VERSIONS = ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]
today = datetime.date(2026, 12, 7)
days = [(today - datetime.timedelta(days=k)).isoformat() for k in range(1, 366)]

def fill(db, stored, pending, dev):
    db.execute("BEGIN")
    for day in days:
        for v in VERSIONS:
            rows = [(c, l, 3) for c, l in FACTS]
            if stored:
                db.executemany("INSERT INTO counts VALUES (0, ?, ?, ?, ?, ?, ?)",
                               [(__version__, v, day, c, l, n) for c, l, n in rows])
            if dev:
                db.executemany("INSERT INTO counts VALUES (1, ?, ?, ?, ?, ?, ?)",
                               [(__version__, v, day, c, l, n) for c, l, n in rows])
            if pending:
                bid = str(uuid.uuid4())
                db.execute("INSERT INTO outbox (batch_id, created, daemon_version, "
                           "client_version, period_from, period_to, schema) VALUES "
                           "(?, 0, ?, ?, ?, ?, 2)", (bid, __version__, v, day, day))
                db.executemany("INSERT INTO outbox_counts VALUES (?, ?, ?, ?)",
                               [(bid, c, l, n) for c, l, n in rows])
    db.execute("COMMIT")

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "metrics.sqlite3"
    store = Store.open(path)
    fill(store._db, case in ("year stored", "all three"), case in ("year pending", "all three"),
         case in ("year dev-build", "all three"))
    store.close()
    os.sync()  # the fill's pages reach the disk now, not during the timed commits
    store = Store.open(path)
    turn = {("turns", ""): 1, ("finish_reason", "stop"): 1, ("cache_hit", "90-94"): 1}
    groups = {(False, "2.0.1"): turn}
    t0 = time.perf_counter()
    store.commit(groups, daemon_version=__version__, day=today.isoformat())
    first = time.perf_counter() - t0
    for _ in range(20):  # warm-up
        store.commit(groups, daemon_version=__version__, day=today.isoformat())
    times, cpu = [], []
    for _ in range(commits):
        t0, c0 = time.perf_counter(), time.thread_time()
        store.commit(groups, daemon_version=__version__, day=today.isoformat())
        cpu.append(time.thread_time() - c0)
        times.append(time.perf_counter() - t0)
    store.close()
    times.sort()
    cpu.sort()
    print(json.dumps({"first ms": first * 1e3, "median ms": times[len(times) // 2] * 1e3,
                      "p90 ms": times[int(len(times) * 0.9)] * 1e3,
                      "cpu median ms": cpu[len(cpu) // 2] * 1e3}))
'''


def extract(rev: str, into: Path) -> Path:
    dest = into / rev.replace("/", "_")
    dest.mkdir()
    archive = subprocess.run(["git", "archive", rev, "metricsd"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def probe(src: Path, case: str, commits: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([PY, "-c", PROBE, case, str(commits)], env=env, cwd=src, check=True,
                         capture_output=True, text=True, timeout=900).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rev", action="append", default=[],
                   help="a revision to measure as well (the working tree always is)")
    p.add_argument("--commits", type=int, default=300)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    revs = ["working tree", *a.rev]
    header(f"commit_history: {a.commits} commits per case, {a.reps} repetitions, "
           f"revisions: {', '.join(revs)}")
    results: dict[str, dict[str, list[dict[str, float]]]] = {
        r: defaultdict(list) for r in revs}
    with tempfile.TemporaryDirectory(prefix="mdc-") as tmp:
        srcs = {"working tree": ROOT, **{r: extract(r, Path(tmp)) for r in a.rev}}
        for _ in range(a.reps):
            for case in CASES:
                for rev in revs:
                    results[rev][case].append(probe(srcs[rev], case, a.commits))
    for rev in revs:
        def med(case: str, key: str) -> float:
            return median([r[key] for r in results[rev][case]])  # noqa: B023

        rows: list[list[Any]] = []
        for case in CASES:
            rows.append([case, f"{med(case, 'cpu median ms'):.3f}",
                         f"{med(case, 'cpu median ms') / med('empty', 'cpu median ms'):.2f}x",
                         f"{med(case, 'median ms'):.3f}",
                         f"{med(case, 'median ms') / med('empty', 'median ms'):.2f}x",
                         f"{med(case, 'p90 ms'):.3f}", f"{med(case, 'first ms'):.1f}"])
        print(f"\n{rev}")
        print(table(["store holds", "CPU ms", "vs empty", "wall ms", "vs empty",
                     "wall p90 ms", "first commit ms"], rows))
    print(f"raw: {save('commit_history', {'revs': revs, 'results': results})}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
