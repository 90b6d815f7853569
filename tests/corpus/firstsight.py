"""Score a new batch of real inputs at first sight, before anything changes for it.

``python -m tests.corpus.firstsight /work/gather/batch-NN.tsv [--record]`` labels every row
of the batch with the classifier *as committed* at ``HEAD`` (``git archive`` of
``metricsd/`` into a temporary directory, run in a fresh interpreter: the working tree, and
whatever is being changed in it, plays no part) and with main's classifier before facts v3
(``BEFORE``), after dropping the rows whose (fact, status, input) is already in the corpus
(or earlier in the batch).  It prints one line per measure and, with ``--record``, appends
the result to ``first_sight.tsv``, the record docs/FACTS.md is generated from.  It never
prints the rows or the misses: those are looked at only after the score is committed
(``--misses`` shows them against the working tree, for the review that follows).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from tests.corpus.corpus import (
    FACTS,
    HERE,
    MEASURES,
    Row,
    distinct_sources,
    key,
    parse_batch,
    rows,
    scores,
)

ROOT = HERE.parents[1]
RECORD = HERE / "first_sight.tsv"
#: main before facts v3: the "before" column.
BEFORE = "3a9b71c"
RECORD_HEADER = ("batch", "scored_at", "classifier", "rows", "duplicates", "sources",
                 "finish_reason_rows", "provider_error_rows", "tool_error_rows",
                 *(f"before {m}" for m in MEASURES), *(f"first sight {m}" for m in MEASURES))

_LABEL = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from metricsd.core.facts import finish_reason_label, provider_error_label, tool_error_label
out = []
for fact, text, status in json.load(sys.stdin):
    if fact == "finish_reason":
        out.append([finish_reason_label(text)])
    elif fact == "provider_error":
        out.append([provider_error_label(text, status), provider_error_label(text, None)])
    else:
        out.append([tool_error_label(text)])
print(json.dumps(out))
'''


def commit_of(rev: str) -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def classifier_of(rev: str) -> str:
    """The last commit at or before ``rev`` that changed ``metricsd/`` (commits between
    that only grew the corpus score with the same classifier)."""
    return subprocess.run(["git", "log", "-1", "--format=%h", rev, "--", "metricsd"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def labels_at(rev: str, batch: list[Row]) -> list[list[str]]:
    """Each row's labels by the classifier committed at ``rev`` (for provider_error: with
    the status, then from the message alone)."""
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "metricsd"], cwd=ROOT,
                             check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory(prefix="mdfirst-") as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        data = json.dumps([[r.fact, r.input, r.status] for r in batch])
        out = subprocess.run([sys.executable, "-I", "-c", _LABEL, tmp], input=data, text=True,
                             check=True, capture_output=True, cwd=tmp).stdout
    result: list[list[str]] = json.loads(out)
    return result


@dataclass(frozen=True)
class Measure:
    agreed: int
    total: int

    def cell(self) -> str:
        return f"{self.agreed}/{self.total}"

    def percent(self) -> str:
        return f"{100 * self.agreed / self.total:.0f} %" if self.total else "—"


def measure(batch: list[Row], labels: list[list[str]]) -> list[Measure]:
    """The four measures of MEASURES for ``batch`` labelled ``labels``."""
    def m(fact: str, index: int) -> Measure:
        pairs = [(r, ls) for r, ls in zip(batch, labels, strict=True) if r.fact == fact]
        return Measure(sum(r.agrees(ls[index]) for r, ls in pairs), len(pairs))
    return [m("finish_reason", 0), m("provider_error", 0), m("provider_error", 1),
            m("tool_error", 0)]


def fresh(batch: list[Row], corpus: tuple[Row, ...]) -> tuple[list[Row], int]:
    """The rows of ``batch`` not already in ``corpus`` (nor earlier in the batch)."""
    seen = {key(r) for r in corpus}
    out: list[Row] = []
    for r in batch:
        if key(r) not in seen:
            seen.add(key(r))
            out.append(r)
    return out, len(batch) - len(out)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("batch", type=Path)
    p.add_argument("--name", help="the batch's name (default: the two digits of the file)")
    p.add_argument("--rev", default="HEAD")
    p.add_argument("--record", action="store_true", help=f"append the result to {RECORD.name}")
    p.add_argument("--misses", action="store_true",
                   help="after scoring: show the misses of the working tree's classifier")
    a = p.parse_args()
    name = a.name or "".join(c for c in a.batch.stem if c.isdigit())[-2:]
    batch = parse_batch(a.batch, name)
    for r in batch:
        assert r.fact in FACTS, r
    corpus = tuple(r for r in rows() if r.batch != name)
    new, dropped = fresh(batch, corpus)
    scored_at = commit_of(a.rev)
    first = measure(new, labels_at(a.rev, new))
    before = measure(new, labels_at(BEFORE, new))
    per_fact = [sum(r.fact == f for r in new) for f in FACTS]
    sources = len(distinct_sources(new))
    print(f"batch {name}: {len(new)} rows ({dropped} duplicates dropped), {sources} sources, "
          f"scored at {scored_at}")
    for m, b, f in zip(MEASURES, before, first, strict=True):
        print(f"  {m:32} before {b.cell():>7} {b.percent():>5}   first sight {f.cell():>7} "
              f"{f.percent():>5}")
    if a.record:
        if not RECORD.exists():
            RECORD.write_text("\t".join(RECORD_HEADER) + "\n", encoding="utf-8")
        done = {line.split("\t")[0] for line in RECORD.read_text(encoding="utf-8").splitlines()}
        assert name not in done, f"batch {name} was already scored at first sight"
        cells = [name, scored_at, classifier_of(a.rev), str(len(new)), str(dropped), str(sources),
                 *map(str, per_fact), *(m.cell() for m in before), *(m.cell() for m in first)]
        with RECORD.open("a", encoding="utf-8") as out:
            out.write("\t".join(cells) + "\n")
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    if a.misses:
        for s in scores(subset=new):
            print(s.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
