"""The corpus of real inputs and the errors captured by running real programs, classified
and scored per fact.  Used by the corpus tests, by ``python -m tests.corpus.docs`` (the
generated part of docs/FACTS.md) and by ``python -m tests.corpus.firstsight`` (the score of
a new batch at first sight).

The corpus is ``facts.tsv`` (batch ``00``: the rows the v1.2 tables were written from) and
``batches/NN.tsv`` (rows gathered later, in batches, by readers who never saw the tables;
each batch was scored before anything changed for it: ``first_sight.tsv``)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from metricsd.core.facts import finish_reason_label, provider_error_label, tool_error_label

HERE = Path(__file__).parent
TSV = HERE / "facts.tsv"
BATCHES = HERE / "batches"
FACTS = ("finish_reason", "provider_error", "tool_error")
#: Agreement the tables must reach on the whole corpus, per fact (and per mode of
#: provider_error).
REQUIRED = 0.98
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}
#: The header of a batch file (a seventh column, ``review``, is optional: the reason a
#: label was corrected after first sight, or another note of the reviewer).
BATCH_HEADER = ["fact", "status", "expected", "input", "source", "accepted"]


@dataclass(frozen=True)
class Row:
    fact: str
    input: str
    status: int | None
    expected: str
    source: str
    #: Other labels a careful reader may give this row, and why (honest ambiguity).
    accepted: tuple[str, ...] = ()
    why: str = ""
    batch: str = "00"
    review: str = ""
    #: For a provider_error row with a status: the label a careful reader gives the message
    #: alone, where that differs (the row's label came from the status), and why.  It
    #: counts only when the row is read without its status.
    alone: tuple[str, ...] = ()
    alone_why: str = ""

    def agrees(self, label: str, *, alone: bool = False) -> bool:
        """``alone``: the label was given to the message without its status."""
        return label == self.expected or label in self.accepted or (alone and label in self.alone)


def unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(c)
    return "".join(out)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


_ACCEPTED = re.compile(r"\s*([a-z0-9_,\s-]*?)\s*(?:\u2014|--| - )\s*(.*)", re.S)


def parse_accepted(cell: str) -> tuple[tuple[str, ...], str]:
    """``label[,label] — reason`` -> (labels, reason); empty -> ((), "")."""
    cell = cell.strip()
    if not cell:
        return (), ""
    m = _ACCEPTED.fullmatch(cell)
    labels, why = (m.group(1), m.group(2)) if m else (cell, "")
    return tuple(x.strip() for x in labels.split(",") if x.strip()), why.strip()


_ALONE = re.compile(r"(?:^|;)\s*alone:\s*(.*)$", re.S)


def parse_cell(cell: str) -> tuple[tuple[str, ...], str, tuple[str, ...], str]:
    """An ``accepted`` cell: ``label[,label] — reason``, then optionally
    ``; alone: label — reason`` (or only ``alone: label — reason``) -> (labels, reason,
    labels for the message alone, reason)."""
    m = _ALONE.search(cell)
    if m is None:
        return (*parse_accepted(cell), (), "")
    return (*parse_accepted(cell[:m.start()]), *parse_accepted(m.group(1)))


def parse_batch(path: Path, batch: str) -> list[Row]:
    """The rows of a batch file (header :data:`BATCH_HEADER`, optional ``review``)."""
    out: list[Row] = []
    header_seen = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            assert cells[:6] == BATCH_HEADER, (path, cells)
            header_seen = True
            continue
        assert 5 <= len(cells) <= 7, (path, line)
        cells += [""] * (7 - len(cells))
        fact, status, expected, text, source, accepted, review = cells[:7]
        labels, why, alone, alone_why = parse_cell(accepted)
        out.append(Row(fact.strip(), unescape(text), int(status) if status.strip() else None,
                       expected.strip(), unescape(source), labels, why, batch, review,
                       alone, alone_why))
    return out


SECOND_READER = HERE / "second_reader.tsv"


@dataclass(frozen=True)
class SecondReading:
    """A corpus row labelled again, blind, by a second reader from the contract alone (who
    saw neither the first reader's label nor the tables), with the label the classifier gave
    the row at first sight (when its batch was scored)."""

    row: Row
    first_sight: str
    expected: str
    accepted: tuple[str, ...]

    def agrees(self, label: str) -> bool:
        return label == self.expected or label in self.accepted


@functools.cache
def second_readings() -> tuple[SecondReading, ...]:
    corpus = {key(r): r for r in rows()}
    out = []
    lines = SECOND_READER.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["fact", "status", "input", "first_sight", "expected",
                                     "accepted"], lines[0]
    for line in lines[1:]:
        fact, status, text, first, expected, accepted = [*line.split("\t"), ""][:6]
        row = corpus[(fact, int(status) if status else None, unescape(text))]
        out.append(SecondReading(row, first, expected, parse_accepted(accepted)[0]))
    return tuple(out)


def batch_files() -> list[Path]:
    """Every batch file, in the order the batches were numbered (``99.tsv`` before ``100.tsv``)."""
    return sorted(BATCHES.glob("[0-9]*.tsv"), key=lambda p: int(p.stem))


@functools.cache
def rows() -> tuple[Row, ...]:
    """The whole corpus: facts.tsv (batch 00), then every batch, in file order."""
    out = parse_batch(TSV, "00")
    for path in batch_files():
        out += parse_batch(path, path.stem)
    return tuple(out)


def key(row: Row) -> tuple[str, int | None, str]:
    """Rows with the same key are the same input: a batch drops the ones it repeats."""
    return (row.fact, row.status, row.input)


_URL = re.compile(r"[a-z][a-z0-9+.-]*://(?:www\.)?([^/\s:]+)", re.I)
_REPO = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*)/([A-Za-z0-9][A-Za-z0-9_.-]*?)(?:\.git)?"
                   r"(?=$|[\s#@:,;)])")
_CAPTURED = re.compile(r"captured(?: here)?:\s*(?:\w+=\S+\s+)*(\S+)", re.I)


def source_of(source: str) -> str:
    """The distinct source a row's ``source`` names: one repository (``owner/repo``, from
    ``owner/repo path`` or ``owner/repo#N``), one site (the host of a URL, or a bare
    domain), or one program run here (``captured: PROGRAM``, its first word).  Anything
    else counts by its first two words."""
    text = source.strip()
    m = _CAPTURED.match(text)
    if m:
        return "captured: " + os.path.basename(m.group(1)).lower()
    m = _URL.search(text.split()[0]) if text else None
    if m:
        return m.group(1).lower()
    m = _REPO.match(text)
    if m and "." not in m.group(1).split("/")[0]:
        return f"{m.group(1)}/{m.group(2)}".lower()
    first = text.split()[0] if text else ""
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?", first, re.I):
        return first.split("/")[0].lower()
    return " ".join(text.split()[:2]).lower()


def distinct_sources(subset: Iterable[Row]) -> set[str]:
    return {source_of(r.source) for r in subset}


# --- errors captured from real programs, as the tests run ---------------------------------

@dataclass(frozen=True)
class Program:
    what: str
    argv: Callable[[Path], list[str] | None]  # None: the program is not installed here
    expected: str


def _which(name: str, *argv: str) -> Callable[[Path], list[str] | None]:
    def make(tmp: Path) -> list[str] | None:
        path = shutil.which(name)
        return [path, *argv] if path else None
    return make


def _as_nobody(tmp: Path) -> list[str] | None:
    """A write into a read-only directory; as root, run as nobody (root may write)."""
    target = tmp / "readonly"
    target.mkdir(exist_ok=True)
    target.chmod(0o555)
    tmp.chmod(0o755)
    cmd = ["sh", "-c", f"echo x > {target}/f"]
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd] if setpriv \
        else None


def _closed_port(tmp: Path) -> list[str] | None:
    curl = shutil.which("curl")
    if curl is None:
        return None
    with socket.socket() as s:  # a port that was just free: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return [curl, "-sS", "--max-time", "10", f"http://127.0.0.1:{port}/"]


def _git_repo(tmp: Path) -> Path:
    repo = tmp / "repo"
    if not repo.exists():
        repo.mkdir()
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env, timeout=60)
        (repo / "a.txt").write_text("one\ntwo\nthree\n")
        (tmp / "bad.patch").write_text(
            "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-TWO\n+2\n three\n")
    return repo


def _git(*argv: str) -> Callable[[Path], list[str] | None]:
    def make(tmp: Path) -> list[str] | None:
        git = shutil.which("git")
        if git is None:
            return None
        return [git, "-C", str(_git_repo(tmp)), *argv]
    return make


def _patch(tmp: Path) -> list[str] | None:
    patch = shutil.which("patch")
    if patch is None or shutil.which("git") is None:
        return None
    repo = _git_repo(tmp)
    return [patch, "--dry-run", str(repo / "a.txt"), str(tmp / "bad.patch")]


def _go_missing_package(tmp: Path) -> list[str] | None:
    go = shutil.which("go")
    if go is None:
        return None
    (tmp / "m.go").write_text('package main\n\nimport _ "example.invalid/nothere"\n\n'
                              "func main() {}\n")
    return [go, "run", str(tmp / "m.go")]


PROGRAMS: tuple[Program, ...] = (
    Program("bash: an unknown command", _which("bash", "-c", "no-such-command-8c1f"), "not_found"),
    Program("cat of a missing file", _which("cat", "missing-file.txt"), "not_found"),
    Program("ls of a missing file", _which("ls", "missing-file.txt"), "not_found"),
    Program("grep in a missing file", _which("grep", "x", "missing-file.txt"), "not_found"),
    Program("git apply of a patch that does not apply", _git("apply", "../bad.patch"),
            "edit_mismatch"),
    Program("git checkout of a branch that does not exist", _git("checkout", "no-such-branch"),
            "not_found"),
    Program("GNU patch with a hunk that fails", _patch, "edit_mismatch"),
    Program("python: import of a missing module",
            lambda tmp: [sys.executable, "-c", "import no_such_module_8c1f"], "not_found"),
    Program("python: an unexpected keyword argument",
            lambda tmp: [sys.executable, "-c", "def f(): pass\nf(path='x')"], "invalid_args"),
    Program("python: subprocess check=True of a failing command",
            lambda tmp: [sys.executable, "-c",
                         "import subprocess; subprocess.run(['false'], check=True)"],
            "exit_nonzero"),
    Program("python: subprocess timeout",
            lambda tmp: [sys.executable, "-c",
                         "import subprocess, sys; subprocess.run([sys.executable, '-c', "
                         "'import time; time.sleep(30)'], timeout=0.2)"], "timeout"),
    Program("node: require of a missing module",
            _which("node", "-e", "require('no-such-module-8c1f')"), "not_found"),
    Program("node: execSync of cat on a missing file",
            _which("node", "-e", "require('child_process').execSync('cat missing-file.txt', "
                                 "{stdio: 'pipe'})"), "not_found"),
    Program("node: execSync of a command exiting 3",
            _which("node", "-e", "require('child_process').execSync('exit 3', "
                                 "{stdio: 'pipe'})"), "exit_nonzero"),
    Program("sh: a write into a read-only directory", _as_nobody, "permission"),
    Program("curl to a closed port", _closed_port, "network"),
    Program("go run of a program importing a missing package", _go_missing_package,
            "not_found"),
)


@dataclass(frozen=True)
class Captured:
    program: Program
    text: str | None  # None: not installed here


@functools.cache
def captured() -> tuple[Captured, ...]:
    """Run every program once (in a private temp dir) and keep what it wrote."""
    out: list[Captured] = []
    tmp = Path(tempfile.mkdtemp(prefix="mdcorpus-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NODE_", "PYTHON"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C",
               GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local",
               GOCACHE=str(tmp / "gocache"), GOPATH=str(tmp / "gopath"))
    try:
        for program in PROGRAMS:
            argv = program.argv(tmp)
            if argv is None:
                out.append(Captured(program, None))
                continue
            proc = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, env=env,
                                  timeout=120)
            assert proc.returncode != 0, (program.what, proc.stdout, proc.stderr)
            text = (proc.stderr + proc.stdout).strip()
            assert text, program.what
            out.append(Captured(program, text))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tuple(out)


def captured_rows() -> list[Row]:
    return [Row("tool_error", c.text, None, c.program.expected,
                f"captured: {c.program.what}") for c in captured() if c.text is not None]


# --- scoring ----------------------------------------------------------------------------

def classify(row: Row, *, with_status: bool = True) -> str:
    if row.fact == "finish_reason":
        return finish_reason_label(row.input)
    if row.fact == "provider_error":
        return provider_error_label(row.input, row.status if with_status else None)
    return tool_error_label(row.input)


@dataclass(frozen=True)
class Score:
    name: str
    total: int
    agreed: int
    misses: tuple[tuple[Row, str], ...]

    @property
    def share(self) -> float:
        return self.agreed / self.total if self.total else 1.0

    def report(self) -> str:
        lines = [f"{self.name}: {self.agreed}/{self.total} = {100 * self.share:.1f} %"]
        lines += [f"  miss: got {got}, expected {row.expected} [{row.source}]: "
                  f"{row.input[:160]!r}" for row, got in self.misses]
        return "\n".join(lines)


def score(name: str, subset: list[Row], *, with_status: bool = True) -> Score:
    misses = tuple((r, got) for r in subset
                   if not r.agrees(got := classify(r, with_status=with_status),
                                   alone=not with_status))
    return Score(name, len(subset), len(subset) - len(misses), misses)


#: The four measures, in this order everywhere (first_sight.tsv, docs/FACTS.md).
MEASURES = ("finish_reason", "provider_error (with status)", "provider_error (message alone)",
            "tool_error")


def scores(extra: list[Row] | None = None, subset: Iterable[Row] | None = None) -> list[Score]:
    """Agreement per fact: finish_reason; provider_error with the SDK's status and from the
    message alone; tool_error (the corpus, or ``subset``, plus ``extra`` captured rows)."""
    all_rows = list(rows() if subset is None else subset)
    by_fact = {f: [r for r in all_rows if r.fact == f] for f in FACTS}
    return [
        score("finish_reason", by_fact["finish_reason"]),
        score("provider_error (with status)", by_fact["provider_error"]),
        score("provider_error (message alone)", by_fact["provider_error"], with_status=False),
        score("tool_error", by_fact["tool_error"] + (extra or [])),
    ]
