"""Python clients for the metricsd socket (the protocol: docs/PROTOCOL.md).

Three layers:

* a sans-IO core — :func:`encode`, the ``*_message`` builders, :class:`ReplyParser` and
  :func:`match_reply` — shared with the trio client in :mod:`metricsd.aclient`;
* :class:`Client`, blocking, on :mod:`socket`: event helpers only buffer, and one
  ``sendall`` writes the whole batch on :meth:`Client.flush` (or when a reply is needed,
  or when the buffer reaches :data:`FLUSH_BYTES`).  After the daemon restarts, the next
  write reconnects and repeats the ``hello``;
* :class:`SafeClient`, for telemetry inside an application: it never raises, never blocks
  longer than its timeout, drops (and counts) events it cannot deliver, and reconnects
  lazily with back-off.
"""

from __future__ import annotations

import errno
import itertools
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Generic, Protocol, TypeVar

import msgpack

from metricsd import PROTO
from metricsd.core.wire import (
    MALFORMED,
    MAX_MESSAGE_BYTES,
    MAX_STRING_BYTES,
    NOT_A_MAP,
    TOO_LARGE,
    UNSUPPORTED_PROTO,
)
from metricsd.settings import ENV_SOCKET, default_socket

#: Error codes after which the daemon closes the connection.
FATAL_CODES: Final = (MALFORMED, TOO_LARGE, NOT_A_MAP, UNSUPPORTED_PROTO)
#: A client writes its buffered events once they reach this many bytes.
FLUSH_BYTES: Final = 64 * 1024
#: :class:`SafeClient`: the most bytes of events it holds while the daemon is away.
SAFE_MAX_BUFFER: Final = 1024 * 1024
#: :class:`SafeClient`: the longest one call may block the host, in seconds.
SAFE_TIMEOUT: Final = 2.0
#: :class:`SafeClient`: first and longest wait between connection attempts, in seconds.
BACKOFF_MIN: Final = 0.5
BACKOFF_MAX: Final = 30.0

#: errno values of a write to a connection whose daemon has gone.
_GONE: Final = frozenset({errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN,
                          errno.ESHUTDOWN})


def socket_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path``, else $METRICSD_SOCKET, else the platform default."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_SOCKET)
    return Path(env) if env else default_socket()


#: While a daemon's listen backlog is full, a connect with a timeout fails at once with
#: EAGAIN (Unix sockets do not wait); it is retried this often until the timeout.
CONNECT_RETRY_SECONDS: Final = 0.005


def _connect_unix(sock: socket.socket, path: str, timeout: float | None) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            sock.connect(path)
            return
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                raise
            time.sleep(CONNECT_RETRY_SECONDS)


class ProtocolError(Exception):
    """The daemon answered with an ``error`` reply that closes the connection."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(f"{reply.get('code')}: {reply.get('detail')}")
        self.reply = reply

    @property
    def code(self) -> str:
        return str(self.reply.get("code"))


class ConnectionLost(ConnectionError):
    """The daemon went away before it replied (events since the last ``sync`` may be lost)."""


# --- sans-IO: messages -------------------------------------------------------------------

def clip(text: str) -> str:
    """``text`` cut to :data:`~metricsd.core.wire.MAX_STRING_BYTES` of UTF-8 (on a character
    boundary), so a long error message never breaks the connection.  The daemon only
    classifies these strings, and classification looks at their start."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_STRING_BYTES:
        return text
    return data[:MAX_STRING_BYTES].decode("utf-8", "ignore")


def hello_message(client_version: str | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "hello", "proto": PROTO}
    if client_version is not None:
        msg["client_version"] = clip(client_version)
    return msg


def turn_message(finish_reason: str | None, empty_final: bool = False) -> dict[str, Any]:
    reason = clip(finish_reason) if isinstance(finish_reason, str) else finish_reason
    return {"type": "turn", "finish_reason": reason, "empty_final": empty_final}


def usage_message(cache_hit_tokens: int, cache_miss_tokens: int) -> dict[str, Any]:
    return {"type": "usage", "cache_hit_tokens": cache_hit_tokens,
            "cache_miss_tokens": cache_miss_tokens}


