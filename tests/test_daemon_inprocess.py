"""The daemon in-process (metricsd.testing) under trio's MockClock: uploads to an
``httpx.MockTransport`` whose every body passes the receiver's own validator, consent
changes through the real file watch, commits through the real store.  Back-offs take no
real time; the test waits for the daemon's typed notifications, never for log lines.

What needs a real process (signals, exit codes, CLI commands against a running daemon,
crashes, dates moved by libfaketime) stays in test_upload.py, test_consent.py and
test_crash.py."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgpack
import pytest
import trio
import trio.testing
from metricsd_client._wire import (
    compaction_message,
    provider_error_message,
    snapshot_message,
    tool_result_message,
    turn_message,
    usage_message,
)

from metricsd.core.batches import utc_day
from metricsd.daemon import Committed, DecisionChanged, UploadFinished
from metricsd.store import Store
from metricsd.testing import Harness, open_daemon, seed_day
from tests.conftest import EXPECTED
from tests.fake_endpoint import Invalid, validate

URL = "http://127.0.0.1:9/v1/metrics"
#: The facts of one day of EXPECTED, as seeded into the database.
SEEDED = {("turns", ""): 3, ("compaction", ""): 1, ("finish_reason", "stop"): 3,
          ("cache_hit", "90-94"): 3, ("provider_error", "overloaded"): 3,
          ("tool_error", "exit_nonzero"): 3}


@dataclass
class Endpoint:
    """What the receiver would answer, request by request; every body is validated by the
    receiver's own validator first."""

    answers: list[int | httpx.Response] = field(default_factory=list)
    posts: list[tuple[int, dict[str, Any], httpx.Headers]] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Set: the next request waits for this event before it is answered.
    hang: trio.Event | None = None
    #: Set when a request is waiting for ``hang``.
    hanging: trio.Event = field(default_factory=trio.Event)
    #: Set once any request has been answered.
    answered: trio.Event = field(default_factory=trio.Event)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        try:
            validate(body, request.headers.get("idempotency-key"))
        except Invalid:
            response = httpx.Response(400)
        else:
            if self.hang is not None:
                hang, self.hang = self.hang, None
                self.hanging.set()
                await hang.wait()
            answer = self.answers.pop(0) if self.answers else 202
            response = answer if isinstance(answer, httpx.Response) else httpx.Response(answer)
        self.posts.append((response.status_code, body, request.headers))
        self.answered.set()
        if response.status_code == 202:
            self.stored.setdefault(body["batch_id"], body)
        return response

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


#: A wrong daemon makes a test wait for a notification that never comes: after this many
#: real seconds the test process gets SIGINT, which the daemon takes as a stop, and the
#: waiting test fails with "the daemon stopped" instead of hanging the suite.
WATCHDOG_SECONDS = 120


def run(test: Callable[[], Awaitable[None]], *, autojump: bool = True) -> None:
    """Run ``test`` under a MockClock: with ``autojump``, time jumps to the next deadline
    whenever every task waits (back-offs take no time); without it, time stands still
    (nothing times out)."""
    clock = trio.testing.MockClock(autojump_threshold=0 if autojump else float("inf"))
    watchdog = threading.Timer(WATCHDOG_SECONDS, os.kill, (os.getpid(), signal.SIGINT))
    watchdog.start()
    try:
        trio.run(test, clock=clock)
    finally:
        watchdog.cancel()


def yesterday() -> str:
    return utc_day(time.time() - 86400)


async def session(h: Harness, *, turns: int = 3) -> None:
    """The standard session of tests.conftest.stream, acknowledged by a sync."""
    async with await h.connect() as c:
        for _ in range(turns):
            await c.send(usage_message(900, 100), tool_result_message("exit status 1"),
                         provider_error_message("upstream said status 503"),
                         turn_message("stop"))
        await c.send(compaction_message())
        await c.sync()


async def snapshot(h: Harness) -> dict[str, Any]:
    async with await h.connect() as c:
        return await c.request(snapshot_message())


def totals(database: Path) -> dict[tuple[str, str], int]:
    """Everything the database holds (committed counts and pending batches), summed."""
    store = Store.open(database)
    try:
        return store.committed_totals()
    finally:
        store.close()


async def committed_until(h: Harness, done: Callable[[dict[tuple[str, str], int]], bool],
                          ) -> dict[tuple[str, str], int]:
    """Wait for commits until the database's totals satisfy ``done``."""
    while True:
        await h.next(Committed)
        total = await trio.to_thread.run_sync(totals, h.database)
        if done(total):
            return total


def rows(database: Path) -> int:
    return len(totals(database))


def test_503_then_202_retries_with_the_same_batch_id(tmp_path: Path) -> None:
    seed_day(tmp_path / "state" / "metrics.sqlite3", yesterday(), SEEDED)
    ep = Endpoint(answers=[503, 202])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.sent == 1
            assert done.result.failures == ["HTTP 503"]

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
