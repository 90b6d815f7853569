"""Sans-IO protocol session: one per connection.

:meth:`Session.receive` takes the bytes a client sent, validates and classifies every
complete message, counts its facts into the shared :class:`~metricsd.core.counts.Tally`
(only while the gate says counting is on, under the dev flag in force at that moment)
and returns typed events for the I/O shell, in order, as h11 does: :class:`Send`
(reply bytes), :class:`CommitSoon`, :class:`AckAfterCommit`, :class:`AnswerSnapshot`,
:class:`AnswerStatus` and :class:`Close` (always last).  Every reply is encoded on this
side (:mod:`metricsd.core.wire`).  Client strings are read here only to classify them.

Leniency towards real encoders (protocol v1.1): ``nil`` is the same as an absent field
in every field; where a string is expected, MessagePack ``bin`` is accepted (decoded as
UTF-8 with replacement, used only to classify); where an integer is expected, a finite
integral float (``500.0``) is that integer, any other float is ``invalid_event``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from metricsd.core.counts import Bucket, Tally
from metricsd.core.facts import (
    COMPACTION,
    EMPTY_FINAL,
    INVALID_EVENTS,
    TURNS,
    UNKNOWN_EVENTS,
    UNKNOWN_VERSION,
    cache_hit_fact,
    client_version_label,
    finish_reason_fact,
    provider_error_fact,
    tool_error_fact,
)
from metricsd.core.version import PROTO
from metricsd.core.version import VERSION as __version__
from metricsd.core.wire import (
    INVALID_EVENT,
    UNAUTHORIZED,
    UNSUPPORTED_PROTO,
    Decoder,
    error_reply,
    pong_reply,
)


class Gate:
    """The switches the shell sets from the consent authority's decision: whether to
    count at all, and whether what is counted now is a dev-build count."""

    __slots__ = ("counting", "dev")

    def __init__(self, counting: bool = False, dev: bool = False) -> None:
        self.counting = counting
        self.dev = dev


# --- events for the shell -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Send:
    """Write these bytes (already encoded replies)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class CommitSoon:
    """A turn ended: commit the deltas soon (the checkpoint point)."""


@dataclass(frozen=True, slots=True)
class AckAfterCommit:
    """Reply ``ack`` with ``id`` once a commit covering every earlier message is done."""

    id: int


@dataclass(frozen=True, slots=True)
class AnswerSnapshot:
    """Reply ``snapshot`` (the shell knows the committed counts)."""


