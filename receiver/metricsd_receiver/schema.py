"""Validation of upload bodies: the typed model built from the shipped ``schema.json``.

``schema.json`` is written by ``receiver/generate_schema.py`` from the daemon's facts tables
(it is what :func:`metricsd_receiver.model.schema_document` emits).  At import the receiver
reads the tables back from the file and builds the msgspec model, so every allow-list lives
once, in the daemon, and nothing here repeats one.

What JSON Schema cannot say is checked in code: the ``Idempotency-Key`` equals
``batch_id``; period days are in order (schema 2: one day), and inside the accepted window
(not before :data:`EARLIEST_DAY`, not after tomorrow UTC); an object has no duplicate key;
counts and labelled counters are not empty.  A body that passes becomes a :class:`Batch`
whose every string is one of the file's labels or matched one of its patterns.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import msgspec

from metricsd_receiver.model import build_model, tables_from_document, union

#: No upload may be about a day before this one (the project did not exist) ...
EARLIEST_DAY: Final = datetime.date(2024, 1, 1)
#: ... or after tomorrow (UTC): a daemon uploads completed days only; one day of slack
#: covers clocks that are a little ahead.
LATEST_DAYS_AHEAD: Final = 1


class Invalid(ValueError):
    """The body is not a valid upload; the message is ours, never the client's text."""


@dataclass(frozen=True)
class Batch:
    schema: int
    batch_id: str
    daemon_version: str
    os: str
    arch: str
    client_version: str
    period_from: str
    period_to: str
    #: (counter, label, n) for every count; label ``""`` for unlabelled counters.
    counts: tuple[tuple[str, str, int], ...]
    #: (health counter, n), zeros included.
    health: tuple[tuple[str, int], ...]


def load_document() -> dict[str, Any]:
    text = resources.files("metricsd_receiver").joinpath("schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


TABLES: Final = tables_from_document(load_document())
MODEL: Final = build_model(TABLES)
SCHEMAS: Final = tuple(sorted(TABLES.bodies))
LATEST: Final = SCHEMAS[-1]
#: Counter name -> allowed labels of the newest schema.
COUNTERS: Final = TABLES.bodies[LATEST].counters
#: Health counters of the newest schema (older schemas have a subset).
HEALTH_COUNTERS: Final = TABLES.bodies[LATEST].health
_DECODER: Final = msgspec.json.Decoder(union(MODEL))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise Invalid("duplicate key in an object")
        seen.add(key)


def parse(raw: bytes) -> msgspec.Struct:
    """Decode and type-check a body (no echo of its text in any error)."""
    try:
        body: msgspec.Struct = _DECODER.decode(raw)
    except msgspec.ValidationError:
        raise Invalid("body does not match the upload schema (docs/UPLOAD.md)") from None
    except msgspec.DecodeError:
        raise Invalid("body is not valid UTF-8 JSON") from None
    # msgspec keeps the last of duplicate keys; a body whose meaning depends on the parser
    # is refused (only reached by bodies that are otherwise valid).
    try:
        json.loads(raw, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        raise Invalid("body is not valid UTF-8 JSON") from None
    return body


def _day_window(day: datetime.date, today: datetime.date) -> None:
    if day < EARLIEST_DAY or day > today + datetime.timedelta(days=LATEST_DAYS_AHEAD):
        raise Invalid(f"period days must be between {EARLIEST_DAY.isoformat()} and "
                      "tomorrow (UTC)")


def validate(raw: bytes, idempotency_key: str | None = None,
             today: datetime.date | None = None) -> Batch:
    """Check a raw body; return it as a :class:`Batch` or raise :class:`Invalid`."""
    body: Any = parse(raw)
    version: int = body.__struct_config__.tag
    rules = TABLES.bodies[version]
    if idempotency_key is not None and idempotency_key != body.batch_id:
        raise Invalid("Idempotency-Key must equal batch_id")
    day_from, day_to = body.period.from_, body.period.to
    if day_from > day_to:
        raise Invalid("period.from is after period.to")
    if rules.one_day and day_from != day_to:
        raise Invalid(f"a schema {version} batch covers one day: period.from == period.to")
    today = today or datetime.datetime.now(datetime.UTC).date()
    _day_window(day_from, today)
    _day_window(day_to, today)
    out: list[tuple[str, str, int]] = []
    for name, labels in rules.counters.items():
        value = getattr(body.counts, name)
        if value is msgspec.UNSET:
            continue
        if not labels:
            out.append((name, "", value))
            continue
        before = len(out)
        for i, label in enumerate(labels):
            n = getattr(value, f"l{i}")
            if n is not msgspec.UNSET:
                out.append((name, label, n))
        if len(out) == before:
            raise Invalid("a labelled counter must be a non-empty object")
    if not out:
        raise Invalid("counts must be a non-empty object")
    # Only strings taken from TABLES (or matched against its patterns) go into the Batch.
    return Batch(schema=version, batch_id=body.batch_id, daemon_version=body.daemon.version,
                 os=body.daemon.os, arch=body.daemon.arch,
                 client_version=body.client.version, period_from=day_from.isoformat(),
                 period_to=day_to.isoformat(), counts=tuple(out),
                 health=tuple((name, getattr(body.health, name)) for name in rules.health))
