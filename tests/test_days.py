"""Days that stay true (docs/UPLOAD.md): the newest days are kept, one report per
install-day whatever the wall clock does, and a commit costs the same whatever the
database holds.

Dates come from an injected wall clock (:class:`metricsd.testing.WallClock`) or are passed
to the store directly: no test here needs libfaketime or a real daemon process."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import trio

from metricsd import __version__
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import (
    MAX_BATCH_AGE_DAYS,
    Host,
    day_after,
)
from metricsd.core.endpoint import validate_endpoint
from metricsd.daemon import UploadFinished
from metricsd.store import Store
from metricsd.testing import WallClock, open_daemon, write_config
from metricsd.upload import UploadContext, _prepare
from tests.inprocess import URL, Endpoint, run, session

TODAY = "2026-12-07"
TURNS = ("turns", "")
DROPPED = ("dropped_batches", "")


def open_store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "state" / "metrics.sqlite3")


def commit(store: Store, day: str, turns: int = 1, *, client: str = "2.0.1",
           daemon: str = "0.1.0", dev: bool = False) -> None:
    store.commit({(dev, client): {TURNS: turns}}, daemon_version=daemon, day=day)


def seal(store: Store, today: str) -> list[str]:
    return store.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=0, today=today)


def reports(store: Store) -> list[tuple[str, str, int]]:
    """(day, client version, turns) of every pending batch."""
    return sorted((b.period_from, b.client_version, b.facts.get(TURNS, 0))
                  for b in store.batches())


def noon(day: str) -> float:
    import calendar
    import datetime
    d = datetime.date.fromisoformat(day)
    return float(calendar.timegm((d.year, d.month, d.day, 12, 0, 0)))


def prepare(store: Store, tmp_path: Path, today: str) -> Any:
    """What an upload run on ``today`` prepares (drops, seals, lists), as flush does."""
    config = tmp_path / "config.toml"
    write_config(config, True)
    endpoint = validate_endpoint(URL, "--endpoint")
    ctx = UploadContext(store=store, authority=Authority(config, tmp_path / "DEV", {}),
                        egress=EgressLock(store.path.parent), endpoint=endpoint,
                        host=Host("linux", "x86_64"), in_db=None)  # type: ignore[arg-type]
    return _prepare(ctx, noon(today))


# --- finding 1: the newest days are kept, the age is the report's day --------------------


def test_a_year_waiting_sends_the_newest_days_and_counts_the_rest_as_dropped(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for back in range(1, 366):
        commit(store, day_after(TODAY, -back))
    batches = prepare(store, tmp_path, TODAY)
    sent = sorted(b.period_from for b in batches)
    assert sent == [day_after(TODAY, -back) for back in range(MAX_BATCH_AGE_DAYS, 0, -1)]
    # Every other day was dropped and counted, on today, to travel with today's report.
    assert store.committed_totals(include_outbox=False)[DROPPED] == 365 - MAX_BATCH_AGE_DAYS
    store.close()


# --- finding 2: a clock moved back never makes a second report for a day ----------------


def test_counts_made_with_the_clock_moved_back_into_a_reported_day_go_to_the_next_open_day(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    commit(store, TODAY, 3)
    seal(store, day_after(TODAY, 1))  # the report for TODAY is made
    commit(store, TODAY, 2)  # the clock was moved back into TODAY
    seal(store, day_after(TODAY, 2))
    assert reports(store) == [(TODAY, "2.0.1", 3), (day_after(TODAY, 1), "2.0.1", 2)]
    store.close()


# --- finding 3: a clock briefly far ahead strands nothing --------------------------------


def test_counts_dated_far_ahead_are_sealed_at_the_first_upload_after_the_clock_is_right(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ahead = day_after(TODAY, 730)
    commit(store, ahead, 5)  # acknowledged while the clock was two years ahead
    commit(store, TODAY, 1)
    # `show` does not call them today's: they are what the next upload sends.
    assert store.held(TODAY) == []
    assert [(p.period_from, p.facts[TURNS]) for p in store.pending(TODAY)] == [(TODAY, 6)]
    seal(store, TODAY)
    assert reports(store) == [(TODAY, "2.0.1", 6)]
    assert store.committed_totals(include_outbox=False) == {}
    # The day that report was made for is closed: later counts of today go to tomorrow.
    commit(store, TODAY, 1)
    assert [p.period_from for p in store.held(day_after(TODAY, 1))] == [day_after(TODAY, 1)]
    store.close()


# --- finding 4: one batch per (day, client version) --------------------------------------


def test_a_daemon_upgraded_mid_day_makes_one_report_naming_the_newest_daemon(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    commit(store, TODAY, 2, daemon="0.9.0")
    commit(store, TODAY, 3, daemon="0.10.0")
    commit(store, TODAY, 4, client="1.0.0", daemon="0.9.0")
    seal(store, day_after(TODAY, 1))
    batches = sorted(store.batches(), key=lambda b: b.client_version)
    assert [(b.client_version, b.daemon_version, b.facts[TURNS]) for b in batches] == [
        ("1.0.0", "0.9.0", 4), ("2.0.1", "0.10.0", 5)]
    store.close()


# --- finding 5: a drop reaches the receiver when its version has nothing left ------------


def test_a_drop_under_a_client_version_no_longer_used_travels_with_the_next_report(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    commit(store, day_after(TODAY, -1), client="1.0.0")
    [batch_id] = seal(store, TODAY)
    store.drop_batches([batch_id], TODAY)  # the endpoint refused it (4xx)
    commit(store, TODAY, 2, client="2.0.1")  # the app moved on to a new version
    seal(store, day_after(TODAY, 1))
    [batch] = store.batches()
    assert (batch.client_version, batch.facts[TURNS], batch.facts[DROPPED]) == (
        "2.0.1", 2, 1)
    store.close()


def test_a_drop_on_a_day_without_counts_waits_for_the_next_counts(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    commit(store, day_after(TODAY, -1), client="1.0.0")
    [batch_id] = seal(store, TODAY)
    store.drop_batches([batch_id], TODAY)
    assert seal(store, day_after(TODAY, 1)) == []  # nothing counted that day
    commit(store, day_after(TODAY, 3), client="2.0.1")
    seal(store, day_after(TODAY, 4))
    [batch] = store.batches()
    assert (batch.period_from, batch.facts[DROPPED]) == (day_after(TODAY, 3), 1)
    store.close()


# --- finding 6: a commit's cost does not depend on what is stored -------------------------


def test_a_commit_never_scans_stored_rows(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for back in range(1, 40):
        commit(store, day_after(TODAY, -back), client=f"1.{back % 3}.0")
        commit(store, day_after(TODAY, -back), dev=True)
    commit(store, TODAY)  # the first commit of a process reads the version set once
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    try:
        for _ in range(3):
            commit(store, TODAY, client="1.1.0")
    finally:
        store._db.set_trace_callback(None)
    assert statements and not [s for s in statements if "GROUP BY" in s.upper()], statements
    plans = [row for s in statements if s.upper().startswith(("SELECT", "INSERT"))
             for row in store._db.execute("EXPLAIN QUERY PLAN " + s.split(" -- ")[0],
                                          _params(s)).fetchall()]
    assert not [p for p in plans if "SCAN" in str(p[-1]).upper()], plans
    store.close()


def _params(statement: str) -> tuple[str, ...]:
    return tuple("x" for _ in range(statement.count("?")))


def test_dev_build_counts_are_kept_as_long_as_pending_batches(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    commit(store, day_after(TODAY, -MAX_BATCH_AGE_DAYS - 1), dev=True)
    commit(store, day_after(TODAY, -MAX_BATCH_AGE_DAYS), 2, dev=True)
    store.prune(TODAY)
    assert store.dev_totals() == {TURNS: 2}
    store.close()


# --- finding 8: a commit and a seal in two processes at midnight -------------------------


def test_a_commit_dated_before_a_seal_of_another_connection_lands_in_one_report(
        tmp_path: Path) -> None:
    daemon = open_store(tmp_path)
    flush = Store(daemon.path)  # a second connection, as `flush` in another process has
    commit(daemon, TODAY, 1)
    # 23:59:59.9: the daemon's clock says TODAY; before its commit writes, `flush` (its
    # clock already past midnight) seals TODAY.
    seal(flush, day_after(TODAY, 1))
    commit(daemon, TODAY, 2)
    seal(flush, day_after(TODAY, 2))
    assert reports(flush) == [(TODAY, "2.0.1", 1), (day_after(TODAY, 1), "2.0.1", 2)]
    flush.close()
    daemon.close()


def test_a_commit_racing_seals_in_threads_never_makes_a_second_report(
        tmp_path: Path) -> None:
    """Many commits dated TODAY against seals from another connection: every count lands
    in exactly one report, and no day is reported twice."""
    import threading
    daemon = open_store(tmp_path)
    flush = Store(daemon.path)
    commit(daemon, TODAY)  # reads the version set before the race starts

    def commits() -> None:
        for _ in range(200):
            commit(daemon, TODAY)

    thread = threading.Thread(target=commits)
    thread.start()
    for k in range(1, 20):
        seal(flush, day_after(TODAY, k))
    thread.join()
    seal(flush, day_after(TODAY, 400))
    days = Counter((b.period_from, b.client_version) for b in flush.batches())
    assert max(days.values()) == 1
    assert sum(b.facts[TURNS] for b in flush.batches()) == 201
    flush.close()
    daemon.close()


# --- in-process: the whole chain to the receiver, the date moved by the wall clock --------


def _posted(endpoint: Endpoint) -> list[tuple[str, str, int, int]]:
    """(day, client version, turns, dropped) of every batch the receiver stored."""
    return sorted((b["period"]["from"], b["client"]["version"], b["counts"].get("turns", 0),
                   b["health"]["dropped_batches"]) for b in endpoint.stored.values())


def test_in_process_a_clock_moved_back_makes_no_second_report(tmp_path: Path) -> None:
    endpoint = Endpoint()
    clock = WallClock(time.time() - 5 * 86400)  # the receiver takes days up to tomorrow
    first = clock.day()

    async def daemon_day(work: bool) -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)
            if work:
                await session(h)

    async def main() -> None:
        await daemon_day(True)       # day 1: counts
        clock.advance(days=1)
        await daemon_day(False)      # day 2: day 1 is reported
        clock.advance(days=-1)       # the clock is set back into day 1
        await daemon_day(True)
        clock.advance(days=2)        # day 3
        await daemon_day(False)

    run(main, autojump=False)
    assert [(day, turns) for day, _, turns, _ in _posted(endpoint)] == [
        (first, 3), (day_after(first, 1), 3)]


def test_in_process_a_refused_batch_drop_reaches_the_receiver(tmp_path: Path) -> None:
    endpoint = Endpoint(answers=[400])
    clock = WallClock(time.time() - 5 * 86400)
    db = tmp_path / "state" / "metrics.sqlite3"
    (tmp_path / "state").mkdir(parents=True, mode=0o700)
    store = Store.open(db)
    commit(store, clock.day(-1), client="1.0.0")
    store.close()

    async def main() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.dropped == 1
            await session(h)  # the app, now at 2.0.1
        clock.advance(days=1)
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)

    run(main, autojump=False)
    assert _posted(endpoint) == [(clock.day(-1), "2.0.1", 3, 1)]


def test_the_sealed_days_record_holds_dates_only(tmp_path: Path) -> None:
    """The sealed days are dates: no count, no client string."""
    store = open_store(tmp_path)
    commit(store, TODAY)
    seal(store, day_after(TODAY, 1))
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT day FROM sealed_days").fetchall() == [(TODAY,)]
    store.close()


def test_the_wall_clock_of_tests_moves_as_told_and_with_trio_time() -> None:
    clock = WallClock(noon(TODAY))
    assert clock.day() == TODAY and clock.day(-1) == day_after(TODAY, -1)
    clock.advance(days=-3)
    assert clock.day() == day_after(TODAY, -3)
    clock.set(noon(TODAY))
    assert clock() == noon(TODAY)

    async def main() -> None:
        follows = WallClock(noon(TODAY), follow=trio.lowlevel.current_clock())
        await trio.sleep(86400)  # jumps, under the MockClock
        assert follows.day() == day_after(TODAY, 1)
        assert await trio.to_thread.run_sync(follows.day) == day_after(TODAY, 1)

    run(main)


def test_in_process_a_year_waiting_sends_the_newest_days_and_the_drops_follow(
        tmp_path: Path) -> None:
    endpoint = Endpoint()
    clock = WallClock(time.time() - 5 * 86400)
    (tmp_path / "state").mkdir(parents=True, mode=0o700)
    store = Store.open(tmp_path / "state" / "metrics.sqlite3")
    for back in range(1, 366):
        commit(store, clock.day(-back))
    store.close()

    async def main() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            done = await h.next(UploadFinished)
            assert done.result is not None and done.result.sent == MAX_BATCH_AGE_DAYS
            await session(h)
        clock.advance(days=1)
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)

    run(main, autojump=False)
    posted = _posted(endpoint)
    assert [day for day, *_ in posted] == [clock.day(-1 - back)
                                           for back in range(MAX_BATCH_AGE_DAYS, -1, -1)]
    assert posted[-1] == (clock.day(-1), "2.0.1", 3, 365 - MAX_BATCH_AGE_DAYS)


def test_in_process_counts_made_with_the_clock_far_ahead_are_sent_once_it_is_right(
        tmp_path: Path) -> None:
    endpoint = Endpoint()
    clock = WallClock(time.time() - 5 * 86400)

    async def main() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)
            clock.advance(days=730)
            await session(h)  # acknowledged, dated two years ahead
            clock.advance(days=-730)
        store = Store(tmp_path / "state" / "metrics.sqlite3")
        try:
            assert store.held(clock.day()) == []  # `show` does not call them today's
        finally:
            store.close()
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)

    run(main, autojump=False)
    assert [(day, turns) for day, _, turns, _ in _posted(endpoint)] == [(clock.day(), 3)]
    assert [status for status, _, _ in endpoint.posts] == [202]


def test_in_process_a_daemon_upgraded_mid_day_sends_one_report(tmp_path: Path) -> None:
    endpoint = Endpoint()
    clock = WallClock(time.time() - 5 * 86400)
    (tmp_path / "state").mkdir(parents=True, mode=0o700)
    store = Store.open(tmp_path / "state" / "metrics.sqlite3")
    commit(store, clock.day(-1), 2, daemon="0.0.9")  # before the upgrade
    store.close()

    async def main() -> None:
        clock.advance(days=-1)
        async with open_daemon(tmp_path, wall_clock=clock) as h:  # after it, same day
            await session(h)
        clock.advance(days=1)
        async with open_daemon(tmp_path, endpoint=URL, transport=endpoint.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)

    run(main, autojump=False)
    [body] = endpoint.stored.values()
    assert (body["period"]["from"], body["counts"]["turns"]) == (clock.day(-1), 5)
    assert body["daemon"]["version"] == __version__


def test_opting_out_forgets_the_days_reported_but_never_reopens_one(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for back in (3, 2, 1):
        commit(store, day_after(TODAY, -back))
    seal(store, TODAY)
    store.set_meta("last_upload", f"{TODAY}T12:00:00Z delivered 3 batch(es)")
    commit(store, day_after(TODAY, 400), 1)  # a clock far ahead, then sealed below
    seal(store, TODAY)
    assert store.purge()
    assert store.sealed_days() == []
    # Only one date stays, no later than the last upload's: a report for a day before it
    # is never made again.
    commit(store, day_after(TODAY, -2))
    commit(store, day_after(TODAY, 1))
    seal(store, day_after(TODAY, 2))
    assert reports(store) == [(day_after(TODAY, 1), "2.0.1", 2)]
    store.close()
