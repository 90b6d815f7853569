"""Start-up: exec of ``python -m metricsd run`` to its ``READY`` line (median of 20), against
a bare ``python -c "import trio, msgpack"`` (and ``python -c pass``), interleaved.

Each daemon run uses the same private home (so after the first run the database exists, as
on a user's machine), is opted in, and is stopped with SIGTERM after READY.
Usage: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import subprocess
import time

from _common import (
    PY,
    ROOT,
    bench_env,
    header,
    load_average,
    median,
    percentile,
    private_home,
    save,
    spread,
    start_metricsd,
    table,
)


def time_exec(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", code], check=True, env=bench_env(), cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    a = p.parse_args()
    header(f"start-up: exec to READY, {a.runs} runs each, interleaved")
    runs: dict[str, list[float]] = {"python -c pass": [], "import trio, msgpack": [],
                                    "metricsd run -> READY": []}
    loads = []
    with private_home() as home:
        start_metricsd(home).stop()  # creates the database, as on a second start
        for _ in range(a.runs):
            loads.append(load_average())
            runs["python -c pass"].append(time_exec("pass"))
            runs["import trio, msgpack"].append(time_exec("import trio, msgpack"))
            t0 = time.perf_counter()
            d = start_metricsd(home)
            runs["metricsd run -> READY"].append(time.perf_counter() - t0)
            d.stop()
    ref = median(runs["import trio, msgpack"])
    rows = [[name, f"{1000 * median(xs):.0f}", f"{1000 * percentile(xs, 90):.0f}", spread(xs),
             f"{median(xs) / ref:.2f}x"] for name, xs in runs.items()]
    print(table(["command", "median ms", "p90 ms", "spread", "÷ import trio, msgpack"], rows))
    print(f"load average during the runs: {min(loads):.2f} .. {max(loads):.2f}")
    print(f"raw: {save('startup', {'runs': runs, 'load': loads})}")


if __name__ == "__main__":
    main()
