"""Hostile input: property-based tests of the decoder and the classifier, plus the nasty
cases by name, and a real daemon that keeps serving after every one of them.

Properties checked for arbitrary bytes and arbitrary MessagePack values:
* nothing raises out of :class:`Session.receive` (an exception there would end the
  connection's task, and through the nursery the daemon);
* every reply is a documented reply (docs/PROTOCOL.md), with a listed error code;
* no client string reaches a reply or a counted label (a marker string planted in every
  string the client sends never appears in either);
* how the bytes are split into reads changes nothing.
"""

from __future__ import annotations

import math
import socket
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricsd.core.counts import Tally, flatten
from metricsd.core.facts import is_allowed, is_rendered_version
from metricsd.core.protocol import (
    ANSWER_SNAPSHOT,
    ANSWER_STATUS,
    CLOSE,
    COMMIT_SOON,
    AckAfterCommit,
    Gate,
    Send,
    Session,
)
from metricsd.core.wire import ERROR_CODES, MALFORMED, MAX_MESSAGE_BYTES, NOT_A_MAP, TOO_LARGE
from tests.conftest import DaemonFactory, Home

MARKER = "Zq7SECRETmarker"
REPLY_TYPES = {"ack", "pong", "snapshot", "status", "error"}
MESSAGE_TYPES = ["hello", "turn", "usage", "provider_error", "tool_result", "compaction",
                 "sync", "ping", "snapshot", "no_such_type"]
FIELDS = ["proto", "client_version", "finish_reason", "empty_final", "cache_hit_tokens",
          "cache_miss_tokens", "message", "status", "error", "id", "type"]

# --- strategies ------------------------------------------------------------------------

marked_text = st.text(max_size=40).map(lambda s: s + MARKER)
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    marked_text, st.binary(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(marked_text, inner, max_size=4)),
    max_leaves=12,
)
messages = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(MESSAGE_TYPES), values)},
    optional={f: st.one_of(values, st.sampled_from([0, 1, 2**64 - 1, -1, "1.2.3-rc.4",
                                                    "status 503", "timeout"]))
              for f in FIELDS if f != "type"})
packed = st.lists(messages, min_size=1, max_size=8).map(
    lambda ms: b"".join(msgpack.packb(m, use_bin_type=True) for m in ms))


def run(chunks: list[bytes], *, counting: bool = True) -> tuple[list[Any], Tally]:
    tally = Tally()
    session = Session(tally, (Gate.open() if counting else Gate()))
    actions: list[Any] = []
    for chunk in chunks:
        actions += session.receive(chunk)
    return actions, tally


def check_actions(actions: list[Any]) -> None:
    for i, action in enumerate(actions):
        if isinstance(action, Send):
            assert MARKER.encode() not in action.data
            reply = msgpack.unpackb(action.data, raw=False)
            assert reply["type"] in REPLY_TYPES
            if reply["type"] == "error":
                assert reply["code"] in ERROR_CODES
                assert isinstance(reply["detail"], str)
        elif action is CLOSE:
            assert i == len(actions) - 1, "CLOSE must be the last action"
        else:
            assert action in (ANSWER_SNAPSHOT, ANSWER_STATUS, COMMIT_SOON) or type(
                action) is AckAfterCommit


def check_tally(tally: Tally) -> None:
    for (_dev, client_version), facts in tally.take().items():
        assert is_rendered_version(client_version)
        assert MARKER not in client_version
        for (counter, label), n in facts.items():
            assert is_allowed(counter, label), (counter, label)
            assert n > 0


def splits(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for p in [*points, len(data)]:
        out.append(data[last:p])
        last = p
    return out


# --- properties ------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise_and_reply_only_within_the_spec(data: bytes) -> None:
    actions, tally = run([data])
    check_actions(actions)
    check_tally(tally)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(packed, st.lists(st.integers(min_value=0), max_size=6), st.booleans())
def test_arbitrary_messages_are_classified_safely_whatever_the_split(
        data: bytes, cuts: list[int], counting: bool) -> None:
    whole, whole_tally = run([data], counting=counting)
    parts, part_tally = run(splits(data, cuts), counting=counting)
    check_actions(whole)
    # CommitSoon is a scheduling hint (once per receive): compare everything else.
    assert [a for a in whole if a is not COMMIT_SOON] == [
        a for a in parts if a is not COMMIT_SOON]
    assert flatten(whole_tally.peek()) == flatten(part_tally.peek())
    check_tally(whole_tally)
    if not counting:
        assert not flatten(part_tally.peek())


@settings(max_examples=100, deadline=None)
@given(values)
def test_any_value_in_any_field_of_any_type(value: Any) -> None:
    for msg_type in MESSAGE_TYPES:
        for field in FIELDS:
            actions, tally = run([msgpack.packb({"type": msg_type, field: value},
                                                use_bin_type=True)])
            check_actions(actions)
            check_tally(tally)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), packed)
def test_garbage_after_good_messages_keeps_what_came_before(garbage: bytes,
                                                            good: bytes) -> None:
    """Everything received before a framing error still counts."""
    before, before_tally = run([good])
    actions, tally = run([good + garbage])
    check_actions(actions)
    assert actions[:len(before)] == before
    counted = flatten(tally.peek())
    for fact, n in flatten(before_tally.peek()).items():
        assert counted.get(fact, 0) >= n


# --- the named nasty cases --------------------------------------------------------------

def _error_code(actions: list[Any]) -> str | None:
    for a in actions:
        if isinstance(a, Send):
            reply = msgpack.unpackb(a.data, raw=False)
            if reply["type"] == "error":
                return str(reply["code"])
    return None


