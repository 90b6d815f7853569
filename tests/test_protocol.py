"""The sans-IO session (docs/PROTOCOL.md): validation, counting, typed events, closing."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from metricsd import __version__
from metricsd.core.consent import CLOSED
from metricsd.core.counts import MAX_CLIENT_VERSIONS, Tally, counts_body, flatten, health_body
from metricsd.core.protocol import (
    ANSWER_SNAPSHOT,
    ANSWER_STATUS,
    CLOSE,
    COMMIT_SOON,
    AckAfterCommit,
    Event,
    Gate,
    Send,
    Session,
)


def pack(*values: Any) -> bytes:
    return b"".join(bytes(msgpack.packb(v, use_bin_type=True)) for v in values)


def replies(events: list[Event]) -> list[Any]:
    """Decode Send events; keep the others as they are, except CommitSoon."""
    return [msgpack.unpackb(e.data) if isinstance(e, Send) else e for e in events
            if e is not COMMIT_SOON]


def session(counting: bool = True) -> tuple[Session, Tally]:
    tally = Tally()
    return Session(tally, (Gate.open() if counting else Gate())), tally


def counts(tally: Tally) -> dict[str, Any]:
    return counts_body(flatten(tally.peek()))


def health(tally: Tally) -> dict[str, int]:
    return health_body(flatten(tally.peek()))


def test_each_event_type_counts_its_facts() -> None:
    s, t = session()
    actions = s.receive(pack(
        {"type": "turn", "finish_reason": "stop", "empty_final": False},
        {"type": "turn", "finish_reason": None, "empty_final": True},
        {"type": "usage", "cache_hit_tokens": 95, "cache_miss_tokens": 5},
        {"type": "usage", "cache_hit_tokens": 0, "cache_miss_tokens": 0},
        {"type": "provider_error", "message": "boom", "status": 429},
        {"type": "provider_error", "message": "connection refused"},
        {"type": "tool_result", "error": "exit status 2"},
        {"type": "tool_result", "error": None},
        {"type": "tool_result"},
        {"type": "tool_result", "error": ""},
        {"type": "compaction"},
    ))
    assert actions == [COMMIT_SOON]  # a turn asks for a commit, once per receive
    assert counts(t) == {
        "turns": 2, "finish_reason": {"stop": 1, "none": 1}, "empty_final": 1,
        "cache_hit": {"none": 1, "95-98": 1},
        "provider_error": {"rate_limit": 1, "network": 1},
        "tool_error": {"exit_nonzero": 1}, "compaction": 1,
    }


def test_sync_ping_snapshot_status_events_in_order() -> None:
    s, _ = session()
    actions = replies(s.receive(pack({"type": "ping"}, {"type": "sync", "id": 42},
                                     {"type": "snapshot"}, {"type": "status"})))
    assert actions == [{"type": "pong", "proto": 1, "version": __version__},
                       AckAfterCommit(42), ANSWER_SNAPSHOT, ANSWER_STATUS]


def test_ping_and_sync_answer_even_when_opted_out() -> None:
    s, t = session(counting=False)
    actions = replies(s.receive(pack({"type": "turn", "finish_reason": "stop"},
                                     {"type": "bogus"}, {"type": "ping"},
                                     {"type": "sync", "id": 1})))
    assert actions[0]["type"] == "pong" and actions[1] == AckAfterCommit(1)
    assert counts(t) == {} and not t


def test_unknown_type_is_ignored_counted_and_not_answered() -> None:
    s, t = session()
    actions = s.receive(pack({"type": "future_event", "x": "secret"}, {"type": "compaction"}))
    assert actions == []
    assert health(t)["unknown_events"] == 1
    assert counts(t) == {"compaction": 1}


@pytest.mark.parametrize("msg", [
    {"type": "turn", "finish_reason": 3},
    {"type": "turn", "finish_reason": "stop", "empty_final": "yes"},
    {"type": "turn", "finish_reason": "stop", "empty_final": 1},
    {"type": "usage", "cache_hit_tokens": -1, "cache_miss_tokens": 0},
    {"type": "usage", "cache_hit_tokens": 1, "cache_miss_tokens": "2"},
    {"type": "usage", "cache_hit_tokens": 1.5, "cache_miss_tokens": 0},
    {"type": "usage", "cache_hit_tokens": True, "cache_miss_tokens": 0},
    {"type": "usage", "cache_hit_tokens": float("nan"), "cache_miss_tokens": 0},
    {"type": "provider_error", "message": 5},
    {"type": "provider_error", "message": "x", "status": "429"},
    {"type": "provider_error", "message": "x", "status": 429.5},
    {"type": "provider_error", "message": "x", "status": float("inf")},
    {"type": "tool_result", "error": ["list"]},
    {"type": "tool_result", "error": 1.0},
    {"type": "turn", "empty_final": 0.0},
    {"type": "sync", "id": 1.25},
    {"type": "sync", "id": "1"},
    {"type": "sync"},
    {"type": "sync", "id": None},
    {"type": "hello", "proto": "1"},
    {"type": "hello"},
    {"type": 7},
    {"no_type": True},
])
def test_wrong_field_types_get_invalid_event_and_the_connection_stays(msg: Any) -> None:
    s, t = session()
    actions = replies(s.receive(pack(msg, {"type": "compaction"}, {"type": "ping"})))
    assert actions[0]["type"] == "error" and actions[0]["code"] == "invalid_event"
    assert actions[1]["type"] == "pong"
    assert CLOSE not in actions and not s.closed
    assert counts(t) == {"compaction": 1}  # the bad event counted nothing
    assert health(t)["invalid_events"] == 1


def test_invalid_event_detail_never_echoes_client_text() -> None:
    s, _ = session()
    secret = "sk-SECRET-abc"
    actions = replies(s.receive(pack({"type": "turn", "finish_reason": 1, secret: secret},
                                     {"type": secret * 2, "finish_reason": secret})))
    assert len(actions) == 1
    assert secret not in repr(actions)


def test_hello_unsupported_proto_replies_and_closes() -> None:
    s, t = session()
    actions = replies(s.receive(pack({"type": "hello", "proto": 2}, {"type": "compaction"})))
    assert actions[0]["type"] == "error" and actions[0]["code"] == "unsupported_proto"
    assert actions[-1] is CLOSE and s.closed
    assert counts(t) == {}  # nothing after the close is read
    assert s.receive(pack({"type": "compaction"})) == []


def test_hello_client_version_groups_counts() -> None:
    tally = Tally()
    gate = Gate.open()
    a, b, c = Session(tally, gate), Session(tally, gate), Session(tally, gate)
    a.receive(pack({"type": "hello", "proto": 1, "client_version": "1.4.0"},
                   {"type": "compaction"}))
    b.receive(pack({"type": "hello", "proto": 1, "client_version": "nightly secret"},
                   {"type": "compaction"}))
    c.receive(pack({"type": "compaction"}))  # no hello
    groups = tally.peek()
    assert set(groups) == {(False, "1.4.0"), (False, "unknown")}
    assert groups[(False, "1.4.0")] == {("compaction", ""): 1}
    assert groups[(False, "unknown")] == {("compaction", ""): 2}


@pytest.mark.parametrize(("data", "code"), [
    (b"\xc1", "malformed"),
    (pack([1, 2, 3]), "not_a_map"),
    (pack({"type": "x", "s": "a" * (16 * 1024 + 1)}), "too_large"),
])
def test_framing_errors_reply_then_close_keeping_earlier_counts(data: bytes, code: str) -> None:
    s, t = session()
    actions = replies(s.receive(pack({"type": "compaction"}) + data + pack({"type": "turn"})))
    assert actions[0] == {"type": "error", "code": code, "detail": actions[0]["detail"]}
    assert actions[-1] is CLOSE and s.closed
    assert counts(t) == {"compaction": 1}


def test_gate_flip_stops_counting_immediately() -> None:
    tally = Tally()
    gate = Gate.open()
    s = Session(tally, gate)
    s.receive(pack({"type": "compaction"}))
    gate.take(CLOSED)  # metrics turned off
    s.receive(pack({"type": "compaction"}, {"type": "nope"}, {"type": "turn", "x": 1}))
    assert counts_body(flatten(tally.peek())) == {"compaction": 1}


def test_tally_take_resets_and_merge_restores() -> None:
    s, t = session()
    s.receive(pack({"type": "compaction"}, {"type": "compaction"}))
    taken = t.take()
    assert taken == {(False, "unknown"): {("compaction", ""): 2}}
    assert not t and t.peek() == {}
    s.receive(pack({"type": "compaction"}))  # the session's bucket still works after take
    t.merge(taken)
    assert t.peek() == {(False, "unknown"): {("compaction", ""): 3}}


# --- protocol v1.1: what real encoders send ------------------------------------------------

@pytest.mark.parametrize(("msg", "expected"), [
    # nil is the same as an absent field, in every field
    ({"type": "turn", "finish_reason": None, "empty_final": None},
     {"turns": 1, "finish_reason": {"none": 1}}),
    ({"type": "usage", "cache_hit_tokens": None, "cache_miss_tokens": 10},
     {"cache_hit": {"0": 1}}),
    ({"type": "usage", "cache_hit_tokens": 10, "cache_miss_tokens": None},
     {"cache_hit": {"100": 1}}),
    ({"type": "usage", "cache_hit_tokens": None, "cache_miss_tokens": None},
     {"cache_hit": {"none": 1}}),
    ({"type": "provider_error", "message": None, "status": None},
     {"provider_error": {"other": 1}}),
    ({"type": "provider_error", "message": "x", "status": None},
     {"provider_error": {"other": 1}}),
    ({"type": "tool_result", "error": None}, {}),
    # bin where a string is expected: decoded with replacement, used only to classify
    ({"type": "turn", "finish_reason": b"length"}, {"turns": 1, "finish_reason": {"length": 1}}),
    ({"type": "provider_error", "message": b"HTTP status 503 \xff"},
     {"provider_error": {"overloaded": 1}}),
    ({"type": "tool_result", "error": b"permission denied \xfe"},
     {"tool_error": {"permission": 1}}),
    # finite integral floats are integers
    ({"type": "usage", "cache_hit_tokens": 500.0, "cache_miss_tokens": 500.0},
     {"cache_hit": {"50-79": 1}}),
    ({"type": "provider_error", "message": "x", "status": 429.0},
     {"provider_error": {"rate_limit": 1}}),
])
def test_nil_bin_and_integral_floats_are_accepted(msg: Any, expected: dict[str, Any]) -> None:
    s, t = session()
    actions = replies(s.receive(pack(msg)))
    assert actions == []
    assert counts(t) == expected
    assert health(t)["invalid_events"] == 0


def test_sync_id_and_hello_proto_accept_integral_floats_and_bin_versions() -> None:
    tally = Tally()
    s = Session(tally, Gate.open())
    actions = replies(s.receive(pack(
        {"type": "hello", "proto": 1.0, "client_version": b"1.2.3"},
        {"type": "compaction"}, {"type": "sync", "id": 7.0})))
    assert actions == [AckAfterCommit(7)]
    assert set(tally.peek()) == {(False, "1.2.3")}


def test_dev_is_decided_when_counted_not_when_committed() -> None:
    tally = Tally()
    gate = Gate.open(dev=True)
    s = Session(tally, gate)
    s.receive(pack({"type": "compaction"}))
    gate.take(Gate.open().decision)  # the marker was removed before the commit
    s.receive(pack({"type": "turn", "finish_reason": "stop"}))
    groups = tally.take()
    assert groups[(True, "unknown")] == {("compaction", ""): 1}
    assert groups[(False, "unknown")] == {("turns", ""): 1, ("finish_reason", "stop"): 1}


def test_client_versions_are_capped_and_later_ones_count_as_unknown() -> None:
    tally = Tally()
    gate = Gate.open()
    for i in range(300):
        s = Session(tally, gate)
        s.receive(pack({"type": "hello", "proto": 1, "client_version": f"1.0.{i}"},
                       {"type": "compaction"}))
    groups = tally.peek()
    assert len(groups) == MAX_CLIENT_VERSIONS + 1  # 16 versions and "unknown"
    assert sum(f[("compaction", "")] for f in groups.values()) == 300
    assert groups[(False, "unknown")] == {("compaction", ""): 300 - MAX_CLIENT_VERSIONS}
    assert (False, "1.0.0") in groups and (False, "1.0.16") not in groups
