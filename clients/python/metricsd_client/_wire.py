"""Sans-IO: the messages a client writes, their MessagePack bytes, and reply parsing.

Nothing here touches a socket.  Every builder returns a plain dict whose keys are in the
order of the shared test vectors, so :func:`encode` produces exactly their bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import msgpack

#: The protocol version this client speaks.
PROTO: Final = 1
#: One message at most this many bytes encoded; one string at most this many bytes.
MAX_MESSAGE_BYTES: Final = 64 * 1024
MAX_STRING_BYTES: Final = 16 * 1024
#: One reply at most this many bytes: a larger one, or one that does not decode, closes
#: the connection (so memory stays bounded whatever a hostile same-user socket sends).
MAX_REPLY_BYTES: Final = 1024 * 1024
#: A reply's maps and arrays at most this many entries (MessagePack decoders allocate for
#: a container's announced size before its entries arrive).
MAX_REPLY_ENTRIES: Final = 1024
#: Replayable streams: a stream id is this many random bytes.
STREAM_ID_BYTES: Final = 16
#: Over loopback TCP: the client's nonce, and how long it waits for the daemon's proof.
NONCE_BYTES: Final = 32
PROOF_TIMEOUT: Final = 2.0
#: ``error`` codes after which the daemon closes the connection.
FATAL_CODES: Final = frozenset({"malformed", "too_large", "not_a_map", "unauthorized",
                               "unsupported_proto"})


def clip(text: str) -> str:
    """``text`` cut to :data:`MAX_STRING_BYTES` of UTF-8 on a character boundary, so a
    long error message never breaks the connection (the daemon classifies strings by
    keywords, and a 16 KiB prefix is plenty for that)."""
    if len(text) * 4 <= MAX_STRING_BYTES:
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_STRING_BYTES:
        return text
    return data[:MAX_STRING_BYTES].decode("utf-8", "ignore")


def _opt_text(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected str or None, got {type(value).__name__}")
    return clip(value)


def _count(value: int | None) -> int:
    """A token count: an int >= 0; None (an SDK's optional field left unset) is 0."""
    if value is None:
        return 0
    if type(value) is not int or value < 0:
        raise ValueError("token counts are integers >= 0 or None")
    return value


def hello_message(client_version: str | None = None,
                  token: str | None = None, *, stream: bytes | None = None,
                  seq: int | None = None, nonce: bytes | None = None) -> dict[str, Any]:
    """``hello``.  ``stream``/``seq``: a replayable stream (v1.3) and the number of the
    first event this connection carries.  Over loopback TCP, ``nonce`` (v1.3: the daemon
    must prove it holds the token before anything else is sent), or ``token`` (v1.2,
    for tests of old clients only), is its last key."""
    msg: dict[str, Any] = {"type": "hello", "proto": PROTO}
    if client_version is not None:
        msg["client_version"] = _opt_text(client_version)
    if stream is not None:
        msg["stream"] = stream
        msg["seq"] = seq or 0
    if nonce is not None:
        msg["nonce"] = nonce
    if token is not None:
        msg["token"] = token
    return msg


def auth_message(proof: bytes) -> dict[str, Any]:
    """Over loopback TCP (v1.3): the client's proof, after it verified the daemon's."""
    return {"type": "auth", "proof": proof}


def proof(token: str, nonce: bytes) -> bytes:
    """HMAC-SHA256 of ``nonce`` under the token's ASCII bytes."""
    import hashlib
    import hmac

    return hmac.new(token.encode("ascii", "replace"), nonce, hashlib.sha256).digest()


def turn_message(finish_reason: str | None = None, empty_final: bool = False) -> dict[str, Any]:
    return {"type": "turn", "finish_reason": _opt_text(finish_reason),
            "empty_final": bool(empty_final)}


def usage_message(cache_hit_tokens: int | None = 0,
                  cache_miss_tokens: int | None = 0) -> dict[str, Any]:
    """``usage``, split form: prompt tokens read from the cache and not (DeepSeek)."""
    return {"type": "usage", "cache_hit_tokens": _count(cache_hit_tokens),
            "cache_miss_tokens": _count(cache_miss_tokens)}


def usage_total_message(prompt_tokens: int | None = 0,
                        cached_tokens: int | None = 0) -> dict[str, Any]:
    """``usage``, total + cached form: all prompt tokens, and those of them cached
    (OpenAI ``prompt_tokens_details.cached_tokens``, Gemini ``cached_content_token_count``)."""
    return {"type": "usage", "prompt_tokens": _count(prompt_tokens),
            "cached_tokens": _count(cached_tokens)}


def usage_read_write_message(input_tokens: int | None = 0,
                             cache_read_input_tokens: int | None = 0,
                             cache_creation_input_tokens: int | None = 0) -> dict[str, Any]:
    """``usage``, uncached + read/write form (Anthropic, Bedrock): uncached input tokens,
    tokens read from the cache, tokens written to it."""
    return {"type": "usage", "input_tokens": _count(input_tokens),
            "cache_read_input_tokens": _count(cache_read_input_tokens),
            "cache_creation_input_tokens": _count(cache_creation_input_tokens)}


def provider_error_message(message: str, status: int | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "provider_error", "message": _opt_text(message) or ""}
    if status is not None:
        if type(status) is not int:
            raise TypeError("status is an int or None")
        msg["status"] = status
    return msg


def tool_result_message(error: str | None = None) -> dict[str, Any]:
    return {"type": "tool_result", "error": _opt_text(error)}


def compaction_message() -> dict[str, Any]:
    return {"type": "compaction"}


def sync_message(sync_id: int) -> dict[str, Any]:
    return {"type": "sync", "id": sync_id}


def ping_message() -> dict[str, Any]:
    return {"type": "ping"}


def snapshot_message() -> dict[str, Any]:
    return {"type": "snapshot"}


def status_message() -> dict[str, Any]:
    return {"type": "status"}


def encode(message: dict[str, Any]) -> bytes:
    """One message as MessagePack (``str`` as str, ``bytes`` as bin).  ``ValueError`` when
    it is over :data:`MAX_MESSAGE_BYTES` (the daemon would close the connection)."""
    try:
        data: bytes = msgpack.packb(message, use_bin_type=True)
    except UnicodeEncodeError:
        # A lone surrogate (from surrogateescape'd bytes, say) cannot be UTF-8: replace it,
        # as the daemon would only classify the text anyway.
        message = {k: v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str)
                   else v for k, v in message.items()}
        data = msgpack.packb(message, use_bin_type=True)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {len(data)} bytes is over the limit of "
                         f"{MAX_MESSAGE_BYTES} bytes")
    return data


