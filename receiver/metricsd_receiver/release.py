"""Releases: the only numbers the receiver publishes, with differential-privacy noise.

Every number on the dashboard, in the JSON API and in any export comes from a *release*:
the sums of one UTC day, computed once at a fixed time, stored, and served unchanged until
that day's next release.  Polling between releases therefore shows nothing new, however
many reports arrive in between.

**The unit protected** is one report: one install's counts of one UTC day and client
version (a daemon sends at most one per day and version).  Each report is clipped for
publishing (:func:`clip`; what is stored stays exact) so that it moves each published
group of numbers by at most that group's :attr:`Group.bound`, and every released number
gets noise from OpenDP's Laplace mechanism (on integers: the discrete Laplace
distribution) calibrated to that bound and to the group's share of the release's ε.

**The budget**: a day is released :data:`RELEASE_AGES` times (at 00:00 UTC of day + age,
each time with the reports received before that moment), then frozen: later reports are
stored, never published.  Each release spends ``EPSILON / len(RELEASE_AGES)``, split among
the groups by :attr:`Group.weight`; by sequential composition one report costs at most
:data:`EPSILON` over every release that includes it.

**The k floor stays**: a (day, version) cell is released under its version only when at
least k reports back it, else it goes to that day's ``other``, released only with k
reports behind it.  Which cells exist is decided on the true report counts and is not
covered by ε (it says "at least k installs reported this version that day").  Labels of
an older body schema are released in a cell only when k reports of that schema back it.

Everything here is a pure function of its inputs except :func:`make_release`, which draws
the noise (OpenDP uses the operating system's random source; it cannot be seeded), and
:func:`clip`, whose rounding of scaled counts is random (each label keeps its expected
value; the bound always holds).
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from metricsd_receiver.schema import COUNTERS, HEALTH_COUNTERS, LATEST, TABLES, Batch

#: ε per report (one install, one UTC day, one client version), over all its releases.
EPSILON: Final = 2.0
_RANDOM: Final = random.SystemRandom()
#: A day D is released at 00:00 UTC of D + age, for each age, with the reports received
#: before then; after the last one it is frozen.
RELEASE_AGES: Final = (2, 8)
#: ε spent by one release (sequential composition over the ages).
EPSILON_PER_RELEASE: Final = EPSILON / len(RELEASE_AGES)

#: The published pseudo-counter holding a cell's number of reports.
INSTALLS: Final = "installs"
#: The group name of the daemons' health counters.
HEALTH: Final = "health"
#: A report's turns above this are scaled down, and its other counts with them.
TURNS_BOUND: Final = 100


@dataclass(frozen=True)
class Group:
    """Numbers that share one noise scale: one counter (all its labels), the installs, or
    the health counters together."""

    name: str
    #: the most one report adds to the group (L1 over its labels), after clipping
    bound: int
    #: share of a release's ε (relative to the other groups')
    weight: float
    #: scaled with the report's turns when those are over TURNS_BOUND
    per_turn: bool = True


#: Every published group (one per counter of the newest schema, plus installs and health).
#: Bounds: turns at TURNS_BOUND; the labelled counters are read as shares (finish reasons,
#: cache hits) or rates per turn (errors), both kept by scaling, so their bounds are small;
#: weights favour the groups behind rates and shares.
GROUPS: Final = (
    Group(INSTALLS, 1, 1.0, per_turn=False),
    Group("turns", TURNS_BOUND, 2.0),
    Group("finish_reason", 20, 2.0),
    Group("cache_hit", 20, 1.0),
    Group("provider_error", 5, 2.0),
    Group("tool_error", 5, 2.0),
    Group("compaction", 5, 0.5),
    Group("empty_final", 5, 0.5),
    Group(HEALTH, 5, 0.5, per_turn=False),
)
GROUP: Final = {g.name: g for g in GROUPS}
_WEIGHTS: Final = sum(g.weight for g in GROUPS)


def group_of(counter: str) -> Group:
    return GROUP[HEALTH if counter in HEALTH_COUNTERS else counter]


def epsilon_of(group: Group) -> float:
    """The part of one release's ε this group spends."""
    return EPSILON_PER_RELEASE * group.weight / _WEIGHTS


def scale_of(group: Group) -> float:
    """The Laplace scale b of the group's noise: bound / ε (standard deviation b·√2)."""
    return group.bound / epsilon_of(group)


def sd_of(scale: float) -> float:
    return scale * math.sqrt(2)


