"""The pure upload policy and body (docs/UPLOAD.md), and the reference receiver's schema."""

from __future__ import annotations

import copy
import email.utils
import uuid
from typing import Any

import pytest

from metricsd.core.batches import (
    BACKOFF_CAP_SECONDS,
    MAX_BATCH_AGE_DAYS,
    MAX_BATCH_AGE_SECONDS,
    MAX_BATCHES,
    MAX_FAILURES_PER_RUN,
    MAX_RETRY_AFTER_SECONDS,
    GiveUp,
    Host,
    batch_body,
    day_after,
    expired,
    host_arch,
    host_os,
    newest_version,
    next_delay,
    outcome,
    parse_retry_after,
    plan_seal,
    version_key,
)
from tests.fake_endpoint import Invalid, validate


@pytest.mark.parametrize(("status", "what"), [
    (200, "sent"), (201, "sent"), (202, "sent"), (204, "sent"), (299, "sent"),
    (None, "retry"), (408, "retry"), (429, "retry"), (500, "retry"), (502, "retry"),
    (503, "retry"), (599, "retry"),
    (400, "drop"), (401, "drop"), (403, "drop"), (404, "drop"), (409, "drop"), (413, "drop"),
    (422, "drop"), (499, "drop"),
    (301, "retry"), (304, "retry"), (100, "retry"),
])
def test_outcome_by_status(status: int | None, what: str) -> None:
    assert outcome(status) == what


def test_retry_after_forms() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(" 7 ", now=now) == 7.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30.0, abs=1.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0
    for bad in (None, "", "soon", "-5", "1.5"):
        assert parse_retry_after(bad, now=now) is None


def test_backoff_is_exponential_with_jitter_and_names_the_rule_that_stops_it() -> None:
    assert next_delay(1, None, 0.0) == 1.0
    assert next_delay(2, None, 0.0) == 2.0
    assert next_delay(1, None, 0.999) == pytest.approx(1.999)
    assert next_delay(2, None, 0.5) == 3.0
    assert next_delay(MAX_FAILURES_PER_RUN, None, 0.0) == GiveUp(
        f"{MAX_FAILURES_PER_RUN} failed attempts")
    # The failure budget wins over a Retry-After.
    assert next_delay(MAX_FAILURES_PER_RUN + 5, 1.0, 0.0) == GiveUp(
        f"{MAX_FAILURES_PER_RUN + 5} failed attempts")
    # Retry-After is honoured exactly (no jitter), unless it is too long for this run.
    assert next_delay(1, 17.0, 0.9) == 17.0
    assert next_delay(1, MAX_RETRY_AFTER_SECONDS, 0.0) == MAX_RETRY_AFTER_SECONDS
    stop = next_delay(1, MAX_RETRY_AFTER_SECONDS + 1, 0.0)
    assert isinstance(stop, GiveUp) and "Retry-After" in stop.why
    # The cap bounds a long series (only reachable with a larger failure budget).
    delay = next_delay(2, None, 0.999)
    assert isinstance(delay, float) and delay <= BACKOFF_CAP_SECONDS


def test_expired_by_the_day_of_the_report_keeping_the_newest() -> None:
    today = "2026-12-07"
    old = ("old", day_after(today, -MAX_BATCH_AGE_DAYS - 1))
    edge = ("edge", day_after(today, -MAX_BATCH_AGE_DAYS))
    assert expired([old, edge], today=today) == ["old"]
    assert MAX_BATCH_AGE_SECONDS == MAX_BATCH_AGE_DAYS * 86400
    # 53 days of reports, two client versions each, listed oldest day first (as batches
    # sealed together are): the batches of the newest days stay.
    days = [day_after(today, -1 - i) for i in range(MAX_BATCHES + 3)]
    many = [(f"{v}-{i}", day) for i, day in reversed(list(enumerate(days))) for v in "ab"]
    assert sorted(expired(many, today=today)) == sorted(
        b for b, d in many if d < day_after(today, -MAX_BATCH_AGE_DAYS))
    # Seen from a clock set back before them all, the bound on days alone keeps the 50
    # newest days (both batches of each), never the oldest.
    newest = set(days[:MAX_BATCHES])
    dropped = expired(many, today=day_after(today, -365))
    assert sorted(dropped) == sorted(b for b, d in many if d not in newest)
    assert len(dropped) == 6
    assert expired([], today=today) == []


def test_versions_are_ordered_as_numbers() -> None:
    assert newest_version(["0.9.1", "0.10.0", "0.2.0"]) == "0.10.0"
    assert version_key("2.0.1") < version_key("2.0.10") < version_key("10.0.0")


def test_host_labels_are_allow_listed() -> None:
    assert host_os("linux") == "linux" and host_os("darwin") == "darwin"
    assert host_os("win32") == "other"
    assert host_arch("x86_64") == "x86_64" and host_arch("AMD64") == "x86_64"
    assert host_arch("aarch64") == "arm64" and host_arch("arm64") == "arm64"
    assert host_arch("my-secret-box") == "other"


