"""Coalescing commits: in-memory deltas to SQLite, ``ack`` only after the commit.

A commit "starts" when it takes the deltas from the tally.  Requests made while one runs
are served by the next one (coalescing under load).  Each commit asks the consent
authority first, on the worker thread and under the shared egress lock: when metrics
are off it purges instead (once per opt-out) and the deltas are discarded.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, TypeVar

import trio

from metricsd.clock import Clock
from metricsd.consent import SHARED_WAIT_SECONDS, Authority, EgressBusy, EgressLock
from metricsd.core.batches import utc_day
from metricsd.core.consent import Decision
from metricsd.core.counts import Groups, Tally, add_into, flatten
from metricsd.core.facts import Fact
from metricsd.core.retry import storage_retry_delay
from metricsd.core.streams import FORGET_AFTER_SECONDS, Streams
from metricsd.store import Store, StoreError, describe_error

log = logging.getLogger("metricsd")
T = TypeVar("T")

#: While another process holds the egress lock, a commit is tried again this often.
EGRESS_RETRY_SECONDS: Final = 0.25
#: How long the final commit at shutdown waits for the egress lock (SIGTERM must end the
#: daemon within 5 s).
FINAL_EGRESS_WAIT_SECONDS: Final = 1.5
#: How often stream marks not seen for 7 days are forgotten (at a commit).
FORGET_EVERY_SECONDS: Final = 3600.0
#: What a storage fault looks like; anything else raised by a commit is a bug.
STORAGE_FAULTS: Final = (sqlite3.Error, OSError, StoreError)


class Committer:
    def __init__(self, store: Store, tally: Tally, authority: Authority, egress: EgressLock,
                 *, daemon_version: str, in_db: Callable[..., Awaitable[Any]],
                 on_decision: Callable[[Decision], None],
                 wall_clock: Clock, streams: Streams | None = None) -> None:
        """``streams``: the replayable streams' marks, committed with the deltas they
        cover (taken at the same moment as the tally's deltas)."""
        self._store = store
        self.streams = streams if streams is not None else Streams()
        #: When stream marks were last forgotten (wall clock; hourly).
        self._forgot_at = float("-inf")
        #: Set on the worker thread when the store forgot old streams: memory follows.
        self._forget_before: float | None = None
        self._tally = tally
        self._authority = authority
        self._egress = egress
        self._daemon_version = daemon_version
        self._in_db = in_db
        self._on_decision = on_decision
        self._wall_clock = wall_clock
        self._wake = trio.Event()
        self._done = trio.Event()
        self._started = 0
        self._completed = 0
        self.failures = 0
        #: The fault last logged, so a retry failing the same way adds no line.
        self._logged_fault: str | None = None
        #: The deltas a commit has taken but not yet written, and the sequence number of
        #: the last commit the database holds (set on the worker thread), for snapshots.
        self._inflight: tuple[int, Groups] | None = None
        self._db_seq = 0
        #: A purge has been done for the current opt-out (no purge on every turn while off).
        self._purged = False
        #: Another process holds the egress lock: commits wait (syncs with them), replies
        #: that only read do not.
        self.lock_busy = False

    # --- the worker-thread part ---------------------------------------------------------

    def _commit_blocking(self, groups: Groups, seq: int,
                         lock_wait: float = SHARED_WAIT_SECONDS,
                         marks: Mapping[bytes, int] | None = None) -> Decision:
        with self._egress.shared(lock_wait):
            decision = self._authority.decide()
            if not decision.counting:
                if not self._purged:
                    if self._store.purge():
                        log.info("metrics are off: deleted stored counts and pending batches")
                    self._purged = True
            else:
                self._purged = False
                if groups or marks:
                    now = self._wall_clock()
                    try:
                        self._store.commit(groups, daemon_version=self._daemon_version,
                                           day=utc_day(now), dev_now=decision.dev,
                                           streams=marks, seen=int(now))
                    except ValueError:
                        # The store's privacy guard refused a fact that is not on the
                        # allow-list: a bug upstream.  Never stored, never retried.
                        log.error("a commit held a fact outside the allow-list; it was "
                                  "discarded (this is a bug in metricsd)")
                    if now - self._forgot_at >= FORGET_EVERY_SECONDS:
                        self._forgot_at = now
                        self._store.forget_streams(int(now - FORGET_AFTER_SECONDS))
                        self._forget_before = now - FORGET_AFTER_SECONDS
            self._db_seq = seq
            return decision

    def totals_blocking(self) -> tuple[dict[Fact, int], int]:
        return self._store.committed_totals(), self._db_seq

    # --- the trio part -------------------------------------------------------------------

    def request(self) -> None:
        self._wake.set()

    def target(self) -> int:
        """Ask for a commit; the number a commit that covers everything counted until now
        will have (see :meth:`reached`)."""
        self._wake.set()
        return self._started + 1

    async def reached(self, target: int) -> None:
        """Return once commit number ``target`` (from :meth:`target`) has finished."""
        while self._completed < target:
            await self._done.wait()

    async def committed(self, *, unless_failing: bool = False) -> None:
        """Return once a commit that started after this call has finished (or, with
        ``unless_failing``, as soon as commits are failing: a storage fault)."""
        target = self._started + 1
        self._wake.set()
        while self._completed < target and not (
                unless_failing and (self.failures or self.lock_busy)):
            await self._done.wait()

    def _finished(self) -> None:
        done, self._done = self._done, trio.Event()
        done.set()

    async def _commit_once(self) -> None:
        self._started += 1
        seq = self._started
        groups = self._tally.take()
        marks = self.streams.take()
        self._inflight = (seq, groups)
        try:
            decision = await self._in_db(self._commit_blocking, groups, seq,
                                         SHARED_WAIT_SECONDS, marks)
        except trio.Cancelled:
            # Shutdown while this commit waited for the database thread: its deltas go
            # back to memory, for the final commit (never lost with the cancelled task).
            self._inflight = None
            if self._db_seq < seq:
                self._tally.merge(groups)
                self.streams.restore(marks)
            raise
        except EgressBusy:
            # A `consent off` holds the lock (or was stopped holding it): keep the deltas,
            # try again shortly; a sync stays unanswered until a commit covers it.
            self._inflight = None
            self._tally.merge(groups)
            self.streams.restore(marks)
            if not self.lock_busy:
                self.lock_busy = True
                log.warning("egress.lock is held by another process (a `metricsd consent "
                            "off` in progress, or stopped): counts stay in memory and are "
                            "committed once it is released")
            self._finished()
            await trio.sleep(EGRESS_RETRY_SECONDS)
            self._wake.set()
            return
        except STORAGE_FAULTS as exc:
            self._inflight = None
            self._tally.merge(groups)
            self.streams.restore(marks)
            self.failures += 1
            delay = storage_retry_delay(self.failures + 1)
            fault = describe_error(exc)
            if fault != self._logged_fault:
                # One line per fault, not one per retry: the next line says it is over.
                self._logged_fault = fault
                log.error("commit failed (%s); keeping counts in memory and retrying (first "
                          "in %.1fs, backing off) until it succeeds", fault, delay)
            # Wake waiters: a sync keeps waiting for a commit that succeeds, a snapshot
            # answers from what can be read.
            self._finished()
            await trio.sleep(delay)
            self._wake.set()
            return
        self._inflight = None
        if self.lock_busy:
            self.lock_busy = False
            log.info("egress.lock was released: commits go on")
        if self.failures:
            log.info("commits succeed again")
            self.failures = 0
            self._logged_fault = None
        if not decision.counting:
            self._tally.clear()
        # Committed (or, with metrics off, discarded by decision): what acks report now.
        self.streams.committed(marks, self._wall_clock())
        cutoff, self._forget_before = self._forget_before, None
        if cutoff is not None:
            self.streams.forget(cutoff)
        self._on_decision(decision)
        self._completed = self._started
        self._finished()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            await self._commit_once()

    async def final(self) -> None:
        """The commit at shutdown (shielded): whatever is still in memory."""
        with trio.CancelScope(shield=True):
            groups = self._tally.take()
            marks = self.streams.take()
            try:
                await self._in_db(self._commit_blocking, groups, self._started + 1,
                                  FINAL_EGRESS_WAIT_SECONDS, marks)
            except STORAGE_FAULTS as exc:
                lost = sum(len(g) for g in groups.values())
                if lost or marks:
                    log.error("final commit failed (%s); %d uncommitted facts lost",
                              describe_error(exc), lost)
                else:
                    log.info("final commit not written (%s); nothing was uncommitted",
                             describe_error(exc))

    async def local_totals(self) -> dict[Fact, int]:
        """Everything held locally and not yet delivered: pending batches, committed
        counts, the commit in flight and the in-memory deltas, summed."""
        await self.committed(unless_failing=True)
        total: dict[Fact, int]
        try:
            total, db_seq = await self._in_db(self.totals_blocking)
        except STORAGE_FAULTS as exc:
            # The database cannot be read: memory is all there is to show.
            log.warning("snapshot without the database (%s)", type(exc).__name__)
            total, db_seq = {}, self._db_seq
        add_into(total, flatten(self._tally.peek()).items())
        inflight = self._inflight
        if inflight is not None and inflight[0] > db_seq:
            add_into(total, flatten(inflight[1]).items())
        return total
