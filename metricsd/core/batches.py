"""Upload bodies and upload policy (docs/UPLOAD.md).  Pure: no network, no clock.

The httpx call in :mod:`metricsd.upload` is a thin wrapper around these functions, and
``metricsd show`` renders bodies with the same :func:`batch_body`.  The clock and the
platform are read by the caller and passed in.
"""

from __future__ import annotations

import calendar
import datetime
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from metricsd.core.counts import counts_body, health_body
from metricsd.core.facts import (
    CLIPPED,
    COUNTERS,
    COUNTERS_V1,
    HEALTH_COUNTERS,
    HEALTH_COUNTERS_V1,
    UNKNOWN_VERSION,
    Fact,
)
from metricsd.core.retry import exponential_delay

#: The upload body schema of what this daemon counts: facts v2, one UTC day per batch,
#: every value at most CONTRIBUTION_BOUND.
SCHEMA: Final = 2
#: Counts stored by a daemon before facts v2 travel as schema 1 (the v1.1 labels), as
#: they were counted: never relabelled.
SCHEMA_V1: Final = 1
#: No single value of one batch exceeds this; larger ones are clipped to it and counted
#: in ``health.clipped``.
CONTRIBUTION_BOUND: Final = 100_000
#: schema -> (counters and their labels, health counters).
SCHEMA_TABLES: Final[Mapping[int, tuple[Mapping[str, tuple[str, ...]], tuple[str, ...]]]] = {
    SCHEMA: (COUNTERS, HEALTH_COUNTERS),
    SCHEMA_V1: (COUNTERS_V1, HEALTH_COUNTERS_V1),
}
#: A batch whose day is more than this many days before today is dropped.
MAX_BATCH_AGE_DAYS: Final = 30
MAX_BATCH_AGE_SECONDS: Final = MAX_BATCH_AGE_DAYS * 24 * 3600
#: Only the batches of this many newest days are kept.
MAX_BATCHES: Final = 50
#: Counts made under a dev build are kept as long as pending batches are: this many days.
DEV_KEEP_DAYS: Final = MAX_BATCH_AGE_DAYS
#: One attempt may take at most this long.
ATTEMPT_TIMEOUT_SECONDS: Final = 10.0
#: Failed attempts in one upload run before the rest waits for the next run.
MAX_FAILURES_PER_RUN: Final = 3
#: Exponential back-off between failed attempts: base * 2**(failure-1), with full jitter
#: on top, and never more than the cap.
BACKOFF_BASE_SECONDS: Final = 1.0
BACKOFF_CAP_SECONDS: Final = 60.0
#: A Retry-After longer than this ends the run (the batch waits for the next start/day).
MAX_RETRY_AFTER_SECONDS: Final = 300.0
#: A daemon that stays up uploads once per UTC day: after midnight, with a random delay
#: of up to this long, so that a fleet does not arrive at once.
MIDNIGHT_SPREAD_SECONDS: Final = 3600


