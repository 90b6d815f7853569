"""The upload run as a state machine, without I/O (h11 style).  Pure.

The shell (:mod:`metricsd.upload`) builds an :class:`UploadRun` with the wall-clock time
the run starts at and loops::

    while True:
        action = run.next_action()
        ...perform it; for Prepare, Admit and Post, feed the answer back with run.send(...)...
        if isinstance(action, Done):
            break

Every decision of a run lives here: the day it runs on, that consent is asked before
sealing and before *each* attempt (retries included), which batches are too old to send,
the order of the rest, "nothing yet" versus "nothing waiting", what a status means
(delivered, rejected, try again), how long to wait, when to give up and what is kept for
the next run.  The shell moves bytes, takes the egress lock, asks the consent authority
and runs SQLite.

Actions (what the shell must do next):

* :class:`Prepare` — under the egress lock, ask consent; if it allows uploads, seal the
  counts of the days before ``today`` and list the outbox; answer with :class:`Prepared`
  or :class:`Refused`;
* :class:`Admit` — take the egress lock without waiting and ask consent afresh; answer
  with :class:`Admitted` or :class:`Refused`;
* :class:`Post` — POST ``body`` with ``Idempotency-Key: batch_id``; answer with
  :class:`Responded` or :class:`Failed`;
* :class:`Delete` (delivered), :class:`Drop` (too old, or rejected by the endpoint: gone
  for good, counted), :class:`NoteAttempt` (a failed attempt), :class:`Sleep`,
  :class:`Progress` (one line for the user) — no answer;
* :class:`Done` — the run is over; its immutable :class:`UploadResult` says how.

The transitions are one table, ``(state, event type) -> handler``.  An event the table
has no row for, or a handler that fails, puts the run in the ERROR state, from which
every call raises :class:`UploadProtocolError` (as h11's ``ERROR``): a shell bug never
turns into a half-made decision.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from metricsd.core.batches import (
    MAX_BATCH_AGE_DAYS,
    MAX_BATCHES,
    Batch,
    GiveUp,
    Host,
    body_of,
    expired,
    next_delay,
    outcome,
    parse_retry_after,
    utc_day,
)

# --- the result ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What one run did.  Built by the run, never changed afterwards (an interrupted
    caller asks :meth:`UploadRun.so_far` for the counts so far)."""

    sent: int = 0
    folded_back: int = 0
    dropped: int = 0
    #: Why nothing was attempted ("nothing to upload", "metrics are off ..."), or None.
    skipped: str | None = None
    #: Why the run stopped early (consent withdrawn), or None.
    stopped: str | None = None
    failures: tuple[str, ...] = ()

    @property
    def delivered_all(self) -> bool:
        """Every batch was delivered, or there was nothing to send."""
        return not (self.folded_back or self.dropped or self.stopped)

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        parts = [f"delivered {self.sent} batch(es)"]
        if self.folded_back:
            last = f" (last failure: {self.failures[-1]})" if self.failures else ""
            parts.append(f"{self.folded_back} kept for the next upload with the same "
                         f"batch id{last}")
        if self.dropped:
            parts.append(f"{self.dropped} rejected by the endpoint and deleted")
        if self.stopped:
            parts.append(f"stopped: {self.stopped}")
        return "; ".join(parts)


#: The run's summary when only today's counts are waiting.
NOTHING_YET: Final = ("nothing to upload yet: today's counts are sent once the day is over "
                      "(UTC)")
#: The run's summary when the outbox was empty.
NOTHING_WAITING: Final = "nothing to upload (no counts were waiting)"


# --- actions (machine -> shell) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepare:
    """Under the egress lock: ask consent, then seal the counts of the days before
    ``today`` (``now``: the new batches' creation time) and list the outbox."""

    today: str
    now: int


@dataclass(frozen=True, slots=True)
class Admit:
    batch_id: str


@dataclass(frozen=True, slots=True)
class Post:
    batch_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Delete:
    batch_id: str


@dataclass(frozen=True, slots=True)
class Drop:
    """Delete these batches for good and count the drop on ``day``."""

    batch_ids: tuple[str, ...]
    day: str


