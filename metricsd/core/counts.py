"""In-memory deltas and the shapes counts take on the way out.  Pure: no I/O, no clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from metricsd.core.facts import COUNTERS, HEALTH_COUNTERS, UNKNOWN_VERSION, Fact

#: Deltas of one group: fact -> count.
Bucket = defaultdict[Fact, int]
#: A group: (dev build when counted, client version label).  Whether a count is a
#: dev-build count is fixed here, when the event is counted, never at commit time.
GroupKey = tuple[bool, str]
#: Deltas of every group.
Groups = dict[GroupKey, dict[Fact, int]]

#: At most this many distinct client versions are kept (in memory and in the store,
#: pending batches included); events of later versions count under ``unknown``.
MAX_CLIENT_VERSIONS: Final = 16


class VersionCap:
    """Admits at most ``limit`` distinct client versions besides ``unknown``."""

    __slots__ = ("_known", "_limit")

    def __init__(self, known: Iterable[str] = (), limit: int = MAX_CLIENT_VERSIONS) -> None:
        self._limit = limit
        self._known: set[str] = set()
        for version in known:
            self.admit(version)

    def admit(self, version: str) -> str:
        """``version`` if it has (or gets) one of the slots, else ``unknown``."""
        if version == UNKNOWN_VERSION or version in self._known:
            return version
        if len(self._known) < self._limit:
            self._known.add(version)
            return version
        return UNKNOWN_VERSION

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self._known)


class Tally:
    """The deltas counted since the last commit, grouped by (dev, client version).

    Connections keep references to their group's buckets and increment them directly,
    so :meth:`take` empties the buckets in place instead of replacing them.  The number
    of buckets is bounded by the version cap: at most 2 x (16 + 1)."""

    __slots__ = ("_groups", "cap")

    def __init__(self, cap: VersionCap | None = None) -> None:
        self._groups: dict[GroupKey, Bucket] = {}
        self.cap = cap if cap is not None else VersionCap()

    def buckets(self, client_version: str) -> tuple[Bucket, Bucket]:
        """(release bucket, dev bucket) of an admitted client version; index it with the
        dev flag in force when counting."""
        version = self.cap.admit(client_version)
        return self._bucket((False, version)), self._bucket((True, version))

    def _bucket(self, key: GroupKey) -> Bucket:
        b = self._groups.get(key)
        if b is None:
            b = self._groups[key] = defaultdict(int)
        return b

    def take(self) -> Groups:
        """Return the deltas (non-zero only) and reset every bucket to empty."""
        out: Groups = {}
        for key, b in self._groups.items():
            if b:
                out[key] = {f: n for f, n in b.items() if n}
                b.clear()
        return out

    def peek(self) -> Groups:
        return {k: {f: n for f, n in b.items() if n} for k, b in self._groups.items() if b}

    def merge(self, groups: Groups) -> None:
        """Add deltas back (a commit that failed)."""
        for key, facts in groups.items():
            b = self._bucket(key)
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


def counts_body(facts: Mapping[Fact, int],
                counters: Mapping[str, tuple[str, ...]] = COUNTERS) -> dict[str, Any]:
    """Facts -> the ``counts`` object of an upload body (zeros out, health excluded).

    Unlabelled counters become numbers, labelled ones objects; keys follow the order of
    :data:`metricsd.core.facts.COUNTERS` and of each label list, so the output is stable."""
    body: dict[str, Any] = {}
    for counter, labels in counters.items():
        if not labels:
            n = facts.get((counter, ""), 0)
            if n:
                body[counter] = n
            continue
        sub = {label: facts[(counter, label)] for label in labels if facts.get((counter, label))}
        if sub:
            body[counter] = sub
    return body


def health_body(facts: Mapping[Fact, int],
                names: tuple[str, ...] = HEALTH_COUNTERS) -> dict[str, int]:
    """Facts -> the ``health`` object of an upload body (every key, zeros included)."""
    return {name: facts.get((name, ""), 0) for name in names}
