"""The committer's rules, pure: what a commit does, and what follows its outcome.

The shell (:mod:`metricsd.commits`) takes the deltas, asks the consent authority under
the egress lock, and asks :meth:`CommitRules.plan` what to do with the answer:

* metrics on and something to write: :class:`Write` (and, once an hour, forget the marks
  of streams not seen for a week);
* metrics off: :class:`Purge` the stored counts once per opt-out, then :class:`Discard`
  the deltas of every later commit (they were counted before the gate closed);
* metrics on and nothing to write: :class:`Nothing`.

After the database answered, the shell reports the outcome (:meth:`CommitRules.done`,
:meth:`CommitRules.faulted`, :meth:`CommitRules.busy`) and gets back the lines to log and
when to try again: a storage fault backs off exponentially (:mod:`metricsd.core.retry`)
and is said once, not once per retry; a held egress lock is retried every
:data:`EGRESS_RETRY_SECONDS`; the line saying it is over comes with the next success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from metricsd.core.batches import utc_day
from metricsd.core.consent import Decision
from metricsd.core.retry import storage_retry_delay
from metricsd.core.streams import FORGET_AFTER_SECONDS

#: While another process holds the egress lock, a commit is tried again this often.
EGRESS_RETRY_SECONDS: Final = 0.25
#: How often stream marks not seen for a week are forgotten (at a commit).
FORGET_EVERY_SECONDS: Final = 3600.0

#: Log levels of :class:`Say` (the values of the standard library's ``logging``).
INFO: Final = 20
WARNING: Final = 30
ERROR: Final = 40


@dataclass(frozen=True, slots=True)
class Write:
    """Write the deltas and marks, dated ``day`` (UTC) with the streams seen at ``seen``;
    with ``forget_before``, also forget streams not seen since then (Unix seconds)."""

    day: str
    seen: int
    forget_before: int | None = None


@dataclass(frozen=True, slots=True)
class Purge:
    """Metrics were turned off: delete stored counts and pending batches; drop the deltas."""


@dataclass(frozen=True, slots=True)
class Discard:
    """Metrics are off and the purge is done: drop the deltas."""


@dataclass(frozen=True, slots=True)
class Nothing:
    """Metrics are on and there is nothing to write."""


Plan = Write | Purge | Discard | Nothing


@dataclass(frozen=True, slots=True)
class Say:
    """A log line (daemon-written text only)."""

    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Retry:
    """Keep the deltas in memory and commit again after ``delay`` seconds; log ``say``
    first when set (a fault already said is not said again)."""

    delay: float
    say: Say | None = None


class CommitRules:
    """The committer's state between commits.  One commit runs at a time, so ``plan``
    (called where the authority is asked, on the database thread) and the rest (on the
    trio thread) never run at the same moment."""

    __slots__ = ("_fault", "_forgot_at", "_purged", "failures", "lock_busy")

    def __init__(self) -> None:
        #: A purge has been done for the current opt-out (no purge on every turn while off).
        self._purged = False
        #: When stream marks were last forgotten (wall clock).
        self._forgot_at = float("-inf")
        #: Storage faults in a row, and the one last said.
        self.failures = 0
        self._fault: str | None = None
        #: Another process holds the egress lock (said once until it is released).
        self.lock_busy = False

    def plan(self, decision: Decision, *, has_work: bool, now: float) -> Plan:
        if not decision.counting:
            return Discard() if self._purged else Purge()
        self._purged = False
        if not has_work:
            return Nothing()
        forget = None
        if now - self._forgot_at >= FORGET_EVERY_SECONDS:
            forget = int(now - FORGET_AFTER_SECONDS)
        return Write(utc_day(now), int(now), forget)

    def done(self, plan: Plan) -> tuple[Say, ...]:
        """The plan was carried out: what to log."""
        if isinstance(plan, Purge):
            self._purged = True
        elif isinstance(plan, Write) and plan.forget_before is not None:
            self._forgot_at = plan.seen
        says = []
        if self.lock_busy:
            self.lock_busy = False
            says.append(Say(INFO, "egress.lock was released: commits go on"))
        if self.failures:
            self.failures = 0
            self._fault = None
            says.append(Say(INFO, "commits succeed again"))
        return tuple(says)

    def faulted(self, fault: str) -> Retry:
        """The database failed with ``fault`` (a daemon-written description)."""
        self.failures += 1
        delay = storage_retry_delay(self.failures + 1)
        if fault == self._fault:
            return Retry(delay)
        self._fault = fault
        return Retry(delay, Say(ERROR, f"commit failed ({fault}); keeping counts in memory "
                                       f"and retrying (first in {delay:.1f}s, backing off) "
                                       "until it succeeds"))

    def busy(self) -> Retry:
        """Another process holds the egress lock (a ``consent off`` in progress, or one
        that was stopped holding it)."""
        if self.lock_busy:
            return Retry(EGRESS_RETRY_SECONDS)
        self.lock_busy = True
        return Retry(EGRESS_RETRY_SECONDS, Say(
            WARNING, "egress.lock is held by another process (a `metricsd consent off` in "
                     "progress, or stopped): counts stay in memory and are committed once "
                     "it is released"))

    @staticmethod
    def final_failed(fault: str, lost_facts: int, lost_marks: bool) -> Say:
        """The commit at shutdown failed: what was lost, if anything."""
        if lost_facts or lost_marks:
            return Say(ERROR, f"final commit failed ({fault}); {lost_facts} uncommitted "
                              "facts lost")
        return Say(INFO, f"final commit not written ({fault}); nothing was uncommitted")
