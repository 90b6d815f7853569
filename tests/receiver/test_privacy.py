"""The small-group rule counts installs, against a real receiver: padding, the lone
install, the lone ``other``, and the local testing mode."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

from tests.conftest import clean_env
from tests.receiver.bodies import body, today
from tests.receiver.conftest import Database, ReceiverFactory, ReceiverProc

K = 5


def _post_from(r: ReceiverProc, source: str, bodies: list[dict[str, Any]]) -> list[int]:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as c:
        return [c.post(r.endpoint, content=json.dumps(b).encode(),
                       headers={"Content-Type": "application/json"}).status_code
                for b in bodies]


def _everything(r: ReceiverProc, **params: str) -> str:
    """The JSON API and the page of one range, as text."""
    api = r.summary(**params)
    page = httpx.get(r.url + "/", params=params, timeout=30)
    assert page.status_code == 200
    return json.dumps(api) + page.text


def test_one_install_is_never_shown_alone(database: Database,
                                          receivers: ReceiverFactory) -> None:
    r = receivers.start(database.url)
    days = [today(-3), today(-2), today(-1)]
    # five installs of 1.4.0 every day; one install of 9.9.9-rc.1 every day, with a
    # count nobody else has
    bodies = [body("1.4.0", day=d, turns=10) for d in days for _ in range(K)]
    bodies += [body("9.9.9-rc.1", day=d, turns=4321) for d in days]
    assert _post_from(r, "127.0.0.1", bodies) == [202] * len(bodies)
    data = r.summary(**{"from": days[0], "to": days[-1]})
    assert data["versions"] == ["1.4.0"]
    assert data["total"]["turns"] == 10 * K * 3
    assert data["installs"] == [K, K, K]
    text = _everything(r, **{"from": days[0], "to": days[-1]})
    assert "9.9.9" not in text and "4321" not in text and "4,321" not in text
    # a range of one day, a version filter: the same cells, nothing more
    for params in ({"from": days[1], "to": days[1]}, {"version": "9.9.9-rc.1"},
                   {"version": "other"}):
        assert "4321" not in json.dumps(r.summary(**params))


def test_other_is_shown_only_with_k_batches(database: Database,
                                            receivers: ReceiverFactory) -> None:
    r = receivers.start(database.url)
    day = today(-1)
    common = [body("1.4.0", day=day, turns=10) for _ in range(K)]
    rare = [body(f"0.{i}.7", day=day, turns=100 + i) for i in range(K - 1)]
    assert _post_from(r, "127.0.0.1", common + rare) == [202] * (2 * K - 1)
    data = r.summary(**{"from": day, "to": day})
    assert [c["version"] for c in data["cells"]] == ["1.4.0"]  # 4 in "other": not shown
    assert data["total"]["turns"] == 10 * K and data["installs"] == [K]
    assert "other" not in data["versions"]
    # the k-th rare install makes "other" a group of k: shown, as a sum only
    assert _post_from(r, "127.0.0.1", [body("0.9.0", day=day, turns=109)]) == [202]
    data = r.summary(**{"from": day, "to": day})
    cells = {c["version"]: c for c in data["cells"]}
    assert set(cells) == {"1.4.0", "other"}
    assert cells["other"]["batches"] == K
    assert cells["other"]["turns"] == sum(100 + i for i in range(K - 1)) + 109
    assert data["installs"] == [2 * K]
    text = _everything(r, **{"from": day, "to": day})
    assert "0.1.7" not in text and "0.9.0" not in text


def test_padding_a_victims_group_is_limited_per_source(database: Database,
                                                       receivers: ReceiverFactory) -> None:
    # An attacker who knows the victim's rare version sends forged batches for it, to
    # lift the victim's group to k and subtract the forged counts.  One source address
    # gets --upload-burst uploads, then 429s: the group stays under k.
    r = receivers.start(database.url, "--upload-burst", "3", "--upload-rate", "1")
    day = today(-1)
    victim = body("3.1.4", day=day, turns=777)
    assert _post_from(r, "127.0.0.1", [victim]) == [202]
    forged = [body("3.1.4", day=day, turns=1) for _ in range(K - 1)]
    assert _post_from(r, "127.0.0.9", forged) == [202, 202, 202, 429]
    data = r.summary(**{"from": day, "to": day})
    assert data["cells"] == [] and data["installs"] == [0]
    assert "777" not in _everything(r, **{"from": day, "to": day})
    # an honest install elsewhere is still taken
    assert _post_from(r, "127.0.0.2", [body("1.4.0", day=day)]) == [202]
    assert database.count("batches") == 5


def test_the_local_testing_mode_is_loud_and_loopback_only(sqlite_database: Database,
                                                          receivers: ReceiverFactory) -> None:
    for host in ("0.0.0.0", "192.0.2.1", "::"):
        refused = subprocess.run(
            [sys.executable, "-m", "metricsd_receiver", "--database", sqlite_database.url,
             "--host", host, "--port", "0", "--k", "1"], capture_output=True, text=True,
            timeout=30, env=clean_env())
        assert refused.returncode == 2, (host, refused.stderr)
        assert "loopback" in refused.stderr and refused.stderr.count("\n") == 1
    r = receivers.start(sqlite_database.url, "--k", "1")
    assert "LOCAL TESTING MODE" in r.stderr
    assert 'id="testing-mode"' in httpx.get(r.url + "/").text
    normal = receivers.start(sqlite_database.url)
    page = httpx.get(normal.url + "/").text
    assert 'id="testing-mode"' not in page
    # the page says what k protects and what it does not
    assert "What this protects" in page and "What it does not protect" in page
    assert "cannot single out" not in page