def provider_error_message(message: str, status: int | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "provider_error",
                           "message": clip(message) if isinstance(message, str) else message}
    if status is not None:
        msg["status"] = status
    return msg


def tool_result_message(error: str | None = None) -> dict[str, Any]:
    return {"type": "tool_result", "error": clip(error) if isinstance(error, str) else error}


def compaction_message() -> dict[str, Any]:
    return {"type": "compaction"}


def sync_message(sync_id: int) -> dict[str, Any]:
    return {"type": "sync", "id": sync_id}


def ping_message() -> dict[str, Any]:
    return {"type": "ping"}


def snapshot_message() -> dict[str, Any]:
    return {"type": "snapshot"}


def encode(message: dict[str, Any]) -> bytes:
    """One message as MessagePack (str as str, bytes as bin); ValueError when it is over
    :data:`~metricsd.core.wire.MAX_MESSAGE_BYTES`, which the daemon would answer with a close."""
    data = bytes(msgpack.packb(message, use_bin_type=True))
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {len(data)} bytes is over the limit of "
                         f"{MAX_MESSAGE_BYTES} bytes")
    return data


# --- sans-IO: replies --------------------------------------------------------------------

class ReplyParser:
    """Bytes from the daemon in, reply maps out."""

    __slots__ = ("_unpacker",)

    def __init__(self) -> None:
        self._unpacker = msgpack.Unpacker(raw=False)

    def feed(self, data: bytes) -> None:
        self._unpacker.feed(data)

    def replies(self) -> Iterator[dict[str, Any]]:
        for value in self._unpacker:
            yield dict(value) if isinstance(value, dict) else {"type": None}


def match_reply(reply: dict[str, Any], reply_type: str, match: dict[str, Any],
                errors: list[dict[str, Any]]) -> bool:
    """True when ``reply`` is the one awaited.  An ``error`` reply is appended to
    ``errors``; a fatal one (the daemon closes after it) raises :class:`ProtocolError`."""
    kind = reply.get("type")
    if kind == reply_type and all(reply.get(k) == v for k, v in match.items()):
        return True
    if kind == "error":
        errors.append(reply)
        if reply.get("code") in FATAL_CODES:
            raise ProtocolError(reply)
    return False


