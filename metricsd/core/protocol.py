"""Sans-IO protocol session: one per connection.

:meth:`Session.receive` takes the bytes a client sent, validates and classifies every
complete message, counts its facts into the shared :class:`~metricsd.core.counts.Tally`
(only while the gate says counting is on, under the dev flag in force at that moment)
and returns typed events for the I/O shell, in order, as h11 does: :class:`Send`
(reply bytes), :class:`CommitSoon`, :class:`AckAfterCommit`, :class:`AnswerSnapshot`,
:class:`AnswerStatus`, :class:`WaitForStream` and :class:`Close` (always last).  Every
reply is encoded on this side (:mod:`metricsd.core.wire`).  Client strings are read here
only to classify them.

v1.3: a ``hello`` naming a replayable stream (``stream``, ``seq``) gets ``resume``; every
event after it takes the next number, and a number the stream already counted is skipped
(:mod:`metricsd.core.streams`).  Over loopback TCP the session first proves the daemon
holds the token (``challenge``) and checks the client's ``auth`` proof, or takes a v1.2
``hello`` carrying the token; until then nothing is counted or answered.

Leniency towards real encoders (protocol v1.1): ``nil`` is the same as an absent field
in every field; where a string is expected, MessagePack ``bin`` is accepted (decoded as
UTF-8 with replacement, used only to classify); where an integer is expected, a finite
integral float (``500.0``) is that integer, any other float is ``invalid_event``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from metricsd.core.consent import CLOSED, ConfigFile, Decision
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
from metricsd.core.streams import NUMBERED, Stream, Streams, parse_stream_id
from metricsd.core.version import PROTO
from metricsd.core.version import VERSION as __version__
from metricsd.core.wire import (
    INVALID_EVENT,
    UNAUTHORIZED,
    UNSUPPORTED_PROTO,
    Decoder,
    challenge_reply,
    error_reply,
    pong_reply,
    resume_reply,
)


class Gate:
    """The consent decision in force, kept here and nowhere else: the shell hands each
    new decision of the authority to :meth:`take`; sessions read ``counting`` (count at
    all) and ``dev`` (what is counted now is a dev-build count) on every event."""

    __slots__ = ("counting", "decision", "dev")

    def __init__(self, decision: Decision = CLOSED) -> None:
        self.take(decision)

    @classmethod
    def open(cls, *, dev: bool = False) -> Gate:
        """A gate as an opted-in user's decision sets it (tests, benchmarks)."""
        return cls(Decision(ConfigFile(opted_in=True), None, dev))

    def take(self, decision: Decision) -> None:
        self.decision = decision
        # Read on every event: plain attributes, derived from the decision only here.
        self.counting = decision.counting
        self.dev = decision.dev


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
    """Reply ``ack`` with ``id`` once a commit covering every earlier message is done; on
    a named stream, with the stream's ``committed`` mark as of then."""

    id: int
    stream: Stream | None = None


@dataclass(frozen=True, slots=True)
class WaitForStream:
    """The ``hello`` names a stream another connection (``owner``, its session) still
    serves: close that one once what it already sent is read, then call
    ``receive(b"")`` again.  Nothing after the ``hello`` is handled until then."""

    owner: object


@dataclass(frozen=True, slots=True)
class _StreamHello:
    """Internal: a ``hello`` naming a stream (handled by the session itself)."""

    stream_id: bytes
    seq: int


@dataclass(frozen=True, slots=True)
class AnswerSnapshot:
    """Reply ``snapshot`` (the shell knows the committed counts)."""


