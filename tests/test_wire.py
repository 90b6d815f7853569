"""Sans-IO framing (SPEC section 4): limits and framing errors, byte for byte."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from metricsd.core.wire import (
    MALFORMED,
    MAX_MESSAGE_BYTES,
    MAX_STRING_BYTES,
    NOT_A_MAP,
    TOO_LARGE,
    Decoder,
    ack_reply,
    error_reply,
    pong_reply,
    snapshot_reply,
    status_reply,
)


def pack(value: Any) -> bytes:
    return bytes(msgpack.packb(value, use_bin_type=True))


def decode_all(data: bytes, chunk: int | None = None) -> tuple[list[Any], Decoder]:
    d = Decoder()
    out: list[Any] = []
    step = chunk or max(1, len(data))
    for i in range(0, len(data), step):
        d.feed(data[i:i + step])
        out.extend(d.messages())
    return out, d


def test_back_to_back_values_in_one_write() -> None:
    msgs = [{"type": "ping"}, {"type": "turn", "finish_reason": "stop"}, {"type": "x", "n": 1}]
    out, d = decode_all(b"".join(pack(m) for m in msgs))
    assert out == msgs and d.error is None and d.buffered == 0


def test_one_value_over_many_writes_byte_by_byte() -> None:
    msgs = [{"type": "usage", "cache_hit_tokens": 2**40, "cache_miss_tokens": 3}] * 3
    out, d = decode_all(b"".join(pack(m) for m in msgs), chunk=1)
    assert out == msgs and d.error is None


def test_partial_message_is_buffered_not_yielded() -> None:
    data = pack({"type": "ping", "pad": "x" * 100})
    d = Decoder()
    d.feed(data[:-1])
    assert list(d.messages()) == []
    assert d.buffered == len(data) - 1
    d.feed(data[-1:])
    assert list(d.messages()) == [{"type": "ping", "pad": "x" * 100}]


@pytest.mark.parametrize("data", [
    b"\xc1",                      # the one never-used MessagePack byte
    pack({"type": "a"})[:1] + b"\xc1",
    b"\x81\xa4type\xa3\xff\xfe\xfd",  # invalid UTF-8 in a str
])
def test_invalid_msgpack_is_malformed(data: bytes) -> None:
    good = pack({"type": "ping"})
    out, d = decode_all(good + data + good)
    assert out == [{"type": "ping"}]  # everything before still counts, nothing after
    assert d.error is not None and d.error.code == MALFORMED


def test_deep_nesting_is_malformed_not_a_crash() -> None:
    data = b"\x91" * 100_000 + b"\xc0"
    _, d = decode_all(data)
    assert d.error is not None and d.error.code in (MALFORMED, TOO_LARGE)


@pytest.mark.parametrize("value", [[1, 2], "str", 7, None, True, 1.5, b"bin"])
def test_non_map_values(value: Any) -> None:
    out, d = decode_all(pack({"type": "ping"}) + pack(value) + pack({"type": "ping"}))
    assert out == [{"type": "ping"}]
    assert d.error is not None and d.error.code == NOT_A_MAP


def test_message_over_64k_is_too_large() -> None:
    big = {"type": "x", "a": "y" * MAX_STRING_BYTES, "b": "y" * MAX_STRING_BYTES,
           "c": "y" * MAX_STRING_BYTES, "d": "y" * MAX_STRING_BYTES, "e": "z"}
    data = pack(big)
    assert len(data) > MAX_MESSAGE_BYTES
    out, d = decode_all(pack({"type": "ping"}) + data)
    assert out == [{"type": "ping"}]
    assert d.error is not None and d.error.code == TOO_LARGE


def test_message_of_exactly_the_limit_passes() -> None:
    base = pack({"type": "x", "pad": []})
    n = MAX_MESSAGE_BYTES - len(base) - 2  # array16 header grows by 2 bytes
    pad = [0] * n
    msg = {"type": "x", "pad": pad}
    data = pack(msg)
    assert len(data) == MAX_MESSAGE_BYTES
    out, d = decode_all(data, chunk=4096)
    assert d.error is None and out == [msg]
    pad.append(0)
    _, d = decode_all(pack(msg), chunk=4096)
    assert d.error is not None and d.error.code == TOO_LARGE


def test_string_over_16k_is_too_large_even_inside_a_small_message() -> None:
    ok = pack({"type": "x", "s": "a" * MAX_STRING_BYTES})
    out, d = decode_all(ok)
    assert d.error is None and len(out) == 1
    _, d = decode_all(pack({"type": "x", "s": "a" * (MAX_STRING_BYTES + 1)}))
    assert d.error is not None and d.error.code == TOO_LARGE


@pytest.mark.parametrize("header", [
    b"\x81\xa4type\xdb\xff\xff\xff\xff",  # str32 of 4 GiB declared
    b"\x81\xa4type\xc6\x7f\xff\xff\xff",  # bin32 of 2 GiB declared
    b"\xdd\x7f\xff\xff\xff",  # array32 of 2**31 elements declared
    b"\xdf\x7f\xff\xff\xff",  # map32 of 2**31 pairs declared
])
def test_huge_declared_length_allocates_nothing_and_fails_at_the_limit(header: bytes) -> None:
    d = Decoder()
    d.feed(header)
    assert list(d.messages()) == []
    fed = len(header)
    while d.error is None and fed < 10 * MAX_MESSAGE_BYTES:
        d.feed(b"\xc0" * 4096)
        fed += 4096
        assert list(d.messages()) == []
    assert d.error is not None and d.error.code == TOO_LARGE
    assert fed <= MAX_MESSAGE_BYTES + 4096 + len(header)


def test_incomplete_message_over_limit_is_too_large_and_buffer_is_bounded() -> None:
    d = Decoder()
    # An array of 100k nils, fed in pieces: never completes within 64 KiB.
    d.feed(b"\xdc\xff\xff")  # array16 of 65535 elements
    fed = 3
    while d.error is None and fed < 10 * MAX_MESSAGE_BYTES:
        d.feed(b"\xc0" * 4096)
        fed += 4096
        assert list(d.messages()) == []
    assert d.error is not None and d.error.code == TOO_LARGE
    assert fed <= MAX_MESSAGE_BYTES + 4096 + 3


def test_after_an_error_nothing_more_is_decoded() -> None:
    d = Decoder()
    d.feed(b"\xc1")
    assert list(d.messages()) == []
    d.feed(pack({"type": "ping"}))
    assert list(d.messages()) == []
    assert d.error is not None and d.error.code == MALFORMED


def test_replies_encode_as_the_spec_says() -> None:
    assert msgpack.unpackb(ack_reply(7)) == {"type": "ack", "id": 7}
    assert msgpack.unpackb(pong_reply("1.2.3")) == {"type": "pong", "proto": 1,
                                                     "version": "1.2.3"}
    health = {"invalid_events": 1, "unknown_events": 2, "dropped_batches": 0}
    assert msgpack.unpackb(snapshot_reply(True, False, {"turns": 1}, health)) == {
        "type": "snapshot", "enabled": True, "dev": False, "counts": {"turns": 1},
        "health": health}
    assert msgpack.unpackb(status_reply({"pid": 9, "enabled": False})) == {
        "type": "status", "pid": 9, "enabled": False}
    assert msgpack.unpackb(error_reply("malformed", "d")) == {
        "type": "error", "code": "malformed", "detail": "d"}
    with pytest.raises(AssertionError):
        error_reply("made_up", "d")
