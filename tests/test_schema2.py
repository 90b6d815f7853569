"""Upload schema 2: one batch per UTC day and version pair, values bounded, and counts
stored before facts v2 uploaded as schema 1, never relabelled."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from metricsd.cli._common import _bodies, _held
from metricsd.cli.show import render_show
from metricsd.core.batches import (
    CONTRIBUTION_BOUND,
    MIDNIGHT_SPREAD_SECONDS,
    SCHEMA,
    SCHEMA_V1,
    Host,
    body_of,
    seconds_to_next_upload,
)
from metricsd.daemon import UploadFinished
from metricsd.settings import DB_NAME
from metricsd.store import Store
from metricsd.testing import WallClock, open_daemon
from tests.inprocess import URL, Endpoint, run, session

HOST = Host("linux", "x86_64")
_ids = (f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10**6))


def test_one_batch_per_day_and_versions(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    for day in ("2026-11-30", "2026-12-01"):
        store.commit({(False, "1.0.0"): {("turns", ""): 2}}, daemon_version="0.1.0", day=day)
    store.commit({(False, "2.0.0"): {("turns", ""): 1}}, daemon_version="0.1.0",
                 day="2026-12-01")
    assert len(store.seal_batches(_ids, now=0, today="2026-12-02")) == 3
    bodies = [body_of(b, HOST) for b in store.batches()]
    assert {(b["period"]["from"], b["period"]["to"], b["client"]["version"])
            for b in bodies} == {("2026-11-30", "2026-11-30", "1.0.0"),
                                 ("2026-12-01", "2026-12-01", "1.0.0"),
                                 ("2026-12-01", "2026-12-01", "2.0.0")}
    assert {b["schema"] for b in bodies} == {SCHEMA}
    assert all(b["health"]["clipped"] == 0 for b in bodies)


def test_values_above_the_bound_are_clipped_and_counted(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    store.commit({(False, "1.0.0"): {("turns", ""): CONTRIBUTION_BOUND + 5,
                                     ("finish_reason", "stop"): CONTRIBUTION_BOUND * 3,
                                     ("compaction", ""): 7}},
                 daemon_version="0.1.0", day="2026-12-01")
    (pending,) = store.pending("2026-12-02")
    store.seal_batches(_ids, now=0, today="2026-12-02")
    (batch,) = store.batches()
    for item in (pending, batch):
        body = body_of(item, HOST)
        assert body["counts"] == {"turns": CONTRIBUTION_BOUND, "compaction": 7,
                                  "finish_reason": {"stop": CONTRIBUTION_BOUND}}
        assert body["health"]["clipped"] == 2


def _v1_database(path: Path) -> None:
    """A database as a v1.1 daemon left it: user_version 1, v1.1 labels."""
    db = sqlite3.connect(path)
    from metricsd.store import MIGRATIONS

    db.executescript(MIGRATIONS[0])
    rows = [(0, "0.1.0", "1.4.0", "2026-11-20", "turns", "", 3),
            (0, "0.1.0", "1.4.0", "2026-11-21", "cache_hit", "50-89", 2),
            (0, "0.1.0", "1.4.0", "2026-11-21", "cache_hit", "90-99", 1),
            (0, "0.1.0", "1.4.0", "2026-11-21", "finish_reason", "other", 1),
            (1, "0.1.0", "1.4.0", "2026-11-21", "cache_hit", "50-89", 4)]
    db.executemany("INSERT INTO counts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_v1_counts_are_uploaded_as_schema_1_never_relabelled(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    _v1_database(path)
    store = Store(path)
    (batch,) = store.batches()
    body = body_of(batch, HOST)
    assert body["schema"] == SCHEMA_V1
    assert body["period"] == {"from": "2026-11-20", "to": "2026-11-21"}
    assert body["counts"] == {"turns": 3, "finish_reason": {"other": 1},
                              "cache_hit": {"50-89": 2, "90-99": 1}}
    assert "clipped" not in body["health"]
    # the dev-build count stays local, as it was
    assert store.committed_totals(include_outbox=False) == {("cache_hit", "50-89"): 4}
    assert store.seal_batches(_ids, now=0, today="2026-12-02") == []


def test_todays_counts_wait_until_the_day_is_over(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    for day in ("2026-12-01", "2026-12-02"):
        store.commit({(False, "1.0.0"): {("turns", ""): 1}}, daemon_version="0.1.0", day=day)
    assert [p.period_from for p in store.pending("2026-12-02")] == ["2026-12-01"]
    assert [p.period_from for p in store.held("2026-12-02")] == ["2026-12-02"]
    assert len(store.seal_batches(_ids, now=0, today="2026-12-02")) == 1
    assert store.seal_batches(_ids, now=0, today="2026-12-02") == []  # the same day again
    assert len(store.seal_batches(_ids, now=0, today="2026-12-03")) == 1
    assert [b.period_from for b in store.batches()] == ["2026-12-01", "2026-12-02"]


def test_the_next_upload_is_after_the_next_utc_midnight() -> None:
    day = 86400 * 20_000  # a UTC midnight
    assert seconds_to_next_upload(day + 10, 0.0) == 86400 - 10
    assert seconds_to_next_upload(day, 0.5) == 86400 + MIDNIGHT_SPREAD_SECONDS / 2
    assert seconds_to_next_upload(day + 86399.5, 1.0) == 0.5 + MIDNIGHT_SPREAD_SECONDS


def test_three_days_are_three_batches_and_a_rerun_sends_nothing_new(tmp_path: Path) -> None:
    """A daemon counts on three days (its wall clock a day further each time); the next
    day's start uploads exactly three day batches; a second start on that same day uploads
    nothing new, and `show` holds that day's counts."""
    endpoint = Endpoint()
    clock = WallClock(time.time() - 4 * 86400)

    async def main() -> None:
        for turns in (1, 2, 3):
            async with open_daemon(tmp_path, wall_clock=clock) as h:
                await session(h, turns=turns)
            clock.advance(days=1)
        for _ in range(2):
            async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                                   wall_clock=clock) as h:
                await h.next(UploadFinished)
                await session(h, turns=5)  # today's: held

    run(main, autojump=False)
    bodies = sorted(endpoint.stored.values(), key=lambda b: b["period"]["from"])
    assert [b["counts"]["turns"] for b in bodies] == [1, 2, 3]
    assert [b["period"]["from"] for b in bodies] == [clock.day(k) for k in (-3, -2, -1)]
    assert all(b["period"]["from"] == b["period"]["to"] for b in bodies)
    assert len(endpoint.posts) == 3
    store = Store(tmp_path / "state" / DB_NAME)
    try:
        shown = render_show(_bodies(store, clock()), _held(store, clock()), {}, None)
    finally:
        store.close()
    assert shown.startswith("nothing to upload\n"), shown
    assert "held until the day is over" in shown