@dataclass(frozen=True, slots=True)
class AnswerStatus:
    """Reply ``status`` (the shell knows the daemon's state)."""


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection after writing what came before."""


Event = Send | CommitSoon | AckAfterCommit | AnswerSnapshot | AnswerStatus | Close

COMMIT_SOON: Final = CommitSoon()
ANSWER_SNAPSHOT: Final = AnswerSnapshot()
ANSWER_STATUS: Final = AnswerStatus()
CLOSE: Final = Close()

_PONG: Final = Send(pong_reply(__version__))


class _Invalid(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


def _field_error(msg_type: str, field: str, kind: str) -> _Invalid:
    # Both names come from this module's tables, never from the client.
    return _Invalid(f"field '{field}' of '{msg_type}' must be {kind}")


def _as_int(value: object, msg_type: str, field: str, kind: str) -> int | None:
    """An integer field: int, a finite integral float, or nil/absent (None)."""
    if type(value) is int or value is None:
        return value
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    raise _field_error(msg_type, field, kind)


def _as_str(value: object, msg_type: str, field: str) -> str | None:
    """A string field: str, bin (decoded with replacement), or nil/absent (None)."""
    if type(value) is str or value is None:
        return value
    if type(value) is bytes:
        return value.decode("utf-8", "replace")
    raise _field_error(msg_type, field, "a string or nil")


#: The three field forms of ``usage`` (docs/PROTOCOL.md): split hit/miss, total + cached,
#: and uncached input + cache read/write.  A message uses exactly one.
_SPLIT_FIELDS: Final = frozenset(("cache_hit_tokens", "cache_miss_tokens"))
_TOTAL_FIELDS: Final = frozenset(("prompt_tokens", "cached_tokens"))
_READ_WRITE_FIELDS: Final = frozenset(("input_tokens", "cache_read_input_tokens",
                                       "cache_creation_input_tokens"))


def _count_field(msg: dict[Any, Any], field: str) -> int:
    """A token count of ``usage``: an integer >= 0; nil or absent is 0."""
    value = _as_int(msg.get(field), "usage", field, "an integer >= 0") or 0
    if value < 0:
        raise _field_error("usage", field, "an integer >= 0")
    return value


def _other_usage_form(msg: dict[Any, Any], hit: object, miss: object) -> tuple[int, int]:
    """(hit, miss) of a ``usage`` in the total + cached or the read/write form."""
    total_form = not _TOTAL_FIELDS.isdisjoint(msg)
    read_write_form = not _READ_WRITE_FIELDS.isdisjoint(msg)
    if total_form + read_write_form + (not _SPLIT_FIELDS.isdisjoint(msg)) > 1:
        raise _Invalid("'usage' must use one form: cache_hit_tokens/cache_miss_tokens, "
                       "prompt_tokens/cached_tokens, or input_tokens/"
                       "cache_read_input_tokens/cache_creation_input_tokens")
    if total_form:
        prompt = _count_field(msg, "prompt_tokens")
        cached = _count_field(msg, "cached_tokens")
        if cached > prompt:
            raise _Invalid("field 'cached_tokens' of 'usage' must not exceed 'prompt_tokens'")
        return cached, prompt - cached
    read = _count_field(msg, "cache_read_input_tokens")
    return read, _count_field(msg, "input_tokens") + _count_field(
        msg, "cache_creation_input_tokens")


class Session:
    """Protocol state of one connection."""

    __slots__ = ("_buckets", "_decoder", "_gate", "_handlers", "_tally", "_token",
                 "client_version", "closed")

    def __init__(self, tally: Tally, gate: Gate, token: str | None = None) -> None:
        """``token``: over loopback TCP, the secret the first message (a ``hello``) must
        carry; until it has, nothing is counted or answered."""
        self._tally = tally
        self._token = token
        self._gate = gate
        self._decoder = Decoder()
        self.client_version = UNKNOWN_VERSION
        #: (release bucket, dev bucket): indexed by ``gate.dev`` when counting.
        self._buckets: tuple[Bucket, Bucket] = tally.buckets(UNKNOWN_VERSION)
        self.closed = False
        self._handlers: dict[str, Callable[[dict[Any, Any]], Event | None]] = {
            "turn": self._turn,
            "usage": self._usage,
            "provider_error": self._provider_error,
            "tool_result": self._tool_result,
            "compaction": self._compaction,
            "sync": self._sync,
            "ping": self._ping,
            "snapshot": self._snapshot,
            "status": self._status,
            "hello": self._hello,
        }

    @property
    def buffered(self) -> int:
        return self._decoder.buffered

    def receive(self, data: bytes) -> list[Event]:
        """Feed received bytes; return the events for the shell, in order."""
        events: list[Event] = []
        if self.closed:
            return events
        decoder = self._decoder
        decoder.feed(data)
        handlers = self._handlers
        commit = False
        for msg in decoder.messages():
            if self._token is not None and not self._authorized(msg):
                events.append(_UNAUTHORIZED)
                events.append(CLOSE)
                self.closed = True
                return events
            try:
                handler = handlers[msg["type"]]
            except (KeyError, TypeError):
                # Unknown, missing or not a str; TypeError: an array or map "type" is
                # unhashable, which must not raise out of here (ending the connection
                # task, and with it the daemon).  The table's keys are all str.
                self._unhandled(msg, events)
                continue
            try:
                event = handler(msg)
            except _Invalid as exc:
                self._count(INVALID_EVENTS)
                events.append(Send(error_reply(INVALID_EVENT, exc.detail)))
                continue
            if event is None:
                continue
            if event is COMMIT_SOON:
                commit = True
                continue
            events.append(event)
            if self.closed:
                events.append(CLOSE)
                return events
        err = decoder.error
        if err is not None:
            events.append(Send(error_reply(err.code, err.detail)))
            events.append(CLOSE)
            self.closed = True
        if commit:
            events.insert(0, COMMIT_SOON)
        return events

    def _authorized(self, msg: dict[Any, Any]) -> bool:
        """The first message over TCP: a ``hello`` whose ``token`` is the daemon's
        (compared in constant time).  Afterwards the connection is trusted."""
        token = msg.get("token") if msg.get("type") == "hello" else None
        if type(token) is bytes:
            token = token.decode("utf-8", "replace")
        assert self._token is not None
        if type(token) is not str or not hmac.compare_digest(
                token.encode("utf-8", "replace"), self._token.encode("ascii")):
            return False
        self._token = None
        return True

    def _count(self, fact: tuple[str, str]) -> None:
        gate = self._gate
        if gate.counting:
            self._buckets[gate.dev][fact] += 1

    def _unhandled(self, msg: dict[Any, Any], events: list[Event]) -> None:
        msg_type = msg.get("type")
        if type(msg_type) is str:
            # An unknown type: ignored for forward compatibility, counted, no reply.
            self._count(UNKNOWN_EVENTS)
            return
        self._count(INVALID_EVENTS)
        events.append(Send(error_reply(INVALID_EVENT, "every message needs a string 'type'")))

    # --- handlers: each validates every field before counting anything ---------------

    def _turn(self, msg: dict[Any, Any]) -> Event:
        reason = msg.get("finish_reason")
        empty = msg.get("empty_final")
        if type(reason) is not str and reason is not None:
            reason = _as_str(reason, "turn", "finish_reason")
        if empty is None:
            empty = False
        elif type(empty) is not bool:
            raise _field_error("turn", "empty_final", "a bool or nil")
        gate = self._gate
        if gate.counting:
            b = self._buckets[gate.dev]
            b[TURNS] += 1
            b[finish_reason_fact(reason)] += 1
            if empty:
                b[EMPTY_FINAL] += 1
        return COMMIT_SOON

    def _usage(self, msg: dict[Any, Any]) -> None:
        hit = msg.get("cache_hit_tokens")
        miss = msg.get("cache_miss_tokens")
        if not (_TOTAL_FIELDS.isdisjoint(msg) and _READ_WRITE_FIELDS.isdisjoint(msg)):
            hit, miss = _other_usage_form(msg, hit, miss)
        # type(...) is int, inline (hot path): bool is not an int here.
        if type(hit) is not int:
            hit = _as_int(hit, "usage", "cache_hit_tokens", "an integer >= 0") or 0
        if type(miss) is not int:
            miss = _as_int(miss, "usage", "cache_miss_tokens", "an integer >= 0") or 0
        if hit < 0:
            raise _field_error("usage", "cache_hit_tokens", "an integer >= 0")
        if miss < 0:
            raise _field_error("usage", "cache_miss_tokens", "an integer >= 0")
        gate = self._gate
        if gate.counting:
            self._buckets[gate.dev][cache_hit_fact(hit, miss)] += 1

    def _provider_error(self, msg: dict[Any, Any]) -> None:
        message = msg.get("message")
        status = msg.get("status")
        if type(message) is not str:
            message = _as_str(message, "provider_error", "message") or ""
        if type(status) is not int and status is not None:
            status = _as_int(status, "provider_error", "status", "an integer or nil")
        gate = self._gate
        if gate.counting:
            self._buckets[gate.dev][provider_error_fact(message, status)] += 1

    def _tool_result(self, msg: dict[Any, Any]) -> None:
        error = msg.get("error")
        if type(error) is not str and error is not None:
            error = _as_str(error, "tool_result", "error")
        gate = self._gate
        if error and gate.counting:
            self._buckets[gate.dev][tool_error_fact(error)] += 1

    def _compaction(self, msg: dict[Any, Any]) -> None:
        self._count(COMPACTION)

    def _sync(self, msg: dict[Any, Any]) -> Event:
        sync_id = _as_int(msg.get("id"), "sync", "id", "an integer")
        if sync_id is None:
            raise _field_error("sync", "id", "an integer")
        return AckAfterCommit(sync_id)

    def _ping(self, msg: dict[Any, Any]) -> Event:
        return _PONG

    def _snapshot(self, msg: dict[Any, Any]) -> Event:
        return ANSWER_SNAPSHOT

    def _status(self, msg: dict[Any, Any]) -> Event:
        return ANSWER_STATUS

    def _hello(self, msg: dict[Any, Any]) -> Event | None:
        proto = _as_int(msg.get("proto"), "hello", "proto", "an integer")
        if proto is None:
            raise _field_error("hello", "proto", "an integer")
        if proto != PROTO:
            self.closed = True
            return _UNSUPPORTED
        version = msg.get("client_version")
        if type(version) is bytes:
            version = version.decode("utf-8", "replace")
        self.client_version = self._tally.cap.admit(client_version_label(version))
        self._buckets = self._tally.buckets(self.client_version)
        return None


_UNAUTHORIZED: Final = Send(error_reply(
    UNAUTHORIZED, "the first message over TCP must be a hello with the daemon's token"))
_UNSUPPORTED: Final = Send(error_reply(UNSUPPORTED_PROTO, f"this daemon speaks proto {PROTO} only"))
