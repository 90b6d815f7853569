"""Smoke-test and time a built daemon (any command line that behaves like `metricsd`).

    python packaging/check.py smoke   -- dist/pyinstaller/metricsd/metricsd
    python packaging/check.py startup -n 20 -- python3 -I -S dist/metricsd.pyz

`smoke` starts `CMD run` on private paths, sends events, syncs, checks `CMD show --json`
and stops it with SIGTERM (exit 0 expected); then uploads with `CMD flush` to a local
HTTP endpoint and runs `status`, `consent`, `disclosure --json` and `service install
--print`, so that a build missing a module any command needs fails here.  `startup` times
exec -> `READY` line (the moment the socket accepts), each run in fresh directories, and
prints min/median/max.
Needs metricsd importable by the Python that runs this script (for the client).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from metricsd_client import Client


@contextmanager
def private_home() -> Iterator[tuple[Path, list[str]]]:
    root = Path(tempfile.mkdtemp(prefix="mdchk-", dir="/tmp"))
    os.chmod(root, 0o700)
    config = root / "config.toml"
    config.write_text("[desktop]\nmetrics = true\n")
    args = ["--socket", str(root / "run" / "m.sock"), "--state-dir", str(root / "state"),
            "--config", str(config), "--dev-marker", str(root / "DEV_BUILD")]
    try:
        yield root, args
    finally:
        shutil.rmtree(root, ignore_errors=True)


def env_for(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METRICSD_", "LISTEN_"))}
    env.setdefault("SHIV_ROOT", str(root / "shiv"))
    return env


def start(cmd: list[str], args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str],
                                                                            str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "run", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    elapsed = time.perf_counter() - t0
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"no READY line (got {line!r}, exit {proc.wait()})")
    return proc, line.removeprefix("READY "), elapsed


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


@contextmanager
def endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local upload endpoint that accepts every POST (202) and keeps the JSON bodies."""
    bodies: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/metrics", bodies
    finally:
        server.shutdown()
        server.server_close()


def run_ok(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"{cmd[1:3]} exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def yesterday_env() -> dict[str, str]:
    """libfaketime's variables that run a process one day back: a daemon uploads only
    completed UTC days, so the smoke test counts "yesterday" to have something to send."""
    libs = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not libs:
        raise SystemExit("smoke needs libfaketime (Debian package faketime) to count on a "
                         "completed day")
    return {"LD_PRELOAD": libs[0], "FAKETIME": "-1d"}


def smoke(cmd: list[str]) -> None:
    with private_home() as (root, args):
        env = env_for(root)
        proc, sock, elapsed = start(cmd, args, {**env, **yesterday_env()})
        with Client(sock, "1.0.0") as c:
            c.usage(cache_hit_tokens=9, cache_miss_tokens=1)
            c.turn("stop")
            if not c.sync(10.0):
                raise SystemExit("the daemon did not acknowledge the events")
        code = stop(proc)
        if code != 0:
            raise SystemExit(f"daemon exited {code}")
        out = subprocess.run([*cmd, "show", "--json", *args], capture_output=True, text=True,
                             env=env, check=True)
        counts = json.loads(out.stdout)[0]["counts"]
        expected = {"turns": 1, "finish_reason": {"stop": 1}, "cache_hit": {"90-94": 1}}
        if counts != expected:
            raise SystemExit(f"unexpected counts {counts}")
        with endpoint() as (url, bodies):
            run_ok([*cmd, "flush", *args, "--endpoint", url], env)
            if [b["counts"] for b in bodies] != [expected]:
                raise SystemExit(f"flush sent {bodies}")
        if json.loads(run_ok([*cmd, "show", "--json", *args], env)) != []:
            raise SystemExit("show lists batches after a successful flush")
        run_ok([*cmd, "status", *args], env)
        run_ok([*cmd, "consent", *args], env)
        disclosure = json.loads(run_ok([*cmd, "disclosure", "--json", *args], env))
        if not disclosure["counters"]:
            raise SystemExit("disclosure lists no counters")
        units = run_ok([*cmd, "service", "install", "--print", *args],
                       dict(env, XDG_CONFIG_HOME=str(root / "xdg")))
        if "ExecStart=" not in units:
            raise SystemExit("service install --print rendered no ExecStart")
        print(f"smoke ok: READY after {elapsed * 1000:.0f} ms, counts {counts}, flushed, "
              "status/consent/disclosure/service install ok")


def startup(cmd: list[str], runs: int) -> None:
    times = []
    for _ in range(runs):
        with private_home() as (root, args):
            proc, _sock, elapsed = start(cmd, args, env_for(root))
            stop(proc)
            times.append(elapsed * 1000)
    print(f"exec -> READY over {runs} runs: min {min(times):.0f} ms, "
          f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("smoke", "startup"))
    parser.add_argument("-n", type=int, default=10, help="runs for startup")
    parser.add_argument("cmd", nargs="+", help="the daemon command, after --")
    ns = parser.parse_args()
    if ns.what == "smoke":
        smoke(ns.cmd)
    else:
        startup(ns.cmd, ns.n)


if __name__ == "__main__":
    main()
