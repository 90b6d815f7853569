"""The upload run's state machine (metricsd.core.uploading), driven without any I/O."""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable, Iterator

import pytest

from metricsd.core.batches import (
    MAX_FAILURES_PER_RUN,
    MAX_RETRY_AFTER_SECONDS,
    Batch,
    Host,
    body_of,
)
from metricsd.core.facts import TURNS
from metricsd.core.uploading import (
    NOTHING_WAITING,
    NOTHING_YET,
    Action,
    Admit,
    Admitted,
    Delete,
    Done,
    Drop,
    Event,
    Failed,
    NoteAttempt,
    Post,
    Prepare,
    Prepared,
    Progress,
    Refused,
    Responded,
    Sleep,
    UploadProtocolError,
    UploadResult,
    UploadRun,
)

HOST = Host("linux", "x86_64")
NOW = float(calendar.timegm((2026, 12, 2, 12, 0, 0)))  # the day after batch()'s day


def batch(n: int) -> Batch:
    return Batch(batch_id=f"00000000-0000-4000-8000-{n:012d}", created=int(NOW) - n,
                 daemon_version="1.2.0", client_version="app/1.0",
                 period_from="2026-12-01", period_to="2026-12-01", attempts=0,
                 facts={TURNS: n + 1})


def started(batches: list[Batch], *, jitter: Callable[[], float],
            held_today: bool = False) -> UploadRun:
    """A run on NOW's day that prepared ``batches`` (the outbox after sealing)."""
    run = UploadRun(HOST, now=NOW, jitter=jitter)
    assert run.next_action() == Prepare("2026-12-02", int(NOW))
    run.send(Prepared(tuple(batches), held_today))
    return run


def ok() -> Responded:
    return Responded(202, None, NOW)


def status(code: int, retry_after: str | None = None) -> Responded:
    return Responded(code, retry_after, NOW)


def drive(run: UploadRun, admits: Iterable[Admitted | Refused],
          answers: Iterable[Event]) -> list[Action]:
    """Run to Done, answering each Admit from ``admits`` and each Post from ``answers``;
    -> every action, Done last."""
    admit_it: Iterator[Admitted | Refused] = iter(admits)
    answer_it: Iterator[Event] = iter(answers)
    actions: list[Action] = []
    while True:
        action = run.next_action()
        actions.append(action)
        if isinstance(action, Admit):
            run.send(next(admit_it))
        elif isinstance(action, Post):
            run.send(next(answer_it))
        elif isinstance(action, Done):
            return actions


def always_admitted() -> Iterator[Admitted]:
    while True:
        yield Admitted()


def effects(actions: list[Action]) -> list[Action]:
    """The actions without progress lines."""
    return [a for a in actions if not isinstance(a, Progress)]


def test_every_batch_is_admitted_then_posted_then_deleted_in_order() -> None:
    batches = [batch(1), batch(2)]
    run = started(batches, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok(), ok()])
    a, b = (x.batch_id for x in batches)
    assert [(type(x).__name__, getattr(x, "batch_id", None)) for x in effects(actions)] == [
        ("Admit", a), ("Post", a), ("Delete", a), ("Admit", b), ("Post", b), ("Delete", b),
        ("Done", None)]
    result = run.so_far()
    assert (result.sent, result.folded_back, result.dropped) == (2, 0, 0)
    assert result.delivered_all and result.summary() == "delivered 2 batch(es)"


def test_the_body_is_the_one_show_prints() -> None:
    b = batch(3)
    run = started([b], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok()])
    post = next(a for a in actions if isinstance(a, Post))
    assert post.batch_id == b.batch_id
    # show renders the outbox with the same body_of; the body carries the batch id.
    assert json.loads(post.body) == body_of(b, HOST)
    assert json.loads(post.body)["batch_id"] == b.batch_id
    assert json.loads(post.body)["counts"]["turns"] == 4


def test_consent_is_asked_before_every_attempt_retries_included() -> None:
    run = started([batch(1)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(503), status(503), ok()])
    kinds = [type(a).__name__ for a in effects(actions)]
    assert kinds == ["Admit", "Post", "NoteAttempt", "Sleep", "Admit", "Post", "NoteAttempt",
                     "Sleep", "Admit", "Post", "Delete", "Done"]


