"""Peak memory of a real daemon under exhaustion, for docs/RELIABILITY.md.

Not a test: nothing is asserted; the figures are printed (and written as JSON under
bench/results/).  Each scenario runs on a fresh daemon, so its VmHWM (peak RSS, from
/proc, Linux only) belongs to that scenario alone:

* idle            the daemon after start, one ping;
* 500 clients     500 connections open at once, each 3 rounds of 100 events + sync;
* 1000 idle       1000 connections held open (the default cap), 10 more admitted by
                  closing the 10 longest-idle ones;
* 200k versions   200,000 distinct client versions in `hello`s, metrics off;
* 500 partial     500 connections each holding a 63 KiB message that never completes
                  (the worst case of the per-connection buffer bound);
* 20 flooders     20 connections writing pings as fast as they can, never reading.

    python bench/reliability_memory.py
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgpack

ROOT = Path(__file__).resolve().parents[1]
EVENTS = b"".join(msgpack.packb(m) for m in (
    {"type": "usage", "cache_hit_tokens": 95, "cache_miss_tokens": 5},
    {"type": "tool_result", "error": "exit status 1"},
    {"type": "provider_error", "message": "status 429", "status": 429},
    {"type": "turn", "finish_reason": "stop", "empty_final": False},
)) * 25  # 100 events


class Subject:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mdrel-", dir="/tmp"))
        os.chmod(self.root, 0o700)
        self.sock = self.root / "run" / "m.sock"
        cfg = self.root / "config.toml"
        cfg.write_text("[desktop]\nmetrics = true\n")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "metricsd", "run", "--socket", str(self.sock),
             "--state-dir", str(self.root / "state"), "--config", str(cfg),
             "--dev-marker", str(self.root / "DEV")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            text=True, cwd=ROOT, env={**os.environ, **(env or {})})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line == f"READY {self.sock}", line

    def connect(self) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(self.sock))
        s.settimeout(60)
        return s

    def peak_rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return -1

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        shutil.rmtree(self.root, ignore_errors=True)


def ping(s: socket.socket) -> None:
    s.sendall(msgpack.packb({"type": "ping"}))
    assert s.recv(65536)


def idle(d: Subject) -> str:
    with d.connect() as s:
        ping(s)
    return "one ping"


def many_clients(d: Subject, n: int = 500, rounds: int = 3) -> str:
    socks = [d.connect() for _ in range(n)]
    for r in range(rounds):
        for s in socks:
            s.sendall(EVENTS + msgpack.packb({"type": "sync", "id": r}))
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        pending = n
        while pending:
            for key, _ in sel.select(60):
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                assert data
                sel.unregister(key.fileobj)
                pending -= 1
        sel.close()
    for s in socks:
        s.close()
    return f"{n} clients x {rounds} rounds x 100 events, all acknowledged"


def idle_at_cap(d: Subject, n: int = 1000) -> str:
    socks = [d.connect() for _ in range(n)]
    for s in socks[-5:]:
        ping(s)
    served = 0
    for _ in range(10):
        with d.connect() as s:
            try:
                s.sendall(msgpack.packb({"type": "ping"}))
                served += bool(s.recv(65536))
            except OSError:
                pass
    for s in socks:
        s.close()
    return f"{n} idle connections held, {served} of 10 more served (longest-idle closed)"


def many_versions(d: Subject, n: int = 200_000) -> str:
    with d.connect() as s:
        for start in range(0, n, 20_000):
            s.sendall(b"".join(msgpack.packb({"type": "hello", "proto": 1,
                                              "client_version": f"{i // 10000}.{i % 10000}.1"})
                               for i in range(start, start + 20_000)))
        ping(s)
    return f"{n:,} distinct client versions, metrics off (16 kept, the rest 'unknown')"


def partial_messages(d: Subject, n: int = 500) -> str:
    big = msgpack.packb({"type": "tool_result", "error": "x" * 15000,
                         "pad": ["y" * 15000] * 4})
    part = big[:63 * 1024]
    socks = [d.connect() for _ in range(n)]
    for s in socks:
        s.sendall(part)
    with d.connect() as s:  # everything was read by the time a new client is served
        ping(s)
    for s in socks:
        s.close()
    return f"{n} connections each holding {len(part)} bytes of an incomplete message"


def flooders(d: Subject, n: int = 20) -> str:
    flood = msgpack.packb({"type": "ping"}) * 100_000
    dropped = []

    def run() -> None:
        with d.connect() as s:
            try:
                for _ in range(100):
                    s.sendall(flood)
            except OSError:
                dropped.append(1)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return f"{n} flooders, {len(dropped)} dropped for not reading"


SCENARIOS: dict[str, tuple[Callable[[Subject], str], dict[str, str]]] = {
    "idle": (idle, {}),
    "500 clients": (many_clients, {}),
    "1000 idle": (idle_at_cap, {}),
    "200k versions": (many_versions, {"DO_NOT_TRACK": "1"}),
    "500 partial": (partial_messages, {}),
    "20 flooders": (flooders, {}),
}


def main() -> int:
    results = {}
    for name, (fn, env) in SCENARIOS.items():
        d = Subject(env)
        try:
            t0 = time.perf_counter()
            what = fn(d)
            seconds = time.perf_counter() - t0
            rss = d.peak_rss_kb()
        finally:
            d.close()
        results[name] = {"what": what, "peak_rss_kb": rss, "seconds": round(seconds, 2)}
        print(f"{name:<14} peak RSS {rss / 1024:6.1f} MiB   {what} ({seconds:.1f}s)")
    out = ROOT / "bench" / "results" / "reliability_memory.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
