"""Coalescing commits: in-memory deltas to SQLite, ``ack`` only after the commit.

A commit "starts" when it takes the deltas from the tally.  Requests made while one runs
are served by the next one (coalescing under load).  Each commit asks the consent
authority first, on the worker thread and under the shared egress lock, then does what
the committer's rules (:mod:`metricsd.core.committing`, pure) say: write, purge once per
opt-out, discard, or nothing; and after a fault, what to log and when to try again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, TypeVar

import trio

from metricsd.clock import Clock
from metricsd.consent import SHARED_WAIT_SECONDS, Authority, EgressBusy, EgressLock
from metricsd.core.committing import (
    CommitRules,
    Discard,
    Plan,
    Purge,
    Retry,
    Write,
)
from metricsd.core.consent import Decision
from metricsd.core.counts import Groups, Tally, add_into, flatten
from metricsd.core.facts import Fact
from metricsd.core.streams import Streams
from metricsd.store import Store, StoreError, describe_error

log = logging.getLogger("metricsd")
T = TypeVar("T")

#: How long the final commit at shutdown waits for the egress lock (SIGTERM must end the
#: daemon within 5 s).
FINAL_EGRESS_WAIT_SECONDS: Final = 1.5
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
        self.rules = CommitRules()
        #: The plan the last commit carried out (set on the worker thread).
        self._plan: Plan | None = None
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
        #: The deltas a commit has taken but not yet written, and the sequence number of
        #: the last commit the database holds (set on the worker thread), for snapshots.
        self._inflight: tuple[int, Groups] | None = None
        self._db_seq = 0

    # --- the worker-thread part ---------------------------------------------------------

    def _commit_blocking(self, groups: Groups, seq: int,
                         lock_wait: float = SHARED_WAIT_SECONDS,
                         marks: Mapping[bytes, int] | None = None) -> Decision:
        with self._egress.shared(lock_wait):
            decision = self._authority.decide()
            now = self._wall_clock()
            plan = self.rules.plan(decision, has_work=bool(groups or marks), now=now)
            if isinstance(plan, Purge):
                if self._store.purge():
                    log.info("metrics are off: deleted stored counts and pending batches")
            elif isinstance(plan, Write):
                try:
                    self._store.commit(groups, daemon_version=self._daemon_version,
                                       day=plan.day, dev_now=decision.dev, streams=marks,
                                       seen=plan.seen)
                except ValueError:
                    # The store's privacy guard refused a fact that is not on the
                    # allow-list: a bug upstream.  Never stored, never retried.
                    log.error("a commit held a fact outside the allow-list; it was "
                              "discarded (this is a bug in metricsd)")
                if plan.forget_before is not None:
                    self._store.forget_streams(plan.forget_before)
            self._plan = plan
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
                unless_failing and (self.rules.failures or self.rules.lock_busy)):
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
            await self._retry(groups, marks, self.rules.busy())
            return
        except STORAGE_FAULTS as exc:
            await self._retry(groups, marks, self.rules.faulted(describe_error(exc)))
            return
        self._inflight = None
        plan, self._plan = self._plan, None
        assert plan is not None
        for say in self.rules.done(plan):
            log.log(say.level, "%s", say.text)
        if isinstance(plan, (Purge, Discard)):
            self._tally.clear()  # counted before the gate closed: never kept
        # Committed (or, with metrics off, discarded): what acks report now.
        self.streams.committed(marks, self._wall_clock())
        if isinstance(plan, Write) and plan.forget_before is not None:
            self.streams.forget(plan.forget_before)
        self._on_decision(decision)
        self._completed = self._started
        self._finished()

    async def _retry(self, groups: Groups, marks: dict[bytes, int], retry: Retry) -> None:
        """The commit failed: its deltas and marks go back to memory; log what the rules
        say; wake waiters (a sync keeps waiting for a commit that succeeds, a snapshot
        answers from what can be read); try again after the rules' delay."""
        self._inflight = None
        self._tally.merge(groups)
        self.streams.restore(marks)
        if retry.say is not None:
            log.log(retry.say.level, "%s", retry.say.text)
        self._finished()
        await trio.sleep(retry.delay)
        self._wake.set()

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
                say = CommitRules.final_failed(describe_error(exc),
                                               sum(len(g) for g in groups.values()),
                                               bool(marks))
                log.log(say.level, "%s", say.text)

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