class ReplyError(ValueError):
    """The daemon's side sent a reply over :data:`MAX_REPLY_BYTES` or one that does not
    decode: the connection must be closed."""


class ReplyParser:
    """Bytes from the daemon in, reply maps out (anything that is not a map comes out as
    ``{"type": None}``; unknown keys are kept and ignored by the callers).

    Memory is bounded: at most :data:`MAX_REPLY_BYTES` are buffered, containers announce
    at most :data:`MAX_REPLY_ENTRIES` entries; beyond that, or on bytes that are not
    MessagePack, :meth:`feed` and :meth:`replies` raise :class:`ReplyError`."""

    __slots__ = ("_unpacker",)

    def __init__(self) -> None:
        self._unpacker = msgpack.Unpacker(
            raw=False, max_buffer_size=MAX_REPLY_BYTES, max_str_len=MAX_REPLY_BYTES,
            max_bin_len=MAX_REPLY_BYTES, max_array_len=MAX_REPLY_ENTRIES,
            max_map_len=MAX_REPLY_ENTRIES, max_ext_len=MAX_REPLY_BYTES,
            strict_map_key=False)

    def feed(self, data: bytes) -> None:
        """Buffer ``data``; call :meth:`replies` after each feed (the buffer holds only
        what is not yet decoded, up to :data:`MAX_REPLY_BYTES`)."""
        try:
            self._unpacker.feed(data)
        except Exception as exc:  # msgpack.BufferFull: one reply over the limit
            raise ReplyError(f"a reply over {MAX_REPLY_BYTES} bytes") from exc

    def replies(self) -> Iterator[dict[str, Any]]:
        while True:
            try:
                value = next(self._unpacker)
            except StopIteration:
                return
            except Exception as exc:  # ExtraData, FormatError, StackError, ValueError...
                raise ReplyError("a reply that does not decode") from exc
            yield dict(value) if isinstance(value, dict) else {"type": None}