# --- clipping for publishing ------------------------------------------------------------

def _round_keeping_total(values: list[Fraction]) -> list[int]:
    """Integers with the same expected values and a total that is the total's floor or
    ceiling (systematic rounding with one random offset): a rare label scaled to 0.4 is
    1 four times in ten, not always 0, and the group's bound still holds."""
    offset = Fraction(_RANDOM.random())
    out, cumulative, before = [], Fraction(0), math.floor(offset)
    for v in values:
        cumulative += v
        after = math.floor(cumulative + offset)
        out.append(after - before)
        before = after
    return out


def clip(batch: Batch) -> list[tuple[str, str, int]]:
    """A report's (counter, label, n) as published: when its turns are over
    TURNS_BOUND every per-turn count is scaled by the same factor (its rates stay), then
    each group over its bound is scaled down to it (its shares stay), rounded so that
    each label keeps its expected value and the group never exceeds its bound.  Zeros
    are left out."""
    values: dict[str, list[tuple[str, int]]] = {}
    for counter, label, n in batch.counts:
        values.setdefault(group_of(counter).name, []).append((f"{counter}\0{label}", n))
    for name, n in batch.health:
        if n:
            values.setdefault(HEALTH, []).append((f"{name}\0", n))
    turns = sum(n for c, lb, n in batch.counts if c == "turns" and lb == "")
    factor = Fraction(TURNS_BOUND, turns) if turns > TURNS_BOUND else Fraction(1)
    out: list[tuple[str, str, int]] = []
    for name, items in values.items():
        g = GROUP[name]
        scaled = [Fraction(n) * factor if g.per_turn else Fraction(n) for _, n in items]
        total = sum(scaled)
        if total > g.bound:
            scaled = [v * g.bound / total for v in scaled]
        for (key, _), n in zip(items, _round_keeping_total(scaled), strict=True):
            if n:
                counter, _, label = key.partition("\0")
                out.append((counter, label, n))
    out.sort()
    return out


# --- releases ---------------------------------------------------------------------------

def release_days(day: datetime.date) -> list[datetime.date]:
    """When ``day`` is released: 00:00 UTC of each of these days."""
    return [day + datetime.timedelta(days=a) for a in RELEASE_AGES]


def due_age(day: datetime.date, today: datetime.date) -> int | None:
    """The newest release of ``day`` whose time has come by ``today`` (UTC), if any."""
    ages = [a for a in RELEASE_AGES if day + datetime.timedelta(days=a) <= today]
    return ages[-1] if ages else None


def legacy_suffix(schema: int) -> str:
    return "" if schema == LATEST else (" (v1.1)" if schema == 1 else f" (schema {schema})")


#: counter -> every label it is released under, newest schema first (older ones suffixed).
ALL_LABELS: Final[Mapping[str, list[str]]] = {
    name: [*COUNTERS[name], *(lb + legacy_suffix(s) for s in sorted(TABLES.bodies, reverse=True)
                              if s != LATEST for lb in TABLES.bodies[s].counters.get(name, ()))]
    for name, labels in COUNTERS.items() if labels}


def _labels_of(counter: str, schemas: Iterable[int]) -> list[tuple[int, str]]:
    """(schema, raw label) of a labelled counter for the schemas present, newest first."""
    return [(s, lb) for s in sorted(schemas, reverse=True)
            for lb in TABLES.bodies[s].counters.get(counter, ())]


@dataclass(frozen=True)
class Value:
    """One released number of a (day, version) cell."""

    version: str
    #: ``installs``, a counter, or a health counter
    counter: str
    #: the shown label (older schemas suffixed), "" for an unlabelled number
    label: str
    value: int
    #: the Laplace scale of its noise
    scale: float


@dataclass
class _Cell:
    reports: dict[int, int]  # schema -> reports
    sums: dict[tuple[int, str, str], int]  # (schema, counter, label) -> clipped sum

    def merge(self, other: _Cell) -> None:
        for s, n in other.reports.items():
            self.reports[s] = self.reports.get(s, 0) + n
        for key, n in other.sums.items():
            self.sums[key] = self.sums.get(key, 0) + n


OTHER: Final = "other"