class _Events:
    """The typed event helpers.  They only queue; subclasses say what queuing means."""

    def _queue(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    def hello(self, client_version: str | None = None) -> None:
        """Optional first message: the protocol version and the application's version
        (``MAJOR.MINOR.PATCH[-dev|-alpha.N|-beta.N|-rc.N]``, else counted as unknown).
        Repeated automatically after a reconnect."""
        self._queue(hello_message(client_version))

    def turn(self, finish_reason: str | None, empty_final: bool = False) -> None:
        self._queue(turn_message(finish_reason, empty_final))

    def usage(self, cache_hit_tokens: int, cache_miss_tokens: int) -> None:
        self._queue(usage_message(cache_hit_tokens, cache_miss_tokens))

    def provider_error(self, message: str, status: int | None = None) -> None:
        self._queue(provider_error_message(message, status))

    def tool_result(self, error: str | None = None) -> None:
        self._queue(tool_result_message(error))

    def compaction(self) -> None:
        self._queue(compaction_message())


# --- blocking client ---------------------------------------------------------------------

class Client(_Events):
    """Blocking client.  Events are buffered and written in one ``sendall`` on
    :meth:`flush` (or when a reply is needed, or at :data:`FLUSH_BYTES`).

    ``reconnect``: when a write finds the daemon gone (it restarted), connect again,
    repeat the ``hello`` and write the buffer there.  A reply that never comes because the
    daemon went away raises :class:`ConnectionLost`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 timeout: float | None = 10.0, reconnect: bool = True,
                 connect: bool = True) -> None:
        self.path = socket_path(path)
        self.timeout = timeout
        self.reconnect = reconnect
        self._sock: socket.socket | None = None
        self._parser = ReplyParser()
        self._out = bytearray()
        self._hello: bytes | None = None
        self._ids = itertools.count(1)
        #: ``error`` replies received while waiting for something else.
        self.errors: list[dict[str, Any]] = []
        #: How many times this client connected again after losing the daemon.
        self.reconnects = 0
        self._connected_once = False
        if connect:
            self.connect()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    @property
    def buffered(self) -> int:
        """Bytes of events queued and not yet written."""
        return len(self._out)

    def connect(self) -> None:
        """(Re)connect; a new connection starts with the last ``hello``."""
        self._drop_socket()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            _connect_unix(sock, os.fspath(self.path), self.timeout)
            if self._hello is not None:
                sock.sendall(self._hello)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._parser = ReplyParser()
        self._connected_once = True

    def _drop_socket(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    # --- plumbing -----------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue any message (see :func:`encode` for the size check)."""
        self._queue(message)

    def _queue(self, message: dict[str, Any]) -> None:
        data = encode(message)
        if message.get("type") == "hello":
            self._hello = data
        self._out += data
        if len(self._out) >= FLUSH_BYTES:
            self.flush()

    def send_raw(self, data: bytes) -> None:
        """Queue bytes as they are (for tests and vectors)."""
        self._out += data

    def flush(self) -> None:
        """Write every queued event in one ``sendall``."""
        if not self._out:
            return
        if self._sock is None:
            if self._connected_once and not self.reconnect:
                raise ConnectionLost("not connected (reconnect is off)")
            self.connect()
        assert self._sock is not None
        try:
            self._sock.sendall(self._out)
        except OSError as exc:
            if not _is_gone(exc):
                raise
            if not self.reconnect:
                self._drop_socket()
                raise ConnectionLost("the daemon closed the connection") from exc
            self.connect()
            self.reconnects += 1
            assert self._sock is not None
            self._sock.sendall(self._out)
        self._out.clear()

    def receive(self) -> dict[str, Any]:
        """The next reply (flushes first)."""
        self.flush()
        if self._sock is None:
            raise ConnectionLost("not connected")
        while True:
            for reply in self._parser.replies():
                return reply
            try:
                data = self._sock.recv(65536)
            except OSError as exc:
                if not _is_gone(exc):
                    raise
                data = b""
            if not data:
                self._drop_socket()
                raise ConnectionLost("the daemon closed the connection")
            self._parser.feed(data)

    def _wait_for(self, reply_type: str, **match: Any) -> dict[str, Any]:
        while True:
            reply = self.receive()
            if match_reply(reply, reply_type, match, self.errors):
                return reply

    def _request(self, message: dict[str, Any], reply_type: str) -> dict[str, Any]:
        """Ask something whose answer does not depend on the connection: once again on a
        fresh connection if the daemon went away."""
        self._queue(message)
        try:
            return self._wait_for(reply_type)
        except ConnectionLost:
            if not self.reconnect:
                raise
        self.connect()
        self.reconnects += 1
        self._queue(message)
        return self._wait_for(reply_type)

    # --- requests ----------------------------------------------------------------------

    def sync(self) -> None:
        """Return once everything sent so far on this connection is committed to the
        daemon's database.  Raises :class:`ConnectionLost` if the daemon went away first."""
        sync_id = next(self._ids)
        self._queue(sync_message(sync_id))
        self._wait_for("ack", id=sync_id)

    def ping(self) -> dict[str, Any]:
        return self._request(ping_message(), "pong")

    def snapshot(self) -> dict[str, Any]:
        return self._request(snapshot_message(), "snapshot")

    # --- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        try:
            self.flush()
        except OSError:
            pass
        finally:
            self._drop_socket()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _is_gone(exc: OSError) -> bool:
    return exc.errno in _GONE


# --- never-raising client ----------------------------------------------------------------

class Backoff:
    """When the next connection attempt may be made: exponential, capped, no sleeping."""

    __slots__ = ("_clock", "_delay", "_next", "maximum", "minimum")

    def __init__(self, minimum: float = BACKOFF_MIN, maximum: float = BACKOFF_MAX,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self._clock = clock
        self._delay = 0.0
        self._next = 0.0

    def ready(self) -> bool:
        return self._clock() >= self._next

    def failed(self) -> None:
        self._delay = min(self.maximum, max(self.minimum, self._delay * 2))
        self._next = self._clock() + self._delay

    def succeeded(self) -> None:
        self._delay = 0.0
        self._next = 0.0


class _Queue(Protocol):
    """What the never-raising wrappers need of a strict client (blocking or trio)."""

    _hello: bytes | None

    @property
    def connected(self) -> bool: ...

    @property
    def buffered(self) -> int: ...

    def send_raw(self, data: bytes) -> None: ...


C = TypeVar("C", bound=_Queue)


class _SafeBase(_Events, Generic[C]):
    """The bookkeeping :class:`SafeClient` and the trio ``AsyncSafeClient`` share: a
    strict client underneath (or None when none could be made), a bounded queue whose
    overflow is dropped and counted, and swallowed failures."""

    def __init__(self, max_buffer: int, backoff: Backoff) -> None:
        self.max_buffer = max_buffer
        self.backoff = backoff
        #: Events dropped: buffer full or not encodable.
        self.dropped = 0
        #: Calls that failed inside (connect, write, reply): the exception is swallowed.
        self.failures = 0
        self.last_error: Exception | None = None
        self._client: C | None = None

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    @property
    def buffered(self) -> int:
        return self._client.buffered if self._client is not None else 0

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self.last_error = exc

    def _enqueue(self, message: dict[str, Any]) -> C | None:
        """Queue ``message`` on the strict client; None when it was dropped instead."""
        client = self._client
        try:
            data = encode(message)
        except Exception as exc:
            self.dropped += 1
            self._failed(exc)
            return None
        if client is None or client.buffered + len(data) > self.max_buffer:
            self.dropped += 1
            return None
        client.send_raw(data)
        if message.get("type") == "hello":
            client._hello = data
        return client


class SafeClient(_SafeBase["Client"]):
    """A client for telemetry that must never break the application emitting it.

    * No method raises (``Exception`` is caught; the last one is kept in
      :attr:`last_error`), and none blocks longer than ``timeout`` seconds.
    * Events queue in a buffer of at most ``max_buffer`` bytes; when it is full, or an
      event cannot be encoded, the event is dropped and counted in :attr:`dropped`.
    * It connects lazily, and after a failure waits (exponential back-off from
      ``BACKOFF_MIN`` to ``BACKOFF_MAX`` seconds, without sleeping) before trying again;
      events keep queueing meanwhile.
    * Events are written at each :meth:`turn`, at :data:`FLUSH_BYTES`, on :meth:`flush`,
      :meth:`sync` and :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 timeout: float = SAFE_TIMEOUT, max_buffer: int = SAFE_MAX_BUFFER,
                 backoff: Backoff | None = None) -> None:
        super().__init__(max_buffer, backoff or Backoff())
        try:
            self._client = Client(path, timeout=timeout, connect=False)
        except Exception as exc:  # e.g. no usable default path on this system
            self._failed(exc)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self._client.errors if self._client is not None else []

    def _queue(self, message: dict[str, Any]) -> None:
        client = self._enqueue(message)
        if client is not None and (message.get("type") == "turn"
                                   or client.buffered >= FLUSH_BYTES):
            self.flush()

    def _connected(self) -> Client | None:
        """The client, connected, or None (not now: back-off, or no daemon)."""
        client = self._client
        if client is None:
            return None
        if client.connected:
            return client
        if not self.backoff.ready():
            return None
        try:
            client.connect()
        except Exception as exc:
            self.backoff.failed()
            self._failed(exc)
            return None
        self.backoff.succeeded()
        return client

    def _call(self, fn: Callable[[Client], Any]) -> Any:
        client = self._connected()
        if client is None:
            return None
        try:
            return fn(client)
        except Exception as exc:
            client._drop_socket()
            self.backoff.failed()
            self._failed(exc)
            return None

    def flush(self) -> bool:
        """Write the queued events now; False when they stay queued."""
        if self._client is None or not self._client.buffered:
            return True
        return self._call(_flush) is True

    def sync(self) -> bool:
        """True once everything sent so far is committed; False if that is not known."""
        return self._call(_sync) is True

    def ping(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self._call(Client.ping)
        return result

    def snapshot(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self._call(Client.snapshot)
        return result

    def close(self) -> None:
        try:
            if self.connected:
                self.flush()
            if self._client is not None:
                self._client._drop_socket()
        except Exception as exc:
            self._failed(exc)

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _flush(client: Client) -> bool:
    client.flush()
    return True


def _sync(client: Client) -> bool:
    client.sync()
    return True
