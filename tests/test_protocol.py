"""The sans-IO session (SPEC sections 4 and 5): validation, counting, replies, closing."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from metricsd import __version__
from metricsd.core.counts import Tally, counts_body, flatten, health_body
from metricsd.core.protocol import CLOSE, SNAPSHOT, Action, Gate, Session, Sync


def pack(*values: Any) -> bytes:
    return b"".join(bytes(msgpack.packb(v, use_bin_type=True)) for v in values)


def replies(actions: list[Action]) -> list[Any]:
    """Decode byte actions; keep the others as they are."""
    return [msgpack.unpackb(a) if isinstance(a, bytes) else a for a in actions]


def session(counting: bool = True) -> tuple[Session, Tally]:
    tally = Tally()
    return Session(tally, Gate(counting=counting)), tally


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
    assert actions == []
    assert counts(t) == {
        "turns": 2, "finish_reason": {"stop": 1, "none": 1}, "empty_final": 1,
        "cache_hit": {"none": 1, "90-99": 1},
        "provider_error": {"rate_limit": 1, "network": 1},
        "tool_error": {"exit_nonzero": 1}, "compaction": 1,
    }
    assert s.wants_commit  # a turn asks for a commit


def test_sync_ping_snapshot_actions_in_order() -> None:
    s, _ = session()
    actions = replies(s.receive(pack({"type": "ping"}, {"type": "sync", "id": 42},
                                     {"type": "snapshot"})))
    assert actions == [{"type": "pong", "proto": 1, "version": __version__}, Sync(42),
                       SNAPSHOT]
    assert s.wants_commit


def test_ping_and_sync_answer_even_when_opted_out() -> None:
    s, t = session(counting=False)
    actions = replies(s.receive(pack({"type": "turn", "finish_reason": "stop"},
                                     {"type": "bogus"}, {"type": "ping"},
                                     {"type": "sync", "id": 1})))
    assert actions[0]["type"] == "pong" and actions[1] == Sync(1)
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
    {"type": "provider_error", "message": "x", "status": 429.0},
    {"type": "tool_result", "error": ["list"]},
    {"type": "tool_result", "error": b"bytes"},
    {"type": "sync", "id": "1"},
    {"type": "sync"},
    {"type": "hello", "proto": "1"},
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
    gate = Gate(counting=True)
    a, b, c = Session(tally, gate), Session(tally, gate), Session(tally, gate)
    a.receive(pack({"type": "hello", "proto": 1, "client_version": "1.4.0"},
                   {"type": "compaction"}))
    b.receive(pack({"type": "hello", "proto": 1, "client_version": "nightly secret"},
                   {"type": "compaction"}))
    c.receive(pack({"type": "compaction"}))  # no hello
    groups = tally.peek()
    assert set(groups) == {"1.4.0", "unknown"}
    assert groups["1.4.0"] == {("compaction", ""): 1}
    assert groups["unknown"] == {("compaction", ""): 2}


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
    gate = Gate(counting=True)
    s = Session(tally, gate)
    s.receive(pack({"type": "compaction"}))
    gate.counting = False
    s.receive(pack({"type": "compaction"}, {"type": "nope"}, {"type": "turn", "x": 1}))
    assert counts_body(flatten(tally.peek())) == {"compaction": 1}


def test_tally_take_resets_and_merge_restores() -> None:
    s, t = session()
    s.receive(pack({"type": "compaction"}, {"type": "compaction"}))
    taken = t.take()
    assert taken == {"unknown": {("compaction", ""): 2}}
    assert not t and t.peek() == {}
    s.receive(pack({"type": "compaction"}))  # the session's bucket still works after take
    t.merge(taken)
    assert t.peek() == {"unknown": {("compaction", ""): 3}}
