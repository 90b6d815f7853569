"""The daemon in-process (metricsd.testing) under trio's MockClock: uploads to an
``httpx.MockTransport`` whose every body passes the receiver's own validator, consent
changes through the real file watch, commits through the real store.  Back-offs take no
real time; the test waits for the daemon's typed notifications, never for log lines.

What needs a real process (signals, exit codes, CLI commands against a running daemon,
crashes, dates moved by libfaketime) stays in test_upload.py, test_consent.py,
test_status.py and test_crash.py.  The consent tests that run in-process are in
test_consent_inprocess.py; the helpers of both are in tests/inprocess.py."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import msgpack
import pytest
import trio
from metricsd_client._wire import (
    compaction_message,
    snapshot_message,
    status_message,
    turn_message,
)

from metricsd import __version__
from metricsd.daemon import Committed, DecisionChanged, UploadFinished
from metricsd.server import Limits
from metricsd.testing import open_daemon, seed_day
from tests.conftest import EXPECTED
from tests.inprocess import (
    SEEDED,
    URL,
    Endpoint,
    committed_until,
    rows,
    run,
    session,
    snapshot,
    yesterday,
)


def test_503_then_202_retries_with_the_same_batch_id(tmp_path: Path) -> None:
    seed_day(tmp_path / "state" / "metrics.sqlite3", yesterday(), SEEDED)
    ep = Endpoint(answers=[503, 202])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.sent == 1
            assert done.result.failures == ("HTTP 503",)

    run(test)
    assert [status for status, _, _ in ep.posts] == [503, 202]
    ids = {body["batch_id"] for _, body, _ in ep.posts}
    assert len(ids) == 1 and ids == set(ep.stored)
    assert {h["idempotency-key"] for _, _, h in ep.posts} == ids
    (stored,) = ep.stored.values()
    assert stored["counts"] == EXPECTED
    assert stored["period"]["from"].startswith(yesterday())
    assert rows(tmp_path / "state" / "metrics.sqlite3") == 0


def test_a_long_retry_after_keeps_the_batch_and_its_id_for_the_next_run(
        tmp_path: Path) -> None:
    seed_day(tmp_path / "state" / "metrics.sqlite3", yesterday(), SEEDED)
    ep = Endpoint(answers=[httpx.Response(503, headers={"retry-after": "3600"})])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            first = await h.next(UploadFinished)
            assert first.result is not None and first.result.folded_back == 1
        # The next start delivers the same batch, under the same id.
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            second = await h.next(UploadFinished)
            assert second.result is not None and second.result.sent == 1

    run(test)
    assert [status for status, _, _ in ep.posts] == [503, 202]
    assert len({body["batch_id"] for _, body, _ in ep.posts}) == 1


def test_a_hung_upload_does_not_stop_the_daemon_counting_and_committing(
        tmp_path: Path) -> None:
    seed_day(tmp_path / "state" / "metrics.sqlite3", yesterday(), SEEDED)
    release = trio.Event()
    ep = Endpoint(hang=release)

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            await ep.hanging.wait()
            await session(h, turns=2)  # acknowledged: committed while the upload hangs
            assert (await snapshot(h))["counts"]["turns"] == 3 + 2
            assert ep.posts == []
            release.set()
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.sent == 1
            snap = await snapshot(h)
            assert snap["counts"]["turns"] == 2  # today's counts, held for their day

    run(test, autojump=False)  # time stands still: the hang lasts until released
    assert [status for status, _, _ in ep.posts] == [202]


def test_a_400_drops_the_batch_without_retry_and_counts_the_drop(tmp_path: Path) -> None:
    db = tmp_path / "state" / "metrics.sqlite3"
    seed_day(db, yesterday(), SEEDED)
    ep = Endpoint(answers=[400])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.dropped == 1
            assert done.result.sent == 0 and done.result.folded_back == 0
            # The drop is a health count of today, sent with today's batch.
            snap = await snapshot(h)
            assert snap["counts"] == {} and snap["health"]["dropped_batches"] == 1

    run(test)
    assert [status for status, _, _ in ep.posts] == [400]
    assert ep.stored == {}


def test_opting_out_during_a_retry_wait_sends_nothing_more_and_purges(
        tmp_path: Path) -> None:
    db = tmp_path / "state" / "metrics.sqlite3"
    seed_day(db, yesterday(), SEEDED, client_version="1.4.0")
    seed_day(db, yesterday(), SEEDED)  # a second batch: never tried before the opt-out
    ep = Endpoint(answers=[503] * 100)

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            await session(h, turns=1)
            await ep.answered.wait()  # the first refusal: the run waits to retry
            h.set_opted_in(False)
            stopped = await h.next(UploadFinished)
            assert stopped.cancelled or (stopped.result is not None
                                         and stopped.result.sent == 0)
            await h.next(Committed, lambda n: not n.decision.counting)
            assert await trio.to_thread.run_sync(rows, db) == 0  # purged, no turn needed
            snap = await snapshot(h)
            assert snap["enabled"] is False and snap["counts"] == {}
            await session(h, turns=1)  # counted nowhere

    run(test)
    assert len(ep.posts) == 1  # every attempt asks consent first: none after the opt-out
    assert rows(db) == 0


def test_dev_build_counts_are_held_and_never_uploaded_by_a_later_release_run(
        tmp_path: Path) -> None:
    db = tmp_path / "state" / "metrics.sqlite3"
    marker = tmp_path / "DEV_BUILD"
    ep = Endpoint()

    async def test() -> None:
        marker.write_text("")
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is None and "dev build" in done.why
            await session(h)
            snap = await snapshot(h)
            assert snap["dev"] is True and snap["counts"] == EXPECTED
        marker.unlink()
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            await h.next(UploadFinished)
            snap = await snapshot(h)
            assert snap["dev"] is False and snap["counts"] == EXPECTED  # held locally
        # The environment's dev flag marks a dev build too.
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport,
                               environ={"METRICSD_DEV_BUILD": "1"}) as h:
            done = await h.next(UploadFinished)
            assert done.result is None and "dev build" in done.why

    run(test)
    # Dev counts of earlier days are never sent, not even by a release build.
    seed_day(db, yesterday(), SEEDED, dev=True)
    run(lambda: _one_run(tmp_path, ep))
    assert ep.posts == []


async def _one_run(tmp_path: Path, ep: Endpoint) -> None:
    async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
        await h.next(UploadFinished)


def test_opting_in_takes_effect_without_a_restart(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path, opted_in=False) as h:
            await session(h)
            assert (await snapshot(h))["enabled"] is False
            h.set_opted_in(True)
            await h.next(DecisionChanged, lambda n: n.new.counting)
            await session(h)
            assert (await snapshot(h))["counts"] == EXPECTED

    run(test)


def test_a_hand_edit_to_false_purges_without_any_turn(
        tmp_path: Path) -> None:
    db = tmp_path / "state" / "metrics.sqlite3"
    seed_day(db, yesterday(), SEEDED)

    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            async with await h.connect() as c:
                await c.send(compaction_message())
                await c.sync()
            assert await trio.to_thread.run_sync(rows, db) > 0
            h.config.write_text("[desktop]\nmetrics = false\n")  # an editor's write
            await h.next(Committed, lambda n: not n.decision.counting)
            assert await trio.to_thread.run_sync(rows, db) == 0

    run(test)


def test_opted_out_counts_nothing_and_sends_nothing(tmp_path: Path) -> None:
    ep = Endpoint()

    async def test() -> None:
        async with open_daemon(tmp_path, opted_in=False, endpoint=URL,
                               transport=ep.transport) as h:
            await session(h)
            snap = await snapshot(h)
            assert snap["enabled"] is False and snap["counts"] == {}
            done = await h.next(UploadFinished)
            assert done.result is None and "metrics are off" in done.why

    run(test)
    assert ep.posts == []
    assert rows(tmp_path / "state" / "metrics.sqlite3") == 0


@pytest.mark.parametrize("status", [429, 500, 503])
def test_every_retried_attempt_of_a_run_carries_one_batch_id(
        tmp_path: Path, status: int) -> None:
    seed_day(tmp_path / "state" / "metrics.sqlite3", yesterday(), SEEDED)
    ep = Endpoint(answers=[status, status, 202])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.sent == 1

    run(test)
    assert [s for s, _, _ in ep.posts] == [status, status, 202]
    assert len({body["batch_id"] for _, body, _ in ep.posts}) == 1
    assert len(ep.stored) == 1


@pytest.mark.parametrize(("payload", "code"), [
    (b"\xc1\x00\x01", "malformed"),
    (msgpack.packb({"type": "x", "a": "y" * 70_000}), "too_large"),
    (b"\xdc\xff\xff" + b"\xc0" * 70_000, "too_large"),
    (msgpack.packb(["type", "turn"]), "not_a_map"),
    (msgpack.packb({"type": "hello", "proto": 9}), "unsupported_proto"),
])
def test_framing_errors_close_only_their_connection(
        tmp_path: Path, payload: bytes, code: str) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as other:
            await other.send(compaction_message())
            async with await h.connect(hello=False) as bad:
                await bad.stream.send_all(msgpack.packb({"type": "compaction"}) + payload)
                replies = await bad.replies_until_closed()
            assert [r["type"] for r in replies] == ["error"]
            assert replies[0]["code"] == code
            assert isinstance(replies[0]["detail"], str) and replies[0]["detail"]
            # The other client is still served, and what came before the bad value counts.
            await other.send(compaction_message())
            await other.sync()
            assert (await other.request(snapshot_message()))["counts"] == {"compaction": 3}

    run(test)


def test_the_end_of_a_turn_commits_without_a_sync(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as c:
            await c.send(compaction_message(), turn_message("stop"))
            # The connection stays open and nothing asked: only the turn can commit this.
            total = await committed_until(h, lambda t: ("turns", "") in t)
            assert total == {("turns", ""): 1, ("finish_reason", "stop"): 1,
                             ("compaction", ""): 1}

    run(test)


def test_a_disconnect_commits(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            async with await h.connect() as c:
                await c.send(compaction_message(), compaction_message())
            total = await committed_until(h, lambda t: ("compaction", "") in t)
            assert total == {("compaction", ""): 2}

    run(test)


def test_an_invalid_event_keeps_the_connection_and_is_counted_as_health(
        tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as c:
            await c.send({"type": "usage", "cache_hit_tokens": "many",
                          "cache_miss_tokens": 1}, compaction_message())
            assert (await c.reply())["code"] == "invalid_event"
            await c.sync()
            snap = await c.request(snapshot_message())
            assert snap["counts"] == {"compaction": 1}
            assert snap["health"]["invalid_events"] == 1

    run(test)


def test_unknown_event_types_are_ignored_and_counted_as_health(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as c:
            await c.send({"type": "reasoning_delta", "text": "hmm"}, {"type": "approval"},
                         compaction_message())
            await c.sync()  # the reply is the ack: no error came before it
            snap = await c.request(snapshot_message())
            assert snap["counts"] == {"compaction": 1}
            assert snap["health"] == {"invalid_events": 0, "unknown_events": 2,
                                      "dropped_batches": 0, "clipped": 0}

    run(test)


def test_the_status_reply_is_the_running_daemons_own_view(tmp_path: Path) -> None:
    ep = Endpoint()

    async def test() -> None:
        async with open_daemon(
                tmp_path, endpoint="https://metrics.example.com/v1/metrics?key=s3cr3t",
                limits=Limits(max_connections=7), transport=ep.transport) as h:
            await session(h)
            async with await h.connect() as c:
                status = await c.request(status_message())
                async with await h.connect() as other:
                    await other.sync()  # connected and served
                    # The other one, not the asker.
                    assert (await c.request(status_message()))["connections"] == 1
            assert status["socket"] == str(h.socket) and status["config"] == str(h.config)
        assert status["pid"] == os.getpid()  # the daemon's own: it runs in this process
        assert status["version"] == __version__
        assert status["enabled"] is True and status["dev"] is False
        assert status["consent"] == "on" and status["veto"] is None
        assert status["uploads"] is True
        assert status["endpoint"] == "https://metrics.example.com"  # scheme and host only
        assert "s3cr3t" not in repr(status)
        # The asking connection is not counted: alone, no other connection is open.
        assert status["connections"] == 0 and status["max_connections"] == 7
        assert status["counts"]["turns"] == 3
        assert set(status["health"]) == {"invalid_events", "unknown_events",
                                         "dropped_batches", "clipped"}
        assert "last_upload" in status

    run(test)


def test_snapshots_carry_health_counting_invalid_and_unknown_events(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect() as c:
            await c.stream.send_all(msgpack.packb({"type": "turn", "empty_final": "yes"})
                                    + msgpack.packb({"type": "from_the_future", "x": 1})
                                    + msgpack.packb({"type": "from_the_future"}))
            assert (await c.reply())["code"] == "invalid_event"  # the first, not the others
            await c.send(compaction_message())
            await c.sync()
            snap = await c.request(snapshot_message())
            assert snap["health"] == {"invalid_events": 1, "unknown_events": 2,
                                      "dropped_batches": 0, "clipped": 0}
            assert snap["counts"] == {"compaction": 1}

    run(test)
