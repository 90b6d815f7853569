"""The dashboard's query layer: daily rollups per (day, client version), with the
small-group rule.

A *cell* is one (day, client version).  With one batch per install and UTC day (schema 2),
a cell's batch count is the number of installs that reported that day with that version.
A cell backed by fewer than ``k`` batches is never shown under its version: its counts go
to that day's ``other`` cell, and ``other`` itself is shown only when at least ``k``
batches back it; otherwise nothing of those batches leaves this module.  Every view (the
page, the JSON API) is made of the same shown day cells, so no two views differ by a
hidden cell.

Labels of an older body schema are shown as such (``90-99 (v1.1)``), never merged into the
newest schema's labels; unlabelled counters (turns, compactions, ...) mean the same in
every schema and are added up.  Sums are Python integers: exact, whatever their size.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from metricsd_receiver.model import py_pattern
from metricsd_receiver.release import (
    EPSILON,
    GROUPS,
    INSTALLS,
    RELEASE_AGES,
    TURNS_BOUND,
)
from metricsd_receiver.schema import (
    COUNTERS,
    EARLIEST_DAY,
    HEALTH_COUNTERS,
    LATEST,
    LATEST_DAYS_AHEAD,
    TABLES,
)
from metricsd_receiver.storage import CountRow, GroupRow, Storage

#: The pseudo-version that collects cells under k batches (never a real rendered version).
OTHER: Final = "other"
#: Smallest number of batches (= installs, one batch per install-day) behind a shown cell.
DEFAULT_K: Final = 5
DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 400
#: How labels of an older body schema are shown: label + suffix.
LEGACY_SUFFIX: Final = {1: " (v1.1)"}

UNLABELLED: Final = tuple(name for name, labels in COUNTERS.items() if not labels)
LABELLED: Final = tuple(name for name, labels in COUNTERS.items() if labels)


def shown_label(schema: int, label: str) -> str:
    if schema == LATEST:
        return label
    return label + LEGACY_SUFFIX.get(schema, f" (schema {schema})")


#: counter -> every label it can be shown under, newest schema first.
ALL_LABELS: Final = {
    name: [*COUNTERS[name], *(shown_label(s, lb) for s in sorted(TABLES.bodies, reverse=True)
                              if s != LATEST for lb in TABLES.bodies[s].counters.get(name, ()))]
    for name in LABELLED}


class BadQuery(ValueError):
    pass


_VERSION: Final = re.compile(py_pattern(TABLES.client_version))


@dataclass
class Cell:
    """Sums of one shown cell."""

    day: str
    version: str
    batches: int = 0
    #: unlabelled counters (turns, empty_final, compaction) and health counters
    totals: dict[str, int] = field(default_factory=dict)
    #: labelled counters: counter -> shown label -> n
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
            out[name] = {label: labels[label] for label in ALL_LABELS[name]
                         if label in labels}
        out["health"] = {name: self.totals.get(name, 0) for name in HEALTH_COUNTERS}
        return out


def fold(groups: Iterable[GroupRow], counts: Iterable[CountRow], k: int) -> list[Cell]:
    """Shown cells per (day, version): cells under ``k`` batches merged into (day,
    ``other``), and an ``other`` cell under ``k`` batches left out altogether."""
    raw: dict[tuple[str, str], Cell] = {}
    for g in groups:
        raw[(g.day, g.client_version)] = Cell(g.day, g.client_version, g.batches)
    for c in counts:
        cell = raw.get((c.day, c.client_version))
        if cell is not None:
            cell.add(c.counter, shown_label(c.schema, c.label) if c.label else "", c.n)
    shown: dict[tuple[str, str], Cell] = {}
    others: dict[str, Cell] = {}
    for (day, version), cell in sorted(raw.items()):
        if cell.batches >= k:
            shown[(day, version)] = cell
        else:
            others.setdefault(day, Cell(day, OTHER)).merge(cell)
    for day, cell in others.items():
        if cell.batches >= k:
            shown[(day, OTHER)] = cell
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


def latest_day(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=LATEST_DAYS_AHEAD)


def parse_day(value: str | None, default: datetime.date, today: datetime.date
              ) -> datetime.date:
    if value is None or value == "":
        return default
    try:
        if len(value) != 10:
            raise ValueError
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise BadQuery("dates must be YYYY-MM-DD") from None
    if not EARLIEST_DAY <= day <= latest_day(today):
        raise BadQuery(f"dates must be between {EARLIEST_DAY.isoformat()} and tomorrow (UTC)")
    return day


def query_range(day_from: str | None, day_to: str | None, version: str | None,
                today: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a view's query (the last 30 days by default), checked:
    bad dates, a reversed or too long range and a version that is no version are
    :class:`BadQuery`."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    end = parse_day(day_to, today, today)
    start = parse_day(day_from, max(EARLIEST_DAY, end - datetime.timedelta(
        days=DEFAULT_DAYS - 1)), today)
    if start > end:
        raise BadQuery("from is after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadQuery(f"at most {MAX_DAYS} days at once")
    if version and version != OTHER and not _VERSION.search(version):
        raise BadQuery("version must be a client version (x.y.z), unknown or other")
    return start, end


def days_of(start: datetime.date, end: datetime.date) -> list[str]:
    return [(start + datetime.timedelta(days=i)).isoformat()
            for i in range((end - start).days + 1)]


def shown_counters(present: set[tuple[str, str]]) -> dict[str, list[str]]:
    """Each labelled counter's labels as shown: the newest labels always, labels of older
    schemas only when some shown cell has them."""
    return {name: [lb for i, lb in enumerate(ALL_LABELS[name])
                   if i < len(COUNTERS[name]) or (name, lb) in present]
            for name in LABELLED}


def exact_summary(storage: Storage, *, day_from: str | None, day_to: str | None,
                  version: str | None, k: int, today: datetime.date | None = None
                  ) -> dict[str, Any]:
    """The exact sums of the stored rollups with the small-group rule, in the summary's
    shape: for checks of the stored data (tests, benchmarks), and served only in the local
    testing mode (:func:`testing_summary`); otherwise every published number comes from a
    release (:func:`summary`)."""
    start, end = query_range(day_from, day_to, version, today)
    cells = fold(*storage.rollups(start.isoformat(), end.isoformat()), k)
    versions = sorted({c.version for c in cells}, key=version_key)
    version_shown = None
    if version:
        # A version with no shown cell in range is not an error; never echo the parameter
        # back: it is client text.
        version_shown = version if version in versions else None
        cells = [c for c in cells if c.version == version_shown]
    total = Cell("", "")
    by_version: dict[str, Cell] = {}
    installs: dict[str, int] = {}
    for c in cells:
        total.merge(c)
        by_version.setdefault(c.version, Cell("", c.version)).merge(c)
        installs[c.day] = installs.get(c.day, 0) + c.batches
    days = days_of(start, end)
    present = {(name, label) for c in cells for name in c.labelled for label in c.labelled[name]}
    return {
        "from": start.isoformat(), "to": end.isoformat(), "k": k,
        "version": version_shown, "filtered": bool(version),
        "versions": versions, "days": days,
        "counters": shown_counters(present),
        "health_counters": list(HEALTH_COUNTERS),
        "installs": [installs.get(d, 0) for d in days],
        "cells": [c.as_json() for c in cells],
        "by_version": [by_version[v].as_json() for v in sorted(by_version, key=version_key)],
        "total": total.as_json(),
    }


def _zero_noise() -> dict[str, Any]:
    return {"batches": 0.0, **{name: 0.0 for name in UNLABELLED},
            **{name: 0.0 for name in LABELLED},
            "health": {h: 0.0 for h in HEALTH_COUNTERS}}


def testing_summary(storage: Storage, *, day_from: str | None, day_to: str | None,
                    version: str | None, k: int, today: datetime.date | None = None
                    ) -> dict[str, Any]:
    """What the local testing mode (k under :data:`DEFAULT_K`, a loopback receiver: only
    this machine's daemons report to it) shows: the exact stored sums as they arrive, in
    the summary's shape, marked ``exact``; no release, so every ``noise`` is 0 and each day
    of ``released`` is ``"exact"``.  Never for k >= DEFAULT_K."""
    if k >= DEFAULT_K:
        raise ValueError(f"exact numbers are shown only with k under {DEFAULT_K}")
    data = exact_summary(storage, day_from=day_from, day_to=day_to, version=version, k=k,
                         today=today)
    for cell in [*data["cells"], *data["by_version"], data["total"]]:
        cell["noise"] = _zero_noise()
    data["exact"] = True
    data["released"] = ["exact"] * len(data["days"])
    data["privacy"] = privacy_terms()
    return data


# --- published numbers: releases only ------------------------------------------------------

@dataclass
class Noisy:
    """Released numbers of one or more cells: values and their noise variances."""

    day: str
    version: str
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    variances: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, counter: str, label: str, value: int, variance: float) -> None:
        key = (counter, label)
        self.values[key] = self.values.get(key, 0) + value
        self.variances[key] = self.variances.get(key, 0.0) + variance

    def merge(self, other: Noisy) -> None:
        for key, v in other.values.items():
            self.add(*key, v, other.variances[key])

    def as_json(self) -> dict[str, Any]:
        """The cell's numbers (``batches`` = reporting installs) and, under ``noise``, their
        standard deviations (one per labelled counter: each of its labels has it): the
        released value is the true one plus noise of that spread (about 95% of the time
        within two of them)."""
        values, variances, sqrt = self.values, self.variances, math.sqrt

        def sd(key: tuple[str, str]) -> float:
            return round(sqrt(variances.get(key, 0.0)), 1)

        out: dict[str, Any] = {"day": self.day, "version": self.version,
                               "batches": values.get((INSTALLS, ""), 0)}
        noise: dict[str, Any] = {"batches": sd((INSTALLS, ""))}
        for name in UNLABELLED:
            out[name] = values.get((name, ""), 0)
            noise[name] = sd((name, ""))
        for name in LABELLED:
            present = [(name, lb) for lb in ALL_LABELS[name] if (name, lb) in values]
            out[name] = {key[1]: values[key] for key in present}
            # one number per counter: the noise of each of its labels (the largest, when
            # labels of an older schema were released on fewer days)
            noise[name] = round(sqrt(max([variances[key] for key in present], default=0.0)), 1)
        out["health"] = {h: values.get((h, ""), 0) for h in HEALTH_COUNTERS}
        noise["health"] = {h: sd((h, "")) for h in HEALTH_COUNTERS}
        out["noise"] = noise
        return out


def summary(storage: Storage, *, day_from: str | None, day_to: str | None,
            version: str | None, k: int, today: datetime.date | None = None
            ) -> dict[str, Any]:
    """Everything the dashboard shows, as JSON-ready data: the newest release of each day
    of the range, nothing else.  Sums over days and versions add released numbers (their
    noise variances add too)."""
    start, end = query_range(day_from, day_to, version, today)
    rows = storage.released(start.isoformat(), end.isoformat())
    versions = sorted({row[2] for row in rows}, key=version_key)
    version_shown = None
    if version:
        # never echo the parameter back: it is client text
        version_shown = version if version in versions else None
        rows = [row for row in rows if row[2] == version_shown]
    # the cells, one number each per key; sums over versions added up by the database
    by_cell: dict[tuple[str, str], Noisy] = {}
    released_days: dict[str, int] = {}
    for day, age, cv, counter, label, value, scale in rows:
        cell = by_cell.get((day, cv))
        if cell is None:
            cell = by_cell[(day, cv)] = Noisy(day, cv)
            released_days[day] = age
        cell.values[(counter, label)] = value
        cell.variances[(counter, label)] = 2 * scale * scale
    by_version: dict[str, Noisy] = {}
    total = Noisy("", "")
    for cv, counter, label, value, variance in storage.released_sums(
            start.isoformat(), end.isoformat(), version_shown if version else None):
        if version and cv != version_shown:
            continue
        target = by_version.get(cv) or by_version.setdefault(cv, Noisy("", cv))
        target.add(counter, label, int(value), float(variance))
        total.add(counter, label, int(value), float(variance))
    installs_of: dict[str, int] = {}
    for (day, _), cell in by_cell.items():
        installs_of[day] = installs_of.get(day, 0) + cell.values.get((INSTALLS, ""), 0)
    cells = [by_cell[key] for key in sorted(by_cell)]
    days = days_of(start, end)
    present = {key for c in cells for key in c.values}
    return {
        "from": start.isoformat(), "to": end.isoformat(), "k": k,
        "version": version_shown, "filtered": bool(version),
        "versions": versions, "days": days,
        # the release each day's numbers come from (days + age of the release), or null
        "released": [released_days.get(d) for d in days],
        # the exact stored sums are shown only in the local testing mode
        "exact": False,
        "privacy": privacy_terms(),
        "counters": shown_counters(present),
        "health_counters": list(HEALTH_COUNTERS),
        "installs": [installs_of.get(d, 0) for d in days],
        "cells": [c.as_json() for c in cells],
        "by_version": [by_version[v].as_json() for v in sorted(by_version, key=version_key)],
        "total": total.as_json(),
    }


def privacy_terms() -> dict[str, Any]:
    """What every release promises, for the page and the API."""
    return {"epsilon": EPSILON, "release_ages": list(RELEASE_AGES),
            "turns_bound": TURNS_BOUND,
            "bounds": {g.name: g.bound for g in GROUPS}}
