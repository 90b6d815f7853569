"""The upload run as a state machine, without I/O (h11 style).  Pure.

The shell (:mod:`metricsd.upload`) seals the outbox, then builds an :class:`UploadRun`
from its batches and loops::

    while True:
        action = run.next_action()
        ...perform it; for Admit and Post, feed the answer back with run.send(...)...
        if isinstance(action, Done):
            break

Every decision of the run lives here: the order of the batches, when consent is asked
(before *each* attempt, retries included), what a status means (delivered, rejected,
try again), how long to wait, when to give up and what is kept for the next run.  The
shell moves bytes, takes the egress lock, asks the consent authority and runs SQLite;
it decides nothing.

Actions (what the shell must do next):

* :class:`Admit` — take the egress lock without waiting and ask consent afresh; answer
  with :class:`Admitted` or :class:`Refused`;
* :class:`Post` — POST ``body`` with ``Idempotency-Key: batch_id``; answer with
  :class:`Responded` or :class:`Failed`;
* :class:`Delete` (delivered), :class:`Drop` (rejected by the endpoint),
  :class:`NoteAttempt` (a failed attempt), :class:`Sleep`, :class:`Progress` (one line
  for the user) — no answer;
* :class:`Done` — the run is over; its :class:`UploadResult` says how.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from metricsd.core.batches import (
    Batch,
    GiveUp,
    Host,
    body_of,
    next_delay,
    outcome,
    parse_retry_after,
)

# --- the result ------------------------------------------------------------------------


@dataclass
class UploadResult:
    """What one run did, filled in as it goes (an interrupted caller can still say what
    was sent)."""

    sent: int = 0
    folded_back: int = 0
    dropped: int = 0
    #: Why nothing was attempted ("nothing to upload", "metrics are off ..."), or None.
    skipped: str | None = None
    #: Why the run stopped early (consent withdrawn), or None.
    stopped: str | None = None
    failures: list[str] = field(default_factory=list)

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
    batch_id: str


@dataclass(frozen=True, slots=True)
class NoteAttempt:
    batch_id: str


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Progress:
    line: str


@dataclass(frozen=True, slots=True)
class Done:
    result: UploadResult


Action = Admit | Post | Delete | Drop | NoteAttempt | Sleep | Progress | Done


# --- events (shell -> machine) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Admitted:
    """The egress lock is held and consent allows this attempt."""


@dataclass(frozen=True, slots=True)
class Refused:
    """No attempt: ``why`` (the lock is held for an opt-out, or consent says no).
    ``counting`` — whether metrics are still being counted (then what is left is kept;
    otherwise it is deleted by the opt-out, not sent)."""

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


Event = Admitted | Refused | Responded | Failed


class UploadProtocolError(RuntimeError):
    """The shell fed an event the run was not waiting for."""


class _State(Enum):
    NEXT = "next"            # decide what to do with the head of the queue
    ADMITTING = "admitting"  # waiting for Admitted/Refused
    POSTING = "posting"      # waiting for Responded/Failed
    DONE = "done"


class UploadRun:
    """One upload run over ``batches`` (oldest first, as the store lists them).

    ``jitter`` draws a number in [0, 1) for the back-off (the shell passes a system
    random source; tests pass a constant)."""

    def __init__(self, batches: Sequence[Batch], host: Host, *,
                 jitter: Callable[[], float], result: UploadResult | None = None) -> None:
        self._queue = list(batches)
        self._host = host
        self._jitter = jitter
        self._failures = 0
        self.result = result if result is not None else UploadResult()
        self._state = _State.NEXT
        self._pending: list[Action] = []
        if not self._queue:
            self.result.skipped = NOTHING_WAITING
            self._finish()

    # --- the two calls --------------------------------------------------------------

    def next_action(self) -> Action:
        """What the shell must do next.  After :class:`Admit` or :class:`Post`, the shell
        must :meth:`send` the answer before asking again."""
        if self._pending:
            return self._pending.pop(0)
        if self._state is _State.NEXT:
            self._state = _State.ADMITTING
            return Admit(self._queue[0].batch_id)
        if self._state is _State.DONE:
            return Done(self.result)
        raise UploadProtocolError(f"waiting for an answer ({self._state.value})")

    def send(self, event: Event) -> None:
        if self._pending:
            raise UploadProtocolError("actions are still pending")
        if self._state is _State.ADMITTING and isinstance(event, Admitted | Refused):
            self._admitted(event)
        elif self._state is _State.POSTING and isinstance(event, Responded | Failed):
            self._answered(event)
        else:
            raise UploadProtocolError(
                f"{type(event).__name__} while {self._state.value}")

    # --- transitions ----------------------------------------------------------------

    def _admitted(self, event: Admitted | Refused) -> None:
        batch = self._queue[0]
        if isinstance(event, Admitted):
            body = json.dumps(body_of(batch, self._host), separators=(",", ":")).encode()
            self._state = _State.POSTING
            self._pending.append(Post(batch.batch_id, body))
            return
        left = len(self._queue)
        self.result.stopped = event.why
        # An opt-out (or the veto) deletes what is left, now or at the daemon's next look;
        # only a stop for another reason keeps the batches.
        self.result.folded_back = left if event.counting else 0
        fate = (f"{left} batch(es) kept for a later upload" if event.counting else
                f"metrics are off, so the {left} remaining batch(es) are deleted, not sent")
        self._say(f"stopped before sending batch {batch.batch_id}: {event.why}; {fate}")
        self._finish()

    def _answered(self, event: Responded | Failed) -> None:
        batch = self._queue[0]
        label = f"batch {batch.batch_id} (client {batch.client_version})"
        status = event.status if isinstance(event, Responded) else None
        what = outcome(status)
        if what == "sent":
            self._queue.pop(0)
            self.result.sent += 1
            self._pending.append(Delete(batch.batch_id))
            self._say(f"{label}: delivered (HTTP {status})")
            self._next()
            return
        if what == "drop":
            self._queue.pop(0)
            self.result.dropped += 1
            self._pending.append(Drop(batch.batch_id))
            self._say(f"{label}: the endpoint rejected it with HTTP {status}; it was "
                      "deleted and will not be sent again (check the endpoint URL)")
            self._next()
            return
        self._failures += 1
        reason = f"HTTP {status}" if isinstance(event, Responded) else event.reason
        self.result.failures.append(reason)
        self._pending.append(NoteAttempt(batch.batch_id))
        retry_after = (parse_retry_after(event.retry_after, now=event.now)
                       if isinstance(event, Responded) else None)
        delay = next_delay(self._failures, retry_after, self._jitter())
        if isinstance(delay, GiveUp):
            self.result.folded_back = len(self._queue)
            self._say(f"{label}: {reason}; {delay.why}: {len(self._queue)} batch(es) kept "
                      "for the next upload with the same batch id")
            self._finish()
            return
        self._say(f"{label}: {reason}; retrying in {delay:.1f}s")
        self._pending.append(Sleep(delay))
        self._next()

    def _next(self) -> None:
        self._state = _State.NEXT if self._queue else _State.DONE

    def _finish(self) -> None:
        self._state = _State.DONE

    def _say(self, line: str) -> None:
        self._pending.append(Progress(line))
