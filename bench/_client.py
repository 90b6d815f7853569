"""Load generator, run as its own process by the benchmark scripts.

Opens ``--conns`` connections to a Unix socket, then for each of ``--rounds`` rounds writes
``--events`` pre-encoded events on every connection at once (many messages per ``send``),
and waits until the server has them all:

* metricsd and the baseline: a ``sync`` after the events, done at its ``ack`` (for metricsd
  that means applied *and committed* to SQLite);
* statsd (``--statsd-mgmt PORT``): statsd lines, done when its management port reports that
  many more ``statsd.metrics_received``.

Prints one JSON line per round: ``{"round", "events", "seconds"}``.  With ``--step`` it then
waits for a line on stdin before the next round (so the driver can sample memory).
"""

from __future__ import annotations

import argparse
import json
import re
import selectors
import socket
import sys
import time

import msgpack
from _common import CYCLE_EVENTS, HELLO, cycle_bytes, statsd_cycle_bytes

SEND_CHUNK = 256 * 1024
_RECEIVED = re.compile(rb"'statsd\.metrics_received': (\d+)")


def payload(events: int, statsd: bool) -> bytes:
    cycles, rest = divmod(events, CYCLE_EVENTS)
    assert rest == 0, f"--events must be a multiple of {CYCLE_EVENTS}"
    return (statsd_cycle_bytes() if statsd else cycle_bytes()) * cycles


class Mgmt:
    """statsd's management console (text over TCP)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))

    def received(self) -> int:
        self.sock.sendall(b"counters\n")
        buf = b""
        while b"END\n\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("statsd closed the management connection")
            buf += chunk
        m = _RECEIVED.search(buf)
        return int(m.group(1)) if m else 0


def run_round(socks: list[socket.socket], data: bytes, sync_id: int | None) -> None:
    """Write ``data`` (+ a sync) on every socket concurrently; with a sync, wait for the acks."""
    tail = msgpack.packb({"type": "sync", "id": sync_id}) if sync_id is not None else b""
    sel = selectors.DefaultSelector()
    full = memoryview(data + tail)
    views = {s.fileno(): full for s in socks}
    waiting: dict[int, msgpack.Unpacker] = {}
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE)
    pending = len(socks)
    while pending:
        for key, mask in sel.select():
            conn = key.fileobj
            assert isinstance(conn, socket.socket)
            fd = conn.fileno()
            if mask & selectors.EVENT_WRITE:
                view = views[fd]
                try:
                    n = conn.send(view[:SEND_CHUNK])
                except BlockingIOError:
                    continue
                view = views[fd] = view[n:]
                if not view:
                    if sync_id is None:
                        sel.unregister(conn)
                        pending -= 1
                    else:
                        waiting[fd] = msgpack.Unpacker(raw=False)
                        sel.modify(conn, selectors.EVENT_READ)
            else:
                chunk = conn.recv(65536)
                if not chunk:
                    raise RuntimeError("the server closed a connection")
                unpacker = waiting[fd]
                unpacker.feed(chunk)
                for reply in unpacker:
                    if reply.get("type") != "ack" or reply.get("id") != sync_id:
                        raise RuntimeError(f"unexpected reply {reply!r}")
                    sel.unregister(conn)
                    pending -= 1
    sel.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--events", type=int, required=True, help="events per connection per round")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--statsd-mgmt", type=int)
    p.add_argument("--step", action="store_true")
    a = p.parse_args()
    statsd = a.statsd_mgmt is not None
    data = payload(a.events, statsd)
    mgmt = Mgmt(a.statsd_mgmt) if statsd else None
    socks = []
    for _ in range(a.conns):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(a.socket)
        if not statsd:
            s.sendall(HELLO)
        s.setblocking(False)
        socks.append(s)
    total = a.events * a.conns
    for r in range(1, a.rounds + 1):
        before = mgmt.received() if mgmt else 0
        t0 = time.perf_counter()
        run_round(socks, data, None if statsd else r)
        if mgmt is not None:
            # Poll statsd's own count until every line is in (polling with a deadline).
            deadline = time.monotonic() + 600
            while mgmt.received() - before < total:
                if time.monotonic() > deadline:
                    raise RuntimeError("statsd did not report every line")
                time.sleep(0.002)
        elapsed = time.perf_counter() - t0
        print(json.dumps({"round": r, "events": total, "seconds": elapsed}), flush=True)
        if a.step and r < a.rounds:
            sys.stdin.readline()
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
