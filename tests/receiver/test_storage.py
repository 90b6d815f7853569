"""Storage: versioned migrations, one row per batch_id, and nothing of a request but labels."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from metricsd_receiver.schema import validate
from metricsd_receiver.storage import (
    POSTGRES_MIGRATIONS,
    SQLITE_MIGRATIONS,
    UsageError,
    describe,
    open_storage,
)

from tests.conftest import clean_env
from tests.receiver.bodies import body, encode
from tests.receiver.conftest import Database, ReceiverFactory


def test_migrations_are_numbered_and_applied_once(database: Database) -> None:
    assert [v for v, _ in SQLITE_MIGRATIONS] == [v for v, _ in POSTGRES_MIGRATIONS]
    assert [v for v, _ in SQLITE_MIGRATIONS] == list(range(1, len(SQLITE_MIGRATIONS) + 1))
    latest = SQLITE_MIGRATIONS[-1][0]
    # several processes migrating a fresh database at once
    procs = [subprocess.Popen(
        [sys.executable, "-c", "import sys; from metricsd_receiver.storage import open_storage;"
         " s = open_storage(sys.argv[1]); print(s.migrate()); s.close()", database.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
        for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == str(latest)
    assert database.rows("SELECT version FROM schema_migrations ORDER BY version") == [
        (v,) for v, _ in SQLITE_MIGRATIONS]
    s = open_storage(database.url)
    try:
        assert s.migrate() == latest  # again: nothing to do
        assert s.schema_version() == latest
    finally:
        s.close()
    assert database.count("schema_migrations") == len(SQLITE_MIGRATIONS)


def test_concurrent_inserts_of_one_batch_store_it_once(database: Database) -> None:
    stores = [open_storage(database.url) for _ in range(2)]
    stores[0].migrate()
    batch = validate(encode(body()))
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: stores[i % 2].insert(batch), range(16)))
    finally:
        for s in stores:
            s.close()
    assert results.count(True) == 1
    assert database.count("batches") == 1
    assert database.count("batch_counts") == len(batch.counts) + 1


def test_no_request_bytes_reach_disk_or_logs(sqlite_database: Database,
                                             receivers: ReceiverFactory, tmp: Path) -> None:
    secret = "TOPSECRET-4f1c"
    r = receivers.start(sqlite_database.url, "--log-level", "debug")
    good = body()
    attempts = [
        {**good, "client": {"version": secret}},
        {**good, "counts": {"finish_reason": {secret: 1}}},
        {**good, "daemon": {**good["daemon"], "version": f"1.0.0-{secret}"}},
        {**good, "batch_id": secret},
    ]
    for b in attempts:
        resp = r.post(b)
        assert resp.status_code == 400 and secret not in resp.text
    resp = r.post(good, headers={"X-Secret": secret, "User-Agent": secret})
    assert resp.status_code == 202
    resp = r.post(None, raw=json.dumps(good).encode().replace(b"}", b', "x": "' +
                                                               secret.encode() + b'"}', 1))
    assert resp.status_code == 400
    assert r.stop() == 0
    files = [p for p in tmp.iterdir() if p.is_file()]
    assert any(p.name.startswith("receiver.sqlite3") for p in files)
    for p in files:
        assert secret.encode() not in p.read_bytes(), p


def test_database_urls() -> None:
    assert describe("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert describe("postgres://u:pw@[::1]:5433/db?password=pw2") == "postgres://u:***@[::1]:5433/db"
    assert describe("host=h password=pw2") == "(a database URL of an unknown form)"
    assert describe("sqlite:///x.db") == "sqlite:///x.db"
    for bad in ("x.db", "host=h password=pw", "sqlite://x.db", "sqlite:///", "mysql://h/d",
                "sqlite:///x.db?mode=ro"):
        with pytest.raises(UsageError):
            open_storage(bad)
    s = open_storage("sqlite:////tmp/abs.sqlite3")
    assert str(getattr(s, "path")) == "/tmp/abs.sqlite3"  # noqa: B009
    s = open_storage("sqlite:///rel.sqlite3")
    assert str(getattr(s, "path")) == "rel.sqlite3"  # noqa: B009


def test_copy_from_sqlite_to_postgresql(sqlite_database: Database, tmp: Path) -> None:
    from metricsd_receiver.query import summary
    from metricsd_receiver.storage import copy

    from tests.receiver.conftest import create_pg_database, drop_pg_database

    pg = create_pg_database()
    source = open_storage(sqlite_database.url)
    target = open_storage(pg.url)
    try:
        source.migrate()
        bodies = [body(v, day=d, turns=3 + i)
                  for i, (v, d) in enumerate([("1.4.0", "2026-11-01"), ("1.4.0", "2026-11-02"),
                                              ("unknown", "2026-11-02"), ("2.0.0-rc.3",
                                                                          "2026-11-03")] * 2)]
        for b in bodies:
            assert source.insert(validate(encode(b)))
        assert copy(source, target, page_size=3) == (len(bodies), 0)  # several pages
        args = {"day_from": "2026-11-01", "day_to": "2026-11-30", "version": None, "k": 1}
        assert summary(target, **args) == summary(source, **args)  # type: ignore[arg-type]
        stored = {b.batch_id: b for b in target.page("", 100)}
        assert stored == {b.batch_id: b for b in source.page("", 100)}
    finally:
        source.close()
        target.close()
    try:
        cmd = [sys.executable, "-m", "metricsd_receiver", "--database", sqlite_database.url,
               "--copy-to", pg.url]
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=clean_env())
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"copied 0 batch(es) to {pg.url}, 8 already there")
    finally:
        drop_pg_database(pg)


def test_the_app_lifespan_opens_migrates_and_closes_storage(sqlite_database: Database) -> None:
    import warnings

    from metricsd_receiver.app import create_app

    from tests.receiver.bodies import body

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    app = create_app(sqlite_database.url)
    receiver = app.state.receiver
    with TestClient(app, client=("127.0.0.1", 5000)) as c:
        assert sqlite_database.rows("SELECT max(version) FROM schema_migrations") == [
            (SQLITE_MIGRATIONS[-1][0],)]
        assert c.post("/v1/metrics", json=body()).status_code == 202
        assert receiver._storage is not None
    assert receiver._storage is None  # closed at shutdown
    assert sqlite_database.count("daily_batches") == 1