def test_a_retry_reuses_the_batch_id_and_the_body() -> None:
    run = started([batch(1)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(500), ok()])
    posts = [a for a in actions if isinstance(a, Post)]
    assert len(posts) == 2 and posts[0] == posts[1]


def test_backoff_is_exponential_with_the_drawn_jitter() -> None:
    draws = iter([0.5, 0.25])
    run = started([batch(1)], jitter=lambda: next(draws))
    actions = drive(run, always_admitted(), [Failed("timed out"), status(429), ok()])
    assert [a.seconds for a in actions if isinstance(a, Sleep)] == [1.5, 2.5]
    assert run.so_far().failures == ("timed out", "HTTP 429")


def test_retry_after_is_honoured_exactly() -> None:
    run = started([batch(1)], jitter=lambda: 0.9)
    actions = drive(run, always_admitted(), [status(503, "7"), ok()])
    assert [a.seconds for a in actions if isinstance(a, Sleep)] == [7.0]


def test_too_long_a_retry_after_ends_the_run_and_keeps_every_batch() -> None:
    run = started([batch(1), batch(2)], jitter=lambda: 0.0)
    too_long = str(int(MAX_RETRY_AFTER_SECONDS) + 1)
    actions = drive(run, always_admitted(), [status(429, too_long)])
    assert not any(isinstance(a, Sleep | Delete | Drop) for a in actions)
    assert run.so_far().folded_back == 2 and not run.so_far().delivered_all
    line = [a.line for a in actions if isinstance(a, Progress)][-1]
    assert "Retry-After" in line and "2 batch(es) kept" in line


def test_three_failures_end_the_run_with_the_rest_kept_for_the_next_run() -> None:
    run = started([batch(1), batch(2), batch(3)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok()] + [status(502)] * MAX_FAILURES_PER_RUN)
    assert sum(isinstance(a, Post) for a in actions) == 1 + MAX_FAILURES_PER_RUN
    assert sum(isinstance(a, NoteAttempt) for a in actions) == MAX_FAILURES_PER_RUN
    result = run.so_far()
    assert (result.sent, result.folded_back) == (1, 2)
    assert result.summary() == ("delivered 1 batch(es); 2 kept for the next upload with "
                                "the same batch id (last failure: HTTP 502)")
    assert f"{MAX_FAILURES_PER_RUN} failed attempts" in [
        a.line for a in actions if isinstance(a, Progress)][-1]


def test_failures_count_across_batches_in_one_run() -> None:
    # One failure on each of three batches spends the run's budget as well.
    run = started([batch(1), batch(2), batch(3)], jitter=lambda: 0.0)
    drive(run, always_admitted(), [status(503), ok(), status(503), ok(), status(503)])
    assert (run.so_far().sent, run.so_far().folded_back) == (2, 1)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 422])
def test_a_4xx_drops_the_batch_and_the_run_goes_on(code: int) -> None:
    run = started([batch(1), batch(2)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(code), ok()])
    assert [type(a).__name__ for a in effects(actions)] == [
        "Admit", "Post", "Drop", "Admit", "Post", "Delete", "Done"]
    assert (run.so_far().sent, run.so_far().dropped) == (1, 1)
    assert "rejected by the endpoint" in run.so_far().summary()


@pytest.mark.parametrize("code", [408, 429, 500, 503, 529, 301, 100])
def test_other_statuses_are_retried(code: int) -> None:
    run = started([batch(1)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(code), ok()])
    assert sum(isinstance(a, Post) for a in actions) == 2 and run.so_far().sent == 1


def test_refused_while_counting_keeps_what_is_left() -> None:
    run = started([batch(1), batch(2)], jitter=lambda: 0.0)
    actions = drive(run, [Admitted(), Refused("the build became a dev build", True)],
                    [ok()])
    assert not any(isinstance(a, Drop) for a in actions)
    assert (run.so_far().sent, run.so_far().folded_back) == (1, 1)
    assert run.so_far().stopped == "the build became a dev build"
    assert "1 batch(es) kept" in [a.line for a in actions if isinstance(a, Progress)][-1]


