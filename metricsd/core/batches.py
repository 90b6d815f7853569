"""Upload bodies and upload policy (docs/UPLOAD.md).  Pure: no network, no clock.

The httpx call in :mod:`metricsd.upload` is a thin wrapper around these functions, and
``metricsd show`` renders bodies with the same :func:`batch_body`.  The clock and the
platform are read by the caller and passed in.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from metricsd.core.counts import counts_body, health_body
from metricsd.core.facts import (
    CLIPPED,
    COUNTERS,
    COUNTERS_V1,
    HEALTH_COUNTERS,
    HEALTH_COUNTERS_V1,
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
#: A batch older than this is dropped.
MAX_BATCH_AGE_SECONDS: Final = 30 * 24 * 3600
#: Only this many newest batches are kept.
MAX_BATCHES: Final = 50
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
    """Committed counts of one (daemon version, client version) not yet batched."""

    daemon_version: str
    client_version: str
    period_from: str
    period_to: str
    facts: dict[Fact, int]
    schema: int = SCHEMA


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
    return time.strftime("%Y-%m-%d", time.gmtime(now))


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


def expired(batches: Sequence[tuple[str, int]], *, now: float) -> list[str]:
    """Batch ids to drop: older than 30 days, or beyond the 50 newest.

    ``batches`` are (batch_id, created) pairs."""
    newest_first = sorted(batches, key=lambda b: b[1], reverse=True)
    drop = []
    for i, (batch_id, created) in enumerate(newest_first):
        if i >= MAX_BATCHES or now - created > MAX_BATCH_AGE_SECONDS:
            drop.append(batch_id)
    return drop