def fold_cells(reports: Iterable[tuple[str, int, int]],
               sums: Iterable[tuple[str, int, str, str, int]], k: int) -> dict[str, _Cell]:
    """The released cells of one day: version -> cell, cells under ``k`` reports merged into
    ``other``, an ``other`` under ``k`` left out.  ``reports``: (version, schema, n);
    ``sums``: (version, schema, counter, label, clipped sum)."""
    raw: dict[str, _Cell] = {}
    for version, schema, n in reports:
        cell = raw.setdefault(version, _Cell({}, {}))
        cell.reports[schema] = cell.reports.get(schema, 0) + n
    for version, schema, counter, label, n in sums:
        if version in raw:
            key = (schema, counter, label)
            raw[version].sums[key] = raw[version].sums.get(key, 0) + n
    out: dict[str, _Cell] = {}
    other = _Cell({}, {})
    for version in sorted(raw):
        cell = raw[version]
        if sum(cell.reports.values()) >= k:
            out[version] = cell
        else:
            other.merge(cell)
    if sum(other.reports.values()) >= k:
        out[OTHER] = other
    return out


def _noise(group: Group, values: Sequence[int]) -> list[int]:
    """OpenDP's Laplace mechanism over one group's vector of true sums: L1 sensitivity is
    the group's bound (one report is in one cell), ε its share of the release."""
    if not values:
        return []
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")
    measurement = dp.m.make_laplace(*space, scale=scale_of(group))
    # OpenDP's own accounting of what this measurement spends for one report
    assert measurement.map(group.bound) <= epsilon_of(group) * (1 + 1e-9)  # type: ignore[no-untyped-call]
    return [int(v) for v in measurement(list(values))]


def make_release(cells: Mapping[str, _Cell], k: int) -> list[Value]:
    """Every number of one day's release, noised.  Each cell releases its installs, turns,
    every label of every labelled counter of each schema backed by ``k`` reports of the
    cell (zeros included: an absent label would tell), the other counters and the newest
    schema's health counters."""
    keys: dict[str, list[tuple[str, str, str]]] = {g.name: [] for g in GROUPS}
    truth: dict[str, list[int]] = {g.name: [] for g in GROUPS}

    def put(group: str, version: str, counter: str, label: str, n: int) -> None:
        keys[group].append((version, counter, label))
        truth[group].append(n)

    for version, cell in sorted(cells.items()):
        put(INSTALLS, version, INSTALLS, "", sum(cell.reports.values()))
        schemas = [s for s, n in cell.reports.items() if s == LATEST or n >= k]
        for counter, labels in COUNTERS.items():
            if not labels:
                n = sum(v for (s, c, lb), v in cell.sums.items() if c == counter)
                put(counter, version, counter, "", n)
                continue
            for schema, label in _labels_of(counter, schemas):
                put(counter, version, counter, label + legacy_suffix(schema),
                    cell.sums.get((schema, counter, label), 0))
        for name in HEALTH_COUNTERS:
            n = sum(v for (s, c, lb), v in cell.sums.items() if c == name)
            put(HEALTH, version, name, "", n)
    out: list[Value] = []
    for g in GROUPS:
        scale = scale_of(g)
        for (version, counter, label), v in zip(keys[g.name], _noise(g, truth[g.name]),
                                                strict=True):
            out.append(Value(version, counter, label, v, scale))
    return out


def describe_budget() -> list[dict[str, Any]]:
    """The groups, their bounds, ε shares and noise, for docs and the dashboard."""
    return [{"group": g.name, "bound": g.bound, "epsilon": epsilon_of(g),
             "scale": scale_of(g), "sd": sd_of(scale_of(g))} for g in GROUPS]


def run_due(storage: Any, today: datetime.date, k: int) -> list[tuple[str, int]]:
    """Compute and store every release whose time has come by ``today`` (UTC) and that is
    not stored yet: for each day with reports, its newest due age only (an older one never
    published is skipped, which spends nothing).  A release is made of the reports received
    before its day, so one computed late is the one that would have been computed on time.
    Several receivers may run this at once: a release is stored once (the others' noise is
    thrown away unseen).  -> the (day, age) releases stored by this call."""
    days, done = storage.release_state()
    made: list[tuple[str, int]] = []
    for day_text in days:
        day = datetime.date.fromisoformat(day_text)
        age = due_age(day, today)
        if age is None or (day_text, age) in done:
            continue
        before = (day + datetime.timedelta(days=age)).isoformat()
        reports, sums = storage.publishable(day_text, before)
        if not reports:
            continue  # nothing had arrived by then: the next age will release it
        values = make_release(fold_cells(reports, sums, k), k)
        if storage.store_release(day_text, age, today.isoformat(), values):
            made.append((day_text, age))
    return made
