"""Daily rollups: written with each batch, exact whatever their size, built once for an
existing database; schema 1 labels kept apart from schema 2 ones."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from metricsd_receiver.app import Settings
from metricsd_receiver.query import exact_summary
from metricsd_receiver.release import ALL_LABELS, TURNS_BOUND
from metricsd_receiver.schema import validate
from metricsd_receiver.storage import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, open_storage

from tests.receiver.bodies import body, encode
from tests.receiver.conftest import Database, in_process
from tests.receiver.desktops import add_bodies, same_sums

BIG = 2**53 - 1


def _sums_from_batches(db: Database) -> dict[tuple[str, str, int, str, str], int]:
    out: dict[tuple[str, str, int, str, str], int] = {}
    for day, version, schema, counter, label, n in db.rows(
            "SELECT b.day, b.client_version, b.schema, c.counter, c.label, c.n "
            "FROM batch_counts c JOIN batches b ON b.batch_id = c.batch_id"):
        key = (str(day), version, int(schema), counter, label)
        out[key] = out.get(key, 0) + int(n)
    return out


def _rollups(db: Database) -> dict[tuple[str, str, int, str, str], int]:
    if db.kind == "sqlite":  # in Python: SQLite's own arithmetic would overflow
        rows = [(*row[:5], int(row[5]) * 2**53 + int(row[6])) for row in db.rows(
            "SELECT day, client_version, schema, counter, label, hi, lo FROM daily_counts")]
    else:
        rows = db.rows("SELECT day, client_version, schema, counter, label, n "
                       "FROM daily_counts")
    return {(str(d), v, int(s), c, lb): int(n) for d, v, s, c, lb, n in rows}


def test_sums_past_64_bits_are_exact(database: Database) -> None:
    # 1,025 batches with a count of 2**53 - 1 on one day (written straight to storage: a
    # body may not carry such a count any more): the day's sum is past 2**63 (SQLite's
    # integers) and the rollups hold it exactly.
    storage = open_storage(database.url)
    storage.migrate()
    day = "2026-11-20"
    try:
        for _ in range(1025):
            batch = validate(encode(body(schema=1, day=day, turns=1)))
            assert storage.insert(replace(batch, counts=(("turns", "", BIG),)))
        data = exact_summary(storage, day_from=day, day_to=day, version=None, k=5)
    finally:
        storage.close()
    assert data["total"]["turns"] == 1025 * BIG > 2**63
    assert data["total"]["batches"] == 1025
    assert _rollups(database) == _sums_from_batches(database)
    # for publishing, each report counts at most TURNS_BOUND turns
    published = database.rows("SELECT sum(n) FROM publish_counts WHERE counter = 'turns'")
    assert int(published[0][0]) == 1025 * TURNS_BOUND


def test_schema_1_labels_are_shown_as_such(database: Database) -> None:
    day = "2026-11-20"
    with in_process(database.url, Settings(local_only=True, k=1), today="2026-11-21") as r:
        old = [body(schema=1, day=day, turns=5),
               body(schema=1, day_from="2026-11-01", day=day)]
        new = [body(schema=2, day=day, turns=7, finish_reason__other=1)]
        for b in old + new:
            assert r.post(b).status_code == 202
        storage = r.app.state.receiver.storage
        data = exact_summary(storage, day_from=day, day_to=day, version=None, k=1)
        r.clock.at("2026-11-22", hour=0)
        r.release()
        released = r.summary(**{"from": day, "to": day})
        page = r.get("/", params={"from": day, "to": day}).text
    cache = data["total"]["cache_hit"]
    assert cache == {"100": 7, "none": 1, "none (v1.1)": 2, "90-99 (v1.1)": 14}
    reasons = data["total"]["finish_reason"]
    assert reasons["other"] == 1 and "other (v1.1)" not in reasons
    assert reasons["stop (v1.1)"] == 3 + 8 and reasons["stop"] == 5
    assert data["total"]["turns"] == 5 + 10 + 7  # unlabelled counters mean the same
    same_sums(data["total"], add_bodies(old + new))
    # released: every label of both schemas, the older ones under their own names
    assert set(released["total"]["cache_hit"]) == set(ALL_LABELS["cache_hit"])
    assert released["counters"]["cache_hit"] == ALL_LABELS["cache_hit"]
    assert 'data-label="90-99 (v1.1)">' in page and 'data-label="100">' in page


def test_labels_of_an_older_schema_need_k_reports_of_it(sqlite_database: Database) -> None:
    day = "2026-11-20"
    with in_process(sqlite_database.url, today="2026-11-21") as r:
        for b in [body(schema=2, day=day) for _ in range(5)] + [body(schema=1, day=day)]:
            assert r.post(b).status_code == 202
        r.clock.at("2026-11-22", hour=0)
        r.release()
        released = r.summary(**{"from": day, "to": day})
    assert [c["version"] for c in released["cells"]] == ["1.4.0"]
    assert not any("(v1.1)" in lb for lb in released["total"]["cache_hit"])


def _old_database(db: Database, bodies: list[dict[str, Any]]) -> None:
    """A database as a receiver before rollups left it: migration 1 and its rows only."""
    if db.kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                     "applied_at TEXT NOT NULL)")
        for statement in SQLITE_MIGRATIONS[0][1]:
            assert isinstance(statement, str)
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (1, 'then')")
        for b in bodies:
            conn.execute("INSERT INTO batches VALUES (?, 'then', ?, ?, '0.1.0', 'linux', "
                         "'x86_64', ?)", (b["batch_id"], b["period"]["to"],
                                          b["period"]["from"], b["client"]["version"]))
            for counter, value in b["counts"].items():
                for label, n in (value.items() if isinstance(value, dict)
                                 else [("", value)]):
                    conn.execute("INSERT INTO batch_counts VALUES (?, ?, ?, ?)",
                                 (b["batch_id"], counter, label, n))
        conn.close()
        return
    import psycopg

    with psycopg.connect(db.url, autocommit=True) as pg:
        pg.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        for statement in POSTGRES_MIGRATIONS[0][1]:
            assert isinstance(statement, str)
            pg.execute(statement)
        pg.execute("INSERT INTO schema_migrations (version) VALUES (1)")
        for b in bodies:
            pg.execute("INSERT INTO batches (batch_id, day, period_from, daemon_version, "
                         "os, arch, client_version) VALUES (%s, %s, %s, '0.1.0', 'linux', "
                         "'x86_64', %s)", (b["batch_id"], b["period"]["to"],
                                           b["period"]["from"], b["client"]["version"]))
            for counter, value in b["counts"].items():
                for label, n in (value.items() if isinstance(value, dict)
                                 else [("", value)]):
                    pg.execute("INSERT INTO batch_counts VALUES (%s, %s, %s, %s)",
                                 (b["batch_id"], counter, label, n))


def test_an_existing_database_gets_its_rollups_once(database: Database) -> None:
    bodies = [body(f"1.{i % 2}.0", schema=1, day=f"2026-11-{20 + i % 3}", turns=BIG)
              for i in range(30)]
    _old_database(database, bodies)
    span = {"day_from": "2026-11-20", "day_to": "2026-11-22", "version": None, "k": 1}
    with in_process(database.url, today="2026-11-23") as r:
        data = exact_summary(r.app.state.receiver.storage, **span)  # type: ignore[arg-type]
    assert _rollups(database) == _sums_from_batches(database)
    assert sum(int(n) for (n,) in database.rows("SELECT batches FROM daily_batches")) == 30
    # the publishing rollups too, each old report clipped like a new one
    assert sum(int(n) for (n,) in database.rows("SELECT reports FROM publish_reports")) == 30
    published = database.rows("SELECT sum(n) FROM publish_counts WHERE counter = 'turns'")
    assert int(published[0][0]) == 30 * TURNS_BOUND
    for b in bodies:  # stored before there was a schema column: schema 1
        b["health"] = {}
    same_sums({**data["total"], "health": {}}, add_bodies(bodies))
    assert data["total"]["turns"] == 30 * BIG
    with in_process(database.url, today="2026-11-23") as again:  # migrated once
        assert exact_summary(again.app.state.receiver.storage,
                             **span) == data  # type: ignore[arg-type]
    assert sum(int(n) for (n,) in database.rows("SELECT reports FROM publish_reports")) == 30


def test_every_label_of_each_schema_lands_under_its_own_name(sqlite_database: Database
                                                               ) -> None:
    import pytest
    from metricsd_receiver.query import shown_label
    from metricsd_receiver.schema import TABLES, Invalid

    storage = open_storage(sqlite_database.url)
    storage.migrate()
    day = "2026-11-20"
    try:
        want: dict[str, dict[str, int]] = {}
        for schema, tables in TABLES.bodies.items():
            for counter, labels in tables.counters.items():
                for i, label in enumerate(labels):
                    b = body(schema=schema, day=day)
                    b["counts"] = {"turns": 1, counter: {label: 100 + i}}
                    assert storage.insert(validate(encode(b)))
                    if label:
                        per = want.setdefault(counter, {})
                        per[shown_label(schema, label)] = 100 + i
                    # a label the other schema does not know is refused there
                    for other, other_tables in TABLES.bodies.items():
                        if label and label not in other_tables.counters[counter]:
                            b2: dict[str, Any] = {**b, "schema": other,
                                                  "health": body(schema=other)["health"]}
                            with pytest.raises(Invalid):
                                validate(encode(b2))
        data = exact_summary(storage, day_from=day, day_to=day, version=None, k=1)
        for counter, sums in want.items():
            assert data["total"][counter] == sums, counter
            assert set(sums) <= set(data["counters"][counter])
    finally:
        storage.close()
