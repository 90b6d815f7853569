"""Shared helpers of the benchmark scripts: workload, subjects (processes), tables.

Benchmarks are not tests: nothing here asserts a time.  Every figure is printed, and the
scripts write the raw numbers as JSON under ``bench/results/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgpack

from metricsd.core import facts

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLIENT = BENCH_DIR / "_client.py"
BASELINE = BENCH_DIR / "baseline_server.py"
STATSD_DIR = BENCH_DIR / "statsd"
STATSD_MAIN = STATSD_DIR / "node_modules" / "statsd" / "stats.js"
PY = sys.executable
START_TIMEOUT = 30.0

# --- the workload ---------------------------------------------------------------------------

#: Error texts of the mix: a provider error by status, by ``status NNN`` in the message and by
#: keyword; tool errors that hit different rows of the keyword table (and one that hits none).
_PROVIDER_ERRORS: tuple[dict[str, Any], ...] = (
    {"type": "provider_error", "message": "Too Many Requests", "status": 429},
    {"type": "provider_error", "message": "upstream returned status 503: overloaded"},
    {"type": "provider_error", "message": "read tcp 10.0.0.2:443: i/o timeout"},
    {"type": "provider_error", "message": "dial tcp: connection refused", "status": None},
    {"type": "provider_error", "message": "Internal Server Error", "status": 500},
)
_TOOL_ERRORS: tuple[str, ...] = (
    "command exited with code 1",
    "open /home/u/project/src/missing.py: no such file or directory",
    "The user rejected this tool call",
    "tool call timed out after 120s",
    "permission denied: /etc/shadow",
    "invalid arguments: missing required field 'path'",
    "something odd happened in the tool",
)
_FINISH = ("stop", "tool_calls", "tool_calls", "stop", "length", None, "stop", "tool_calls",
           "content_filter", "stop")


def cycle_messages() -> list[dict[str, Any]]:
    """100 events, 10 turns.  Per turn: 4 ``usage``, 4 ``tool_result`` and a ``turn``, plus
    one of a ``provider_error`` (3 turns in 10), a ``compaction`` (1 in 10) or a ``usage``
    without tokens.  Every other turn one tool call fails: 5 tool errors and 3 provider
    errors per 100 events, with texts that hit different rows of the keyword tables."""
    msgs: list[dict[str, Any]] = []
    for t in range(10):
        for u in range(4):
            hit = (t * 997 + u * 131) % 5000
            msgs.append({"type": "usage", "cache_hit_tokens": hit,
                         "cache_miss_tokens": 5000 - hit if u else 0})
        msgs.append({"type": "tool_result", "error": None})
        msgs.append({"type": "tool_result"})
        msgs.append({"type": "tool_result", "error": None})
        if t % 2 == 0:
            msgs.append({"type": "tool_result", "error": _TOOL_ERRORS[t // 2]})
        else:
            msgs.append({"type": "tool_result", "error": None})
        if t in (1, 5, 8):
            msgs.append(_PROVIDER_ERRORS[t % len(_PROVIDER_ERRORS)])
        elif t == 4:
            msgs.append({"type": "compaction"})
        else:
            msgs.append({"type": "usage", "cache_hit_tokens": 0, "cache_miss_tokens": 0})
        msgs.append({"type": "turn", "finish_reason": _FINISH[t], "empty_final": t == 7})
    assert len(msgs) == 100
    return msgs


CYCLE_EVENTS = 100
HELLO = msgpack.packb({"type": "hello", "proto": 1, "client_version": "1.4.2"})


def cycle_bytes() -> bytes:
    return b"".join(msgpack.packb(m) for m in cycle_messages())


def statsd_line(msg: dict[str, Any]) -> str:
    """One statsd counter line per event, naming the fact metricsd counts for it (statsd is
    handed the classification for free: it only parses and counts).  Successful tool calls,
    which metricsd validates but does not count, become ``tool_ok``."""
    kind = msg["type"]
    if kind == "turn":
        label = facts.finish_reason_fact(msg["finish_reason"])[1]
        return f"agent.finish_reason.{label}:1|c\n"
    if kind == "usage":
        label = facts.cache_hit_label(msg["cache_hit_tokens"], msg["cache_miss_tokens"])
        return f"agent.cache_hit.{label}:1|c\n"
    if kind == "provider_error":
        label = facts.provider_error_label(msg["message"], msg.get("status"))
        return f"agent.provider_error.{label}:1|c\n"
    if kind == "tool_result":
        error = msg.get("error")
        if error:
            return f"agent.tool_error.{facts.tool_error_label(error)}:1|c\n"
        return "agent.tool_ok:1|c\n"
    return f"agent.{kind}:1|c\n"


def statsd_cycle_bytes() -> bytes:
    return "".join(statsd_line(m) for m in cycle_messages()).encode()


# --- processes --------------------------------------------------------------------------------

@dataclass
class Home:
    root: Path

    @property
    def socket(self) -> Path:
        return self.root / "run" / "m.sock"

    def args(self) -> list[str]:
        return ["--socket", str(self.socket), "--state-dir", str(self.root / "state"),
                "--config", str(self.root / "cfg" / "config.toml"),
                "--dev-marker", str(self.root / "cfg" / "DEV_BUILD")]


@contextmanager
def private_home(opted_in: bool = True) -> Iterator[Home]:
    root = Path(tempfile.mkdtemp(prefix="mdb-", dir="/tmp"))
    os.chmod(root, 0o700)
    (root / "cfg").mkdir(mode=0o700)
    (root / "cfg" / "config.toml").write_text(
        f"[desktop]\nmetrics = {'true' if opted_in else 'false'}\n")
    try:
        yield Home(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


#: The metricsd source tree the subjects run (bench/versions.py points it at old revisions).
SRC = Path(os.environ.get("METRICSD_BENCH_SRC") or ROOT)


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("METRICSD_", "LISTEN_", "NOTIFY_SOCKET"))}
    env["PYTHONPATH"] = str(SRC)
    return env


@dataclass
class Subject:
    """A server process under test, started and READY."""

    name: str
    proc: subprocess.Popen[bytes]
    socket: Path
    stderr: IO[bytes]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.stderr.close()


def _wait_line(proc: subprocess.Popen[bytes], prefix: bytes) -> bytes:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"process exited before printing {prefix!r}")
        if line.startswith(prefix):
            return line
    raise RuntimeError(f"no {prefix!r} line in time")


def start_metricsd(home: Home, *extra: str) -> Subject:
    err = open(home.root / "daemon.stderr", "wb")  # noqa: SIM115 - closed by Subject.stop
    proc = subprocess.Popen([PY, "-m", "metricsd", "run", *home.args(), *extra],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                            env=bench_env(), cwd=SRC)
    _wait_line(proc, b"READY ")
    return Subject("metricsd", proc, home.socket, err)


def start_baseline(home: Home) -> Subject:
    path = home.root / "baseline.sock"
    err = open(home.root / "baseline.stderr", "wb")  # noqa: SIM115 - closed by Subject.stop
    proc = subprocess.Popen([PY, str(BASELINE), str(path)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=err, env=bench_env())
    _wait_line(proc, b"READY ")
    return Subject("baseline", proc, path, err)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_statsd(home: Home) -> tuple[Subject, int]:
    """The Etsy statsd daemon: TCP server on a Unix socket, no backend, no flush during a run,
    management port on 127.0.0.1."""
    if not STATSD_MAIN.exists():
        raise RuntimeError("statsd is not installed: cd bench/statsd && npm ci")
    path = home.root / "statsd.sock"
    port = free_port()
    config = home.root / "statsd-config.js"
    config.write_text(json.dumps({
        "servers": [{"server": "./servers/tcp", "socket": str(path)}],
        "mgmt_address": "127.0.0.1", "mgmt_port": port, "backends": [],
        "flushInterval": 3_600_000, "deleteCounters": False,
    }))
    err = open(home.root / "statsd.stderr", "wb")  # noqa: SIM115 - closed by Subject.stop
    proc = subprocess.Popen(["node", str(STATSD_MAIN), str(config)], cwd=STATSD_MAIN.parent,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    deadline = time.monotonic() + START_TIMEOUT
    while not (path.exists() and _port_open(port)):  # polling with a deadline
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("statsd did not start")
        time.sleep(0.02)
    return Subject("statsd", proc, path, err), port


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def run_client(subject: Subject, *, conns: int, events_per_conn: int, rounds: int = 1,
               statsd_port: int | None = None) -> list[dict[str, Any]]:
    """Run bench/_client.py in its own process; return its per-round JSON lines."""
    cmd = [PY, str(CLIENT), "--socket", str(subject.socket), "--conns", str(conns),
           "--events", str(events_per_conn), "--rounds", str(rounds)]
    if statsd_port is not None:
        cmd += ["--statsd-mgmt", str(statsd_port)]
    out = subprocess.run(cmd, check=True, capture_output=True, env=bench_env(), timeout=900)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith(b"{")]


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, KiB (Linux)."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


# --- reporting --------------------------------------------------------------------------------

def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def spread(xs: Sequence[float]) -> str:
    """Relative spread (max-min)/median, as a percentage string."""
    m = statistics.median(xs)
    return f"±{50 * (max(xs) - min(xs)) / m:.0f}%" if m and len(xs) > 1 else "-"


def percentile(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def load_average() -> float:
    return os.getloadavg()[0]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = shutil.which("node")
    node_v = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() \
        if node else "none"
    return (f"{os.cpu_count()} x {cpu}, Linux {platform.release()}, "
            f"Python {platform.python_version()}, msgpack {msgpack.version}, node {node_v}")


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    data = {"machine": machine(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **data}
    path.write_text(json.dumps(data, indent=1))
    return path


def header(title: str) -> None:
    print(f"# {title}")
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average():.2f}")
    sys.stdout.flush()
