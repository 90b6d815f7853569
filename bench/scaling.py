"""Cost growth and memory.

1. Growth: ingest rate and peak RSS at 1, 10, 100 and 1000 concurrent clients (the same
   total number of events split between them), metricsd against the baseline, each on a
   fresh process, interleaved.
2. Memory: 10 million events over 1,000 connections into one metricsd, in 10 rounds of 1
   million (1,000 events on each connection, then a ``sync`` on each), RSS after each round.

Usage: python bench/scaling.py [--events N] [--memory-events N] [--skip-growth|--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from typing import Any

from _common import (
    CLIENT,
    CYCLE_EVENTS,
    PY,
    Subject,
    bench_env,
    header,
    load_average,
    private_home,
    rss_kib,
    run_client,
    save,
    start_baseline,
    start_metricsd,
    table,
)

CLIENTS = (1, 10, 100, 1000)


def one(start: Any, conns: int, events: int) -> tuple[float, int, int]:
    """-> (events/s, peak RSS KiB, RSS at start KiB) of a fresh server."""
    with private_home() as home:
        s: Subject = start(home)
        try:
            idle = rss_kib(s.pid)["VmRSS"]
            per_conn = max(CYCLE_EVENTS, events // conns // CYCLE_EVENTS * CYCLE_EVENTS)
            r = run_client(s, conns=conns, events_per_conn=per_conn)[0]
            return r["events"] / r["seconds"], rss_kib(s.pid)["VmHWM"], idle
        finally:
            s.stop()


def growth(events: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for conns in CLIENTS:
        load = load_average()
        b = one(start_baseline, conns, events)
        m = one(start_metricsd, conns, events)
        out.append({"clients": conns, "load": load, "baseline": b, "metricsd": m})
    rows = [[r["clients"], f"{r['metricsd'][0]:,.0f}", f"{r['baseline'][0]:,.0f}",
             f"{100 * r['metricsd'][0] / r['baseline'][0]:.0f}%",
             f"{r['metricsd'][1] / 1024:.1f}", f"{r['baseline'][1] / 1024:.1f}"]
            for r in out]
    print(table(["clients", "metricsd events/s", "baseline events/s", "of baseline",
                 "metricsd peak RSS MiB", "baseline peak RSS MiB"], rows))
    return out


def memory(events: int, conns: int = 1000, rounds: int = 10) -> list[dict[str, Any]]:
    per_conn = events // conns // rounds
    series = []
    with private_home() as home:
        d = start_metricsd(home)
        try:
            series.append({"round": 0, "events": 0, **rss_kib(d.pid)})
            gen = subprocess.Popen(
                [PY, str(CLIENT), "--socket", str(d.socket), "--conns", str(conns),
                 "--events", str(per_conn), "--rounds", str(rounds), "--step"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=bench_env(), text=True)
            assert gen.stdin is not None and gen.stdout is not None
            total = 0
            for line in gen.stdout:  # one line per round; the generator waits for our go
                r = json.loads(line)
                total += r["events"]
                series.append({"round": r["round"], "events": total,
                               "rate": r["events"] / r["seconds"], **rss_kib(d.pid)})
                if r["round"] < rounds:
                    gen.stdin.write("go\n")
                    gen.stdin.flush()
            if gen.wait(60) != 0:
                raise RuntimeError("load generator failed")
        finally:
            d.stop()
    rows = [[s["round"], f"{s['events']:,}", f"{s.get('rate', 0):,.0f}" if s["round"] else "-",
             f"{s['VmRSS'] / 1024:.1f}", f"{s['VmHWM'] / 1024:.1f}"] for s in series]
    print(table(["round", "events so far", "events/s", "RSS MiB", "peak RSS MiB"], rows))
    return series


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=2_000_000, help="events per growth run")
    p.add_argument("--memory-events", type=int, default=10_000_000)
    p.add_argument("--skip-growth", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    a = p.parse_args()
    header("cost growth and memory")
    data: dict[str, Any] = {}
    if not a.skip_growth:
        print(f"\n## growth: {a.events:,} events per run, split between the clients")
        data["growth"] = growth(a.events)
    if not a.skip_memory:
        print(f"\n## memory: {a.memory_events:,} events over 1,000 connections, 10 rounds")
        data["memory"] = memory(a.memory_events)
    print(f"load average at the end: {load_average():.2f}")
    print(f"raw: {save('scaling', data)}")


if __name__ == "__main__":
    main()
