"""The tables against real inputs: the corpus (tests/corpus/facts.tsv, each row with its
public source) and errors captured from real programs run here.  At least 95 % agreement
per fact, with every miss listed; and a real daemon fed the corpus over its socket counts
exactly the labels the tables give."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from metricsd.core.facts import COUNTERS, is_allowed
from tests.conftest import DaemonFactory, Home
from tests.corpus.corpus import (
    FACTS,
    PROGRAMS,
    REQUIRED,
    Row,
    captured,
    captured_rows,
    classify,
    rows,
    scores,
)


def test_the_corpus_is_big_and_sourced() -> None:
    corpus = rows()
    assert len(corpus) >= 250
    for fact in FACTS:
        subset = [r for r in corpus if r.fact == fact]
        assert len(subset) >= 80, fact
        # Every label of every fact but "other" has real inputs.
        labels = {r.expected for r in subset}
        assert set(COUNTERS[fact]) - {"other"} <= labels <= set(COUNTERS[fact]), fact
    for r in corpus:
        assert is_allowed(r.fact, r.expected), r
        assert len(r.source) >= 8, r
        assert r.fact == "provider_error" or r.status is None, r


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
