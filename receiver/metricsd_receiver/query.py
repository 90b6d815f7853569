"""The dashboard's query layer: sums per (day, client version), with k-anonymity.

A group is one (client version, day).  A group backed by fewer than ``k`` batches is never
shown under its version: its counts are added to the ``other`` group of that day before
anything leaves this module, so a rare version cannot single out one installation.  The
version filter applies after folding (``other`` can itself be chosen), and the list of
versions offered is the folded one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from metricsd_receiver.schema import COUNTERS, HEALTH_COUNTERS
from metricsd_receiver.storage import CountRow, GroupRow, Storage

#: The pseudo-version that collects groups under k batches (never a real rendered version).
OTHER: Final = "other"
DEFAULT_K: Final = 5
DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 400

UNLABELLED: Final = tuple(name for name, labels in COUNTERS.items() if not labels)
LABELLED: Final = tuple(name for name, labels in COUNTERS.items() if labels)


class BadQuery(ValueError):
    pass


@dataclass
class Cell:
    """Sums of one shown group."""

    day: str
    version: str
    batches: int = 0
    #: unlabelled counters (turns, empty_final, compaction) and health counters
    totals: dict[str, int] = field(default_factory=dict)
    #: labelled counters: counter -> label -> n
    labelled: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, counter: str, label: str, n: int) -> None:
        if label:
            per = self.labelled.setdefault(counter, {})
            per[label] = per.get(label, 0) + n
        else:
            self.totals[counter] = self.totals.get(counter, 0) + n

    def merge(self, other: Cell) -> None:
        self.batches += other.batches
        for name, n in other.totals.items():
            self.add(name, "", n)
        for counter, labels in other.labelled.items():
            for label, n in labels.items():
                self.add(counter, label, n)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"day": self.day, "version": self.version,
                               "batches": self.batches}
        for name in UNLABELLED:
            out[name] = self.totals.get(name, 0)
        for name in LABELLED:
            labels = self.labelled.get(name, {})
            out[name] = {label: labels[label] for label in COUNTERS[name] if label in labels}
        out["health"] = {name: self.totals.get(name, 0) for name in HEALTH_COUNTERS}
        return out


def fold(groups: Iterable[GroupRow], counts: Iterable[CountRow], k: int) -> list[Cell]:
    """Cells per (day, version), groups under ``k`` batches merged into (day, ``other``)."""
    raw: dict[tuple[str, str], Cell] = {}
    for g in groups:
        raw[(g.day, g.client_version)] = Cell(g.day, g.client_version, g.batches)
    for c in counts:
        cell = raw.get((c.day, c.client_version))
        if cell is not None:  # a batch committed between the two queries is left out
            cell.add(c.counter, c.label, c.n)
    shown: dict[tuple[str, str], Cell] = {}
    for (day, version), cell in sorted(raw.items()):
        if cell.batches < k:
            key = (day, OTHER)
            target = shown.setdefault(key, Cell(day, OTHER))
            target.merge(cell)
        else:
            shown[(day, version)] = cell
    return [shown[key] for key in sorted(shown)]


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key: real versions by their numbers (pre-releases before the release), then
    ``unknown``, then ``other``."""
    if version == OTHER:
        return (2,)
    if version == "unknown":
        return (1,)
    core, _, pre = version.partition("-")
    nums = tuple(int(x) for x in core.split("."))
    if not pre:
        return (0, nums, 1, "", 0)
    word, _, number = pre.partition(".")
    return (0, nums, 0, word, int(number or 0))


def parse_day(value: str | None, default: datetime.date) -> datetime.date:
    if value is None or value == "":
        return default
    try:
        if len(value) != 10:
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadQuery("dates must be YYYY-MM-DD") from None


def summary(storage: Storage, *, day_from: str | None, day_to: str | None,
            version: str | None, k: int, today: datetime.date | None = None
            ) -> dict[str, Any]:
    """Everything the dashboard shows, as JSON-ready data."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    end = parse_day(day_to, today)
    start = parse_day(day_from, end - datetime.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise BadQuery("from is after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadQuery(f"at most {MAX_DAYS} days at once")
    cells = fold(storage.groups(start.isoformat(), end.isoformat()),
                 storage.counts(start.isoformat(), end.isoformat()), k)
    versions = sorted({c.version for c in cells}, key=version_key)
    if version:
        if version not in versions:
            # Not an error: the version may just have no group of k batches in range.
            # Never echo the parameter back: it is client text.
            version_shown = None
            cells = []
        else:
            version_shown = version
            cells = [c for c in cells if c.version == version]
    else:
        version_shown = None
    total = Cell("", "")
    by_version: dict[str, Cell] = {}
    for c in cells:
        total.merge(c)
        by_version.setdefault(c.version, Cell("", c.version)).merge(c)
    days = [(start + datetime.timedelta(days=i)).isoformat()
            for i in range((end - start).days + 1)]
    return {
        "from": start.isoformat(), "to": end.isoformat(), "k": k,
        "version": version_shown, "filtered": bool(version),
        "versions": versions, "days": days,
        "counters": {name: list(COUNTERS[name]) for name in LABELLED},
        "health_counters": list(HEALTH_COUNTERS),
        "cells": [c.as_json() for c in cells],
        "by_version": [by_version[v].as_json() for v in sorted(by_version, key=version_key)],
        "total": total.as_json(),
    }
