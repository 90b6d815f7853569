"""Idle cost: system calls of an idle daemon over a window, counted by ``strace -c -f``.

Runs the current tree and a baseline revision (default: the last one with the 2-second
config poll, ``d24c5f6``; extracted with ``git archive``) side by side, both idle and
opted in, each traced for the same window.  Needs strace (Debian: ``apt-get install
strace``) and permission to ptrace (root, or ptrace_scope 0).
Usage: python bench/idle.py [--seconds 60] [--baseline REV]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path

from _common import PY, ROOT, header, private_home, table

DEFAULT_BASELINE = "d24c5f6"


def extract(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev, "metricsd"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def start(src: Path, home_args: list[str], root: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("METRICSD_")}
    env["PYTHONPATH"] = str(src)
    proc = subprocess.Popen([PY, "-m", "metricsd", "run", *home_args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=open(root / "stderr", "wb"), env=env, cwd=src)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(b"READY "):
        raise RuntimeError(f"{src}: no READY line")
    return proc


def trace(pid: int, seconds: float, out: dict[str, tuple[int, dict[str, int]]],
          name: str) -> None:
    done = subprocess.run(["timeout", "-s", "INT", str(seconds), "strace", "-c", "-f", "-p",
                           str(pid)], capture_output=True, text=True)
    calls: dict[str, int] = {}
    total = 0
    for line in done.stderr.splitlines():
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
        if m and m.group(2) != "total":
            calls[m.group(2)] = int(m.group(1))
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?total$", line)
        if m:
            total = int(m.group(1))
    out[name] = (total, calls)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--baseline", default=DEFAULT_BASELINE)
    a = p.parse_args()
    header(f"idle: strace -c -f over {a.seconds:g} s, current tree vs {a.baseline}")
    results: dict[str, tuple[int, dict[str, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="mdi-") as tmp, \
            private_home() as cur_home, private_home() as base_home:
        base_src = extract(a.baseline, Path(tmp))
        procs = {"current": start(ROOT, cur_home.args(), cur_home.root),
                 a.baseline: start(base_src, base_home.args(), base_home.root)}
        try:
            threads = [threading.Thread(target=trace, args=(proc.pid, a.seconds, results,
                                                            name))
                       for name, proc in procs.items()]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(30)
    rows = []
    for name, (total, calls) in results.items():
        top = ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:4])
        rows.append([name, total, f"{total / a.seconds:.2f}", top or "-"])
    print(table(["daemon", "syscalls", "per second", "most frequent"], rows))


if __name__ == "__main__":
    main()
