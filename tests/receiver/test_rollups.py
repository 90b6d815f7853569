"""Daily rollups: written with each batch, exact whatever their size, built once for an
existing database; schema 1 labels kept apart from schema 2 ones."""

from __future__ import annotations

from typing import Any

import httpx
from metricsd_receiver.schema import validate
from metricsd_receiver.storage import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, open_storage

from tests.receiver.bodies import body, encode
from tests.receiver.conftest import Database, ReceiverFactory
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


def test_sums_past_64_bits_are_exact(database: Database, receivers: ReceiverFactory) -> None:
    # 1,025 valid batches with a count of 2**53 - 1 on one day: the day's sum is past
    # 2**63 (SQLite's integers); the dashboard and the API answer with the exact sum.
    storage = open_storage(database.url)
    storage.migrate()
    day = "2026-11-20"
    try:
        for _ in range(1025):
            assert storage.insert(validate(encode(body(schema=1, day=day, turns=BIG))))
    finally:
        storage.close()
    r = receivers.start(database.url)
    data = r.summary(**{"from": day, "to": day})
    assert data["total"]["turns"] == 1025 * BIG > 2**63
    assert data["total"]["batches"] == 1025
    page = httpx.get(r.url + "/", params={"from": day, "to": day}, timeout=30)
    assert page.status_code == 200
    assert f'<td data-field="turns">{1025 * BIG:,}</td>' in page.text
    assert _rollups(database) == _sums_from_batches(database)


def test_schema_1_labels_are_shown_as_such(database: Database,
                                           receivers: ReceiverFactory) -> None:
    r = receivers.start(database.url, "--k", "1")
    day = "2026-11-20"
    old = [body(schema=1, day=day, turns=5), body(schema=1, day_from="2026-11-01", day=day)]
    new = [body(schema=2, day=day, turns=7, finish_reason__other=1)]
    for b in old + new:
        assert r.post(b).status_code == 202
    data = r.summary(**{"from": day, "to": day})
    cache = data["total"]["cache_hit"]
    assert cache == {"100": 7, "none": 1, "none (v1.1)": 2, "90-99 (v1.1)": 14}
    reasons = data["total"]["finish_reason"]
    assert reasons["other"] == 1 and "other (v1.1)" not in reasons
    assert reasons["stop (v1.1)"] == 3 + 8 and reasons["stop"] == 5
    assert data["total"]["turns"] == 5 + 10 + 7  # unlabelled counters mean the same
    same_sums(data["total"], add_bodies(old + new))
    # the labels offered: the newest always, older ones only when they occur
    assert data["counters"]["cache_hit"][-2:] == ["none (v1.1)", "90-99 (v1.1)"]
    assert "50-89 (v1.1)" not in data["counters"]["cache_hit"]
    page = httpx.get(r.url + "/", params={"from": day, "to": day}).text
    assert 'data-label="90-99 (v1.1)">14<' in page
    assert 'data-label="100">7<' in page


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


def test_an_existing_database_gets_its_rollups_once(database: Database,
                                                    receivers: ReceiverFactory) -> None:
    bodies = [body(f"1.{i % 2}.0", schema=1, day=f"2026-11-{20 + i % 3}", turns=BIG)
              for i in range(30)]
    _old_database(database, bodies)
    r = receivers.start(database.url, "--k", "1")
    assert _rollups(database) == _sums_from_batches(database)
    assert sum(int(n) for (n,) in database.rows("SELECT batches FROM daily_batches")) == 30
    data = r.summary(**{"from": "2026-11-20", "to": "2026-11-22"})
    for b in bodies:  # stored before there was a schema column: schema 1
        b["health"] = {}
    same_sums({**data["total"], "health": {}}, add_bodies(bodies))
    assert data["total"]["turns"] == 30 * BIG
    r.stop()
    again = receivers.start(database.url, "--k", "1")  # migrated once: the same sums
    assert again.summary(**{"from": "2026-11-20", "to": "2026-11-22"}) == data


def test_every_label_of_each_schema_lands_under_its_own_name(sqlite_database: Database
                                                               ) -> None:
    import pytest
    from metricsd_receiver.query import shown_label, summary
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
        data = summary(storage, day_from=day, day_to=day, version=None, k=1)
        for counter, sums in want.items():
            assert data["total"][counter] == sums, counter
            assert set(sums) <= set(data["counters"][counter])
    finally:
        storage.close()