NASTY: dict[str, tuple[bytes, str | None, bool]] = {
    # name: (bytes, expected error code or None, connection closed)
    "deep nesting (arrays)": (b"\x91" * 100_000, MALFORMED, True),
    "deep nesting (maps)": (b"\x81\x01" * 100_000, MALFORMED, True),
    "array key in a map": (b"\x81\x91\x01\x01", MALFORMED, True),
    "map key in a map": (b"\x81\x81\x01\x01\x01", MALFORMED, True),
    "declared str32 of 4 GiB": (b"\xdb\xff\xff\xff\xff" + b"a" * (MAX_MESSAGE_BYTES + 1),
                                TOO_LARGE, True),
    "declared array32 of 4 G elements": (b"\xdd\xff\xff\xff\xff", TOO_LARGE, True),
    "declared map32 of 4 G pairs": (b"\xdf\xff\xff\xff\xff", TOO_LARGE, True),
    "declared bin32 of 4 GiB": (b"\xc6\xff\xff\xff\xff" + b"a" * (MAX_MESSAGE_BYTES + 1),
                                TOO_LARGE, True),
    "declared ext32 of 4 GiB": (b"\xc9\xff\xff\xff\xff\x01", TOO_LARGE, True),
    "a string over 16 KiB": (msgpack.packb({"type": "tool_result", "error": "x" * 20_000}),
                             TOO_LARGE, True),
    "a message over 64 KiB": (msgpack.packb({"type": "ping", "pad": ["x" * 1000] * 70}),
                              TOO_LARGE, True),
    "bad timestamp ext": (b"\xd4\xff\x01", MALFORMED, True),
    "ext as the message": (msgpack.packb(msgpack.ExtType(5, b"ab")), NOT_A_MAP, True),
    "ext as the type": (msgpack.packb({"type": msgpack.ExtType(5, b"ab")}), "invalid_event",
                        False),
    "timestamp as token count": (msgpack.packb({"type": "usage", "cache_hit_tokens":
                                                msgpack.Timestamp(1)}), "invalid_event",
                                 False),
    "invalid UTF-8 value": (b"\x81\xa4type\xa2\xff\xfe", MALFORMED, True),
    "invalid UTF-8 key": (b"\x81\xa2\xc3\x28\x01", MALFORMED, True),
    "reserved byte 0xc1": (b"\xc1", MALFORMED, True),
    "uint64 max token counts": (msgpack.packb({"type": "usage",
                                               "cache_hit_tokens": 2**64 - 1,
                                               "cache_miss_tokens": 2**64 - 1}), None, False),
    "negative token count": (msgpack.packb({"type": "usage", "cache_hit_tokens": -1,
                                            "cache_miss_tokens": 0}), "invalid_event", False),
    "NaN token count": (msgpack.packb({"type": "usage", "cache_hit_tokens": math.nan}),
                        "invalid_event", False),
    "inf token count": (msgpack.packb({"type": "usage", "cache_miss_tokens": math.inf}),
                        "invalid_event", False),
    "bool token count": (msgpack.packb({"type": "usage", "cache_hit_tokens": True}),
                         "invalid_event", False),
    "array as type": (msgpack.packb({"type": [1]}), "invalid_event", False),
    "map as type": (msgpack.packb({"type": {"a": 1}}), "invalid_event", False),
    "NaN as type": (msgpack.packb({"type": math.nan}), "invalid_event", False),
    "NaN as map key": (b"\x81\xcb\x7f\xf8" + b"\0" * 6 + b"\x01", "invalid_event", False),
    "uint64 max status": (msgpack.packb({"type": "provider_error", "message": "x",
                                         "status": 2**64 - 1}), None, False),
    "int64 min sync id": (msgpack.packb({"type": "sync", "id": -(2**63)}), None, False),
    "proto as uint64 max": (msgpack.packb({"type": "hello", "proto": 2**64 - 1}),
                            "unsupported_proto", True),
    "huge version numbers": (msgpack.packb({"type": "hello", "proto": 1,
                                            "client_version": "9" * 5000 + ".1.1"}),
                             None, False),
    "bytes as client version": (msgpack.packb({"type": "hello", "proto": 1,
                                               "client_version": b"1.2.3"},
                                              use_bin_type=True), None, False),
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_named_hostile_input(name: str) -> None:
    data, code, closed = NASTY[name]
    actions, tally = run([data])
    check_actions(actions)
    check_tally(tally)
    assert _error_code(actions) == code
    assert (CLOSE in actions) is closed
    # The same, one byte at a time (bounded work, same verdict).
    if len(data) < 5000:
        slow, _ = run([data[i:i + 1] for i in range(len(data))])
        assert _error_code(slow) == code


def raw_connection(home: Home, timeout: float = 10.0) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(str(home.socket))
    return s


def test_a_real_daemon_keeps_serving_after_every_hostile_input(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with d.client() as good:
        good.hello("1.0.0")
        for name in sorted(NASTY):
            data = NASTY[name][0]
            with raw_connection(home) as bad:
                try:
                    bad.sendall(data + msgpack.packb({"type": "ping"}))
                    bad.recv(65536)  # its verdict (or EOF); either way the daemon goes on
                except OSError:
                    pass
            good.turn("stop")
            assert good.ping()["type"] == "pong", name
        good.sync()
        snap = good.snapshot()
    assert snap["counts"]["turns"] == len(NASTY)
    assert d.proc.poll() is None
    assert d.stop() == 0
    assert "Traceback" not in d.stderr
    assert MARKER not in d.stderr