def body(**over: Any) -> dict[str, Any]:
    b = batch_body(batch_id=str(uuid.uuid4()), daemon_version="0.1.0", client_version="1.4.0",
                   period_from="2026-11-25", period_to="2026-11-25",
                   facts={("turns", ""): 12, ("empty_final", ""): 1, ("compaction", ""): 0,
                          ("finish_reason", "stop"): 10, ("finish_reason", "length"): 2,
                          ("cache_hit", "95-98"): 7, ("provider_error", "rate_limit"): 3,
                          ("tool_error", "timeout"): 1, ("dropped_batches", ""): 2},
                   host=Host("linux", "x86_64"))
    b.update(over)
    return b


def test_body_shape_matches_the_spec_example() -> None:
    b = body()
    assert b == {
        "schema": 2, "batch_id": b["batch_id"],
        "daemon": {"version": "0.1.0", "os": "linux", "arch": "x86_64"},
        "client": {"version": "1.4.0"},
        "period": {"from": "2026-11-25", "to": "2026-11-25"},
        "counts": {"turns": 12, "empty_final": 1,
                   "finish_reason": {"stop": 10, "length": 2}, "cache_hit": {"95-98": 7},
                   "provider_error": {"rate_limit": 3}, "tool_error": {"timeout": 1}},
        "health": {"invalid_events": 0, "unknown_events": 0, "dropped_batches": 2,
                   "clipped": 0},
    }
    assert "compaction" not in b["counts"]  # zero counts are left out
    assert validate(b) is b


def mutate(path: list[str], value: Any) -> dict[str, Any]:
    b = copy.deepcopy(body())
    target = b
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return b


@pytest.mark.parametrize(("path", "value"), [
    (["schema"], 3), (["schema"], True), (["batch_id"], None), (["batch_id"], "abc"),
    (["batch_id"], "0bc37afc-e8ec-11f1-a31e-02fc00000001"),  # a uuid1, not a uuid4
    (["daemon", "os"], "windows"),
    (["daemon", "arch"], "secret"), (["daemon", "version"], "x"),
    (["client", "version"], "1.4.0 secret"), (["client", "version"], "01.4.0"),
    (["period", "from"], "2026-11-30"), (["period", "to"], "yesterday"),
    (["counts"], {}), (["counts", "turns"], 0), (["counts", "turns"], -1),
    (["counts", "turns"], 1.5), (["counts", "finish_reason"], {"stop": 0}),
    (["counts", "finish_reason"], {"secret": 1}), (["counts", "secret"], 1),
    (["counts", "cache_hit"], 3), (["health", "invalid_events"], -1),
    (["health", "extra"], 0), (["extra"], 1),
])
def test_receiver_rejects_anything_off_schema(path: list[str], value: Any) -> None:
    with pytest.raises(Invalid):
        validate(mutate(path, value))


def test_receiver_checks_idempotency_key() -> None:
    b = body()
    assert validate(b, b["batch_id"]) is b
    with pytest.raises(Invalid):
        validate(b, str(uuid.uuid4()))


def test_plan_seal_one_batch_per_day_and_client_version_health_with_the_newest() -> None:
    rows = [
        ("2026-12-01", "0.9.0", "1.0.0", "turns", "", 2),
        ("2026-12-01", "0.10.0", "1.0.0", "turns", "", 3),
        ("2026-12-01", "0.10.0", "unknown", "turns", "", 1),
        ("2026-12-01", "0.10.0", "0.9.0", "dropped_batches", "", 1),  # health only
        ("2026-12-02", "0.10.0", "0.9.0", "invalid_events", "", 4),  # no counts that day
        ("2026-12-03", "0.10.0", "1.0.0", "turns", "", 7),  # today: held
        ("2028-12-03", "0.10.0", "1.0.0", "turns", "", 5),  # the clock ran ahead
    ]
    plan = plan_seal(rows, today="2026-12-03", open_day="2026-12-04")
    assert [(p.period_from, p.daemon_version, p.client_version, dict(p.facts))
            for p in plan.batches] == [
        ("2026-12-01", "0.10.0", "1.0.0", {("turns", ""): 5, ("dropped_batches", ""): 1}),
        ("2026-12-01", "0.10.0", "unknown", {("turns", ""): 1}),
        ("2026-12-04", "0.10.0", "1.0.0", {("turns", ""): 5, ("invalid_events", ""): 4}),
    ]
    assert plan.days == ["2026-12-01", "2026-12-02", "2026-12-04"]
    assert plan.taken == ["2026-12-01", "2026-12-02", "2028-12-03"]
    assert plan.carried == {}
    # Without counts after it, a day's health waits for the next open day.
    plan = plan_seal(rows[3:5], today="2026-12-03", open_day="2026-12-03")
    assert plan.batches == [] and plan.days == ["2026-12-01", "2026-12-02"]
    assert plan.carried == {("0.10.0", "0.9.0"): {("dropped_batches", ""): 1,
                                                  ("invalid_events", ""): 4}}
