"""The dashboard's query layer (k-anonymity folding) and its access rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from metricsd_receiver.app import Settings
from metricsd_receiver.dashboard import CHARTS
from metricsd_receiver.query import OTHER, exact_summary, fold, version_key
from metricsd_receiver.schema import validate
from metricsd_receiver.storage import CountRow, GroupRow, Storage, open_storage

from tests.receiver.bodies import body, encode
from tests.receiver.conftest import Database, in_process
from tests.receiver.desktops import add_bodies, same_sums


def _store(storage: Storage, bodies: list[dict[str, Any]]) -> None:
    for b in bodies:
        assert storage.insert(validate(encode(b)))


@pytest.fixture
def storage(database: Database) -> Any:
    s = open_storage(database.url)
    s.migrate()
    yield s
    s.close()


def test_groups_under_k_fold_into_other(storage: Storage) -> None:
    day1, day2 = "2026-11-20", "2026-11-21"
    common = [body("1.4.0", day=day1, turns=10 + i) for i in range(5)]  # 5 batches: shown
    rare = [body("1.3.0", day=day1, turns=3) for _ in range(4)]  # 4: folded
    lone = [body("0.9.0-rc.2", day=day1, turns=7)]  # 1: folded with the 1.3.0 ones
    next_day = [body("1.4.0", day=day2, turns=1) for _ in range(4)]  # 1.4.0, but 4 that day
    _store(storage, common + rare + lone + next_day)

    data = exact_summary(storage, day_from=day1, day_to=day2, version=None, k=5)
    cells = {(c["day"], c["version"]): c for c in data["cells"]}
    # day 2's "other" has 4 batches: under k, so it is not shown at all
    assert set(cells) == {(day1, "1.4.0"), (day1, OTHER)}
    same_sums(cells[(day1, "1.4.0")], add_bodies(common))
    same_sums(cells[(day1, OTHER)], add_bodies(rare + lone))
    same_sums(data["total"], add_bodies(common + rare + lone))
    assert data["installs"] == [10, 0]
    assert data["versions"] == ["1.4.0", OTHER]
    text = json.dumps(data)
    assert "1.3.0" not in text and "0.9.0" not in text

    # k = 1 shows every version; k = 100 shows nothing
    assert exact_summary(storage, day_from=day1, day_to=day2, version=None, k=1)["versions"] == [
        "0.9.0-rc.2", "1.3.0", "1.4.0"]
    assert exact_summary(storage, day_from=day1, day_to=day2, version=None, k=100)["cells"] == []

    # the version filter applies after folding; a folded version yields nothing
    only = exact_summary(storage, day_from=day1, day_to=day2, version="1.4.0", k=5)
    same_sums(only["total"], add_bodies(common))
    hidden = exact_summary(storage, day_from=day1, day_to=day2, version="1.3.0", k=5)
    assert hidden["cells"] == [] and hidden["total"]["batches"] == 0
    other = exact_summary(storage, day_from=day1, day_to=day2, version=OTHER, k=5)
    same_sums(other["total"], add_bodies(rare + lone))

    # the date range is inclusive
    assert exact_summary(storage, day_from=day2, day_to=day2, version=None,
                   k=1)["total"]["batches"] == 4


def test_fold_is_pure_and_keeps_totals() -> None:
    groups = [GroupRow("2026-01-01", v, n) for v, n in (("1.0.0", 5), ("1.1.0", 2),
                                                         ("unknown", 3))]
    counts = [CountRow("2026-01-01", g.client_version, 2, "turns", "", 10 * g.batches)
              for g in groups]
    cells = fold(groups, counts, 5)
    assert [(c.version, c.batches, c.totals["turns"]) for c in cells] == [
        ("1.0.0", 5, 50), (OTHER, 5, 50)]
    # one batch fewer behind "other": it is left out, and so are its counts
    cells = fold([*groups[:2], GroupRow("2026-01-01", "unknown", 2)], counts, 5)
    assert [(c.version, c.batches, c.totals["turns"]) for c in cells] == [("1.0.0", 5, 50)]


def test_version_order() -> None:
    versions = ["other", "unknown", "1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-beta.2",
                "1.2.0-dev"]
    assert sorted(versions, key=version_key) == [
        "1.2.0-beta.2", "1.2.0-dev", "1.2.0-rc.1", "1.2.0", "1.10.0", "unknown", "other"]


AUTH = {"Authorization": "Bearer t0k"}


def test_bad_dates_are_400_and_not_echoed(sqlite_database: Database) -> None:
    with in_process(sqlite_database.url, Settings(token="t0k")) as c:
        r = c.get("/api/summary", params={"from": "<script>"}, headers=AUTH)
        assert r.status_code == 400 and "<script>" not in r.text
        r = c.get("/api/summary", params={"from": "2026-02-01", "to": "2026-01-01"},
                  headers=AUTH)
        assert r.status_code == 400
        r = c.get("/api/summary", params={"from": "2024-01-01", "to": "2026-01-01"},
                  headers=AUTH)
        assert r.status_code == 400  # over 400 days
        for params in ({"to": "0001-01-01"}, {"from": "0001-01-01"}, {"to": "9999-12-31"},
                       {"from": "2023-12-31"}, {"to": "2026-13-01"}, {"from": "\x00" * 10},
                       {"to": "garbage"}, {"version": "<script>"}, {"version": "1.2"},
                       {"version": "1.2.3\n"}):
            for path in ("/api/summary", "/"):
                r = c.get(path, params={**params}, headers=AUTH)
                assert r.status_code == 400, (path, params)
                assert "script" not in r.text
        for version in ("1.2.3", "other", "unknown", "2.0.0-rc.1"):  # no data: not an error
            assert c.get("/api/summary", params={"version": version},
                         headers=AUTH).status_code == 200


def test_uploads_are_for_everyone_the_dashboard_is_not(sqlite_database: Database) -> None:
    with in_process(sqlite_database.url, Settings(local_only=True)) as c:
        assert c.get("/", source="203.0.113.9").status_code == 403
        assert c.get("/api/summary", source="203.0.113.9").status_code == 403
        assert c.post(body(), source="203.0.113.9").status_code == 202
        assert c.get("/").status_code == 200
        assert c.get("/api/summary", source="::1").status_code == 200


def test_dashboard_with_a_token(sqlite_database: Database) -> None:
    with in_process(sqlite_database.url, Settings(token="s3cret-token")) as c:
        remote = "203.0.113.9"
        assert c.get("/", source=remote).status_code == 401
        assert c.get("/", source=remote,
                     headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/summary", source=remote,
                     headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        r = c.get("/", source=remote, params={"token": "s3cret-token", "from": "2026-01-01"})
        assert r.status_code == 303 and r.headers["location"] == "/?from=2026-01-01"
        assert "httponly" in r.headers["set-cookie"].lower()
        assert c.get("/", source=remote).status_code == 200  # the cookie now


def test_dashboard_page(sqlite_database: Database) -> None:
    day = "2026-11-20"
    with in_process(sqlite_database.url, Settings(local_only=True, k=1),
                    today="2026-11-21") as r:
        bodies = [body("1.4.0", day=day, turns=12), body("1.5.0-beta.1", day=day, turns=3)]
        for b in bodies:
            assert r.post(b).status_code == 202
        r.clock.at("2026-11-22", hour=0)
        assert r.release() == [(day, 2)]
        page = r.get("/")
        assert page.status_code == 200
        assert "default-src 'none'" in page.headers["content-security-policy"]
        html = page.text
        data = r.summary()
        assert '<option value="1.5.0-beta.1">' in html
        shown = f"{max(0, data['total']['turns']):,}"
        assert f'<td data-field="turns">{shown} <span class="pm"' in html
        for chart in CHARTS:
            assert f'data-chart="{chart.id}"' in html
        assert 'id="testing-mode"' in html  # k = 1: the page says so
        js = r.get("/static/charts.js")
        assert js.status_code == 200 and "text/javascript" in js.headers["content-type"]
        assert r.get("/static/../app.py").status_code == 404
