"""The facts tables, before and after: the cost of classification and what it does to
ingest.

For a given git revision (before) and the working tree (after), interleaved, each in fresh
interpreters: the sans-IO core's events/s on the ingest mix (bench/_common.py: decode,
classify, count), the same with every error text unique (so that no classifier's memo of
recent inputs ever helps), the mean cost of classifying every input of the corpus
(tests/corpus/facts.tsv and tests/corpus/batches/*.tsv, each input once, memo cleared) per
fact, and, unless ``--core-only``, the real daemon's ingest events/s from one client
(2,000,000 events, timed to the ``ack`` of a final ``sync``) and the events it ingests per
second of its own CPU time (user + system, from /proc).  The in-process figures are timed
in CPU time of the process: a busy machine disturbs CPU time less than wall time.  Where
valgrind is installed (and not ``--core-only``), also the machine instructions per event of
the core on the ingest mix.  Usage: python bench/facts.py REV [--reps R] [--core-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import BENCH_DIR, PY, ROOT, header, median, save, spread, table
from versions import extract

CORPUS = ROOT / "tests" / "corpus" / "facts.tsv"
BATCHES = sorted((ROOT / "tests" / "corpus" / "batches").glob("[0-9][0-9].tsv"))

PROBE = r'''
import json, sys, time
import msgpack
sys.path.insert(0, sys.argv[1])
from core import chunks, READ
from _common import HELLO, cycle_messages
from metricsd.core import facts
from metricsd.core.counts import Tally
from metricsd.core.protocol import Gate, Session
# A counting gate, in the spelling of the tree measured (Gate.open() since the gate holds
# the consent decision; Gate(counting=True) before).
GATE = Gate.open if hasattr(Gate, "open") else (lambda: Gate(counting=True))

def cpu(fn, n):
    best = None
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        t = (time.process_time() - t0) / n
        best = t if best is None else min(best, t)
    return best

parts = chunks(500_000)
def core():
    s = Session(Tally(), GATE())
    for p in parts:
        s.receive(p)
# The same mix with a serial number in every error text: each text is new.
unique = [HELLO]
n = 0
while n < 500_000:
    for msg in cycle_messages():
        msg = dict(msg)
        if msg.get("type") == "provider_error":
            msg["message"] = f"{msg['message']} (#{n})"
        elif msg.get("type") == "tool_result" and msg.get("error"):
            msg["error"] = f"{msg['error']} (#{n})"
        unique.append(msgpack.packb(msg))
        n += 1
data = b"".join(unique)
unique_parts = [data[i:i + READ] for i in range(0, len(data), READ)]
def core_unique():
    s = Session(Tally(), GATE())
    for p in unique_parts:
        s.receive(p)
rows = {"finish_reason": [], "provider_error": [], "tool_error": []}
seen = set()
for path in sys.argv[2:]:
    for line in open(path, encoding="utf-8"):
        if line.startswith(("#", "fact\t")) or not line.strip():
            continue
        fact, status, _, text = line.rstrip("\n").split("\t")[:4]
        text = text.replace("\\n", "\n").replace("\\t", "\t")
        if (fact, status, text) not in seen:
            seen.add((fact, status, text))
            rows[fact].append((text, int(status) if status else None))
def clear():
    for name in dir(facts):
        fn = getattr(facts, name)
        if hasattr(fn, "cache_clear") and not isinstance(fn, type):
            fn.cache_clear()
fr = [t for t, _ in rows["finish_reason"]]
pe = rows["provider_error"]
te = [t for t, _ in rows["tool_error"]]
def finish():
    clear()
    for r in fr:
        facts.finish_reason_fact(r)
def provider():
    clear()
    for m, s in pe:
        facts.provider_error_fact(m, s)
def tool():
    clear()
    for e in te:
        facts.tool_error_fact(e)
out = {
    "core events/s (ingest mix)": 500_000 / cpu(core, 1),
    "core events/s (ingest mix, every error text unique)": 500_000 / cpu(core_unique, 1),
    "finish_reason ns/input": cpu(finish, 10) / len(fr) * 1e9,
    "provider_error ns/input": cpu(provider, 5) / len(pe) * 1e9,
    "tool_error ns/input": cpu(tool, 5) / len(te) * 1e9,
}
print(json.dumps(out))
'''

DAEMON = r'''
import json, os, sys
sys.path.insert(0, sys.argv[1])
from _common import private_home, run_client, start_metricsd
def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
with private_home() as home:
    d = start_metricsd(home)
    try:
        run_client(d, conns=1, events_per_conn=200_000)
        before = cpu_seconds(d.pid)
        r = run_client(d, conns=1, events_per_conn=2_000_000)[0]
        used = cpu_seconds(d.pid) - before
    finally:
        d.stop()
print(json.dumps({"daemon events/s (1 client)": r["events"] / r["seconds"],
                  "daemon events per CPU-second": r["events"] / used}))
'''


CORE_ONLY = r'''
import sys
sys.path.insert(0, sys.argv[1])
from core import chunks
from metricsd.core.counts import Tally
from metricsd.core.protocol import Gate, Session
parts = chunks(int(sys.argv[3]))
s = Session(Tally(), Gate.open() if hasattr(Gate, "open") else Gate(counting=True))
for p in parts:
    s.receive(p)
'''
INSTR_EVENTS = 40_000


def instructions(src: Path, events: int) -> int:
    """Instructions executed by the core run (callgrind), start-up included."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="mdcg-") as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", PY, "-c",
             CORE_ONLY, str(BENCH_DIR), str(CORPUS), str(events)],
            env=env, cwd=src, capture_output=True, text=True, timeout=1800, check=True)
    m = re.search(r"Collected : ([0-9]+)", out.stderr)
    assert m is not None, out.stderr[-500:]
    return int(m.group(1))


