"""Profile the daemon's hot path with py-spy while one client streams the ingest mix.

Usage: python bench/profile_ingest.py [--events N] [--conns C]
Prints the functions with the most samples (self and inclusive) and leaves the raw
collapsed stacks in bench/results/profile.txt (open with speedscope or flamegraph.pl).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
from pathlib import Path

from _common import RESULTS_DIR, private_home, run_client, start_metricsd


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=3_000_000)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / "profile.txt"
    with private_home() as home:
        d = start_metricsd(home)
        rec = subprocess.Popen([spy, "record", "--pid", str(d.pid), "--rate", "500",
                                "--format", "raw", "--output", str(out), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            r = run_client(d, conns=a.conns, events_per_conn=a.events // a.conns)
            print(f"{r[0]['events'] / r[0]['seconds']:,.0f} events/s while profiled")
        finally:
            rec.send_signal(2)
            rec.wait(30)
            d.stop()
    own: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        count = int(samples)
        total += count
        own[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    print(f"{total} samples; self:")
    for frame, count in own.most_common(a.top):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print("inclusive:")
    for frame, count in incl.most_common(a.top):
        print(f"  {100 * count / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
