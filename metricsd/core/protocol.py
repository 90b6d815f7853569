"""Sans-IO protocol session: one per connection.

:meth:`Session.receive` takes the bytes a client sent, validates and classifies every
complete message, counts its facts into the shared :class:`~metricsd.core.counts.Tally`
(only while the gate says counting is on) and returns what the I/O shell must do, in
order: bytes to write, a ``sync`` to acknowledge after a commit, a ``snapshot`` to
answer, or ``CLOSE``.  Client strings are read here only to classify them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from metricsd import PROTO, __version__
from metricsd.core.counts import Tally
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
from metricsd.core.wire import (
    INVALID_EVENT,
    UNSUPPORTED_PROTO,
    Decoder,
    error_reply,
    pong_reply,
)


class Gate:
    """Shared switches the shell flips when config.toml or the dev marker change."""

    __slots__ = ("counting", "dev")

    def __init__(self, counting: bool = False, dev: bool = False) -> None:
        self.counting = counting
        self.dev = dev


@dataclass(frozen=True, slots=True)
class Sync:
    id: int


class _Snapshot:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SNAPSHOT"


class _Close:
    __slots__ = ()

    def __repr__(self) -> str:
        return "CLOSE"


SNAPSHOT: Final = _Snapshot()
CLOSE: Final = _Close()
Action = bytes | Sync | _Snapshot | _Close

_PONG: Final = pong_reply(__version__)


def _is_int(v: object) -> bool:
    return type(v) is int  # bool is not an int here


class _Invalid(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


def _field_error(msg_type: str, field: str, kind: str) -> _Invalid:
    # Both names come from this module's tables, never from the client.
    return _Invalid(f"field '{field}' of '{msg_type}' must be {kind}")


class Session:
    """Protocol state of one connection."""

    __slots__ = ("_bucket", "_decoder", "_gate", "_handlers", "_tally", "client_version",
                 "closed", "wants_commit")

    def __init__(self, tally: Tally, gate: Gate) -> None:
        self._tally = tally
        self._gate = gate
        self._decoder = Decoder()
        self.client_version = UNKNOWN_VERSION
        self._bucket = tally.bucket(UNKNOWN_VERSION)
        self.wants_commit = False
        self.closed = False
        self._handlers: dict[str, Callable[[dict[Any, Any]], Action | None]] = {
            "turn": self._turn,
            "usage": self._usage,
            "provider_error": self._provider_error,
            "tool_result": self._tool_result,
            "compaction": self._compaction,
            "sync": self._sync,
            "ping": self._ping,
            "snapshot": self._snapshot,
            "hello": self._hello,
        }

    @property
    def buffered(self) -> int:
        return self._decoder.buffered

    def receive(self, data: bytes) -> list[Action]:
        """Feed received bytes; return the actions for the shell, in order."""
        actions: list[Action] = []
        if self.closed:
            return actions
        decoder = self._decoder
        decoder.feed(data)
        handlers = self._handlers
        for msg in decoder.messages():
            try:
                handler = handlers[msg["type"]]
            except (KeyError, TypeError):
                # Unknown, missing or not a str; TypeError: an array or map "type" is
                # unhashable, which must not raise out of here (ending the connection
                # task, and with it the daemon).  The table's keys are all str.
                self._unhandled(msg, actions)
                continue
            try:
                action = handler(msg)
            except _Invalid as exc:
                if self._gate.counting:
                    self._bucket[INVALID_EVENTS] += 1
                actions.append(error_reply(INVALID_EVENT, exc.detail))
                continue
            if action is not None:
                actions.append(action)
                if self.closed:
                    actions.append(CLOSE)
                    return actions
        err = decoder.error
        if err is not None:
            actions.append(error_reply(err.code, err.detail))
            actions.append(CLOSE)
            self.closed = True
        return actions

    def _unhandled(self, msg: dict[Any, Any], actions: list[Action]) -> None:
        msg_type = msg.get("type")
        if type(msg_type) is str:
            # An unknown type: ignored for forward compatibility, counted, no reply.
            if self._gate.counting:
                self._bucket[UNKNOWN_EVENTS] += 1
            return
        if self._gate.counting:
            self._bucket[INVALID_EVENTS] += 1
        actions.append(error_reply(INVALID_EVENT, "every message needs a string 'type'"))

    # --- handlers: each validates every field before counting anything ---------------

    def _turn(self, msg: dict[Any, Any]) -> None:
        reason = msg.get("finish_reason")
        empty = msg.get("empty_final", False)
        if reason is not None and type(reason) is not str:
            raise _field_error("turn", "finish_reason", "a string or nil")
        if type(empty) is not bool:
            raise _field_error("turn", "empty_final", "a bool")
        self.wants_commit = True
        if self._gate.counting:
            b = self._bucket
            b[TURNS] += 1
            b[finish_reason_fact(reason)] += 1
            if empty:
                b[EMPTY_FINAL] += 1

    def _usage(self, msg: dict[Any, Any]) -> None:
        hit = msg.get("cache_hit_tokens", 0)
        miss = msg.get("cache_miss_tokens", 0)
        # type(...) is int, inline (hot path): bool is not an int here.
        if type(hit) is not int or hit < 0:
            raise _field_error("usage", "cache_hit_tokens", "an integer >= 0")
        if type(miss) is not int or miss < 0:
            raise _field_error("usage", "cache_miss_tokens", "an integer >= 0")
        if self._gate.counting:
            self._bucket[cache_hit_fact(hit, miss)] += 1

    def _provider_error(self, msg: dict[Any, Any]) -> None:
        message = msg.get("message")
        status = msg.get("status")
        if message is None:
            message = ""
        elif type(message) is not str:
            raise _field_error("provider_error", "message", "a string")
        if status is not None and type(status) is not int:
            raise _field_error("provider_error", "status", "an integer or nil")
        if self._gate.counting:
            self._bucket[provider_error_fact(message, status)] += 1

    def _tool_result(self, msg: dict[Any, Any]) -> None:
        error = msg.get("error")
        if error is not None and type(error) is not str:
            raise _field_error("tool_result", "error", "a string or nil")
        if error and self._gate.counting:
            self._bucket[tool_error_fact(error)] += 1

    def _compaction(self, msg: dict[Any, Any]) -> None:
        if self._gate.counting:
            self._bucket[COMPACTION] += 1

    def _sync(self, msg: dict[Any, Any]) -> Action:
        sync_id = msg.get("id")
        if type(sync_id) is not int:
            raise _field_error("sync", "id", "an integer")
        self.wants_commit = True
        return Sync(sync_id)

    def _ping(self, msg: dict[Any, Any]) -> Action:
        return _PONG

    def _snapshot(self, msg: dict[Any, Any]) -> Action:
        return SNAPSHOT

    def _hello(self, msg: dict[Any, Any]) -> Action | None:
        proto = msg.get("proto")
        if not _is_int(proto):
            raise _field_error("hello", "proto", "an integer")
        if proto != PROTO:
            self.closed = True
            return _UNSUPPORTED
        self.client_version = client_version_label(msg.get("client_version"))
        self._bucket = self._tally.bucket(self.client_version)
        return None


_UNSUPPORTED: Final = error_reply(UNSUPPORTED_PROTO, f"this daemon speaks proto {PROTO} only")
