"""Conformance driver for the Python client (metricsd_client): runs one scenario.

    python driver.py SCENARIO        (environment: MD_SOCKET, MD_EXE, MD_ARGS)

Protocol with tests/conformance/test_conformance.py: JSON lines on stdout
(``{"step": ...}`` then one ``{"result": {...}}``), plain commands on stdin.  Any
exception escapes and fails the run (exit status 1): the client must not raise.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from metricsd_client import Client, spawn_sidecar


def say(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def wait_for(command: str) -> None:
    line = sys.stdin.readline().strip()
    if line != command:
        raise SystemExit(f"expected {command!r} on stdin, got {line!r}")


class Timer:
    """The longest event call, in milliseconds."""

    def __init__(self) -> None:
        self.max_ms = 0.0

    def __call__(self, fn: Any, *args: Any, **kw: Any) -> None:
        t0 = time.perf_counter()
        fn(*args, **kw)
        self.max_ms = max(self.max_ms, (time.perf_counter() - t0) * 1000)


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def every_event(c: Client, t: Timer) -> None:
    t(c.usage, cache_hit_tokens=95, cache_miss_tokens=5)
    t(c.tool_result, "command timed out")
    t(c.tool_result, None)
    t(c.provider_error, "slow down", status=429)
    t(c.compaction)
    t(c.turn, "stop")


def rounds(sock: str) -> None:
    """The end-to-end exactness test's app: ``round N`` on stdin streams N turns (each a
    usage, a tool result, a compaction every fourth, the turn), stopping half-way for
    ``go``, then syncs and reports; ``end`` closes."""
    c = Client(sock, "1.0.0")
    while (line := sys.stdin.readline().strip()) != "end":
        n = int(line.split()[1])
        for i in range(n):
            if i == n // 2:
                say({"step": "half"})
                wait_for("go")
            c.usage_total(1000, 900)
            c.tool_result(None if i % 3 else "exit status 1")
            if i % 4 == 0:
                c.compaction()
            c.turn("stop")
        ok = c.sync(30)
        say({"step": "done", "sync": ok, "dropped": c.stats.dropped,
             "unconfirmed": c.stats.unconfirmed})
    c.close()
    say({"result": {}})


def main() -> None:
    scenario = sys.argv[1]
    sock = os.environ.get("MD_SOCKET", "")
    t = Timer()
    if scenario == "rounds":
        rounds(sock)
    elif scenario == "turn_prompt":
        c = Client(sock, "1.2.3")
        every_event(c, t)
        say({"step": "sent"})
        wait_for("check")
        ok = c.sync(10)
        snap = c.snapshot(10)
        c.close()
        say({"result": {"sync": ok, "counts": snap and snap["counts"],
                        "dropped": c.stats.dropped, "max_call_ms": t.max_ms}})
    elif scenario == "restart":
        c = Client(sock, "1.2.3")
        t(c.turn, "stop")
        if not c.sync(10):
            raise SystemExit("first sync failed")
        go = threading.Event()

        def wait_for_go() -> None:
            wait_for("go")
            go.set()

        threading.Thread(target=wait_for_go, daemon=True).start()
        say({"step": "synced"})
        streamed = 0
        while not go.is_set():  # mid-stream: events that count nothing, while it restarts
            t(c.tool_result, None)
            streamed += 1
            go.wait(0.001)
        for _ in range(50):
            t(c.compaction)
        t(c.turn, "length")
        deadline = time.monotonic() + 20
        ok = c.sync(5)
        while not ok and time.monotonic() < deadline:
            ok = c.sync(5)
        c.close()
        say({"result": {"sync": ok, "dropped": c.stats.dropped, "streamed": streamed,
                        "reconnects": c.stats.reconnects, "max_call_ms": t.max_ms}})
    elif scenario == "stream_kill":
        # v1.3 replayable streams: events the daemon read but had not committed when it
        # was SIGKILLed are written again to the next daemon; nothing is lost or doubled.
        c = Client(sock, "1.2.3")
        if not c.sync(10):
            raise SystemExit("first sync failed")
        for _ in range(300):
            t(c.compaction)
        say({"step": "sent"})
        wait_for("go")
        t(c.turn, "stop")
        deadline = time.monotonic() + 20
        ok = c.sync(5)
        while not ok and time.monotonic() < deadline:
            ok = c.sync(5)
        c.close()
        say({"result": {"sync": ok, "dropped": c.stats.dropped,
                        "unconfirmed": c.stats.unconfirmed,
                        "reconnects": c.stats.reconnects, "max_call_ms": t.max_ms}})
    elif scenario == "tabs":
        # The end-to-end exactness test's app (tests/receiver/test_streams_exactness.py):
        # MD_TABS tabs, each its own client of one sidecar, stream counted events (a
        # usage, a tool error, a compaction and a turn per round) until "stop"; then each
        # syncs (retrying while daemons come and go) and closes.
        exe = os.environ["MD_EXE"]
        args = json.loads(os.environ["MD_ARGS"])
        tabs = int(os.environ.get("MD_TABS", "8"))
        pause = int(os.environ.get("MD_PAUSE_MS", "5")) / 1000
        side = spawn_sidecar(exe, *args)
        stop = threading.Event()
        handed = [0] * tabs
        clients = [side.client("1.0.0") for _ in range(tabs)]

        def tab(i: int) -> None:
            c = clients[i]
            while not stop.is_set():
                t(c.usage_total, 1000, 900)
                t(c.tool_result, "exit status 1")
                t(c.compaction)
                t(c.turn, "stop")
                handed[i] += 4
                stop.wait(pause)

        threads = [threading.Thread(target=tab, args=(i,)) for i in range(tabs)]
        for th in threads:
            th.start()

        def report() -> None:  # the sidecar's state, for a failing test's message
            while not stop.wait(1.0):
                print(f"sidecar: pid={side.pid} restarts={side.restarts} slow={side.slow}",
                      file=sys.stderr, flush=True)

        threading.Thread(target=report, daemon=True).start()
        say({"step": "ready"})
        wait_for("stop")
        stop.set()
        for th in threads:
            th.join()
        deadline = time.monotonic() + 60
        synced = []
        for c in clients:
            ok = c.sync(5)
            while not ok and time.monotonic() < deadline:
                ok = c.sync(5)
            synced.append(ok)
        for c in clients:
            c.close(5)
        code = side.close()
        say({"result": {"handed": sum(handed), "sync": all(synced),
                         "dropped": sum(c.stats.dropped for c in clients),
                         "unconfirmed": sum(c.stats.unconfirmed for c in clients),
                         "restarts": side.restarts, "exit": code,
                         "max_call_ms": t.max_ms}})
    elif scenario == "impostor":
        # MD_SOCKET is an endpoint.json naming a listener that is not the daemon: it must
        # receive no token and no byte of any event.
        c = Client(sock, "1.2.3")
        every_event(c, t)
        t(c.provider_error, os.environ["MD_CANARY"], 500)
        t(c.tool_result, os.environ["MD_CANARY"])
        ok = c.sync(1.0)
        c.close(0.2)
        say({"result": {"sync": ok, "dropped": c.stats.dropped,
                        "unconfirmed": c.stats.unconfirmed, "max_call_ms": t.max_ms}})
    elif scenario == "absent":
        c = Client(sock, "1.2.3")
        for _ in range(200):
            every_event(c, t)
            t(c.turn, None, empty_final=True)
        ok = c.sync(0.3)
        c.close()
        say({"result": {"sync": ok, "dropped": c.stats.dropped, "max_call_ms": t.max_ms}})
    elif scenario == "default_path":
        from metricsd_client import default_socket_path

        say({"result": {"path": str(default_socket_path())}})
    elif scenario == "silent":
        c = Client(sock, "1.2.3")
        for _ in range(100_000):
            t(c.tool_result, "command timed out after 120 seconds")
        ok = c.sync(0.5)
        c.close()
        say({"result": {"sync": ok, "dropped": c.stats.dropped, "max_call_ms": t.max_ms}})
    elif scenario == "foreign":
        c = Client(sock, "1.2.3")
        every_event(c, t)
        ok = c.sync(1.0)
        c.close()
        say({"result": {"sync": ok, "dropped": c.stats.dropped, "refused": c.stats.refused}})
    elif scenario == "memory":
        c = Client(sock, "1.2.3")
        before = rss_kb()
        t0 = time.perf_counter()
        for _ in range(250_000):
            c.usage(cache_hit_tokens=95, cache_miss_tokens=5)
            c.tool_result("command timed out")
            c.compaction()
            c.turn("stop")
        seconds = time.perf_counter() - t0
        after = rss_kb()
        c.close(0.1)
        say({"result": {"events": 1_000_000, "rss_growth_kb": after - before,
                        "dropped": c.stats.dropped, "seconds": seconds}})
    elif scenario == "bench":
        import resource

        n = int(os.environ.get("MD_EVENTS", "120000")) // 6
        c = Client(sock, "1.2.3", max_queue=1_000_000, max_queue_bytes=256 << 20)
        if not c.sync(10):
            raise SystemExit("no daemon")

        def cpu() -> float:
            r = resource.getrusage(resource.RUSAGE_SELF)
            return r.ru_utime + r.ru_stime

        # The baseline an app team compares with: an in-process, mutex-protected map
        # increment, measured in the same process and run.
        lock = threading.Lock()
        counts: dict[str, int] = {}
        keys = ("usage", "tool_result", "tool_ok", "provider_error", "compaction", "turn")
        b0 = time.perf_counter()
        for _ in range(n):
            for key in keys:
                with lock:
                    counts[key] = counts.get(key, 0) + 1
        baseline = (time.perf_counter() - b0) / (n * 6) * 1e9
        cpu0, t0 = cpu(), time.perf_counter()
        for _ in range(n):
            c.usage(cache_hit_tokens=95, cache_miss_tokens=5)
            c.tool_result("command timed out")
            c.tool_result(None)
            c.provider_error("slow down", status=429)
            c.compaction()
            c.turn("stop")
        calls = time.perf_counter() - t0
        ok = c.sync(60)
        cpu1 = cpu()
        c.close()
        say({"result": {"events": n * 6, "sync": ok, "dropped": c.stats.dropped,
                        "call_ns": calls / (n * 6) * 1e9, "baseline_ns": baseline,
                        "cpu_ns": (cpu1 - cpu0) / (n * 6) * 1e9}})
    elif scenario == "usage_forms":
        c = Client(sock, "1.2.3")
        # The three usage forms, with counts a provider left out (None) sent as 0.
        t(c.usage_total, 100, 30)
        t(c.usage_total, 40, None)
        t(c.usage_read_write, 10, 0, 5)
        t(c.usage_read_write, None, 900, None)
        t(c.usage, None, 10)
        t(c.turn, "stop")
        ok = c.sync(10)
        snap = c.snapshot(10)
        c.close()
        say({"result": {"sync": ok, "counts": snap and snap["counts"],
                        "dropped": c.stats.dropped, "max_call_ms": t.max_ms}})
    elif scenario == "lost":
        c = Client(sock, "1.2.3")
        if not c.sync(10):
            raise SystemExit("first sync failed")
        t(c.compaction)  # written, never acknowledged: the daemon is killed next
        say({"step": "sent"})
        wait_for("go")
        t(c.compaction)
        first = c.sync(10)
        second = c.sync(10)
        c.close()
        say({"result": {"first_sync": first, "second_sync": second,
                        "unconfirmed": c.stats.unconfirmed, "dropped": c.stats.dropped,
                        "reconnects": c.stats.reconnects}})
    elif scenario in ("spawn", "spawn_existing"):
        exe = os.environ["MD_EXE"]
        args = json.loads(os.environ["MD_ARGS"])
        side = spawn_sidecar(exe, *args)
        c = side.client("1.2.3")
        t(c.turn, "stop")
        ok = c.sync(10)
        c.close()
        code = side.close()
        say({"result": {"socket": str(side.socket_path),
                        "already_running": side.already_running, "sync": ok,
                        "exit": code}})
    else:
        raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main()