def test_refused_by_an_opt_out_says_the_rest_is_deleted_not_kept() -> None:
    run = started([batch(1), batch(2)], jitter=lambda: 0.0)
    actions = drive(run, [Refused("metrics are being turned off", False)], [])
    assert not any(isinstance(a, Post) for a in actions)
    assert run.so_far().folded_back == 0 and run.so_far().stopped
    assert "deleted, not sent" in [a.line for a in actions if isinstance(a, Progress)][-1]


def test_an_empty_outbox_is_done_at_once() -> None:
    run = started([], jitter=lambda: 0.0)
    done = run.next_action()
    assert isinstance(done, Done) and done.result.skipped == NOTHING_WAITING


def test_only_todays_counts_waiting_says_not_yet() -> None:
    run = started([], jitter=lambda: 0.0, held_today=True)
    done = run.next_action()
    assert isinstance(done, Done) and done.result.skipped == NOTHING_YET


def test_consent_refusing_before_sealing_ends_the_run_with_its_sentence() -> None:
    run = UploadRun(HOST, now=NOW, jitter=lambda: 0.0)
    assert isinstance(run.next_action(), Prepare)
    run.send(Refused("metrics are off: nothing is counted or uploaded", False))
    done = run.next_action()
    assert isinstance(done, Done)
    assert done.result == UploadResult(skipped="metrics are off: nothing is counted or "
                                               "uploaded")


def test_expired_batches_are_dropped_on_the_runs_day_before_anything_is_sent() -> None:
    """The run decides expiry from what was prepared (the shell only deletes)."""
    old = Batch(batch_id="00000000-0000-4000-8000-000000000099", created=0,
                daemon_version="1.2.0", client_version="app/1.0", period_from="2026-10-01",
                period_to="2026-10-01", attempts=0, facts={TURNS: 1})
    run = started([old, batch(1)], jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok()])
    assert [type(a).__name__ for a in effects(actions)] == [
        "Drop", "Admit", "Post", "Delete", "Done"]
    assert effects(actions)[0] == Drop((old.batch_id,), "2026-12-02")
    warning = next(a for a in actions if isinstance(a, Progress))
    assert warning.warning and "dropped 1 batch(es)" in warning.line


def test_events_out_of_turn_put_the_run_in_its_error_state_for_good() -> None:
    run = UploadRun(HOST, now=NOW, jitter=lambda: 0.0)
    with pytest.raises(UploadProtocolError):
        run.send(Prepared((), False))  # Prepare was not asked for yet
    with pytest.raises(UploadProtocolError, match="error"):
        run.next_action()  # ERROR: nothing more is decided
    run = started([batch(1)], jitter=lambda: 0.0)
    assert isinstance(run.next_action(), Admit)
    with pytest.raises(UploadProtocolError):
        run.next_action()  # the Admit is not answered
    with pytest.raises(UploadProtocolError):
        run.send(Admitted())  # too late: the run is in error
    run = started([batch(1)], jitter=lambda: 0.0)
    assert isinstance(run.next_action(), Admit)
    with pytest.raises(UploadProtocolError):
        run.send(ok())  # an answer to a Post, not to an Admit
    run = started([batch(1)], jitter=lambda: 0.0)
    assert isinstance(run.next_action(), Admit)
    run.send(Admitted())
    assert isinstance(run.next_action(), Post)
    with pytest.raises(UploadProtocolError):
        run.send(Admitted())


def test_the_result_is_immutable_and_only_done_carries_the_final_one() -> None:
    run = started([batch(1), batch(2)], jitter=lambda: 0.0)
    assert isinstance(run.next_action(), Admit)
    run.send(Admitted())
    assert isinstance(run.next_action(), Post)
    run.send(ok())
    early = run.so_far()
    assert early.sent == 1  # an interrupted caller can say what was sent
    with pytest.raises(AttributeError):
        early.sent = 5  # type: ignore[misc]
    actions = drive(run, always_admitted(), [ok()])
    done = actions[-1]
    assert isinstance(done, Done) and done.result.sent == 2
    assert early.sent == 1  # what the caller held did not change under it