@dataclass(frozen=True, slots=True)
class AnswerStatus:
    """Reply ``status`` (the shell knows the daemon's state)."""


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection after writing what came before."""


Event = (Send | CommitSoon | AckAfterCommit | AnswerSnapshot | AnswerStatus | WaitForStream
         | Close)

#: What a message handler returns (a ``hello`` naming a stream is the session's own).
_Handled = Event | _StreamHello | None

#: Over loopback TCP: not yet proved (v1.3 ``hello`` with ``nonce``, or v1.2 ``hello`` with
#: the token, expected), challenged (``auth`` expected), authenticated.
_NEED_HELLO: Final = 0
_NEED_PROOF: Final = 1
_AUTHED: Final = 2
#: The client's nonce: ``bin`` of this many bytes.
MIN_NONCE_BYTES: Final = 16
MAX_NONCE_BYTES: Final = 64
#: The daemon's own nonce in ``challenge``.
NONCE_BYTES: Final = 32


def proof(key: bytes, nonce: bytes) -> bytes:
    """HMAC-SHA256 of ``nonce`` under the token (its ASCII bytes): who computes it knows
    the token."""
    return hmac.new(key, nonce, hashlib.sha256).digest()

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

    __slots__ = (
        "_auth",
        "_buckets",
        "_challenge_nonce",
        "_decoder",
        "_gate",
        "_handlers",
        "_held",
        "_hello_msg",
        "_next",
        "_streams",
        "_tally",
        "_token",
        "_waiting",
        "client_version",
        "closed",
        "stream",
    )

    def __init__(self, tally: Tally, gate: Gate, token: str | None = None, *,
                 streams: Streams | None = None, nonce: bytes = b"") -> None:
        """``token``: over loopback TCP, the daemon's secret; until the client has proved
        it knows it (v1.3 ``hello`` with ``nonce`` → ``challenge`` → ``auth``, or a v1.2
        ``hello`` carrying it), nothing is counted or answered.  ``nonce``: the daemon's
        fresh random nonce for the challenge (the shell draws it).  ``streams``: the
        daemon's stream marks (shared by every connection)."""
        self._tally = tally
        self._token = token
        self._auth = _NEED_HELLO if token is not None else _AUTHED
        self._challenge_nonce = nonce
        self._hello_msg: dict[Any, Any] | None = None
        self._gate = gate
        self._streams = streams if streams is not None else Streams()
        self._decoder = Decoder()
        self.client_version = UNKNOWN_VERSION
        #: (release bucket, dev bucket): indexed by ``gate.dev`` when counting.
        self._buckets: tuple[Bucket, Bucket] = tally.buckets(UNKNOWN_VERSION)
        self.closed = False
        #: The named stream this connection serves (v1.3), and the next event's number.
        self.stream: Stream | None = None
        self._next = 0
        #: Messages received but not yet handled: the ``hello`` of a stream another
        #: connection still serves waits (``_waiting``: its id and ``seq``), and so does
        #: everything after it.
        self._held: list[dict[Any, Any]] = []
        self._waiting: tuple[bytes, int] | None = None
        self._handlers: dict[str, Callable[[dict[Any, Any]], _Handled]] = {
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

    @property
    def authenticated(self) -> bool:
        """Over TCP: the client proved it holds the token (always True otherwise)."""
        return self._auth == _AUTHED

    def release(self) -> None:
        """The connection is over: its stream may be served by another connection."""
        if self.stream is not None:
            self._streams.release(self.stream, self)

    def receive(self, data: bytes) -> list[Event]:
        """Feed received bytes; return the events for the shell, in order.  After a
        :class:`WaitForStream`, call ``receive(b"")`` once that connection has gone."""
        events: list[Event] = []
        if self.closed:
            return events
        decoder = self._decoder
        decoder.feed(data)
        msgs = decoder.messages()
        if self._held:
            msgs = self._held + msgs
            self._held = []
        if self._waiting is not None and not self._resume(events):
            self._held = msgs
            return events
        handlers = self._handlers
        commit = False
        stream = self.stream
        for i, msg in enumerate(msgs):
            if self._auth != _AUTHED:
                if not self._authenticate(msg, events) or self.closed:
                    events.append(CLOSE)
                    self.closed = True
                    return events
                if self._waiting is not None:
                    self._held = msgs[i + 1:]
                    break
                stream = self.stream
                continue
            try:
                msg_type = msg["type"]
                handler = handlers[msg_type]
            except (KeyError, TypeError):
                # Unknown, missing or not a str; TypeError: an array or map "type" is
                # unhashable, which must not raise out of here (ending the connection
                # task, and with it the daemon).  The table's keys are all str.
                self._unhandled(msg, events)
                continue
            if stream is not None and msg_type in NUMBERED:
                number = self._next
                self._next = number + 1
                if number <= stream.counted:
                    continue  # counted before (sent again after a reconnect): skipped
                stream.counted = number
                stream.dirty = True
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
            if isinstance(event, _StreamHello):
                if not self._resume(events, event.stream_id, event.seq):
                    self._held = msgs[i + 1:]
                    break
                stream = self.stream
                continue
            events.append(event)
            if self.closed:
                events.append(CLOSE)
                return events
        else:
            err = decoder.error
            if err is not None:
                events.append(Send(error_reply(err.code, err.detail)))
                events.append(CLOSE)
                self.closed = True
        if commit:
            events.insert(0, COMMIT_SOON)
        return events

    def _resume(self, events: list[Event], stream_id: bytes | None = None,
                seq: int = 0) -> bool:
        """Serve the stream a ``hello`` named (or the one waited for): ``resume`` when
        this connection now serves it, else :class:`WaitForStream` (False)."""
        if stream_id is None:
            assert self._waiting is not None
            stream_id, seq = self._waiting
        stream, other = self._streams.claim(stream_id, self)
        if other is not None:
            self._waiting = (stream_id, seq)
            events.append(WaitForStream(other))
            return False
        self._waiting = None
        if self.stream is not None and self.stream is not stream:
            self._streams.release(self.stream, self)
        self.stream = stream
        self._next = seq
        events.append(Send(resume_reply(stream.counted)))
        return True

    def _authenticate(self, msg: dict[Any, Any], events: list[Event]) -> bool:
        """Over TCP, before the client proved it holds the token.  v1.3: ``hello`` with a
        ``nonce`` gets a ``challenge`` (our proof, our nonce); the next message must be
        ``auth`` with the client's proof.  v1.2: a ``hello`` carrying the token itself.
        False: refused (``unauthorized`` is queued; the caller closes)."""
        token = self._token
        assert token is not None
        key = token.encode("ascii")
        msg_type = msg.get("type")
        if self._auth == _NEED_HELLO and msg_type == "hello":
            nonce = msg.get("nonce")
            if type(nonce) is bytes and MIN_NONCE_BYTES <= len(nonce) <= MAX_NONCE_BYTES:
                self._hello_msg = msg
                self._auth = _NEED_PROOF
                events.append(Send(challenge_reply(proof(key, nonce), self._challenge_nonce)))
                return True
            given = msg.get("token")
            if type(given) is bytes:
                given = given.decode("utf-8", "replace")
            if type(given) is str and hmac.compare_digest(
                    given.encode("utf-8", "replace"), key):
                self._auth = _AUTHED
                return self._handle_hello(msg, events)
        elif self._auth == _NEED_PROOF and msg_type == "auth":
            given = msg.get("proof")
            if type(given) is bytes and hmac.compare_digest(
                    given, proof(key, self._challenge_nonce)):
                self._auth = _AUTHED
                hello, self._hello_msg = self._hello_msg, None
                assert hello is not None
                return self._handle_hello(hello, events)
        events.append(_UNAUTHORIZED)
        return False

    def _handle_hello(self, msg: dict[Any, Any], events: list[Event]) -> bool:
        """The ``hello`` that authenticated a TCP connection, handled as any other (a
        stream another connection serves leaves ``_waiting`` set)."""
        try:
            event = self._hello(msg)
        except _Invalid as exc:
            self._count(INVALID_EVENTS)
            events.append(Send(error_reply(INVALID_EVENT, exc.detail)))
            return True
        if isinstance(event, _StreamHello):
            self._resume(events, event.stream_id, event.seq)
        elif event is not None:
            events.append(event)
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
        return AckAfterCommit(sync_id, self.stream)

    def _ping(self, msg: dict[Any, Any]) -> Event:
        return _PONG

    def _snapshot(self, msg: dict[Any, Any]) -> Event:
        return ANSWER_SNAPSHOT

    def _status(self, msg: dict[Any, Any]) -> Event:
        return ANSWER_STATUS

    def _hello(self, msg: dict[Any, Any]) -> _Handled:
        proto = _as_int(msg.get("proto"), "hello", "proto", "an integer")
        if proto is None:
            raise _field_error("hello", "proto", "an integer")
        if proto != PROTO:
            self.closed = True
            return _UNSUPPORTED
        raw_stream = msg.get("stream")
        stream_id = None
        seq = 0
        if raw_stream is not None:
            stream_id = parse_stream_id(raw_stream)
            if stream_id is None:
                raise _field_error("hello", "stream", "16 bytes (bin) or 32 hex characters")
            seq = _as_int(msg.get("seq"), "hello", "seq", "an integer >= 0") or 0
            if seq < 0:
                raise _field_error("hello", "seq", "an integer >= 0")
        version = msg.get("client_version")
        if type(version) is bytes:
            version = version.decode("utf-8", "replace")
        self.client_version = self._tally.cap.admit(client_version_label(version))
        self._buckets = self._tally.buckets(self.client_version)
        if stream_id is not None:
            return _StreamHello(stream_id, seq)
        return None


_UNAUTHORIZED: Final = Send(error_reply(
    UNAUTHORIZED, "over TCP a connection must first prove it holds the daemon's token "
    "(hello with a nonce, then auth with the proof; or a hello with the token)"))
_UNSUPPORTED: Final = Send(error_reply(UNSUPPORTED_PROTO, f"this daemon speaks proto {PROTO} only"))
