"""Validation of upload bodies against ``schema.json`` (generated from the daemon's tables).

Every allow-list (counters, labels, health counters, os and arch labels) and every pattern
is read from the shipped ``schema.json``; nothing here repeats one.  What JSON Schema cannot
say is checked in code: the ``Idempotency-Key`` equals ``batch_id``, the period days are
real calendar days in order.  A body that passes becomes a :class:`Batch` whose every string
is one of the file's labels or matched one of its patterns.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final


class Invalid(ValueError):
    """The body is not a valid upload; the message is ours, never the client's text."""


@dataclass(frozen=True)
class Batch:
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


def load_schema() -> dict[str, Any]:
    text = resources.files("metricsd_receiver").joinpath("schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


SCHEMA: Final = load_schema()


@dataclass(frozen=True)
class _Rules:
    schema_version: int
    batch_id: re.Pattern[str]
    daemon_version: re.Pattern[str]
    os: frozenset[str]
    arch: frozenset[str]
    client_version: re.Pattern[str]
    day: re.Pattern[str]
    counters: dict[str, tuple[str, ...]]
    health: tuple[str, ...]
    top: frozenset[str]
    max_count: int


def _rules(schema: dict[str, Any]) -> _Rules:
    props = schema["properties"]
    counters: dict[str, tuple[str, ...]] = {}
    for name, sub in props["counts"]["properties"].items():
        counters[name] = tuple(sub["properties"]) if sub.get("type") == "object" else ()
    return _Rules(
        schema_version=props["schema"]["const"],
        batch_id=re.compile(props["batch_id"]["pattern"], re.ASCII),
        daemon_version=re.compile(props["daemon"]["properties"]["version"]["pattern"],
                                  re.ASCII),
        os=frozenset(props["daemon"]["properties"]["os"]["enum"]),
        arch=frozenset(props["daemon"]["properties"]["arch"]["enum"]),
        client_version=re.compile(props["client"]["properties"]["version"]["pattern"],
                                  re.ASCII),
        day=re.compile(props["period"]["properties"]["from"]["pattern"], re.ASCII),
        counters=counters,
        health=tuple(props["health"]["required"]),
        top=frozenset(schema["required"]),
        max_count=schema["$defs"]["count"]["maximum"],
    )


RULES: Final = _rules(SCHEMA)
#: Counter name -> allowed labels (``()`` = unlabelled), as read from schema.json.
COUNTERS: Final = RULES.counters
HEALTH_COUNTERS: Final = RULES.health


def _require(cond: bool, what: str) -> None:
    if not cond:
        raise Invalid(what)


def _match(pattern: re.Pattern[str], value: object) -> bool:
    # re's $ also matches before a final newline: use fullmatch on a pattern with anchors.
    return isinstance(value, str) and pattern.fullmatch(value) is not None \
        and "\n" not in value


def _is_count(value: object, minimum: int) -> bool:
    return type(value) is int and minimum <= value <= RULES.max_count


def _day(value: object) -> str:
    _require(_match(RULES.day, value), "period days must be YYYY-MM-DD")
    assert isinstance(value, str)
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise Invalid("period days must be calendar days") from None
    return value


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise Invalid("duplicate key in an object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise Invalid("NaN and Infinity are not JSON numbers")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity."""
    try:
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_no_constant)
    except Invalid:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid("body is not valid UTF-8 JSON") from None


def validate(body: object, idempotency_key: str | None = None) -> Batch:
    """Check a parsed body; return it as a :class:`Batch` or raise :class:`Invalid`."""
    r = RULES
    _require(isinstance(body, dict), "body must be a JSON object")
    assert isinstance(body, dict)
    _require(set(body) == r.top, "unexpected or missing top-level keys")
    _require(type(body["schema"]) is int and body["schema"] == r.schema_version,
             "unknown schema")
    batch_id = body["batch_id"]
    _require(_match(r.batch_id, batch_id), "batch_id must be a lower-case UUID4")
    assert isinstance(batch_id, str)
    if idempotency_key is not None:
        _require(idempotency_key == batch_id, "Idempotency-Key must equal batch_id")
    daemon = body["daemon"]
    _require(isinstance(daemon, dict) and set(daemon) == {"version", "os", "arch"},
             "daemon must have exactly version, os, arch")
    _require(_match(r.daemon_version, daemon["version"]), "daemon.version not allowed")
    _require(isinstance(daemon["os"], str) and daemon["os"] in r.os, "daemon.os not allowed")
    _require(isinstance(daemon["arch"], str) and daemon["arch"] in r.arch,
             "daemon.arch not allowed")
    client = body["client"]
    _require(isinstance(client, dict) and set(client) == {"version"},
             "client must have exactly version")
    _require(_match(r.client_version, client["version"]), "client.version not allowed")
    period = body["period"]
    _require(isinstance(period, dict) and set(period) == {"from", "to"},
             "period must have exactly from and to")
    period_from, period_to = _day(period["from"]), _day(period["to"])
    _require(period_from <= period_to, "period.from is after period.to")
    counts = body["counts"]
    _require(isinstance(counts, dict) and bool(counts), "counts must be a non-empty object")
    out: list[tuple[str, str, int]] = []
    for counter, value in counts.items():
        labels = r.counters.get(counter)
        _require(labels is not None, "unknown counter")
        assert labels is not None
        if not labels:
            _require(_is_count(value, 1), "an unlabelled count must be an integer >= 1")
            out.append((counter, "", value))
            continue
        _require(isinstance(value, dict) and bool(value),
                 "a labelled counter must be a non-empty object")
        for label, n in value.items():
            _require(label in labels, "label not allowed")
            _require(_is_count(n, 1), "counts must be integers >= 1")
            out.append((counter, label, n))
    health = body["health"]
    _require(isinstance(health, dict) and set(health) == set(r.health),
             "health must have exactly the documented keys")
    _require(all(_is_count(v, 0) for v in health.values()), "health values must be integers >= 0")
    # Only strings taken from RULES (or matched against its patterns) go into the Batch.
    return Batch(batch_id=batch_id, daemon_version=daemon["version"], os=daemon["os"],
                 arch=daemon["arch"], client_version=client["version"],
                 period_from=period_from, period_to=period_to, counts=tuple(out),
                 health=tuple((name, health[name]) for name in r.health))
