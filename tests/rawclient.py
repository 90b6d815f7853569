"""The raising, blocking test driver for daemons (tests only; applications use
``metricsd_client``).

:class:`Client` buffers events and writes them in one ``sendall`` on :meth:`Client.flush`
(or when a reply is needed, or at :data:`FLUSH_BYTES`); it raises on every failure, which
is what a test wants.  After the daemon restarts, the next write reconnects and repeats the
``hello``.  The message builders and the encoder are ``metricsd_client``'s (re-exported
here), so tests that drive daemons through this class also exercise that encoder.
"""

from __future__ import annotations

import errno
import itertools
import os
import socket
import time
from types import TracebackType
from typing import Any, Final

from metricsd_client import socket_path
from metricsd_client._wire import (
    FATAL_CODES,
    ReplyParser,
    clip,
    compaction_message,
    encode,
    hello_message,
    ping_message,
    provider_error_message,
    snapshot_message,
    status_message,
    sync_message,
    tool_result_message,
    turn_message,
    usage_message,
    usage_read_write_message,
    usage_total_message,
)

__all__ = [
    "FLUSH_BYTES", "Client", "ConnectionLost", "ProtocolError", "ReplyParser", "clip",
    "compaction_message", "encode", "hello_message", "match_reply", "ping_message",
    "provider_error_message", "snapshot_message", "socket_path", "status_message",
    "sync_message", "tool_result_message", "turn_message", "usage_message",
    "usage_read_write_message", "usage_total_message",
]

#: A client writes its buffered events once they reach this many bytes.
FLUSH_BYTES: Final = 64 * 1024

#: errno values of a write to a connection whose daemon has gone.
_GONE: Final = frozenset({errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN,
                          errno.ESHUTDOWN})

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
    """The typed event helpers.  They only queue."""

    def _queue(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    def hello(self, client_version: str | None = None) -> None:
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

    def status(self) -> dict[str, Any]:
        return self._request({"type": "status"}, "status")

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
