"""The tables against real inputs: the corpus (tests/corpus/facts.tsv and the batches in
tests/corpus/batches/, each row with its public source) and errors captured from real
programs run here.  At least 98 % agreement per fact over the whole corpus, with every miss
listed; the first-sight record of every batch; and a real daemon fed the corpus over its
socket counts exactly the labels the tables give."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from metricsd.core.facts import COUNTERS, is_allowed
from tests.conftest import DaemonFactory, Home
from tests.corpus.corpus import (
    BATCHES,
    FACTS,
    MEASURES,
    PROGRAMS,
    REQUIRED,
    Row,
    batch_files,
    captured,
    captured_rows,
    classify,
    distinct_sources,
    key,
    parse_accepted,
    parse_cell,
    rows,
    scores,
    source_of,
)
from tests.corpus.firstsight import RECORD, RECORD_HEADER, SCORED_BY, STRICT


#: A source that names a repository, a site or a program run here (see source_of).
def _is_public(source: str) -> bool:
    key_ = source_of(source)
    return "/" in key_ or "." in key_ or key_.startswith("captured: ")


def test_the_corpus_is_big_and_sourced() -> None:
    corpus = rows()
    assert len(corpus) >= 1000
    # At least 60 distinct public sources: repositories, sites, programs run here.
    assert len({s for s in distinct_sources(corpus) if _is_public(s)}) >= 60
    for fact in FACTS:
        subset = [r for r in corpus if r.fact == fact]
        assert len(subset) >= 200, fact
        # Every label of every fact has real inputs.
        labels = {r.expected for r in subset}
        assert labels == set(COUNTERS[fact]), (fact, set(COUNTERS[fact]) - labels)
    for r in corpus:
        assert is_allowed(r.fact, r.expected), r
        assert len(r.source) >= 8, r
        assert r.fact == "provider_error" or r.status is None, r
        # An accepted label is another label of the fact, and says why.
        for label in r.accepted:
            assert is_allowed(r.fact, label) and label != r.expected, r
        assert not r.accepted or len(r.why) >= 10, r
        # A label for the message alone belongs to a provider error read with its status.
        assert not r.alone or (r.status is not None and len(r.alone_why) >= 10), r
        for label in r.alone:
            assert is_allowed(r.fact, label) and label != r.expected, r
    # Every batch row is sourced by a repository, a site or a program run here.
    assert all(_is_public(r.source) for r in corpus if r.batch != "00")
    # A batch repeats no input already in the corpus (batch 00 lists some strings once per
    # source that defines them).
    seen = {key(r) for r in corpus if r.batch == "00"}
    for r in corpus:
        if r.batch != "00":
            assert key(r) not in seen, r
            seen.add(key(r))


@pytest.mark.parametrize(("source", "counted"), [
    ("openai/openai-python src/openai/types/chat/chat_completion.py", "openai/openai-python"),
    ("BerriAI/litellm#1234 (pasted by a user)", "berriai/litellm"),
    ("https://docs.anthropic.com/en/api/errors", "docs.anthropic.com"),
    ("docs.mistral.ai/api", "docs.mistral.ai"),
    ("captured here: python3 -c 'import x'", "captured: python3"),
])
def test_how_a_source_is_counted(source: str, counted: str) -> None:
    assert source_of(source) == counted


def test_accepted_labels_are_parsed_with_their_reason() -> None:
    assert parse_accepted("") == ((), "")
    assert parse_accepted("timeout,canceled \u2014 both fit") == (("timeout", "canceled"),
                                                                  "both fit")


def test_a_label_for_the_message_alone_counts_only_without_the_status() -> None:
    cell = "timeout \u2014 both fit; alone: other \u2014 the message names no failure"
    assert parse_cell(cell) == (("timeout",), "both fit", ("other",),
                                "the message names no failure")
    assert parse_cell("alone: bad_request \u2014 it names a bad input") == (
        (), "", ("bad_request",), "it names a bad input")
    row = Row("provider_error", "Error parsing input.", 500, "server", "x/y z",
              alone=("bad_request",), alone_why="it names a bad input")
    assert row.agrees("bad_request", alone=True) and not row.agrees("bad_request")
    assert row.agrees("server", alone=True) and not row.agrees("other", alone=True)


def test_every_batch_was_scored_at_first_sight() -> None:
    """first_sight.tsv has one line per batch, written before the batch joined the corpus,
    and docs/FACTS.md shows it (tests/test_docs.py checks the generated table)."""
    lines = RECORD.read_text(encoding="utf-8").splitlines()
    assert tuple(lines[0].split("\t")) == RECORD_HEADER
    recorded = {}
    for line in lines[1:]:
        cells = dict(zip(RECORD_HEADER, line.split("\t"), strict=True))
        recorded[cells["batch"]] = cells
        assert cells["scored_by"] in SCORED_BY
        for m in MEASURES:
            for when in ("before", "first sight"):
                agreed, total = map(int, cells[f"{when} {m}"].split("/"))
                assert 0 <= agreed <= total
        # Held to the status label, the message alone agrees no more often.
        strict, total = map(int, cells[STRICT].split("/"))
        alone = cells["first sight provider_error (message alone)"]
        assert 0 <= strict <= int(alone.split("/")[0]) and total == int(alone.split("/")[1])
    files = {p.stem for p in batch_files()}
    assert len(recorded) >= 8 and set(recorded) == files, (set(recorded) ^ files)
    corpus = rows()
    for name, cells in recorded.items():
        batch = [r for r in corpus if r.batch == name]
        # The batch holds the rows scored (less any dropped later, with the reason noted
        # in BATCHES/README.md).
        assert 0 < len(batch) <= int(cells["rows"]), name
        assert (BATCHES / f"{name}.tsv").exists()


@pytest.mark.parametrize("index", range(4))
def test_agreement_per_fact(index: int) -> None:
    s = scores(captured_rows())[index]
    print(s.report())  # every miss, shown with -s or on failure
    assert s.share >= REQUIRED, s.report()


def test_real_programs_are_classified_by_their_real_errors() -> None:
    ran = [c for c in captured() if c.text is not None]
    # bash, coreutils and Python are always here; git, node, curl, go, patch where installed.
    assert len(ran) >= 8, [c.program.what for c in captured() if c.text is None]
    wrong = [(c.program.what, c.program.expected, classify(r), c.text)
             for c, r in zip(ran, captured_rows(), strict=True) if classify(r) != r.expected]
    assert not wrong, wrong
    assert len(PROGRAMS) >= 15


def _send(c: Any, row: Row, *, with_status: bool) -> None:
    if row.fact == "finish_reason":
        c.turn(row.input)
    elif row.fact == "provider_error":
        c.provider_error(row.input, row.status if with_status else None)
    else:
        c.tool_result(row.input)


def test_a_real_daemon_counts_the_same_labels(home: Home, daemons: DaemonFactory) -> None:
    corpus = list(rows()) + captured_rows()
    expected: dict[str, Counter[str]] = {f: Counter() for f in FACTS}
    for r in corpus:
        expected[r.fact][classify(r)] += 1
    for r in corpus:
        if r.fact == "provider_error":
            expected[r.fact][classify(r, with_status=False)] += 1
    d = daemons.start(home)
    with d.client() as c:
        c.hello("1.0.0")
        for r in corpus:
            _send(c, r, with_status=True)
            if r.fact == "provider_error":
                _send(c, r, with_status=False)
        c.sync()
        counts = c.snapshot()["counts"]
    assert counts["turns"] == sum(1 for r in corpus if r.fact == "finish_reason")
    for fact in FACTS:
        assert counts[fact] == dict(expected[fact]), fact
    assert d.stop() == 0


def test_a_real_daemon_scores_a_batch_as_the_functions_do() -> None:
    """firstsight --daemon: the committed tree's daemon, fed row by row, reads back the
    labels its pure functions give (here on the first rows of each fact of a batch)."""
    from tests.corpus.firstsight import daemon_labels_at, labels_at
    corpus = rows()
    batch = [r for f in FACTS for r in [r for r in corpus if r.fact == f][:15]]
    counted = daemon_labels_at("HEAD", batch)
    assert counted == labels_at("HEAD", batch)
    assert [len(ls) for ls in counted] == [2 if r.fact == "provider_error" else 1
                                           for r in batch]


def test_a_second_reader_labelled_corpus_rows_again() -> None:
    """second_reader.tsv (docs/FACTS.md, "Two readers"): rows of the corpus, each with valid
    labels of its fact, the classifier's first-sight label among them."""
    from tests.corpus.corpus import second_readings
    readings = second_readings()
    assert len(readings) >= 300
    for r in readings:
        for label in (r.expected, r.first_sight, *r.accepted):
            assert is_allowed(r.row.fact, label), r
    assert {r.row.fact for r in readings} == set(FACTS)


def test_first_sight_drops_repeats_and_counts_accepted_labels() -> None:
    from tests.corpus.firstsight import fresh, measure
    old = Row("tool_error", "kaboom", None, "other", "owner/repo file")
    batch = [Row("tool_error", "kaboom", None, "other", "owner/repo file", batch="99"),
             Row("tool_error", "x", None, "timeout", "owner/repo file", ("canceled",), "both",
                 "99"),
             Row("tool_error", "x", None, "timeout", "owner/repo file", batch="99"),
             Row("provider_error", "y", 429, "rate_limit", "owner/repo file", batch="99")]
    new, dropped = fresh(batch, (old,))
    assert dropped == 2 and [r.input for r in new] == ["x", "y"]
    finish, with_status, alone, tool = measure(new, [["canceled"], ["rate_limit", "other"]])
    assert (tool.agreed, tool.total) == (1, 1)  # an accepted label agrees
    assert (with_status.agreed, with_status.total) == (1, 1)
    assert (alone.agreed, alone.total) == (0, 1)
    assert finish.total == 0 and finish.percent() == "—"
