"""Ingest throughput: events/s through the socket into the real daemon, from a separate
client process, against the baseline and the statsd peer, all in one invocation.

* metricsd: ``python -m metricsd run`` (opted in), the ingest mix of bench/_common.py (a
  ``turn`` every 10 events, tool and provider errors), timed from the first byte until the
  ``ack`` of a final ``sync`` — so every event is classified, counted and committed.
* baseline: bench/baseline_server.py, a trio loop that only feeds a ``msgpack.Unpacker``
  and counts a dict key, same bytes, same ``sync``/``ack`` timing.
* statsd: the Etsy statsd daemon (``npm ci`` in bench/statsd), TCP server on a Unix socket,
  fed one counter line per event, timed until its management port reports them all.

Runs are interleaved (baseline, metricsd, statsd, for 1 and for 32 clients) and repeated;
the table shows medians.  Usage: python bench/ingest.py [--events N] [--reps R]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from _common import (
    CYCLE_EVENTS,
    Subject,
    header,
    load_average,
    median,
    private_home,
    run_client,
    save,
    spread,
    start_baseline,
    start_metricsd,
    start_statsd,
    table,
)

CLIENTS = (1, 32)


def rate(subject: Subject, conns: int, events: int, statsd_port: int | None = None) -> float:
    per_conn = max(CYCLE_EVENTS, events // conns // CYCLE_EVENTS * CYCLE_EVENTS)
    r = run_client(subject, conns=conns, events_per_conn=per_conn, statsd_port=statsd_port)[0]
    return float(r["events"] / r["seconds"])


def count_fsyncs(subject: Subject, conns: int, events: int) -> int | None:
    """One extra, untimed run under strace: fsync/fdatasync calls of the daemon, i.e. about
    one per SQLite commit (WAL, synchronous=FULL).  None without strace."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    out = subject.socket.parent / "strace.txt"
    tracer = subprocess.Popen([strace, "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(out),
                               "-p", str(subject.pid)], stderr=subprocess.DEVNULL)
    try:
        wait_traced(subject.pid)
        rate(subject, conns, events)
    finally:
        tracer.send_signal(2)
        tracer.wait(30)
    total = 0
    for line in out.read_text().splitlines():
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)$", line)
        if m:
            total += int(m.group(1))
    return total


def wait_traced(pid: int) -> None:
    """Poll (with a deadline) until a tracer is attached to the process."""
    deadline = time.monotonic() + 10
    status = Path(f"/proc/{pid}/status")
    while time.monotonic() < deadline:
        for line in status.read_text().splitlines():
            if line.startswith("TracerPid:") and line.split()[1] != "0":
                return
        time.sleep(0.01)
    raise RuntimeError("strace did not attach")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=2_000_000, help="events per run (all clients)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--no-statsd", action="store_true")
    a = p.parse_args()
    header(f"ingest: {a.events:,} events per run, {a.reps} repetitions, interleaved")
    results: dict[tuple[str, int], list[float]] = defaultdict(list)
    loads: list[float] = []
    fsyncs: dict[int, int | None] = {}
    with private_home() as home:
        subjects = [start_baseline(home), start_metricsd(home)]
        statsd: Subject | None = None
        port: int | None = None
        if not a.no_statsd:
            statsd, port = start_statsd(home)
        try:
            # Warm-up: one short run each (imports, first SQLite pages, JIT for node).
            for s in subjects:
                rate(s, 1, a.events // 10)
            if statsd is not None:
                rate(statsd, 1, a.events // 10, port)
            for _ in range(a.reps):
                for conns in CLIENTS:
                    loads.append(load_average())
                    for s in subjects:
                        results[(s.name, conns)].append(rate(s, conns, a.events))
                    if statsd is not None:
                        results[("statsd", conns)].append(rate(statsd, conns, a.events, port))
            for conns in CLIENTS:
                fsyncs[conns] = count_fsyncs(subjects[1], conns, a.events)
        finally:
            for s in subjects:
                s.stop()
            if statsd is not None:
                statsd.stop()
    rows = []
    for conns in CLIENTS:
        for name in ("baseline", "metricsd", "statsd"):
            xs = results.get((name, conns))
            if not xs:
                continue
            m = median(xs)
            vs_peer = ""
            if name == "metricsd" and ("statsd", conns) in results:
                # Median of the ratios of runs made next to each other (less noise).
                paired = [m_ / s_ for m_, s_ in zip(xs, results[("statsd", conns)],
                                                    strict=True)]
                vs_peer = f"{median(paired):.2f} ({min(paired):.2f}..{max(paired):.2f})"
            of_base = median([x / b for x, b in zip(xs, results[("baseline", conns)],
                                                    strict=True)])
            rows.append([name, conns, f"{m:,.0f}", spread(xs), f"{100 * of_base:.0f}%",
                         vs_peer])
    print(table(["subject", "clients", "events/s (median)", "spread", "of baseline, paired",
                 "metricsd ÷ statsd, paired runs"], rows))
    turns = a.events // 10
    for conns, n in fsyncs.items():
        if n is not None:
            print(f"{conns} client(s): {turns:,} turns -> {n:,} fsync/fdatasync calls "
                  f"(≈ SQLite commits; commits coalesce while one is running)")
    print(f"load average during the runs: {min(loads):.2f} .. {max(loads):.2f}")
    path = save("ingest", {"events": a.events, "reps": a.reps,
                           "runs": {f"{n}/{c}": xs for (n, c), xs in results.items()},
                           "fsyncs": fsyncs, "load": loads})
    print(f"raw: {path}")


if __name__ == "__main__":
    main()
