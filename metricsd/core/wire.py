"""Sans-IO MessagePack framing (docs/PROTOCOL.md): bytes in, values or a framing error out.

Like h11, nothing here touches a socket: the caller feeds received bytes with
:meth:`Decoder.feed` and iterates :meth:`Decoder.messages`.  A framing error is a
value (:attr:`Decoder.error`), after which the decoder yields nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgpack
from msgpack.exceptions import FormatError, StackError

#: One message at most this many bytes, encoded.
MAX_MESSAGE_BYTES: Final = 64 * 1024
#: One string (or binary) inside a message at most this many bytes.
MAX_STRING_BYTES: Final = 16 * 1024

#: Initial size of the decode buffer: one socket read (64 KiB) plus the start of a message
#: carried over from the read before.  A larger feed grows it.
DECODE_BUFFER_BYTES: Final = 96 * 1024

#: Error codes of the ``error`` reply.
MALFORMED: Final = "malformed"
TOO_LARGE: Final = "too_large"
NOT_A_MAP: Final = "not_a_map"
UNSUPPORTED_PROTO: Final = "unsupported_proto"
#: Over loopback TCP: the first message was not a ``hello`` with the daemon's token.
UNAUTHORIZED: Final = "unauthorized"
INVALID_EVENT: Final = "invalid_event"
ERROR_CODES: Final = (MALFORMED, TOO_LARGE, NOT_A_MAP, UNSUPPORTED_PROTO, UNAUTHORIZED,
                      INVALID_EVENT)


@dataclass(frozen=True, slots=True)
class FramingError:
    """The stream cannot go on: reply with this error, then close."""

    code: str
    detail: str


class Decoder:
    """Splits a byte stream into MessagePack values, enforcing the size limits.

    Memory is bounded: at most one partial message (<= MAX_MESSAGE_BYTES) plus whatever
    the caller feeds at once stays buffered.  Between feeds, a decoder whose incomplete
    message (if any) began in the last chunk fed keeps only those bytes, not a
    ``msgpack.Unpacker`` (about 56 KiB each): idle connections cost little."""

    __slots__ = ("_consumed", "_fed", "_last", "_max_message", "_max_string", "_pending",
                 "_unpacker", "error")

    def __init__(self, *, max_message: int = MAX_MESSAGE_BYTES,
                 max_string: int = MAX_STRING_BYTES) -> None:
        self._max_message = max_message
        self._max_string = max_string
        self._unpacker: Any = None
        #: Stream offsets in the current unpacker: bytes fed, and the end of the last
        #: complete message (the difference is the incomplete message, also when the
        #: unpacker was put away and its bytes are kept in ``_pending``).
        self._fed = 0
        self._consumed = 0
        self._pending = b""
        self._last = b""
        self.error: FramingError | None = None

    def _new_unpacker(self) -> Any:
        max_message = self._max_message
        max_string = self._max_string
        # Element counts cannot exceed the byte limit (each element takes >= 1 byte), so
        # these bounds only stop a huge *declared* length from allocating anything.
        return msgpack.Unpacker(
            raw=False,
            strict_map_key=False,
            max_buffer_size=0,
            read_size=DECODE_BUFFER_BYTES,
            max_str_len=max_string,
            max_bin_len=max_string,
            max_array_len=max_message,
            max_map_len=max_message // 2,
            max_ext_len=max_message,
        )

    def feed(self, data: bytes) -> None:
        if self.error is not None or not data:
            return
        unpacker = self._unpacker
        if unpacker is None:
            unpacker = self._unpacker = self._new_unpacker()
            if self._pending:
                unpacker.feed(self._pending)
                self._pending = b""
        unpacker.feed(data)
        self._fed += len(data)
        self._last = data

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete message."""
        return self._fed - self._consumed

    def messages(self) -> list[dict[Any, Any]]:
        """Every complete value, in order; on a framing error, the values before it, with
        :attr:`error` set.  (A list, not a generator: cheaper per message.)"""
        out: list[dict[Any, Any]] = []
        unpacker = self._unpacker
        if self.error is not None or unpacker is None:
            return out
        append = out.append
        tell = unpacker.tell
        limit = self._max_message
        consumed = self._consumed
        # Hot path: the C unpacker's own iterator (no exception per message); the size limit
        # is checked from its stream offsets, per message.
        try:
            for value in unpacker:
                end = tell()
                if end - consumed > limit:
                    self._consumed = consumed
                    self._fail(TOO_LARGE, _limit_detail())
                    return out
                consumed = end
                if type(value) is not dict:
                    self._consumed = end
                    self._fail(NOT_A_MAP, "every message must be a MessagePack map")
                    return out
                append(value)
        # TypeError: a map key that cannot be a dict key (an array or map): not a
        # string-keyed map, and it must not escape to kill the connection's task.
        except (FormatError, StackError, UnicodeDecodeError, TypeError):
            self._consumed = consumed
            self._fail(MALFORMED, "invalid MessagePack")
            return out
        except ValueError as exc:
            self._consumed = consumed
            if "exceeds max_" in str(exc):
                self._fail(TOO_LARGE, _limit_detail())
            else:
                self._fail(MALFORMED, "invalid MessagePack")
            return out
        self._consumed = consumed
        partial = self._fed - consumed
        if partial > limit:
            # The next message is incomplete and already over the limit.
            self._fail(TOO_LARGE, _limit_detail())
            return out
        last, self._last = self._last, b""
        if partial <= len(last):
            # Put the unpacker away, keeping the incomplete message's bytes (they all came
            # in the last chunk, so copying them is linear in what was received).
            self._unpacker = None
            self._pending = last[len(last) - partial:] if partial else b""
            self._fed = partial
            self._consumed = 0
        return out

    def _fail(self, code: str, detail: str) -> None:
        self.error = FramingError(code, detail)


def _limit_detail() -> str:
    return (f"a message may be at most {MAX_MESSAGE_BYTES} bytes and a string at most "
            f"{MAX_STRING_BYTES} bytes")


# --- replies ----------------------------------------------------------------------------

def encode(value: dict[str, Any]) -> bytes:
    return bytes(msgpack.packb(value, use_bin_type=True))


def error_reply(code: str, detail: str) -> bytes:
    assert code in ERROR_CODES
    return encode({"type": "error", "code": code, "detail": detail})


def ack_reply(sync_id: int, committed: int | None = None) -> bytes:
    """``ack``; on a named stream it carries ``committed``, the stream's highest number
    durably committed."""
    if committed is None:
        return encode({"type": "ack", "id": sync_id})
    return encode({"type": "ack", "id": sync_id, "committed": committed})


def resume_reply(counted: int) -> bytes:
    """The answer to a ``hello`` naming a stream: the highest number already counted."""
    return encode({"type": "resume", "counted": counted})


def challenge_reply(proof: bytes, nonce: bytes) -> bytes:
    """Over loopback TCP (v1.3): the daemon's proof that it holds the token, and its own
    nonce for the client's proof."""
    return encode({"type": "challenge", "proof": proof, "nonce": nonce})


def pong_reply(version: str) -> bytes:
    return encode({"type": "pong", "proto": 1, "version": version})


def snapshot_reply(enabled: bool, dev: bool, counts: dict[str, Any],
                   health: dict[str, int]) -> bytes:
    return encode({"type": "snapshot", "enabled": enabled, "dev": dev, "counts": counts,
                   "health": health})


def status_reply(status: dict[str, Any]) -> bytes:
    """The ``status`` reply: the running daemon's own view (built by the shell from
    daemon-side values only: numbers, booleans, allow-listed words and its own paths)."""
    return encode({"type": "status", **status})