def seconds_to_next_upload(now: float, jitter: float) -> float:
    """From ``now`` (Unix time) to the next scheduled upload run: the next UTC midnight
    plus ``jitter`` (0..1, drawn by the caller) times MIDNIGHT_SPREAD_SECONDS."""
    next_midnight = (int(now) // 86400 + 1) * 86400
    return next_midnight - now + jitter * MIDNIGHT_SPREAD_SECONDS

#: Statuses that fold the batch back for a later attempt (besides every 5xx).
RETRY_STATUSES: Final = frozenset({408, 429})

#: Allow-lists of the ``daemon`` block.
OS_LABELS: Final = {"linux": "linux", "darwin": "darwin"}
ARCH_LABELS: Final = {
    "x86_64": "x86_64", "amd64": "x86_64", "arm64": "arm64", "aarch64": "arm64",
    "i386": "x86", "i686": "x86", "x86": "x86", "armv7l": "arm", "armv6l": "arm",
    "riscv64": "riscv64", "ppc64le": "ppc64le", "s390x": "s390x",
}
OTHER: Final = "other"


@dataclass(frozen=True, slots=True)
class Batch:
    """A pending batch of the outbox."""

    batch_id: str
    created: int
    daemon_version: str
    client_version: str
    period_from: str
    period_to: str
    attempts: int
    facts: dict[Fact, int]
    schema: int = SCHEMA


@dataclass(frozen=True, slots=True)
class Pending:
    """Committed counts of one (day, client version) not yet batched (or held)."""

    daemon_version: str
    client_version: str
    period_from: str
    period_to: str
    facts: dict[Fact, int]
    schema: int = SCHEMA


@dataclass(frozen=True, slots=True)
class SealPlan:
    """What one seal does with the release-build counts (see :func:`plan_seal`)."""

    #: One per (day, client version): the newest daemon version of the day, clipped facts.
    batches: list[Pending]
    #: The days sealed (closed for good: a report was made for each).
    days: list[str]
    #: The days whose stored counts the seal takes (the sealed days, and days after today
    #: whose counts moved to the sealed open day).
    taken: list[str]
    #: Health counters of a day that has no batch to travel with, by (daemon version,
    #: client version): they move to the next open day and travel with its counts.
    carried: dict[tuple[str, str], dict[Fact, int]]


#: A release-build count as the store holds it:
#: (day, daemon version, client version, counter, label, n).
CountRow = tuple[str, str, str, str, str, int]


def plan_seal(rows: Iterable[CountRow], *, today: str, open_day: str) -> SealPlan:
    """Which counts a seal on ``today`` turns into batches.  Pure.

    * Every completed day (before ``today``) is sealed.
    * Counts dated after today (a wall clock that ran ahead) are never held for that far
      day: they move to ``open_day`` — the first day from today on that is not sealed,
      decided by the store — and that day is sealed now, with whatever it holds.
    * One batch per (day, client version), whatever daemon versions counted that day
      (the batch names the newest).
    * A group with health counters only (a drop recorded under a client version the app
      no longer uses) travels in the day's batch of the newest client version; a day
      without any batch hands its health counters on to the next open day
      (:attr:`SealPlan.carried`), so a drop always reaches the receiver with the next
      counts.
    """
    groups: dict[str, dict[str, tuple[set[str], dict[Fact, int]]]] = {}
    moved = False
    origin: dict[str, set[str]] = {}
    for day, daemon_version, client_version, counter, label, n in rows:
        stored = day
        if day > today:
            day, moved = open_day, True
        elif day == today and open_day != today:
            continue
        origin.setdefault(day, set()).add(stored)
        entry = groups.setdefault(day, {}).setdefault(client_version, (set(), {}))
        entry[0].add(daemon_version)
        entry[1][(counter, label)] = entry[1].get((counter, label), 0) + n
    sealed_days = sorted(day for day in groups
                         if day < today or (moved and day == open_day))
    batches: list[Pending] = []
    carried: dict[tuple[str, str], dict[Fact, int]] = {}
    for day in sealed_days:
        with_counts = {cv: g for cv, g in groups[day].items() if _has_counts(g[1])}
        for cv, (daemon_versions, facts) in groups[day].items():
            if cv not in with_counts:
                _add_facts(carried, (newest_version(daemon_versions), cv), facts)
        if not with_counts:
            continue  # carried on to the next day that has counts
        host = with_counts[max(with_counts, key=_host_key)]
        for (daemon_version, _), facts in carried.items():
            host[0].add(daemon_version)
            _add_facts(host[1], None, facts)
        carried = {}
        for cv in sorted(with_counts, key=version_key):
            daemon_versions, facts = with_counts[cv]
            batches.append(Pending(newest_version(daemon_versions), cv, day, day,
                                   clip({f: n for f, n in facts.items() if n})))
    taken = sorted(set().union(*(origin[day] for day in sealed_days)))
    return SealPlan(batches, sealed_days, taken, carried)


def held_groups(rows: Iterable[CountRow], *, today: str) -> list[Pending]:
    """Today's release-build counts, one entry per client version: they wait until the
    day is over."""
    groups: dict[str, tuple[set[str], dict[Fact, int]]] = {}
    for day, daemon_version, client_version, counter, label, n in rows:
        if day != today:
            continue
        entry = groups.setdefault(client_version, (set(), {}))
        entry[0].add(daemon_version)
        entry[1][(counter, label)] = entry[1].get((counter, label), 0) + n
    return [Pending(newest_version(dvs), cv, today, today, clip(facts))
            for cv, (dvs, facts) in sorted(groups.items(), key=lambda g: version_key(g[0]))
            if _has_counts(facts)]


def _add_facts(into: dict[Any, Any], key: Any, facts: Mapping[Fact, int]) -> None:
    """Add ``facts`` (health counters) into ``into[key]`` (``into`` itself when ``key``
    is None)."""
    target = into if key is None else into.setdefault(key, {})
    for fact, n in facts.items():
        if n:
            target[fact] = target.get(fact, 0) + n


def _host_key(client_version: str) -> tuple[bool, tuple[tuple[int, int | str], ...]]:
    """The batch that carries a day's health counters: the newest known client version."""
    return client_version != UNKNOWN_VERSION, version_key(client_version)


def _has_counts(facts: Mapping[Fact, int]) -> bool:
    return any(n for (counter, _), n in facts.items() if counter not in HEALTH_COUNTERS)


def clip(facts: Mapping[Fact, int]) -> dict[Fact, int]:
    """One install-day's facts with every count bounded by CONTRIBUTION_BOUND; each value
    clipped adds one to ``health.clipped``."""
    out: dict[Fact, int] = {}
    clipped = 0
    for fact, n in facts.items():
        if n > CONTRIBUTION_BOUND and fact[0] not in HEALTH_COUNTERS:
            n = CONTRIBUTION_BOUND
            clipped += 1
        out[fact] = n
    if clipped:
        out[CLIPPED] = out.get(CLIPPED, 0) + clipped
    return out


@dataclass(frozen=True, slots=True)
class Host:
    """The ``os`` and ``arch`` labels of the ``daemon`` block (allow-listed)."""

    os: str
    arch: str

    @classmethod
    def of(cls, platform_name: str, machine: str) -> Host:
        return cls(host_os(platform_name), host_arch(machine))


def utc_day(now: float) -> str:
    """The UTC day of ``now`` (Unix seconds): the one place a date is derived from the
    wall clock."""
    return time.strftime("%Y-%m-%d", time.gmtime(now))


def day_after(day: str, days: int = 1) -> str:
    """``day`` (``YYYY-MM-DD``) moved by ``days`` (negative: back)."""
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat()


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions as people do (``0.10.0`` after ``0.9.1``): numeric parts by value,
    others by text, after every number."""
    parts = version.replace("-", ".").replace("+", ".").split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def newest_version(versions: Iterable[str]) -> str:
    """The newest of ``versions`` (a batch names the newest daemon version of its day)."""
    return max(versions, key=version_key)


def host_os(platform_name: str) -> str:
    return OS_LABELS.get(platform_name, OTHER)


def host_arch(machine: str) -> str:
    return ARCH_LABELS.get(machine.lower(), OTHER)


def batch_body(*, batch_id: str | None, daemon_version: str, client_version: str,
               period_from: str, period_to: str, facts: Mapping[Fact, int],
               host: Host, schema: int = SCHEMA) -> dict[str, Any]:
    counters, health = SCHEMA_TABLES[schema]
    return {
        "schema": schema,
        "batch_id": batch_id,
        "daemon": {"version": daemon_version, "os": host.os, "arch": host.arch},
        "client": {"version": client_version},
        "period": {"from": period_from, "to": period_to},
        "counts": counts_body(facts, counters),
        "health": health_body(facts, health),
    }


def body_of(batch: Batch | Pending, host: Host) -> dict[str, Any]:
    """The request body of a pending batch, or of committed counts not yet batched
    (``batch_id`` null)."""
    return batch_body(batch_id=batch.batch_id if isinstance(batch, Batch) else None,
                      daemon_version=batch.daemon_version, client_version=batch.client_version,
                      period_from=batch.period_from, period_to=batch.period_to,
                      facts=batch.facts, host=host, schema=batch.schema)


Outcome = Literal["sent", "retry", "drop"]


def outcome(status: int | None) -> Outcome:
    """What to do with a batch after one attempt; ``None`` = network error or timeout."""
    if status is None:
        return "retry"
    if 200 <= status <= 299:
        return "sent"
    if status in RETRY_STATUSES or 500 <= status <= 599:
        return "retry"
    if 400 <= status <= 499:
        return "drop"
    # 1xx/3xx should not reach us (redirects are not followed): try again later.
    return "retry"


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # A number too long to be a sane delay is simply "longer than we wait".
        return float(int(value)) if len(value) <= 9 else float("inf")
    when = parse_http_date(value)
    return None if when is None else max(0.0, when - now)


_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec")


def parse_http_date(value: str) -> float | None:
    """An HTTP date in the IMF-fixdate form every server sends
    (``Sun, 06 Nov 1994 08:49:37 GMT``) -> POSIX seconds; anything else -> None."""
    parts = value.split()
    if len(parts) != 6 or parts[5] != "GMT" or parts[2] not in _MONTHS:
        return None
    day, year, clock = parts[1], parts[3], parts[4].split(":")
    if not (day.isdigit() and year.isdigit() and len(year) == 4 and len(clock) == 3
            and all(c.isdigit() and len(c) == 2 for c in clock)):
        return None
    try:
        stamp = (int(year), _MONTHS.index(parts[2]) + 1, int(day), int(clock[0]),
                 int(clock[1]), int(clock[2]))
        if not (1 <= stamp[2] <= 31 and stamp[3] < 24 and stamp[4] < 60 and stamp[5] < 61):
            return None
        return float(calendar.timegm((*stamp, 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True, slots=True)
class GiveUp:
    """The back-off rule says stop for this run; ``why`` names the rule that fired."""

    why: str


def next_delay(failures: int, retry_after: float | None, jitter: float) -> float | GiveUp:
    """The delay before the next attempt after ``failures`` failures, or which rule ends
    the run (the rest waits for the next run, with the same batch ids).

    ``jitter`` is a number in [0, 1) supplied by the caller (so this stays pure)."""
    if failures >= MAX_FAILURES_PER_RUN:
        return GiveUp(f"{failures} failed attempts")
    if retry_after is not None:
        if retry_after > MAX_RETRY_AFTER_SECONDS:
            return GiveUp(f"the endpoint asked to wait longer than "
                          f"{MAX_RETRY_AFTER_SECONDS:g}s (Retry-After)")
        return retry_after
    return exponential_delay(failures, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS,
                             jitter=jitter)


def expired(batches: Sequence[tuple[str, str]], *, today: str) -> list[str]:
    """Batch ids to drop: those whose day is more than MAX_BATCH_AGE_DAYS before
    ``today``, or not among the MAX_BATCHES newest days.  The newest are always kept.

    ``batches`` are (batch_id, day) pairs (a schema 1 batch's day is its last)."""
    oldest = day_after(today, -MAX_BATCH_AGE_DAYS)
    newest_days = set(sorted({day for _, day in batches}, reverse=True)[:MAX_BATCHES])
    return [batch_id for batch_id, day in batches
            if day < oldest or day not in newest_days]
