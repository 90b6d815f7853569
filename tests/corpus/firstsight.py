"""Score a new batch of real inputs at first sight, before anything changes for it.

``python -m tests.corpus.firstsight /work/gather/batch-NN.tsv [--record]`` labels every row
of the batch with the classifier *as committed* at ``HEAD`` (``git archive`` of
``metricsd/`` into a temporary directory, run in a fresh interpreter: the working tree, and
whatever is being changed in it, plays no part) and with main's classifier before facts v3
(``BEFORE``), after dropping the rows whose (fact, status, input) is already in the corpus
(or earlier in the batch).  It prints one line per measure and, with ``--record``, appends
the result to ``first_sight.tsv``, the record docs/FACTS.md is generated from.

With ``--daemon`` the first-sight labels are the counts of a real daemon: the ``HEAD``
tree's ``metricsd run`` in a temporary home, fed each row over its socket by the Python
client, each label read back as the one counter the row moved in a ``snapshot``.  The
pure functions of the same tree must give the same labels (the score stops otherwise).
That is how a held-out set is scored: once, by the program users run.  It never
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
from typing import Any

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
#: The message-alone measure held to the label a row has with its status (a reader's label
#: for the message alone does not count): the last column of the record.
STRICT = "first sight provider_error (message alone, strict)"
RECORD_HEADER = ("batch", "scored_at", "classifier", "rows", "duplicates", "sources",
                 "finish_reason_rows", "provider_error_rows", "tool_error_rows",
                 *(f"before {m}" for m in MEASURES), *(f"first sight {m}" for m in MEASURES),
                 "scored_by", STRICT)
#: How a batch's first-sight labels were read (the column `scored_by` of the record).
SCORED_BY = ("functions", "daemon")

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


def _extract(rev: str, tmp: str) -> None:
    """The ``metricsd/`` tree committed at ``rev``, into ``tmp``."""
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "metricsd"], cwd=ROOT,
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")


def labels_at(rev: str, batch: list[Row]) -> list[list[str]]:
    """Each row's labels by the classifier committed at ``rev`` (for provider_error: with
    the status, then from the message alone)."""
    with tempfile.TemporaryDirectory(prefix="mdfirst-") as tmp:
        _extract(rev, tmp)
        data = json.dumps([[r.fact, r.input, r.status] for r in batch])
        out = subprocess.run([sys.executable, "-I", "-c", _LABEL, tmp], input=data, text=True,
                             check=True, capture_output=True, cwd=tmp).stdout
    result: list[list[str]] = json.loads(out)
    return result


#: Runs ``metricsd`` from the extracted tree given first (asserting that it is that tree).
_RUN = r'''
import runpy, sys
tree = sys.argv.pop(1)
sys.path.insert(0, tree)
import metricsd
assert metricsd.__file__.startswith(tree), metricsd.__file__
runpy.run_module("metricsd", run_name="__main__")
'''


def _moved(before: dict[str, int], after: dict[str, int]) -> str:
    """The one label whose count went up by one."""
    moved = [k for k in after if after[k] != before.get(k, 0)]
    assert len(moved) == 1 and after[moved[0]] == before.get(moved[0], 0) + 1, (before, after)
    return moved[0]


def daemon_labels_at(rev: str, batch: list[Row]) -> list[list[str]]:
    """As :func:`labels_at`, read from a real daemon of the tree committed at ``rev``."""
    from metricsd_client import Client

    with tempfile.TemporaryDirectory(prefix="mdfs-", dir="/tmp") as tmp:
        tree = f"{tmp}/tree"
        _extract(rev, tree)
        home = Path(tmp)
        # Counting needs consent; the dev marker keeps anything from ever being uploaded.
        (home / "config.toml").write_text("[desktop]\nmetrics = true\n", encoding="utf-8")
        (home / "dev").touch()
        args = ["run", "--socket", str(home / "s"), "--state-dir", str(home / "state"),
                "--config", str(home / "config.toml"), "--dev-marker", str(home / "dev")]
        with open(home / "stderr", "w") as err:
            proc = subprocess.Popen([sys.executable, "-I", "-c", _RUN, tree, *args], cwd=tmp,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=err, text=True)
        try:
            assert proc.stdout is not None
            ready = proc.stdout.readline().strip()
            assert ready == f"READY {home / 's'}", (ready, (home / "stderr").read_text())
            out: list[list[str]] = []
            with Client(home / "s", "1.0.0") as c:
                counts = {f: dict[str, int]() for f in FACTS}

                def label(fact: str, send: Any) -> str:
                    send()
                    assert c.sync(), "the daemon did not commit"
                    snapshot = c.snapshot()
                    assert snapshot is not None
                    now = snapshot["counts"].get(fact, {})
                    got = _moved(counts[fact], now)
                    counts[fact] = dict(now)
                    return got

                for r in batch:
                    if r.fact == "finish_reason":
                        out.append([label(r.fact, lambda r=r: c.turn(r.input))])
                    elif r.fact == "provider_error":
                        out.append([
                            label(r.fact, lambda r=r: c.provider_error(r.input, r.status)),
                            label(r.fact, lambda r=r: c.provider_error(r.input, None))])
                    else:
                        out.append([label(r.fact, lambda r=r: c.tool_result(r.input))])
        finally:
            proc.terminate()
            code = proc.wait(30)
        assert code == 0, (code, (home / "stderr").read_text())
    return out


@dataclass(frozen=True)
class Measure:
    agreed: int
    total: int

    def cell(self) -> str:
        return f"{self.agreed}/{self.total}"

    def percent(self) -> str:
        return f"{100 * self.agreed / self.total:.0f} %" if self.total else "—"


def measure(batch: list[Row], labels: list[list[str]], *, strict: bool = False
            ) -> list[Measure]:
    """The four measures of MEASURES for ``batch`` labelled ``labels``.  ``strict``: the
    message alone must get the label the row has with its status (the reader's label for
    the message alone does not count)."""
    def m(fact: str, index: int) -> Measure:
        pairs = [(r, ls) for r, ls in zip(batch, labels, strict=True) if r.fact == fact]
        alone = index == 1 and not strict
        return Measure(sum(r.agrees(ls[index], alone=alone) for r, ls in pairs), len(pairs))
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
    p.add_argument("--daemon", action="store_true",
                   help="read the first-sight labels from a real daemon (see above)")
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
    labels = labels_at(a.rev, new)
    if a.daemon:
        counted = daemon_labels_at(a.rev, new)
        differ = sum(x != y for x, y in zip(labels, counted, strict=True))
        assert not differ, f"the daemon and the functions differ on {differ} rows"
    first = measure(new, labels)
    before = measure(new, labels_at(BEFORE, new))
    per_fact = [sum(r.fact == f for r in new) for f in FACTS]
    sources = len(distinct_sources(new))
    print(f"batch {name}: {len(new)} rows ({dropped} duplicates dropped), {sources} sources, "
          f"scored at {scored_at} by {'a real daemon' if a.daemon else 'the functions'}")
    for m, b, f in zip(MEASURES, before, first, strict=True):
        print(f"  {m:32} before {b.cell():>7} {b.percent():>5}   first sight {f.cell():>7} "
              f"{f.percent():>5}")
    if any(r.alone for r in new):
        strict = measure(new, labels, strict=True)[2]
        print(f"  {'  strictly (the status label)':32} {'':>22}   first sight {strict.cell():>7} "
              f"{strict.percent():>5}  ({sum(bool(r.alone) for r in new)} rows read alone "
              "differently)")
    if a.record:
        if not RECORD.exists():
            RECORD.write_text("\t".join(RECORD_HEADER) + "\n", encoding="utf-8")
        done = {line.split("\t")[0] for line in RECORD.read_text(encoding="utf-8").splitlines()}
        assert name not in done, f"batch {name} was already scored at first sight"
        cells = [name, scored_at, classifier_of(a.rev), str(len(new)), str(dropped), str(sources),
                 *map(str, per_fact), *(m.cell() for m in before), *(m.cell() for m in first),
                 SCORED_BY[a.daemon], measure(new, labels, strict=True)[2].cell()]
        with RECORD.open("a", encoding="utf-8") as out:
            out.write("\t".join(cells) + "\n")
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    if a.misses:
        for s in scores(subset=new):
            print(s.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
