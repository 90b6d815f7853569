"""The upload run's state machine (metricsd.core.uploading), driven without any I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

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
    Progress,
    Refused,
    Responded,
    Sleep,
    UploadProtocolError,
    UploadRun,
)

HOST = Host("linux", "x86_64")
NOW = 1_800_000_000.0


def batch(n: int) -> Batch:
    return Batch(batch_id=f"00000000-0000-4000-8000-{n:012d}", created=int(NOW) - n,
                 daemon_version="1.2.0", client_version="app/1.0",
                 period_from="2026-12-01", period_to="2026-12-01", attempts=0,
                 facts={TURNS: n + 1})


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
    run = UploadRun(batches, HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok(), ok()])
    a, b = (x.batch_id for x in batches)
    assert [(type(x).__name__, getattr(x, "batch_id", None)) for x in effects(actions)] == [
        ("Admit", a), ("Post", a), ("Delete", a), ("Admit", b), ("Post", b), ("Delete", b),
        ("Done", None)]
    result = run.result
    assert (result.sent, result.folded_back, result.dropped) == (2, 0, 0)
    assert result.delivered_all and result.summary() == "delivered 2 batch(es)"


def test_the_body_is_the_one_show_prints() -> None:
    b = batch(3)
    run = UploadRun([b], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok()])
    post = next(a for a in actions if isinstance(a, Post))
    assert post.batch_id == b.batch_id
    # show renders the outbox with the same body_of; the body carries the batch id.
    assert json.loads(post.body) == body_of(b, HOST)
    assert json.loads(post.body)["batch_id"] == b.batch_id
    assert json.loads(post.body)["counts"]["turns"] == 4


def test_consent_is_asked_before_every_attempt_retries_included() -> None:
    run = UploadRun([batch(1)], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(503), status(503), ok()])
    kinds = [type(a).__name__ for a in effects(actions)]
    assert kinds == ["Admit", "Post", "NoteAttempt", "Sleep", "Admit", "Post", "NoteAttempt",
                     "Sleep", "Admit", "Post", "Delete", "Done"]


def test_a_retry_reuses_the_batch_id_and_the_body() -> None:
    run = UploadRun([batch(1)], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(500), ok()])
    posts = [a for a in actions if isinstance(a, Post)]
    assert len(posts) == 2 and posts[0] == posts[1]


def test_backoff_is_exponential_with_the_drawn_jitter() -> None:
    draws = iter([0.5, 0.25])
    run = UploadRun([batch(1)], HOST, jitter=lambda: next(draws))
    actions = drive(run, always_admitted(), [Failed("timed out"), status(429), ok()])
    assert [a.seconds for a in actions if isinstance(a, Sleep)] == [1.5, 2.5]
    assert run.result.failures == ["timed out", "HTTP 429"]


def test_retry_after_is_honoured_exactly() -> None:
    run = UploadRun([batch(1)], HOST, jitter=lambda: 0.9)
    actions = drive(run, always_admitted(), [status(503, "7"), ok()])
    assert [a.seconds for a in actions if isinstance(a, Sleep)] == [7.0]


def test_too_long_a_retry_after_ends_the_run_and_keeps_every_batch() -> None:
    run = UploadRun([batch(1), batch(2)], HOST, jitter=lambda: 0.0)
    too_long = str(int(MAX_RETRY_AFTER_SECONDS) + 1)
    actions = drive(run, always_admitted(), [status(429, too_long)])
    assert not any(isinstance(a, Sleep | Delete | Drop) for a in actions)
    assert run.result.folded_back == 2 and not run.result.delivered_all
    line = [a.line for a in actions if isinstance(a, Progress)][-1]
    assert "Retry-After" in line and "2 batch(es) kept" in line


def test_three_failures_end_the_run_with_the_rest_kept_for_the_next_run() -> None:
    run = UploadRun([batch(1), batch(2), batch(3)], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [ok()] + [status(502)] * MAX_FAILURES_PER_RUN)
    assert sum(isinstance(a, Post) for a in actions) == 1 + MAX_FAILURES_PER_RUN
    assert sum(isinstance(a, NoteAttempt) for a in actions) == MAX_FAILURES_PER_RUN
    result = run.result
    assert (result.sent, result.folded_back) == (1, 2)
    assert result.summary() == ("delivered 1 batch(es); 2 kept for the next upload with "
                                "the same batch id (last failure: HTTP 502)")
    assert f"{MAX_FAILURES_PER_RUN} failed attempts" in [
        a.line for a in actions if isinstance(a, Progress)][-1]


def test_failures_count_across_batches_in_one_run() -> None:
    # One failure on each of three batches spends the run's budget as well.
    run = UploadRun([batch(1), batch(2), batch(3)], HOST, jitter=lambda: 0.0)
    drive(run, always_admitted(), [status(503), ok(), status(503), ok(), status(503)])
    assert (run.result.sent, run.result.folded_back) == (2, 1)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 413, 422])
def test_a_4xx_drops_the_batch_and_the_run_goes_on(code: int) -> None:
    run = UploadRun([batch(1), batch(2)], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(code), ok()])
    assert [type(a).__name__ for a in effects(actions)] == [
        "Admit", "Post", "Drop", "Admit", "Post", "Delete", "Done"]
    assert (run.result.sent, run.result.dropped) == (1, 1)
    assert "rejected by the endpoint" in run.result.summary()


@pytest.mark.parametrize("code", [408, 429, 500, 503, 529, 301, 100])
def test_other_statuses_are_retried(code: int) -> None:
    run = UploadRun([batch(1)], HOST, jitter=lambda: 0.0)
    actions = drive(run, always_admitted(), [status(code), ok()])
    assert sum(isinstance(a, Post) for a in actions) == 2 and run.result.sent == 1


def test_refused_while_counting_keeps_what_is_left() -> None:
    run = UploadRun([batch(1), batch(2)], HOST, jitter=lambda: 0.0)
    actions = drive(run, [Admitted(), Refused("the build became a dev build", True)],
                    [ok()])
    assert not any(isinstance(a, Drop) for a in actions)
    assert (run.result.sent, run.result.folded_back) == (1, 1)
    assert run.result.stopped == "the build became a dev build"
    assert "1 batch(es) kept" in [a.line for a in actions if isinstance(a, Progress)][-1]


def test_refused_by_an_opt_out_says_the_rest_is_deleted_not_kept() -> None:
    run = UploadRun([batch(1), batch(2)], HOST, jitter=lambda: 0.0)
    actions = drive(run, [Refused("metrics are being turned off", False)], [])
    assert not any(isinstance(a, Post) for a in actions)
    assert run.result.folded_back == 0 and run.result.stopped
    assert "deleted, not sent" in [a.line for a in actions if isinstance(a, Progress)][-1]


def test_an_empty_outbox_is_done_at_once() -> None:
    run = UploadRun([], HOST, jitter=lambda: 0.0)
    assert run.next_action() == Done(run.result)
    assert run.result.skipped == NOTHING_WAITING


def test_answers_out_of_turn_are_refused() -> None:
    run = UploadRun([batch(1)], HOST, jitter=lambda: 0.0)
    with pytest.raises(UploadProtocolError):
        run.send(ok())  # nothing was posted yet
    assert isinstance(run.next_action(), Admit)
    with pytest.raises(UploadProtocolError):
        run.next_action()  # the Admit is not answered
    with pytest.raises(UploadProtocolError):
        run.send(ok())  # an answer to a Post, not to an Admit
    run.send(Admitted())
    assert isinstance(run.next_action(), Post)
    with pytest.raises(UploadProtocolError):
        run.send(Admitted())


def test_the_result_object_passed_in_is_filled_as_the_run_goes() -> None:
    from metricsd.core.uploading import UploadResult

    result = UploadResult()
    run = UploadRun([batch(1), batch(2)], HOST, jitter=lambda: 0.0, result=result)
    assert isinstance(run.next_action(), Admit)
    run.send(Admitted())
    assert isinstance(run.next_action(), Post)
    run.send(ok())
    assert result.sent == 1  # before the run is over
