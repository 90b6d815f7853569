"""sync -> ack latency (p50/p99), on an idle daemon and under ingest load.

Probes, on one connection, each a round trip timed in this process:

* ``ping`` -> ``pong``: the baseline (socket and event loop only, no commit);
* ``sync`` -> ``ack`` with nothing new to commit;
* ``turn`` + ``sync`` -> ``ack``: the ``turn``'s counts are committed to SQLite (WAL,
  synchronous=FULL, so one fsync) before the ``ack``.

"Under load": the same probes while bench/_client.py streams the ingest mix on 4 other
connections.  Usage: python bench/sync_latency.py [--n N]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import time
from pathlib import Path

import msgpack
from _common import (
    CLIENT,
    PY,
    bench_env,
    header,
    load_average,
    median,
    percentile,
    private_home,
    save,
    start_metricsd,
    table,
)


class Probe:
    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.unpacker = msgpack.Unpacker(raw=False)
        self.ids = 0

    def round_trip(self, prefix: bytes, kind: str) -> float:
        self.ids += 1
        msg = {"type": kind, "id": self.ids} if kind == "sync" else {"type": kind}
        data = prefix + msgpack.packb(msg)
        want = "ack" if kind == "sync" else "pong"
        t0 = time.perf_counter()
        self.sock.sendall(data)
        while True:
            for reply in self.unpacker:
                if reply.get("type") != want:
                    raise RuntimeError(f"unexpected reply {reply!r}")
                return time.perf_counter() - t0
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("daemon closed the connection")
            self.unpacker.feed(chunk)


TURN = msgpack.packb({"type": "turn", "finish_reason": "stop", "empty_final": False})
PROBES = (("ping -> pong (baseline)", b"", "ping"),
          ("sync -> ack, nothing to commit", b"", "sync"),
          ("turn + sync -> ack (SQLite commit)", TURN, "sync"))


def measure(probe: Probe, n: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name, _, _ in PROBES}
    for _ in range(n):  # interleaved
        for name, prefix, kind in PROBES:
            out[name].append(probe.round_trip(prefix, kind))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=2000, help="round trips per probe and condition")
    a = p.parse_args()
    header(f"sync latency: {a.n} round trips per probe")
    results: dict[str, dict[str, list[float]]] = {}
    with private_home() as home:
        d = start_metricsd(home)
        try:
            probe = Probe(d.socket)
            measure(probe, 50)  # warm-up
            load_idle = load_average()
            results["idle"] = measure(probe, a.n)
            loader = subprocess.Popen(
                [PY, str(CLIENT), "--socket", str(d.socket), "--conns", "4",
                 "--events", "100000", "--rounds", "1000000"],
                stdout=subprocess.PIPE, env=bench_env())
            try:
                assert loader.stdout is not None
                loader.stdout.readline()  # the load is flowing: one round done
                results["under load (4 clients streaming)"] = measure(probe, a.n // 4)
            finally:
                loader.terminate()
                loader.wait(30)
        finally:
            d.stop()
    rows = []
    for cond, probes in results.items():
        for name, xs in probes.items():
            rows.append([cond, name, len(xs), f"{1e3 * median(xs):.3f}",
                         f"{1e3 * percentile(xs, 99):.3f}", f"{1e3 * max(xs):.3f}"])
    print(table(["condition", "probe", "n", "p50 ms", "p99 ms", "max ms"], rows))
    print(f"load average at the idle runs: {load_idle:.2f}")
    print(f"raw: {save('sync_latency', {'results': results})}")


if __name__ == "__main__":
    main()
