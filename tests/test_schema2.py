"""Upload schema 2: one batch per UTC day and version pair, values bounded, and counts
stored before facts v2 uploaded as schema 1, never relabelled."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from metricsd.core.batches import CONTRIBUTION_BOUND, SCHEMA, SCHEMA_V1, Host, body_of
from metricsd.store import Store

HOST = Host("linux", "x86_64")
_ids = (f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10**6))


def test_one_batch_per_day_and_versions(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    for day in ("2026-11-30", "2026-12-01"):
        store.commit({(False, "1.0.0"): {("turns", ""): 2}}, daemon_version="0.1.0", day=day)
    store.commit({(False, "2.0.0"): {("turns", ""): 1}}, daemon_version="0.1.0",
                 day="2026-12-01")
    assert len(store.seal_batches(_ids, now=0)) == 3
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
    (pending,) = store.pending()
    store.seal_batches(_ids, now=0)
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
    assert store.seal_batches(_ids, now=0) == []