@dataclass(frozen=True, slots=True)
class NoteAttempt:
    batch_id: str


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Progress:
    line: str
    #: Something the user should look at (a daemon logs it as a warning).
    warning: bool = False


@dataclass(frozen=True, slots=True)
class Done:
    result: UploadResult


Action = Prepare | Admit | Post | Delete | Drop | NoteAttempt | Sleep | Progress | Done


# --- events (shell -> machine) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """Consent allowed it and the complete days are sealed: ``batches`` is the outbox
    (oldest first, as the store lists them); ``held_today`` — today's counts wait."""

    batches: tuple[Batch, ...]
    held_today: bool


@dataclass(frozen=True, slots=True)
class Admitted:
    """The egress lock is held and consent allows this attempt."""


@dataclass(frozen=True, slots=True)
class Refused:
    """No sealing or attempt: ``why`` (the lock is held for an opt-out, or consent says
    no).  ``counting`` — whether metrics are still being counted (then what is left is
    kept; otherwise it is deleted by the opt-out, not sent)."""

    why: str
    counting: bool


@dataclass(frozen=True, slots=True)
class Responded:
    """The endpoint answered ``status``; ``retry_after`` is the raw header, ``now`` the
    wall time it arrived (Unix seconds)."""

    status: int
    retry_after: str | None
    now: float


@dataclass(frozen=True, slots=True)
class Failed:
    """No response; ``reason`` is a plain name (``timed out``), never exception text."""

    reason: str


Event = Prepared | Admitted | Refused | Responded | Failed


class UploadProtocolError(RuntimeError):
    """The shell fed an event the run was not waiting for, or asked for an action while
    one was unanswered; the run is in its ERROR state for good."""


class _State(Enum):
    START = "start"          # Prepare not yet asked for
    PREPARING = "preparing"  # waiting for Prepared/Refused
    NEXT = "next"            # Admit the head of the queue next
    ADMITTING = "admitting"  # waiting for Admitted/Refused
    POSTING = "posting"      # waiting for Responded/Failed
    DONE = "done"
    ERROR = "error"