# --- fast paths: the event messages' bytes without building a dict ------------------------
# Each must equal encode(<builder>(...)) byte for byte (tests/test_client.py checks them
# against the shared vectors and the builders).

_packer = msgpack.Packer(use_bin_type=True)


def _packb(value: Any) -> bytes:
    data: bytes = _packer.pack(value)
    return data

_TURN_CACHE: dict[tuple[str | None, bool], bytes] = {}
_TURN_CACHE_MAX = 64
_USAGE_HEAD = b"\x83" + _packb("type") + _packb("usage") + _packb("cache_hit_tokens")
_USAGE_MISS = _packb("cache_miss_tokens")
_TOTAL_HEAD = b"\x83" + _packb("type") + _packb("usage") + _packb("prompt_tokens")
_TOTAL_CACHED = _packb("cached_tokens")
_RW_HEAD = b"\x84" + _packb("type") + _packb("usage") + _packb("input_tokens")
_RW_READ = _packb("cache_read_input_tokens")
_RW_WRITE = _packb("cache_creation_input_tokens")
_SYNC_HEAD = b"\x82" + _packb("type") + _packb("sync") + _packb("id")
_TOOL_HEAD = b"\x82" + _packb("type") + _packb("tool_result") + _packb("error")
_TOOL_OK = _TOOL_HEAD + b"\xc0"


def turn_bytes(finish_reason: str | None = None, empty_final: bool = False) -> bytes:
    key = (finish_reason, bool(empty_final))
    data = _TURN_CACHE.get(key)
    if data is None:
        data = encode(turn_message(finish_reason, empty_final))
        if len(_TURN_CACHE) < _TURN_CACHE_MAX and len(data) <= 128:
            _TURN_CACHE[key] = data  # finish reasons are a handful of short strings
    return data


def usage_bytes(cache_hit_tokens: int | None = 0, cache_miss_tokens: int | None = 0) -> bytes:
    return (_USAGE_HEAD + _packb(_count(cache_hit_tokens)) + _USAGE_MISS
            + _packb(_count(cache_miss_tokens)))


def usage_total_bytes(prompt_tokens: int | None = 0, cached_tokens: int | None = 0) -> bytes:
    return (_TOTAL_HEAD + _packb(_count(prompt_tokens)) + _TOTAL_CACHED
            + _packb(_count(cached_tokens)))


def usage_read_write_bytes(input_tokens: int | None = 0,
                           cache_read_input_tokens: int | None = 0,
                           cache_creation_input_tokens: int | None = 0) -> bytes:
    return (_RW_HEAD + _packb(_count(input_tokens)) + _RW_READ
            + _packb(_count(cache_read_input_tokens)) + _RW_WRITE
            + _packb(_count(cache_creation_input_tokens)))


def sync_bytes(sync_id: int) -> bytes:
    return _SYNC_HEAD + _packb(sync_id)


_PERR_HEAD = b"\x83" + _packb("type") + _packb("provider_error") + _packb("message")
_PERR_STATUS = _packb("status")
_PERR_NO_STATUS = b"\x82" + _PERR_HEAD[1:]


def provider_error_bytes(message: str, status: int | None = None) -> bytes:
    if type(message) is not str:
        return encode(provider_error_message(message, status))
    try:
        if status is None:
            return _PERR_NO_STATUS + _packb(clip(message))
        if type(status) is not int:
            raise TypeError("status is an int or None")
        return _PERR_HEAD + _packb(clip(message)) + _PERR_STATUS + _packb(status)
    except UnicodeEncodeError:
        return encode(provider_error_message(message, status))


def tool_result_bytes(error: str | None = None) -> bytes:
    if error is None:
        return _TOOL_OK
    if type(error) is not str:
        raise TypeError("error is a str or None")
    try:
        return _TOOL_HEAD + _packb(clip(error))
    except UnicodeEncodeError:
        return encode(tool_result_message(error))
