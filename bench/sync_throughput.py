"""One connection's throughput with a ``sync`` every 100 events, beside bulk.

A client streams N events on one connection as fast as the daemon reads them, either in
bulk (one ``sync`` at the end) or with a ``sync`` every 100 events (it does not wait for
the acks: a reader thread takes them as they come, as the client libraries do).  The time
is from the first byte to the last ack, and throughput is N / time.  A daemon that stops
reading a connection while the commit a ``sync`` waits for runs makes the second case a
fraction of the first; one that keeps reading keeps it close.

    python bench/sync_throughput.py [--events N] [--runs R]

``METRICSD_BENCH_SRC=<tree>`` runs another source tree's daemon (the same client here).
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

import msgpack
from _common import SRC, header, load_average, median, private_home, save, start_metricsd, table

EVENTS = (
    msgpack.packb({"type": "compaction"}),
    msgpack.packb({"type": "usage", "cache_hit_tokens": 900, "cache_miss_tokens": 100}),
    msgpack.packb({"type": "tool_result", "error": "command timed out"}),
    msgpack.packb({"type": "tool_result", "error": None}),
)


def payload(n: int, every: int | None) -> tuple[bytes, int]:
    """``n`` events (the mix above), a ``sync`` after every ``every`` of them (None: only
    at the end); the bytes and the id of the last sync."""
    parts = []
    sync_id = 0
    for i in range(n):
        parts.append(EVENTS[i % len(EVENTS)])
        if every is not None and (i + 1) % every == 0 and i + 1 < n:
            sync_id += 1
            parts.append(msgpack.packb({"type": "sync", "id": sync_id}))
    sync_id += 1
    parts.append(msgpack.packb({"type": "sync", "id": sync_id}))
    return b"".join(parts), sync_id


def run_once(path: Path, data: bytes, last: int) -> float:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(path))
    done = threading.Event()

    def read() -> None:
        unpacker = msgpack.Unpacker(raw=False)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return
            unpacker.feed(chunk)
            for reply in unpacker:
                if reply.get("type") == "ack" and reply.get("id") == last:
                    done.set()
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    t0 = time.perf_counter()
    sock.sendall(data)
    if not done.wait(300):
        raise RuntimeError("no last ack")
    seconds = time.perf_counter() - t0
    sock.close()
    reader.join(10)
    return seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    header(f"one connection, {a.events} events: bulk vs a sync every 100 (daemon: {SRC})")
    cases = {"bulk (one sync at the end)": payload(a.events, None),
             "a sync every 100 events": payload(a.events, 100)}
    times: dict[str, list[float]] = {name: [] for name in cases}
    with private_home() as home:
        d = start_metricsd(home)
        try:
            run_once(d.socket, *payload(2000, 100))  # warm-up
            load = load_average()
            for _ in range(a.runs):  # interleaved
                for name, (data, last) in cases.items():
                    times[name].append(run_once(d.socket, data, last))
        finally:
            d.stop()
    bulk = a.events / median(times["bulk (one sync at the end)"])
    rows = []
    for name, xs in times.items():
        rate = a.events / median(xs)
        rows.append([name, f"{rate:,.0f}", f"{rate / bulk:.2f}x"])
    print(table(["case", "events/s (median)", "of bulk"], rows))
    print(f"load average before the runs: {load:.2f}")
    print(f"raw: {save('sync_throughput', {'events': a.events, 'times': times})}")


if __name__ == "__main__":
    main()