class UploadRun:
    """One upload run on the UTC day of ``now`` (the wall clock's Unix seconds when the
    run starts).

    ``jitter`` draws a number in [0, 1) for the back-off (the shell passes a system
    random source; tests pass a constant)."""

    def __init__(self, host: Host, *, now: float, jitter: Callable[[], float]) -> None:
        self._host = host
        self._jitter = jitter
        self._now = int(now)
        self._today = utc_day(now)
        self._queue: list[Batch] = []
        self._failures: list[str] = []
        self._sent = self._dropped = self._folded_back = 0
        self._skipped: str | None = None
        self._stopped: str | None = None
        self._state = _State.START
        self._pending: list[Action] = []

    # --- the calls --------------------------------------------------------------------

    def next_action(self) -> Action:
        """What the shell must do next.  After :class:`Prepare`, :class:`Admit` or
        :class:`Post`, the shell must :meth:`send` the answer before asking again."""
        if self._pending:
            return self._pending.pop(0)
        if self._state is _State.START:
            self._state = _State.PREPARING
            return Prepare(self._today, self._now)
        if self._state is _State.NEXT:
            self._state = _State.ADMITTING
            return Admit(self._queue[0].batch_id)
        if self._state is _State.DONE:
            return Done(self.so_far())
        state, self._state = self._state, _State.ERROR
        raise UploadProtocolError(f"asked for an action while {state.value}")

    def send(self, event: Event) -> None:
        handler = None if self._pending else _TRANSITIONS.get((self._state, type(event)))
        if handler is None:
            state, self._state = self._state, _State.ERROR
            raise UploadProtocolError(f"{type(event).__name__} while {state.value}"
                                      + (" with actions pending" if self._pending else ""))
        try:
            handler(self, event)
        except BaseException:
            self._state = _State.ERROR
            raise

    def so_far(self) -> UploadResult:
        """The counts as of now, as a new immutable result (what :class:`Done` carries
        once the run is over)."""
        return UploadResult(sent=self._sent, folded_back=self._folded_back,
                            dropped=self._dropped, skipped=self._skipped,
                            stopped=self._stopped, failures=tuple(self._failures))

    # --- transitions ----------------------------------------------------------------

    def _prepared(self, event: Prepared) -> None:
        stale = expired([(b.batch_id, b.period_to) for b in event.batches],
                        today=self._today)
        if stale:
            self._pending.append(Drop(tuple(stale), self._today))
            self._say(f"dropped {len(stale)} batch(es) of days more than "
                      f"{MAX_BATCH_AGE_DAYS} days ago or beyond the {MAX_BATCHES} newest "
                      "days", warning=True)
        gone = set(stale)
        self._queue = [b for b in event.batches if b.batch_id not in gone]
        if self._queue:
            self._state = _State.NEXT
            return
        self._skipped = NOTHING_YET if event.held_today else NOTHING_WAITING
        self._state = _State.DONE

    def _not_prepared(self, event: Refused) -> None:
        self._skipped = event.why
        self._state = _State.DONE

    def _admitted(self, event: Admitted) -> None:
        batch = self._queue[0]
        body = json.dumps(body_of(batch, self._host), separators=(",", ":")).encode()
        self._state = _State.POSTING
        self._pending.append(Post(batch.batch_id, body))

    def _refused(self, event: Refused) -> None:
        batch = self._queue[0]
        left = len(self._queue)
        self._stopped = event.why
        # An opt-out (or the veto) deletes what is left, now or at the daemon's next look;
        # only a stop for another reason keeps the batches.
        self._folded_back = left if event.counting else 0
        fate = (f"{left} batch(es) kept for a later upload" if event.counting else
                f"metrics are off, so the {left} remaining batch(es) are deleted, not sent")
        self._say(f"stopped before sending batch {batch.batch_id}: {event.why}; {fate}")
        self._state = _State.DONE

    def _answered(self, event: Responded | Failed) -> None:
        batch = self._queue[0]
        label = f"batch {batch.batch_id} (client {batch.client_version})"
        status = event.status if isinstance(event, Responded) else None
        what = outcome(status)
        if what == "sent":
            self._queue.pop(0)
            self._sent += 1
            self._pending.append(Delete(batch.batch_id))
            self._say(f"{label}: delivered (HTTP {status})")
            self._next()
            return
        if what == "drop":
            self._queue.pop(0)
            self._dropped += 1
            self._pending.append(Drop((batch.batch_id,), self._today))
            self._say(f"{label}: the endpoint rejected it with HTTP {status}; it was "
                      "deleted and will not be sent again (check the endpoint URL)")
            self._next()
            return
        reason = f"HTTP {status}" if isinstance(event, Responded) else event.reason
        self._failures.append(reason)
        self._pending.append(NoteAttempt(batch.batch_id))
        retry_after = (parse_retry_after(event.retry_after, now=event.now)
                       if isinstance(event, Responded) else None)
        delay = next_delay(len(self._failures), retry_after, self._jitter())
        if isinstance(delay, GiveUp):
            self._folded_back = len(self._queue)
            self._say(f"{label}: {reason}; {delay.why}: {len(self._queue)} batch(es) kept "
                      "for the next upload with the same batch id")
            self._state = _State.DONE
            return
        self._say(f"{label}: {reason}; retrying in {delay:.1f}s")
        self._pending.append(Sleep(delay))
        self._next()

    def _next(self) -> None:
        self._state = _State.NEXT if self._queue else _State.DONE

    def _say(self, line: str, *, warning: bool = False) -> None:
        self._pending.append(Progress(line, warning))


#: The whole machine: the event each state waits for, and the transition it takes.
_TRANSITIONS: Final[dict[tuple[_State, type], Callable[[UploadRun, Any], None]]] = {
    (_State.PREPARING, Prepared): UploadRun._prepared,
    (_State.PREPARING, Refused): UploadRun._not_prepared,
    (_State.ADMITTING, Admitted): UploadRun._admitted,
    (_State.ADMITTING, Refused): UploadRun._refused,
    (_State.POSTING, Responded): UploadRun._answered,
    (_State.POSTING, Failed): UploadRun._answered,
}
