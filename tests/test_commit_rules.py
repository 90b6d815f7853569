"""The committer's rules (metricsd.core.committing), pure: no database, no trio."""

from __future__ import annotations

from metricsd.core.committing import (
    EGRESS_RETRY_SECONDS,
    ERROR,
    FORGET_EVERY_SECONDS,
    INFO,
    WARNING,
    CommitRules,
    Discard,
    Nothing,
    Purge,
    Write,
)
from metricsd.core.consent import CLOSED, ConfigFile, Decision
from metricsd.core.retry import STORAGE_RETRY_MAX
from metricsd.core.streams import FORGET_AFTER_SECONDS

ON = Decision(ConfigFile(opted_in=True), None, False)
VETOED = Decision(ConfigFile(opted_in=True), "DO_NOT_TRACK is set", False)
NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def test_the_stored_counts_are_purged_once_per_opt_out() -> None:
    rules = CommitRules()
    assert rules.plan(CLOSED, has_work=True, now=NOW) == Purge()
    assert rules.plan(CLOSED, has_work=True, now=NOW) == Purge()  # not done yet: again
    rules.done(Purge())
    assert rules.plan(CLOSED, has_work=True, now=NOW) == Discard()
    assert rules.plan(VETOED, has_work=False, now=NOW) == Discard()
    # On again, then off again: a new opt-out, a new purge.
    assert isinstance(rules.plan(ON, has_work=True, now=NOW), Write)
    assert rules.plan(VETOED, has_work=True, now=NOW) == Purge()


def test_nothing_is_written_when_there_is_nothing() -> None:
    assert CommitRules().plan(ON, has_work=False, now=NOW) == Nothing()


def test_a_write_is_dated_by_the_utc_day_of_the_commit() -> None:
    plan = CommitRules().plan(ON, has_work=True, now=NOW + 16 * 3600 - 1)
    assert isinstance(plan, Write)
    assert (plan.day, plan.seen) == ("2027-01-15", int(NOW) + 16 * 3600 - 1)
    later = CommitRules().plan(ON, has_work=True, now=NOW + 16 * 3600)
    assert isinstance(later, Write) and later.day == "2027-01-16"


def test_old_streams_are_forgotten_hourly_and_only_once_a_write_succeeded() -> None:
    rules = CommitRules()
    first = rules.plan(ON, has_work=True, now=NOW)
    assert first == Write("2027-01-15", int(NOW), int(NOW - FORGET_AFTER_SECONDS))
    # The write failed (no done): the next one forgets again.
    assert rules.plan(ON, has_work=True, now=NOW + 1) == Write(
        "2027-01-15", int(NOW) + 1, int(NOW + 1 - FORGET_AFTER_SECONDS))
    rules.done(first)
    within = rules.plan(ON, has_work=True, now=NOW + FORGET_EVERY_SECONDS - 1)
    assert isinstance(within, Write) and within.forget_before is None
    after = rules.plan(ON, has_work=True, now=NOW + FORGET_EVERY_SECONDS)
    assert isinstance(after, Write) and after.forget_before is not None


def test_a_storage_fault_is_said_once_and_backs_off_to_the_cap() -> None:
    rules = CommitRules()
    retries = [rules.faulted("OperationalError: database or disk is full") for _ in range(12)]
    said = [r.say for r in retries if r.say is not None]
    assert len(said) == 1 and said[0].level == ERROR
    assert "database or disk is full" in said[0].text
    delays = [r.delay for r in retries]
    assert delays == sorted(delays) and delays[0] < delays[1]
    assert delays[-1] == STORAGE_RETRY_MAX
    # Another fault is a new line; success says it is over, and the next fault is new.
    assert rules.faulted("OSError: Read-only file system").say is not None
    assert [s.text for s in rules.done(Nothing())] == ["commits succeed again"]
    assert rules.failures == 0
    again = rules.faulted("OSError: Read-only file system")
    assert again.say is not None and again.delay == delays[0]
    assert rules.done(Nothing())[0].level == INFO
    assert rules.done(Nothing()) == ()


def test_a_held_egress_lock_is_said_once_and_retried_quickly() -> None:
    rules = CommitRules()
    first, second = rules.busy(), rules.busy()
    assert first.say is not None and first.say.level == WARNING
    assert second.say is None
    assert first.delay == second.delay == EGRESS_RETRY_SECONDS
    assert rules.lock_busy
    assert [s.text for s in rules.done(Nothing())] == ["egress.lock was released: commits go on"]
    assert not rules.lock_busy


def test_a_failed_final_commit_is_an_error_only_when_something_is_lost() -> None:
    lost = CommitRules.final_failed("OSError: I/O error", 3, False)
    assert lost.level == ERROR and "3 uncommitted facts lost" in lost.text
    assert CommitRules.final_failed("OSError: I/O error", 0, True).level == ERROR
    assert CommitRules.final_failed("OSError: I/O error", 0, False).level == INFO