def instructions_per_event(src: Path) -> float:
    """(run with the mix - run without) / events: start-up and imports cancel out."""
    return (instructions(src, INSTR_EVENTS) - instructions(src, 0)) / INSTR_EVENTS


def run(code: str, src: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "METRICSD_BENCH_SRC": str(src)}
    out = subprocess.run([PY, "-c", code, str(BENCH_DIR), str(CORPUS), *map(str, BATCHES)],
                         env=env, cwd=src,
                         check=True, capture_output=True, text=True, timeout=900).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("rev", help="the revision to compare with (the baseline)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--core-only", action="store_true",
                   help="only the in-process figures (no daemon, no callgrind)")
    a = p.parse_args()
    header(f"facts: {a.rev} (before) vs the working tree (after), {a.reps} repetitions, "
           "interleaved" + (", in-process only" if a.core_only else ""))
    results: dict[str, dict[str, list[float]]] = {"before": defaultdict(list),
                                                  "after": defaultdict(list)}
    with tempfile.TemporaryDirectory(prefix="mdf-") as tmp:
        srcs = {"before": extract(a.rev, Path(tmp)), "after": ROOT}
        for _ in range(a.reps):
            for name, src in srcs.items():
                for code in (PROBE,) if a.core_only else (PROBE, DAEMON):
                    for k, v in run(code, src).items():
                        results[name][k].append(v)
        if shutil.which("valgrind") and not a.core_only:
            for name, src in srcs.items():
                results[name]["core instructions/event (callgrind)"].append(
                    instructions_per_event(src))
    rows: list[list[Any]] = []
    for k in results["before"]:
        b, n = results["before"][k], results["after"][k]
        change = 100 * (median(n) - median(b)) / median(b)
        rows.append([k, f"{median(b):,.0f} ({spread(b)})", f"{median(n):,.0f} ({spread(n)})",
                     f"{change:+.1f} %"])
    print(table(["median", f"before ({a.rev})", "after", "change"], rows))
    print(f"raw: {save('facts', {'rev': a.rev, 'results': results})}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
