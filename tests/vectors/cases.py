"""The readable source of the shared test vectors (``vectors.json``).

Each case is the bytes a client writes on one fresh connection and what the daemon must
do with them: the facts counted (as the snapshot ``counts`` object), the replies (each a
subset of a reply map, in order), whether it closes the connection, and the daemon's own
health counters.  Expectations are written by hand from the documented protocol and facts — they are
not computed by the code under test.  ``calls`` lists the client helper calls whose
encoding must be exactly these bytes (so every client library encodes alike).

Regenerate the JSON after editing: ``python -m tests.vectors.generate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgpack

STR_LIMIT = 16 * 1024  # the wire limits; asserted against metricsd.core.wire by the tests
MESSAGE_LIMIT = 64 * 1024


def m(**fields: Any) -> bytes:
    """One message, encoded the way every client must encode it (keys in this order)."""
    return bytes(msgpack.packb(fields, use_bin_type=True))


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    data: bytes
    counts: dict[str, Any] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False
    #: False when the bytes end inside a message (nothing may be appended).
    complete: bool = True
    health: dict[str, int] = field(default_factory=dict)
    calls: list[list[Any]] | None = None


def _err(code: str) -> dict[str, Any]:
    return {"type": "error", "code": code}


def _turn(reason: str | None, empty: bool = False) -> bytes:
    return m(type="turn", finish_reason=reason, empty_final=empty)


def _pe(message: str, status: int | None = None) -> bytes:
    return m(type="provider_error", message=message) if status is None else m(
        type="provider_error", message=message, status=status)


def _tool(error: str | None) -> bytes:
    return m(type="tool_result", error=error)


EVENTS: list[Case] = [
    Case("hello", "handshake with an application version", m(
        type="hello", proto=1, client_version="1.4.0"), calls=[["hello", ["1.4.0"]]]),
    Case("hello_bare", "handshake without a version", m(type="hello", proto=1),
         calls=[["hello", []]]),
    Case("turn_stop", "a turn that ended normally", _turn("stop"),
         {"turns": 1, "finish_reason": {"stop": 1}}, calls=[["turn", ["stop", False]]]),
    Case("turn_tool_calls", "a turn whose last call asked for tools", _turn("tool_calls"),
         {"turns": 1, "finish_reason": {"tool_calls": 1}},
         calls=[["turn", ["tool_calls", False]]]),
    Case("turn_nil_empty", "nil finish reason and an empty final message", _turn(None, True),
         {"turns": 1, "finish_reason": {"none": 1}, "empty_final": 1},
         calls=[["turn", [None, True]]]),
    Case("turn_empty_reason", "an empty finish reason counts as none", _turn(""),
         {"turns": 1, "finish_reason": {"none": 1}}, calls=[["turn", ["", False]]]),
    Case("turn_unknown_reason", "a finish reason off the list is other", _turn("pause_turn"),
         {"turns": 1, "finish_reason": {"other": 1}}, calls=[["turn", ["pause_turn", False]]]),
    Case("turn_minimal", "empty_final may be absent (false)",
         m(type="turn", finish_reason="length"),
         {"turns": 1, "finish_reason": {"length": 1}}),
    Case("usage_none", "no tokens at all", m(type="usage", cache_hit_tokens=0, cache_miss_tokens=0),
         {"cache_hit": {"none": 1}}, calls=[["usage", [0, 0]]]),
    Case("usage_0", "no hit", m(type="usage", cache_hit_tokens=0, cache_miss_tokens=10),
         {"cache_hit": {"0": 1}}, calls=[["usage", [0, 10]]]),
    Case("usage_1_49", "1 % hits", m(type="usage", cache_hit_tokens=1, cache_miss_tokens=99),
         {"cache_hit": {"1-49": 1}}, calls=[["usage", [1, 99]]]),
    Case("usage_50_89", "89.9 % floors to 89", m(
        type="usage", cache_hit_tokens=899, cache_miss_tokens=101),
         {"cache_hit": {"80-89": 1}}, calls=[["usage", [899, 101]]]),
    Case("usage_90_99", "95 % hits, 32-bit integers", m(
        type="usage", cache_hit_tokens=95_000, cache_miss_tokens=5_000),
         {"cache_hit": {"95-98": 1}}, calls=[["usage", [95_000, 5_000]]]),
    Case("usage_100", "every token a hit", m(type="usage", cache_hit_tokens=7, cache_miss_tokens=0),
         {"cache_hit": {"100": 1}}, calls=[["usage", [7, 0]]]),
    Case("usage_total_cached", "total + cached form (OpenAI, Gemini): 30 of 100 cached",
         m(type="usage", prompt_tokens=100, cached_tokens=30),
         {"cache_hit": {"1-49": 1}}, calls=[["usage_total", [100, 30]]]),
    Case("usage_total_none_cached", "total + cached form with no cached count: 0 (nil)",
         m(type="usage", prompt_tokens=40, cached_tokens=0),
         {"cache_hit": {"0": 1}}, calls=[["usage_total", [40, None]]]),
    Case("usage_read_write", "input + cache read/write form (Anthropic, Bedrock): "
         "hit = read, miss = input + creation",
         m(type="usage", input_tokens=10, cache_read_input_tokens=0,
           cache_creation_input_tokens=5),
         {"cache_hit": {"0": 1}}, calls=[["usage_read_write", [10, 0, 5]]]),
    Case("usage_read_write_all_read", "every prompt token read from the cache",
         m(type="usage", input_tokens=0, cache_read_input_tokens=900,
           cache_creation_input_tokens=0),
         {"cache_hit": {"100": 1}}, calls=[["usage_read_write", [None, 900, None]]]),
    Case("usage_split_none", "split form: a None count is sent as 0",
         m(type="usage", cache_hit_tokens=0, cache_miss_tokens=10),
         {"cache_hit": {"0": 1}}, calls=[["usage", [None, 10]]]),
    Case("provider_status_429", "the status field wins", _pe("slow down", 429),
         {"provider_error": {"rate_limit": 1}}, calls=[["provider_error", ["slow down", 429]]]),
    Case("provider_status_401", "401 is auth", _pe("", 401),
         {"provider_error": {"auth": 1}}, calls=[["provider_error", ["", 401]]]),
    Case("provider_status_502", "other 5xx is server", _pe("bad gateway", 502),
         {"provider_error": {"server": 1}}, calls=[["provider_error", ["bad gateway", 502]]]),
    Case("provider_status_418", "other status is http_other", _pe("teapot", 418),
         {"provider_error": {"http_other": 1}}, calls=[["provider_error", ["teapot", 418]]]),
    Case("provider_status_in_message", "else the first 'status NNN' in the message",
         _pe("POST /v1/chat: HTTP Status 503 (then status 429)"),
         {"provider_error": {"overloaded": 1}},
         calls=[["provider_error", ["POST /v1/chat: HTTP Status 503 (then status 429)"]]]),
    Case("provider_timeout", "keyword: deadline exceeded", _pe("context deadline exceeded"),
         {"provider_error": {"timeout": 1}},
         calls=[["provider_error", ["context deadline exceeded"]]]),
    Case("provider_network", "keyword: connection refused",
         _pe("dial unix /x: Connection Refused"), {"provider_error": {"network": 1}},
         calls=[["provider_error", ["dial unix /x: Connection Refused"]]]),
    Case("provider_canceled", "keyword: context canceled", _pe("context canceled"),
         {"provider_error": {"canceled": 1}}, calls=[["provider_error", ["context canceled"]]]),
    Case("provider_other", "no status, no keyword", _pe("something odd"),
         {"provider_error": {"other": 1}}, calls=[["provider_error", ["something odd"]]]),
    Case("tool_ok", "a tool call that succeeded counts nothing", _tool(None),
         calls=[["tool_result", [None]]]),
    Case("tool_ok_absent", "error may be absent", m(type="tool_result")),
    Case("tool_denied", "the user rejected the call", _tool("User rejected the tool call"),
         {"tool_error": {"denied": 1}}, calls=[["tool_result", ["User rejected the tool call"]]]),
    Case("tool_timeout", "keyword: timed out", _tool("command timed out after 120s"),
         {"tool_error": {"timeout": 1}}, calls=[["tool_result", ["command timed out after 120s"]]]),
    Case("tool_permission", "keyword: permission denied", _tool("open /etc/x: permission denied"),
         {"tool_error": {"permission": 1}},
         calls=[["tool_result", ["open /etc/x: permission denied"]]]),
    Case("tool_not_found", "keyword: no such file", _tool("No such file or directory"),
         {"tool_error": {"not_found": 1}}, calls=[["tool_result", ["No such file or directory"]]]),
    Case("tool_invalid_args", "keyword: invalid argument", _tool("invalid arguments: path"),
         {"tool_error": {"invalid_args": 1}}, calls=[["tool_result", ["invalid arguments: path"]]]),
    Case("tool_exit", "keyword: exit status", _tool("bash: exit status 2"),
         {"tool_error": {"exit_nonzero": 1}}, calls=[["tool_result", ["bash: exit status 2"]]]),
    Case("tool_other", "no keyword", _tool("boom"), {"tool_error": {"other": 1}},
         calls=[["tool_result", ["boom"]]]),
    Case("compaction", "the context was compacted", m(type="compaction"), {"compaction": 1},
         calls=[["compaction", []]]),
    Case("ping", "ping gets pong", m(type="ping"),
         replies=[{"type": "pong", "proto": 1}]),
    Case("sync", "sync gets ack with the same id", m(type="sync", id=7),
         replies=[{"type": "ack", "id": 7}]),
    Case("unknown_type", "an unknown type is ignored, without a reply",
         m(type="future_event", detail="x", n=3), health={"unknown_events": 1}),
    Case("batch", "many messages in one write", b"".join([
        m(type="hello", proto=1, client_version="2.0.0-rc.1"),
        m(type="usage", cache_hit_tokens=50, cache_miss_tokens=50),
        _tool("exit code 1"), _tool(None), m(type="compaction"),
        _pe("rate limited", 429), _turn("stop"), _turn("length", True)]),
         {"turns": 2, "finish_reason": {"stop": 1, "length": 1}, "empty_final": 1,
          "cache_hit": {"50-79": 1}, "provider_error": {"rate_limit": 1},
          "tool_error": {"exit_nonzero": 1}, "compaction": 1},
         calls=[["hello", ["2.0.0-rc.1"]], ["usage", [50, 50]],
                ["tool_result", ["exit code 1"]], ["tool_result", [None]], ["compaction", []],
                ["provider_error", ["rate limited", 429]],
                ["turn", ["stop", False]], ["turn", ["length", True]]]),
    Case("string_at_limit", "a string of exactly 16 KiB is accepted",
         _tool("x" * (STR_LIMIT - 7) + "timeout"), {"tool_error": {"other": 1}}),
]

_OK = m(type="compaction")

ERRORS: list[Case] = [
    Case("invalid_field_type", "a wrong field type drops the event, the connection stays",
         m(type="turn", finish_reason=5, empty_final=False) + _OK,
         {"compaction": 1}, [_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_negative_tokens", "token counts must be >= 0",
         m(type="usage", cache_hit_tokens=-1, cache_miss_tokens=3),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_bool_as_int", "a bool is not an integer",
         m(type="usage", cache_hit_tokens=True, cache_miss_tokens=3),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_usage_mixed_forms", "a usage that mixes two forms is invalid",
         m(type="usage", cache_hit_tokens=1, prompt_tokens=3) + _OK,
         {"compaction": 1}, [_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_usage_cached_above_total", "cached_tokens above prompt_tokens is invalid",
         m(type="usage", prompt_tokens=3, cached_tokens=4),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_usage_negative_read", "read/write counts must be >= 0",
         m(type="usage", input_tokens=3, cache_read_input_tokens=-1),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_empty_final", "empty_final must be a bool",
         m(type="turn", finish_reason="stop", empty_final=1),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_status", "status must be an integer",
         m(type="provider_error", message="x", status="429"),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("invalid_sync_id", "sync needs an integer id", m(type="sync"),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("missing_type", "a map without a type", m(finish_reason="stop") + _OK,
         {"compaction": 1}, [_err("invalid_event")], health={"invalid_events": 1}),
    Case("type_not_a_string", "the type must be a string", m(type=1),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("hello_proto_string", "proto must be an integer", m(type="hello", proto="1"),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
    Case("unsupported_proto", "proto 2: error and close; nothing after it counts",
         _OK + m(type="hello", proto=2) + _OK, {"compaction": 1},
         [_err("unsupported_proto")], closed=True),
    Case("malformed", "0xc1 is never valid MessagePack", bytes.fromhex("c1"),
         replies=[_err("malformed")], closed=True),
    Case("malformed_after_events", "what came before still counts; nothing after",
         _turn("stop") + bytes.fromhex("c1") + _OK, {"turns": 1, "finish_reason": {"stop": 1}},
         [_err("malformed")], closed=True),
    Case("malformed_utf8", "strings must be valid UTF-8",
         bytes.fromhex("81a474797065a3fffefd"), replies=[_err("malformed")], closed=True),
    Case("not_a_map_array", "an array is not a message", bytes.fromhex("920102"),
         replies=[_err("not_a_map")], closed=True),
    Case("not_a_map_int", "an integer is not a message", _OK + bytes.fromhex("05"),
         {"compaction": 1}, [_err("not_a_map")], closed=True),
    Case("string_too_large", "a string over 16 KiB",
         m(type="tool_result", error="y" * (STR_LIMIT + 1)),
         replies=[_err("too_large")], closed=True),
    Case("message_too_large", "a message over 64 KiB (strings each under the limit)",
         m(type="tool_result", **{f"f{i}": "z" * 8000 for i in range(9)}),
         replies=[_err("too_large")], closed=True),
    Case("incomplete", "a message cut short waits for the rest: no reply, nothing counted",
         _turn("stop")[:-3], complete=False),
]

#: What real encoders send (protocol v1.1): nil is absent in every field, bin is a string,
#: a finite integral float is an integer.  No ``calls``: client helpers never write these.
ENCODINGS: list[Case] = [
    Case("nil_turn_fields", "nil finish_reason and nil empty_final (a Go *bool)",
         m(type="turn", finish_reason=None, empty_final=None),
         {"turns": 1, "finish_reason": {"none": 1}}),
    Case("nil_usage_fields", "nil token counts are 0",
         m(type="usage", cache_hit_tokens=None, cache_miss_tokens=12),
         {"cache_hit": {"0": 1}}),
    Case("nil_total_fields", "nil counts of the total + cached form are 0",
         m(type="usage", prompt_tokens=None, cached_tokens=None), {"cache_hit": {"none": 1}}),
    Case("nil_read_write_fields", "nil counts of the read/write form are 0",
         m(type="usage", input_tokens=8, cache_read_input_tokens=None,
           cache_creation_input_tokens=None), {"cache_hit": {"0": 1}}),
    Case("nil_provider_fields", "nil message and nil status",
         m(type="provider_error", message=None, status=None), {"provider_error": {"other": 1}}),
    Case("nil_hello_version", "a nil client_version is unknown",
         m(type="hello", proto=1, client_version=None)),
    Case("nil_sync_id", "sync.id is required: nil is as missing",
         m(type="sync", id=None), replies=[_err("invalid_event")],
         health={"invalid_events": 1}),
    Case("bin_finish_reason", "bin where a string is expected",
         m(type="turn", finish_reason=b"tool_calls"),
         {"turns": 1, "finish_reason": {"tool_calls": 1}}),
    Case("bin_provider_message", "bin message, invalid UTF-8 replaced, classified",
         m(type="provider_error", message=b"upstream status 503 \xff"),
         {"provider_error": {"overloaded": 1}}),
    Case("bin_tool_error", "bin tool error", m(type="tool_result", error=b"Permission denied"),
         {"tool_error": {"permission": 1}}),
    Case("bin_client_version", "bin client_version", m(
        type="hello", proto=1, client_version=b"1.2.3") + m(type="compaction"),
         {"compaction": 1}),
    Case("float_tokens", "integral floats are integers (Ruby's 1000*0.5)",
         m(type="usage", cache_hit_tokens=500.0, cache_miss_tokens=500.0),
         {"cache_hit": {"50-79": 1}}),
    Case("float_status", "an integral float status", m(
        type="provider_error", message="x", status=429.0), {"provider_error": {"rate_limit": 1}}),
    Case("float_sync_id", "an integral float sync id", m(type="sync", id=9.0),
         replies=[{"type": "ack", "id": 9}]),
    Case("float_hello_proto", "an integral float proto", m(type="hello", proto=1.0)),
    Case("float_fraction_invalid", "a float with a fraction is invalid",
         m(type="usage", cache_hit_tokens=1.5, cache_miss_tokens=1) + _OK,
         {"compaction": 1}, [_err("invalid_event")], health={"invalid_events": 1}),
    Case("float_nan_invalid", "NaN is not an integer",
         m(type="provider_error", message="x", status=float("nan")),
         replies=[_err("invalid_event")], health={"invalid_events": 1}),
]
