"""Before/after figures of the optimisations: the same measurements on several revisions of
``metricsd/`` (extracted with ``git archive`` into a temporary directory), interleaved.

Per revision: in-process core rate (bench/core.py's Session run), the decoder alone, the
keyword classification of the mix's tool-error texts, ``cache_hit_fact``; then the real
daemon: ingest events/s from one client, and RSS with 1,000 connections open after 1,000
events each.  Usage: python bench/versions.py REV [REV ...] [--reps R]
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

from _common import BENCH_DIR, PY, ROOT, header, median, save, table

PROBE = r'''
import json, sys, time, timeit
sys.path.insert(0, sys.argv[1])
from _common import _TOOL_ERRORS
from core import chunks, run_session
try:
    from metricsd.core import facts
    from metricsd.core.wire import Decoder
except ImportError:  # revisions before the core subpackage
    from metricsd import facts
    from metricsd.wire import Decoder
parts = chunks(1_000_000)
def decoder_rate():
    d = Decoder(); t0 = time.perf_counter()
    for p in parts:
        d.feed(p)
        for _ in d.messages(): pass
    return 1_000_000 / (time.perf_counter() - t0)
n = 20000
out = {
    "core events/s": max(1_000_000 / run_session(parts) for _ in range(3)),
    "decoder events/s": max(decoder_rate() for _ in range(3)),
    "tool_error_fact ns": min(timeit.repeat(
        lambda: [facts.tool_error_fact(e) for e in _TOOL_ERRORS], number=n // 7, repeat=3))
        / (n // 7 * len(_TOOL_ERRORS)) * 1e9,
    "cache_hit_fact ns": min(timeit.repeat(lambda: facts.cache_hit_fact(1234, 3766),
                                           number=n, repeat=3)) / n * 1e9,
}
print(json.dumps(out))
'''

DAEMON = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from _common import private_home, rss_kib, run_client, start_metricsd
out = {}
with private_home() as home:
    d = start_metricsd(home)
    try:
        run_client(d, conns=1, events_per_conn=200_000)
        r = run_client(d, conns=1, events_per_conn=2_000_000)[0]
        out["daemon events/s (1 client)"] = r["events"] / r["seconds"]
        run_client(d, conns=1000, events_per_conn=1000)
        out["peak RSS MiB (1,000 conns)"] = rss_kib(d.pid)["VmHWM"] / 1024
    finally:
        d.stop()
print(json.dumps(out))
'''


def extract(rev: str, into: Path) -> Path:
    dest = into / rev
    dest.mkdir()
    archive = subprocess.run(["git", "archive", rev, "metricsd"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run(code: str, src: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "METRICSD_BENCH_SRC": str(src)}
    out = subprocess.run([PY, "-c", code, str(BENCH_DIR)], env=env, cwd=src, check=True,
                         capture_output=True, text=True, timeout=600).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("revs", nargs="+")
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    header(f"versions: {' '.join(a.revs)}, {a.reps} repetitions, interleaved")
    results: dict[str, dict[str, list[float]]] = {r: defaultdict(list) for r in a.revs}
    with tempfile.TemporaryDirectory(prefix="mdv-") as tmp:
        srcs = {rev: extract(rev, Path(tmp)) for rev in a.revs}
        for _ in range(a.reps):
            for rev in a.revs:
                for code in (PROBE, DAEMON):
                    for k, v in run(code, srcs[rev]).items():
                        results[rev][k].append(v)
    keys = list(next(iter(results.values())).keys())
    rows: list[list[Any]] = []
    for k in keys:
        fmt = "{:,.0f}" if "events" in k else "{:.1f}" if "MiB" in k else "{:,.0f}"
        rows.append([k, *(fmt.format(median(results[r][k])) for r in a.revs)])
    print(table(["median", *a.revs], rows))
    print(f"raw: {save('versions', {'revs': a.revs, 'results': results})}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
