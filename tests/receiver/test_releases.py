"""Published numbers stay private: releases with calibrated noise, against the receiver
app in this process (httpx.ASGITransport) on real SQLite and PostgreSQL databases.

Each test is one way an adversary singled out an install before releases existed: a
reader polling the dashboard, a forger padding a small cell, a schema 1 body past the
bound, arrival times that link one install's days, a same-host TLS terminator that made
every request loopback.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

import pytest
from metricsd_receiver import dashboard
from metricsd_receiver.app import Settings
from metricsd_receiver.cli import main as receiver_main
from metricsd_receiver.release import (
    EPSILON,
    GROUP,
    GROUPS,
    RELEASE_AGES,
    TURNS_BOUND,
    clip,
    epsilon_of,
    scale_of,
)
from metricsd_receiver.schema import COUNTERS, HEALTH_COUNTERS, validate

from tests.receiver.bodies import body, encode
from tests.receiver.conftest import Database, InProcess, in_process

K = 5
DAY = "2026-11-20"


def _after(day: str, days: int) -> str:
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat()


def _post_all(r: InProcess, bodies: list[dict[str, Any]], source: str = "127.0.0.1") -> None:
    for b in bodies:
        got = r.post(b, source=source)
        assert got.status_code == 202, got.text


def test_every_counter_has_a_publishing_bound_and_the_budget_adds_up() -> None:
    # the groups cover every counter the daemon sends, once; the ε shares of one release
    # add up to the release's part of the budget, and the releases to EPSILON
    assert set(COUNTERS) | {"installs", "health"} == set(GROUP)
    per_release = sum(epsilon_of(g) for g in GROUPS)
    assert math.isclose(per_release * len(RELEASE_AGES), EPSILON)
    for g in GROUPS:
        assert math.isclose(scale_of(g), g.bound / epsilon_of(g))


def test_clipping_for_publishing_keeps_rates_shares_and_bounds() -> None:
    heavy = validate(encode(body(turns=1000, finish_reason__stop=990, finish_reason__length=10,
                                 provider_error__rate_limit=40, compaction=30)))
    for _ in range(20):  # rounding is random; the bounds always hold
        rows = {(c, lb): n for c, lb, n in clip(heavy)}
        assert rows[("turns", "")] == TURNS_BOUND  # 1,000 turns count as 100 ...
        assert rows[("compaction", "")] == 3  # ... and every per-turn count with them
        assert rows[("provider_error", "rate_limit")] == 4
        # finish reasons: 99 + 1 after scaling, then cut to the group's bound of 20
        finish = rows[("finish_reason", "stop")] + rows.get(("finish_reason", "length"), 0)
        assert finish == GROUP["finish_reason"].bound
        for group in GROUPS:
            assert sum(n for c, lb, n in clip(heavy)
                       if GROUP.get(c, GROUP["health"]).name == group.name) <= group.bound
    # a rare label keeps its expected value: 0.2 after scaling is 1 about one time in 5
    lengths = [dict(((c, lb), n) for c, lb, n in clip(heavy)).get(("finish_reason", "length"),
                                                                  0) for _ in range(2000)]
    assert 0.15 < sum(lengths) / len(lengths) < 0.25
    small = validate(encode(body(turns=7)))
    assert ("turns", "", 7) in clip(small)  # under the bounds: unchanged
    assert ("finish_reason", "stop", 5) in clip(small)


def test_a_reader_polling_between_releases_learns_nothing(database: Database) -> None:
    # Two reads of /api/summary around one new report gave its counts by difference; a
    # rare-version install joining a shown "other" likewise.  Now both reads are the same
    # release, byte for byte, until the next release time.
    with in_process(database.url, today=_after(DAY, 1)) as r:
        _post_all(r, [body("1.4.0", day=DAY, turns=10 + i) for i in range(K)])
        _post_all(r, [body(f"0.{i}.1", day=DAY, turns=3) for i in range(K)])  # "other"
        r.clock.at(_after(DAY, 2), hour=0)  # 00:00 UTC, two days on: the first release
        assert r.release() == [(DAY, 2)]
        before = r.get("/api/summary", params={"from": DAY, "to": DAY})
        page_before = r.get("/", params={"from": DAY, "to": DAY})
        assert {c["version"] for c in before.json()["cells"]} == {"1.4.0", "other"}
        # one more install of 1.4.0 and one rare-version install joining "other"
        _post_all(r, [body("1.4.0", day=DAY, turns=41, provider_error__billing=2),
                      body("0.9.9", day=DAY, turns=7, tool_error__denied=5)])
        assert r.release() == []  # not a release time
        r.clock.at(_after(DAY, 5))
        assert r.release() == []
        after = r.get("/api/summary", params={"from": DAY, "to": DAY})
        assert after.content == before.content
        assert r.get("/", params={"from": DAY, "to": DAY}).text == page_before.text
        # the next release comes at its time, with both reports, and new noise
        r.clock.at(_after(DAY, 8), hour=0)
        assert r.release() == [(DAY, 8)]
        final = r.summary(**{"from": DAY, "to": DAY})
        assert final["released"] == [8]
        assert final != before.json()
        # then the day is frozen: later reports are stored, never published
        _post_all(r, [body("1.4.0", day=DAY, turns=99)])
        r.clock.at(_after(DAY, 60))
        assert r.release() == []
        assert r.summary(**{"from": DAY, "to": DAY}) == final
        assert database.count("batches") == 2 * K + 3


TRIALS = 200
VICTIM_TURNS = 41


def test_a_forger_recovers_a_lone_install_only_within_the_noise(database: Database) -> None:
    # A forger pads the lone install's cell with 4 reports of its own (accepted at once:
    # the default rate limits allow it) and knows every other report, so it subtracts
    # its own counts from the published cell.  Over TRIALS cells (one per day, each an
    # independent release) its error must be the mechanism's noise: discrete Laplace of
    # scale b = bound / ε_turns, checked by a Kolmogorov-Smirnov distance under 0.16
    # (the 0.1% critical value for 200 draws is 0.138; a broken mechanism, or none, is
    # far off), a mean within 5 standard errors of 0, and few exact recoveries.
    # the same path on PostgreSQL; the distribution is checked on SQLite
    trials = 40 if database.kind == "postgresql" else TRIALS
    first = datetime.date(2025, 6, 1)
    days = [(first + datetime.timedelta(days=i)).isoformat() for i in range(trials)]
    forged_turns = [10, 20, 30, 40]
    with in_process(database.url, today=days[-1]) as r:
        for i, day in enumerate(days):
            r.clock.at(day)
            _post_all(r, [body("3.1.4", day=day, turns=VICTIM_TURNS)], source=f"192.0.2.{i}")
            # one forger address per cell: within the default rate limit
            _post_all(r, [body("3.1.4", day=day, turns=t) for t in forged_turns],
                      source=f"198.51.100.{i}")
        r.clock.at(_after(days[-1], 2), hour=0)
        assert len(r.release()) == trials
        cells = r.summary(**{"from": days[0], "to": days[-1]})["cells"]
    assert [c["day"] for c in cells] == days and {c["version"] for c in cells} == {"3.1.4"}
    errors = [c["turns"] - sum(forged_turns) - VICTIM_TURNS for c in cells]
    b = scale_of(GROUP["turns"])
    assert all(math.isclose(c["noise"]["turns"], round(b * math.sqrt(2), 1)) for c in cells)
    sd = b * math.sqrt(2)
    assert abs(sum(errors) / trials) < 5 * sd / math.sqrt(trials)
    exact = sum(1 for e in errors if e == 0)
    assert exact <= max(2, trials // 50)
    if trials >= TRIALS:
        def laplace_cdf(x: float) -> float:
            return 0.5 * math.exp(x / b) if x < 0 else 1 - 0.5 * math.exp(-x / b)

        ordered = sorted(errors)
        ks = max(max(abs((i + 1) / trials - laplace_cdf(e)), abs(i / trials - laplace_cdf(e)))
                 for i, e in enumerate(ordered))
        assert ks < 0.16, ks
        # the forger is off by more than 2 x the victim's own turns most of the time
        far = sum(1 for e in errors if abs(e) > 2 * VICTIM_TURNS)
        assert far >= 0.7 * trials, far


def test_schema_1_bodies_obey_the_bound(database: Database) -> None:
    with in_process(database.url) as r:
        for n in (2**53 - 1, 100_001):
            got = r.post(body(schema=1, day=DAY, turns=n))
            assert got.status_code == 400, got.text
        assert r.post(body(schema=1, day=DAY, turns=100_000)).status_code == 202
        assert database.count("batches") == 1


def test_arrival_times_are_stored_as_days(database: Database) -> None:
    with in_process(database.url, today="2026-11-21") as r:
        r.clock.now = datetime.datetime(2026, 11, 21, 13, 14, 15, 161718, datetime.UTC)
        for day in ("2026-11-18", "2026-11-19", "2026-11-20"):  # back to back
            assert r.post(body(day=day)).status_code == 202
    stored = {str(x)[:26] for (x,) in database.rows("SELECT received_at FROM batches")}
    assert stored == {"2026-11-21"}


def test_the_dashboard_needs_a_token_unless_the_operator_says_local_only(
        sqlite_database: Database) -> None:
    # Behind a same-host TLS terminator every request comes from loopback: the address
    # alone never grants access.
    url = sqlite_database.url
    with in_process(url, Settings()) as r:
        for path in ("/", "/api/summary"):
            assert r.get(path).status_code == 403
            assert r.get(path, source="::1").status_code == 403
    with in_process(url, Settings(token="s3cret")) as r:
        assert r.get("/").status_code == 401
        assert r.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    with in_process(url, Settings(local_only=True)) as r:
        assert r.get("/api/summary").status_code == 200
        assert r.get("/api/summary", source="203.0.113.9").status_code == 403
    # --k under 5 needs --local-only as well as a loopback --host
    assert receiver_main(["--database", url, "--host", "127.0.0.1", "--k", "1"]) == 2
    assert receiver_main(["--database", url, "--host", "127.0.0.1", "--k", "1",
                          "--local-only", "--trusted-proxy", "127.0.0.1"]) == 2


def test_the_rate_limit_keys_on_the_proxy_header_only_behind_a_trusted_proxy(
        sqlite_database: Database) -> None:
    settings = Settings(upload_rate=1, upload_burst=2, trusted_proxies="127.0.0.1")
    with in_process(sqlite_database.url, settings) as r:
        # the proxy forwards three installs: each its own bucket
        for i in range(3):
            for _ in range(2):
                got = r.post(body(day=DAY), headers={"X-Forwarded-For": f"192.0.2.{i}"})
                assert got.status_code == 202
        assert r.post(body(day=DAY), headers={"X-Forwarded-For": "192.0.2.0"}
                      ).status_code == 429
        # anyone else's header is ignored: their own address is the key
        for i in range(2):
            assert r.post(body(day=DAY), source="203.0.113.5",
                          headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code == 202
        assert r.post(body(day=DAY), source="203.0.113.5",
                      headers={"X-Forwarded-For": "198.51.100.77"}).status_code == 429


def test_a_bug_is_a_500_and_a_database_failure_a_503(sqlite_database: Database) -> None:
    import sqlite3

    with in_process(sqlite_database.url) as r:
        storage = r.app.state.receiver.storage

        def bug(*args: Any) -> bool:
            raise KeyError("a bug")

        def down(*args: Any) -> bool:
            raise sqlite3.OperationalError("database is locked")

        storage.insert = bug
        got = r.post(body(day=DAY))
        assert got.status_code == 500  # not a 503 the daemons would retry forever
        storage.insert = down
        got = r.post(body(day=DAY))
        assert got.status_code == 503 and got.headers["Retry-After"] == "30"


def test_the_page_embeds_its_data_with_jinja2s_tojson(sqlite_database: Database) -> None:
    assert not hasattr(dashboard, "json_script")
    with in_process(sqlite_database.url, today=_after(DAY, 2)) as r:
        r.clock.at(_after(DAY, 1))
        _post_all(r, [body("1.4.0", day=DAY) for _ in range(K)])
        r.clock.at(_after(DAY, 2), hour=0)
        r.release()
        page = r.get("/", params={"from": DAY, "to": DAY}).text
        api = r.summary(**{"from": DAY, "to": DAY})
    embedded = page.split('<script type="application/json" id="summary">', 1)[1]
    embedded = embedded.split("</script>", 1)[0]
    for cell in api["cells"]:  # the charts get the numbers; the tables show the noise
        del cell["noise"]
    assert json.loads(embedded) == api
    # every number is shown with its noise
    assert 'data-field="turns"' in page and "±" in page
    assert f"ε = {EPSILON}" in page


@pytest.mark.parametrize("n", [1, 10])
def test_the_installs_count_and_health_are_released_with_noise(sqlite_database: Database,
                                                               n: int) -> None:
    with in_process(sqlite_database.url, settings=Settings(local_only=True, k=1),
                    today=_after(DAY, 1)) as r:
        _post_all(r, [body("1.4.0", day=DAY) for _ in range(n)])
        r.clock.at(_after(DAY, 2), hour=0)
        r.release()
        cell = r.summary(**{"from": DAY, "to": DAY})["cells"][0]
    assert cell["noise"]["batches"] == round(scale_of(GROUP["installs"]) * math.sqrt(2), 1)
    assert set(cell["health"]) == set(HEALTH_COUNTERS)
    assert all(v > 0 for v in cell["noise"]["health"].values())
    # every label of every counter is released, zeros included (an absent one would tell)
    for counter, labels in COUNTERS.items():
        if labels:
            assert set(cell[counter]) == set(labels)
