"""Real daemons upload to a real metricsd-receiver, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DaemonFactory
from tests.receiver.conftest import Database, DroppingProxy, ReceiverFactory
from tests.receiver.desktops import Session, add_bodies, count, flush, homes, same_sums


@pytest.mark.long
def test_daemons_upload_and_the_receiver_stores_their_sums(
        database: Database, receivers: ReceiverFactory, daemons: DaemonFactory) -> None:
    receiver = receivers.start(database.url)
    proxy = DroppingProxy(receiver.url, drop=1)
    try:
        sent_turns = 0
        bodies = []
        with homes(5) as hs:
            for i, home in enumerate(hs):
                sessions = [Session("1.4.0", turns=4 + i, seed=i)]
                if i == 0:  # one batch of a rare version: never shown, not even in "other"
                    sessions.append(Session("1.3.2-beta.1", turns=3, seed=99))
                turns, shown = count(daemons, home, sessions)
                sent_turns += turns
                bodies += shown
            # The first home uploads through a proxy that loses the receiver's first reply:
            # the daemon retries the same batch_id, the receiver stores it once.
            flush(hs[0], proxy.url + "/v1/metrics")
            for home in hs[1:]:
                flush(home, receiver.endpoint)
    finally:
        proxy.close()

    assert len(bodies) == 6
    assert proxy.dropped == 1
    replies = [json.loads(r.partition(b"\r\n\r\n")[2]) for r in proxy.responses]
    assert {"duplicate": True} in replies, replies
    for request in proxy.requests:  # the headers the contract promises
        head, _, payload = request.partition(b"\r\n\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.decode().partition(":") for line in head.split(b"\r\n")[1:])}
        assert headers["content-type"] == "application/json"
        assert headers["idempotency-key"] == json.loads(payload)["batch_id"]
        assert headers["user-agent"].startswith("metricsd/")
    assert database.count("batches") == 6

    summary = receiver.exact()
    total = summary["total"]
    common = [b for b in bodies if b["client"]["version"] == "1.4.0"]
    same_sums(total, add_bodies(common))
    # independent of the daemon's own bodies: the rare version's 3 turns are not shown
    assert total["turns"] == sent_turns - 3 == sum(4 + i for i in range(5))
    assert summary["versions"] == ["1.4.0"]  # "other" has 1 batch: under k, left out
    by_version = {c["version"]: c for c in summary["by_version"]}
    same_sums(by_version["1.4.0"], add_bodies(common))
    assert "1.3.2-beta.1" not in json.dumps(summary)
    # the same day with k = 1 (local testing mode) shows every batch, the rare one too
    local = receivers.start(database.url, "--k", "1").exact()
    same_sums(local["total"], add_bodies(bodies))

    only = receiver.exact(version="1.4.0")
    same_sums(only["total"], add_bodies(b for b in bodies if b["client"]["version"] == "1.4.0"))


def test_a_second_flush_sends_nothing_new(
        sqlite_database: Database, receivers: ReceiverFactory, daemons: DaemonFactory) -> None:
    receiver = receivers.start(sqlite_database.url, "--k", "1")
    with homes(1) as (home,):
        count(daemons, home, [Session("2.0.0", turns=2, seed=5)])
        flush(home, receiver.endpoint)
        flush(home, receiver.endpoint)
    assert sqlite_database.count("batches") == 1
    assert receiver.exact()["total"]["turns"] == 2
