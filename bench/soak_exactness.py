"""The long soak of the exactness chain: app → daemon → receiver under faults, for days.

Runs ``tests/receiver/test_exactness.py`` with more turns per round and more cycles of the
four fault days (every command beside the running daemon, SIGSTOP, SIGKILL right after a
sync, SIGKILL mid-stream with a receiver restart, a full disk), for each client and
engine, and prints one row each: what the app sent, what it was told was accepted, what
the receiver summed, and what the client reported as possibly lost.  The baseline column
is what was sent (the raw loop).  Not a test: it asserts nothing of its own (the test it
runs does), and it prints what it measured.

    python bench/soak_exactness.py [--cycles 10] [--turns 200]
    python bench/soak_exactness.py --streams [--faults 60] [--clients python,go,node]

``--streams`` runs ``tests/receiver/test_streams_exactness.py`` instead (8 tabs, the serving
daemon SIGKILLed every 0.5 s, SIGSTOPped, replaced by a stand-by and restarted by the
sidecar) with ``--faults`` faults per client, and prints handed, dropped, unconfirmed and
what the receiver summed.

PostgreSQL rows need METRICSD_TEST_PG_URL (``source receiver/ci_services.sh`` as root).
Results are also written to bench/results/soak_exactness.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LINE = re.compile(r"^exactness: (.*)$", re.M)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--streams", action="store_true",
                        help="the replayable-streams exactness test, with --faults faults")
    parser.add_argument("--faults", type=int, default=60)
    parser.add_argument("--clients", default="python,go,node")
    args = parser.parse_args()
    if args.streams:
        return streams(args.faults, args.clients.split(","))
    # Five daemon starts per cycle, each on its own day: start far enough back that the
    # last day is still in the past (a receiver refuses days after tomorrow).
    env = {**os.environ, "METRICSD_SOAK_CYCLES": str(args.cycles),
           "METRICSD_SOAK_TURNS": str(args.turns),
           "METRICSD_TEST_DAYS_BACK": str(5 * args.cycles + 4)}
    return run_and_report(
        ["tests/receiver/test_exactness.py"], env, LINE,
        ("client", "database", "cycles", "turns_sent", "accepted", "received", "uncertain",
         "dropped", "unconfirmed"),
        "soak_exactness.json", {"cycles": args.cycles, "turns": args.turns})


def run_and_report(tests: list[str], env: dict[str, str], line: re.Pattern[str],
                   header: tuple[str, ...], result_file: str, params: dict[str, object]) -> int:
    """Run ``tests`` (one process, no xdist), print one row per ``line`` the test printed,
    and write the rows with ``params`` to bench/results/``result_file``."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:xdist", "-p", "no:cacheprovider",
         *tests], cwd=ROOT, env=env, capture_output=True, text=True)
    rows = [dict(kv.split("=", 1) for kv in m.split()) for m in line.findall(done.stdout)]
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(row.get(h, "") for h in header))
    print(f"pytest exit {done.returncode}, {time.monotonic() - started:.0f} s")
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / result_file).write_text(json.dumps(
        {**params, "rows": rows, "exit": done.returncode}, indent=2))
    return done.returncode


STREAMS_LINE = re.compile(r"^streams-exactness: (.*)$", re.M)


def streams(faults: int, clients: list[str]) -> int:
    # Slower tabs: no counter may pass one day's contribution bound (100,000).
    env = {**os.environ, "METRICSD_STREAMS_FAULTS": str(faults),
           "METRICSD_STREAMS_PAUSE_MS": "40"}
    return run_and_report(
        ["tests/receiver/test_streams_exactness.py", "-k", " or ".join(clients)], env,
        STREAMS_LINE, ("client", "tabs", "faults", "handed", "dropped", "unconfirmed",
                       "received", "restarts"),
        "soak_streams.json", {"faults": faults})


if __name__ == "__main__":
    sys.exit(main())
