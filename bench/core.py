"""In-process throughput of the sans-IO core (wire.Decoder -> protocol.Session -> Tally),
without sockets: the ingest mix cut into 64 KiB reads, as the daemon receives it.

Baseline in the same run: the same bytes through a bare ``msgpack.Unpacker`` that counts a
dict key.  Usage: python bench/core.py [--events N] [--reps R]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import msgpack
from _common import CYCLE_EVENTS, HELLO, cycle_bytes, median, spread, table

from metricsd.core.counts import Tally
from metricsd.core.protocol import Gate, Session

READ = 64 * 1024


def chunks(events: int) -> list[bytes]:
    data = HELLO + cycle_bytes() * (events // CYCLE_EVENTS)
    return [data[i:i + READ] for i in range(0, len(data), READ)]


def run_session(parts: list[bytes]) -> float:
    session = Session(Tally(), Gate.open())
    t0 = time.perf_counter()
    for part in parts:
        session.receive(part)
    return time.perf_counter() - t0


def run_baseline(parts: list[bytes]) -> float:
    unpacker = msgpack.Unpacker(raw=False)
    counts: Counter[object] = Counter()
    t0 = time.perf_counter()
    for part in parts:
        unpacker.feed(part)
        for msg in unpacker:
            counts[msg.get("type")] += 1
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--reps", type=int, default=7)
    a = p.parse_args()
    parts = chunks(a.events)
    base: list[float] = []
    core: list[float] = []
    for _ in range(a.reps):  # interleaved
        base.append(a.events / run_baseline(parts))
        core.append(a.events / run_session(parts))
    rows = [["baseline: Unpacker + dict key", f"{median(base):,.0f}", spread(base), "100%"],
            ["Session.receive (core)", f"{median(core):,.0f}", spread(core),
             f"{100 * median(core) / median(base):.0f}%"]]
    print(table(["in-process, ingest mix", "events/s (median)", "spread", "vs baseline"], rows))


if __name__ == "__main__":
    main()
