"""The commit path in-process: a real SQLite file and a real consent authority."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import trio

from metricsd.commits import Committer
from metricsd.consent import Authority, EgressLock
from metricsd.core.consent import Decision
from metricsd.core.counts import Tally
from metricsd.store import Store


def make(tmp_path: Path, opted_in: bool = True, wall_clock: Callable[[], float] = time.time,
         ) -> tuple[Committer, Tally, Store, list[Decision]]:
    config = tmp_path / "config.toml"
    config.write_text(f"[desktop]\nmetrics = {'true' if opted_in else 'false'}\n")
    store = Store.open(tmp_path / "state" / "metrics.sqlite3")
    tally = Tally()
    seen: list[Decision] = []

    async def in_db(fn, *args):  # type: ignore[no-untyped-def]
        return await trio.to_thread.run_sync(fn, *args)

    committer = Committer(store, tally, Authority(config, tmp_path / "DEV_BUILD", {}),
                          EgressLock(tmp_path / "state"), daemon_version="0.1.0",
                          in_db=in_db, on_decision=seen.append, wall_clock=wall_clock)
    return committer, tally, store, seen


def rows(store: Store) -> list[tuple[int, str, str, str]]:
    with sqlite3.connect(store.path) as db:
        return sorted(db.execute("SELECT dev, client_version, counter, label FROM counts"))


def test_a_fact_outside_the_allow_list_is_discarded_and_the_sync_still_answers(
        tmp_path: Path) -> None:
    committer, tally, store, _ = make(tmp_path)
    buckets = tally.buckets("1.4.0")
    buckets[False][("turns", "")] += 1
    buckets[False][("secret_counter", "sk-SECRET")] += 1  # a bug upstream, simulated

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(committer.run)
            with trio.fail_after(10):
                await committer.committed()  # answered: not an endless retry loop
            assert committer.rules.failures == 0
            nursery.cancel_scope.cancel()

    trio.run(main)
    assert rows(store) == []  # the whole commit was refused: nothing half-written
    data = b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.is_file())
    assert b"SECRET" not in data and b"secret_counter" not in data


def test_a_commit_while_opted_out_purges_once_and_keeps_nothing(tmp_path: Path) -> None:
    committer, tally, store, seen = make(tmp_path)
    tally.buckets("1.4.0")[False][("turns", "")] += 2

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(committer.run)
            await committer.committed()
            assert rows(store) == [(0, "1.4.0", "turns", "")]
            (tmp_path / "config.toml").write_text("[desktop]\nmetrics = false\n")
            tally.buckets("1.4.0")[False][("turns", "")] += 5
            await committer.committed()
            nursery.cancel_scope.cancel()

    trio.run(main)
    assert rows(store) == []
    assert [d.counting for d in seen] == [True, False]
    assert not tally  # the deltas counted before the opt-out was seen are dropped too


def test_a_commit_is_dated_by_the_injected_wall_clock_and_never_into_a_sealed_day(
        tmp_path: Path) -> None:
    """The committer's day comes from its wall clock; a day sealed meanwhile by another
    connection (`flush` at midnight) is closed, so the commit lands on the next one."""
    midnight = 86400 * 20_800  # 2026-12-13, UTC midnight
    committer, tally, store, _ = make(tmp_path, wall_clock=lambda: midnight - 0.1)
    bucket = tally.buckets("1.4.0")[False]

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(committer.run)
            bucket[("turns", "")] += 1
            await committer.committed()
            flush = Store(store.path)  # its clock already past midnight
            flush.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=0,
                               today="2026-12-13")
            flush.close()
            bucket[("turns", "")] += 2
            await committer.committed()
            nursery.cancel_scope.cancel()

    trio.run(main)
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT day, n FROM counts").fetchall() == [("2026-12-13", 2)]
        assert db.execute("SELECT period_from FROM outbox").fetchall() == [("2026-12-12",)]
