"""Smoke-test and time a built daemon (any command line that behaves like `metricsd`).

    python packaging/check.py smoke   -- dist/pyinstaller/metricsd/metricsd
    python packaging/check.py startup -n 20 -- python3 -I -S dist/metricsd.pyz

`smoke` starts `CMD run` on private paths, sends events, syncs, checks `CMD show --json`
and stops it with SIGTERM (exit 0 expected).  `startup` times exec -> `READY` line (the
moment the socket accepts), each run in fresh directories, and prints min/median/max.
Needs metricsd importable by the Python that runs this script (for the client).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def smoke(cmd: list[str]) -> None:
    with private_home() as (root, args):
        env = env_for(root)
        proc, sock, elapsed = start(cmd, args, env)
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
        expected = {"turns": 1, "finish_reason": {"stop": 1}, "cache_hit": {"90-99": 1}}
        if counts != expected:
            raise SystemExit(f"unexpected counts {counts}")
        print(f"smoke ok: READY after {elapsed * 1000:.0f} ms, counts {counts}")


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
