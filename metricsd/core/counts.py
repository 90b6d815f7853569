"""In-memory deltas and the shapes counts take on the way out.  Pure: no I/O, no clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from metricsd.core.facts import COUNTERS, HEALTH_COUNTERS, Fact

#: Deltas of one client version: fact -> count.
Bucket = defaultdict[Fact, int]
#: Deltas of every client version: client version label -> bucket.
Groups = dict[str, dict[Fact, int]]


class Tally:
    """The deltas counted since the last commit, grouped by client version.

    Connections keep a reference to their group's bucket and increment it directly, so
    :meth:`take` empties the buckets in place instead of replacing them."""

    __slots__ = ("_groups",)

    def __init__(self) -> None:
        self._groups: dict[str, Bucket] = {}

    def bucket(self, client_version: str) -> Bucket:
        b = self._groups.get(client_version)
        if b is None:
            b = self._groups[client_version] = defaultdict(int)
        return b

    def take(self) -> Groups:
        """Return the deltas (non-zero only) and reset every bucket to empty."""
        out: Groups = {}
        for version, b in self._groups.items():
            if b:
                out[version] = {f: n for f, n in b.items() if n}
                b.clear()
        return out

    def peek(self) -> Groups:
        return {v: {f: n for f, n in b.items() if n} for v, b in self._groups.items() if b}

    def merge(self, groups: Groups) -> None:
        """Add deltas back (a commit that failed)."""
        for version, facts in groups.items():
            b = self.bucket(version)
            for f, n in facts.items():
                b[f] += n

    def clear(self) -> None:
        for b in self._groups.values():
            b.clear()

    def __bool__(self) -> bool:
        return any(self._groups.values())


def add_into(total: dict[Fact, int], facts: Iterable[tuple[Fact, int]]) -> dict[Fact, int]:
    for f, n in facts:
        if n:
            total[f] = total.get(f, 0) + n
    return total


def flatten(groups: Groups) -> dict[Fact, int]:
    total: dict[Fact, int] = {}
    for facts in groups.values():
        add_into(total, facts.items())
    return total


def counts_body(facts: Mapping[Fact, int]) -> dict[str, Any]:
    """Facts -> the ``counts`` object of SPEC section 7 (zeros left out, health excluded).

    Unlabelled counters become numbers, labelled ones objects; keys follow the order of
    :data:`metricsd.core.facts.COUNTERS` and of each label list, so the output is stable."""
    body: dict[str, Any] = {}
    for counter, labels in COUNTERS.items():
        if not labels:
            n = facts.get((counter, ""), 0)
            if n:
                body[counter] = n
            continue
        sub = {label: facts[(counter, label)] for label in labels if facts.get((counter, label))}
        if sub:
            body[counter] = sub
    return body


def health_body(facts: Mapping[Fact, int]) -> dict[str, int]:
    """Facts -> the ``health`` object of SPEC section 7 (every key present, zeros included)."""
    return {name: facts.get((name, ""), 0) for name in HEALTH_COUNTERS}
