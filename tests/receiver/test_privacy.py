"""The small-group rule counts installs, in every release: the lone install, the lone
``other``, padding limited per source, and the local testing mode.  In-process
(httpx.ASGITransport) on real databases."""

from __future__ import annotations

import json
from typing import Any

from metricsd_receiver.app import Settings
from metricsd_receiver.cli import main as receiver_main

from tests.receiver.bodies import body
from tests.receiver.conftest import Database, InProcess, in_process

K = 5
DAYS = ["2026-11-18", "2026-11-19", "2026-11-20"]


def _post_from(r: InProcess, source: str, bodies: list[dict[str, Any]]) -> list[int]:
    return [r.post(b, source=source).status_code for b in bodies]


def _everything(r: InProcess, **params: str) -> str:
    """The JSON API and the page of one range, as text."""
    api = r.summary(**params)
    page = r.get("/", params=params)
    assert page.status_code == 200
    return json.dumps(api) + page.text


def _release(r: InProcess, day: str) -> None:
    r.clock.at(day, hour=0)
    r.release()


def test_one_install_is_never_shown_alone(database: Database) -> None:
    with in_process(database.url, today="2026-11-21") as r:
        # five installs of 1.4.0 every day; one install of 9.9.9-rc.1 every day
        for d in DAYS:  # each day's reports arrive the next day
            r.clock.at(d, hour=23)
            bodies = [body("1.4.0", day=d, turns=10) for _ in range(K)]
            bodies.append(body("9.9.9-rc.1", day=d, turns=4321))
            assert _post_from(r, "127.0.0.1", bodies) == [202] * len(bodies)
        _release(r, "2026-11-22")
        span = {"from": DAYS[0], "to": DAYS[-1]}
        data = r.summary(**span)
        assert data["versions"] == ["1.4.0"]
        assert [c["version"] for c in data["cells"]] == ["1.4.0"] * 3
        assert data["released"] == [2, 2, 2]
        text = _everything(r, **span)
        assert "9.9.9" not in text
        # a range of one day, a version filter: the same cells, nothing more
        for params in ({"from": DAYS[1], "to": DAYS[1]}, {"version": "9.9.9-rc.1", **span},
                       {"version": "other", **span}):
            got = r.summary(**params)
            assert {c["version"] for c in got["cells"]} <= {"1.4.0"}
            assert "9.9.9" not in json.dumps(got)


def test_other_is_shown_only_with_k_batches(database: Database) -> None:
    day = DAYS[-1]
    with in_process(database.url, today="2026-11-21") as r:
        common = [body("1.4.0", day=day, turns=10) for _ in range(K)]
        rare = [body(f"0.{i}.7", day=day, turns=100 + i) for i in range(K - 1)]
        assert _post_from(r, "127.0.0.1", common + rare) == [202] * (2 * K - 1)
        r.clock.at("2026-11-21", hour=23)
        # the k-th rare install, on the next day: "other" has k installs in the next
        # release only, and the first release never shows it
        _release(r, "2026-11-22")
        data = r.summary(**{"from": day, "to": day})
        assert [c["version"] for c in data["cells"]] == ["1.4.0"]  # 4 in "other": hidden
        assert "other" not in data["versions"]
        r.clock.at("2026-11-23")
        assert _post_from(r, "127.0.0.1", [body("0.9.0", day=day, turns=109)]) == [202]
        _release(r, "2026-11-28")
        data = r.summary(**{"from": day, "to": day})
        assert data["released"] == [8]
        assert {c["version"] for c in data["cells"]} == {"1.4.0", "other"}
        text = _everything(r, **{"from": day, "to": day})
        assert "0.1.7" not in text and "0.9.0" not in text


def test_padding_a_victims_group_is_limited_per_source(database: Database) -> None:
    # A forger who knows the victim's rare version sends forged batches for it, to lift
    # the victim's group to k.  One source address gets --upload-burst uploads, then 429s.
    # (Where it does get k, the release's noise is what it learns: test_releases.)
    day = DAYS[-1]
    with in_process(database.url, Settings(local_only=True, upload_burst=3, upload_rate=1),
                    today="2026-11-21") as r:
        assert _post_from(r, "127.0.0.1", [body("3.1.4", day=day, turns=777)]) == [202]
        forged = [body("3.1.4", day=day, turns=1) for _ in range(K - 1)]
        assert _post_from(r, "127.0.0.9", forged) == [202, 202, 202, 429]
        # an honest install (another day) is still taken
        assert _post_from(r, "127.0.0.2", [body("1.4.0", day=DAYS[0])]) == [202]
        _release(r, "2026-11-22")
        data = r.summary(**{"from": day, "to": day})
        assert data["cells"] == []
    assert database.count("batches") == 5


def test_the_local_testing_mode_is_loud_and_loopback_only(sqlite_database: Database) -> None:
    for host in ("0.0.0.0", "192.0.2.1", "::"):
        assert receiver_main(["--database", sqlite_database.url, "--host", host, "--port",
                              "0", "--k", "1", "--local-only"]) == 2
    with in_process(sqlite_database.url, Settings(local_only=True, k=1)) as r:
        assert 'id="testing-mode"' in r.get("/").text
    with in_process(sqlite_database.url) as r:
        page = r.get("/").text
    assert 'id="testing-mode"' not in page
    # the page says what the releases protect and what they do not
    assert "What this protects" in page and "What it does not protect" in page
    assert "cannot single out" not in page
