"""What each client costs the application that embeds it: CPU per event in the app's own
process, and what installing it pulls in.

    python bench/client_cost.py [--events N] [--runs R] [--no-install] [--clients python,go,node]

Per client (Python ``metricsd_client``, Go ``clients/go``, Node ``clients/node``), the
conformance driver's ``bench`` scenario connects to a real daemon, emits N events (a mix
of the six kinds, as fast as it can), then ``sync``s.  Columns:

* call: wall time of one event call as the caller sees it (the loop's time / N);
* CPU: the app process's user+system CPU from the first event to the ``sync`` ack, / N —
  this includes the client's background I/O (thread, goroutine or event-loop work);
* baseline: the same driver process's in-process, mutex-protected map increment per
  event (measured in the same run, where the driver reports it), and the call's ratio
  to it.

Install footprint: a fresh venv with ``pip install clients/python`` (versus the daemon's
own distribution), the Go package's dependencies, and ``npm pack`` of the Node package.
Prints tables; saves ``bench/results/client_cost.json``.  Needs ``go`` and ``node``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, header, median, private_home, save, start_metricsd, table

DRIVERS = ROOT / "tests" / "conformance" / "drivers"
GO_DIR = ROOT / "clients" / "go"
NODE_DIR = ROOT / "clients" / "node"


def build_go(out: Path) -> Path:
    exe = out / "metricsd-conformance"
    subprocess.run(["go", "build", "-o", str(exe), "."], cwd=DRIVERS / "go", check=True)
    return exe


def run_driver(command: list[str], socket: Path, events: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("METRICSD_")}
    env.update(MD_SOCKET=str(socket), MD_EVENTS=str(events))
    out = subprocess.run([*command, "bench"], capture_output=True, text=True, env=env,
                         timeout=600, check=True, stdin=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])["result"]
    if not result["sync"] or result["dropped"]:
        raise SystemExit(f"{command}: not delivered: {result}")
    return result


def cost(events: int, runs: int, which: set[str]) -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="mdb-go-"))
    try:
        commands: dict[str, list[str]] = {}
        if "python" in which:
            commands["Python (metricsd_client.Client)"] = [sys.executable,
                                                          str(DRIVERS / "driver.py")]
        if "go" in which:
            commands["Go (clients/go)"] = [str(build_go(tmp))]
        if "node" in which:
            commands["Node (clients/node)"] = ["node", str(DRIVERS / "driver.cjs")]
        rows = []
        for name, command in commands.items():
            calls, cpus, bases = [], [], []
            for _ in range(runs):
                with private_home() as home:
                    daemon = start_metricsd(home)
                    try:
                        r = run_driver(command, home.socket, events)
                    finally:
                        daemon.stop()
                calls.append(r["call_ns"])
                cpus.append(r["cpu_ns"])
                if "baseline_ns" in r:
                    bases.append(r["baseline_ns"])
            rows.append({"client": name, "call_ns": median(calls), "cpu_ns": median(cpus),
                         "baseline_ns": median(bases) if bases else None,
                         "calls": calls, "cpus": cpus})
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def venv_install(target: str) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="mdb-venv-"))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(tmp / "v")], check=True)
        pip = tmp / "v" / "bin" / "pip"
        base = {p["name"].lower() for p in json.loads(subprocess.run(
            [str(pip), "list", "--format", "json"], capture_output=True, text=True,
            check=True).stdout)}
        site = next((tmp / "v" / "lib").glob("python3*/site-packages"))
        before = du(site)
        subprocess.run([str(pip), "install", "-q", target], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = json.loads(subprocess.run([str(pip), "list", "--format", "json"],
                                          capture_output=True, text=True, check=True).stdout)
        added = sorted(p["name"].lower() for p in after if p["name"].lower() not in base)
        py = tmp / "v" / "bin" / "python"
        module = "metricsd_client" if "clients" in target else "metricsd.cli"
        t0 = time.perf_counter()
        subprocess.run([str(py), "-c", f"import {module}"], check=True)
        import_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        subprocess.run([str(py), "-c", "pass"], check=True)
        import_ms -= (time.perf_counter() - t0) * 1000
        return {"packages": added, "kib": (du(site) - before) // 1024,
                "import_ms": round(import_ms)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def footprint() -> list[list[object]]:
    client = venv_install(str(ROOT / "clients" / "python"))
    daemon = venv_install(str(ROOT))
    go_files = [p for p in GO_DIR.glob("**/*.go") if not p.name.endswith("_test.go")]
    go_lines = sum(len(p.read_text().splitlines()) for p in go_files)
    go_kib = sum(p.stat().st_size for p in go_files) // 1024
    pack = json.loads(subprocess.run(["npm", "pack", "--dry-run", "--json"], cwd=NODE_DIR,
                                     capture_output=True, text=True, check=True).stdout)[0]
    msgpack_kib = du(NODE_DIR / "node_modules" / "@msgpack" / "msgpack") // 1024
    return [
        ["pip install metricsd-client", ", ".join(client["packages"]), client["kib"],
         f"{client['import_ms']} ms"],
        ["pip install metricsd (the daemon)", ", ".join(daemon["packages"]), daemon["kib"],
         f"{daemon['import_ms']} ms (metricsd.cli)"],
        ["Go: clients/go", "none (standard library)",
         f"{go_kib} (source, {go_lines} lines)", "-"],
        ["Node: metricsd-client", "@msgpack/msgpack",
         f"{pack['unpackedSize'] // 1024} + {msgpack_kib}", "-"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=120_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-install", action="store_true",
                        help="skip the install footprint (it needs PyPI)")
    parser.add_argument("--clients", default="python,go,node",
                        help="which clients to measure (comma-separated)")
    ns = parser.parse_args()
    header("client cost per event, in the application's process")
    rows = cost(ns.events, ns.runs, set(ns.clients.split(",")))
    print(f"\n{ns.events} events per run (6 kinds, back to back), median of {ns.runs} runs,"
          " against a real daemon, then sync:\n")
    def base(r: dict[str, Any]) -> list[str]:
        b = r["baseline_ns"]
        return ["—", "—"] if not b else [f"{b:.0f}", f"{r['call_ns'] / b:.1f}x"]

    print(table(["client", "call (ns/event)", "app CPU (ns/event)",
                 "baseline: locked map (ns)", "call / baseline"],
                [[r["client"], f"{r['call_ns']:.0f}", f"{r['cpu_ns']:.0f}", *base(r)]
                 for r in rows]))
    foot: list[list[object]] = []
    if not ns.no_install:
        foot = footprint()
        print("\ninstall footprint:\n")
        print(table(["install", "pulls in", "KiB on disk", "import time"], foot))
    path = save("client_cost", {"events": ns.events, "runs": ns.runs, "cost": rows,
                                "footprint": foot})
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
