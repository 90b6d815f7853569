"""The Go client's event call beside an in-process baseline, in the same run.

Runs the Go module's benchmarks (``go test -bench`` in ``clients/go``): the baseline is
what an app team compares the client with, a mutex-protected ``map[string]int``
increment; each event call is measured while the client is connected to a stand-in
daemon that reads everything (so the client's writer goroutine runs alongside), in
chunks the queue holds (every measured call is an enqueue, none a cheaper drop).  Prints
the median ns/op over ``--count`` repetitions, the ratio to the baseline, and allocations
per call.  Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections import defaultdict

from _common import ROOT, header, median, save, table

GO_DIR = ROOT / "clients" / "go"
LINE = re.compile(r"^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+\d+ B/op\s+(\d+) allocs/op")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5)
    ns = parser.parse_args()
    header("Go client: event call vs a mutex-protected map increment")
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", ".", "-benchmem",
                          "-count", str(ns.count), "./metricsd"], cwd=GO_DIR,
                         capture_output=True, text=True, check=True, timeout=900).stdout
    times: dict[str, list[float]] = defaultdict(list)
    allocs: dict[str, int] = {}
    for line in out.splitlines():
        if m := LINE.match(line):
            times[m[1]].append(float(m[2]))
            allocs[m[1]] = max(allocs.get(m[1], 0), int(m[3]))
    base = median(times.pop("Baseline"))
    rows = [["baseline: mutex + map[string]int increment", f"{base:.1f}", "1.0x", 0]]
    rows += [[name.removeprefix("Event/"), f"{median(ts):.1f}", f"{median(ts) / base:.1f}x",
              allocs[name]] for name, ts in sorted(times.items())]
    print(f"\nmedian of {ns.count} runs of go test -bench:\n")
    print(table(["call", "ns/op", "vs baseline", "allocs/op"], rows))
    path = save("go_client", {"count": ns.count, "baseline_ns": base,
                              "calls": {k: median(v) for k, v in times.items()},
                              "allocs": allocs})
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
