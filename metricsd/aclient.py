"""The trio client for the metricsd socket: the same sans-IO core as
:class:`metricsd.client.Client`, on :func:`trio.open_unix_socket`.

Event helpers (``hello``, ``turn``, ...) are plain methods that only queue; ``await
flush()`` writes the batch in one ``send_all`` (``sync``, ``ping`` and ``snapshot`` flush
first).  :class:`AsyncSafeClient` is the never-raising variant for application code.
"""

from __future__ import annotations

import itertools
import os
from types import TracebackType
from typing import Any

import trio

from metricsd.client import (
    SAFE_MAX_BUFFER,
    SAFE_TIMEOUT,
    Backoff,
    ConnectionLost,
    ReplyParser,
    _Events,
    _SafeBase,
    encode,
    match_reply,
    ping_message,
    snapshot_message,
    socket_path,
    sync_message,
)

_RECEIVE_BYTES = 65536


class AsyncClient(_Events):
    """Trio client.  Use ``async with await AsyncClient.open(path) as c:`` or construct
    it and ``await c.connect()``.  ``reconnect`` as for :class:`metricsd.client.Client`.
    Like a trio stream, it serves one task at a time (:class:`AsyncSafeClient` takes a
    lock, so any task may use that one)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 reconnect: bool = True) -> None:
        self.path = socket_path(path)
        self.reconnect = reconnect
        self._stream: trio.SocketStream | None = None
        self._parser = ReplyParser()
        self._out = bytearray()
        self._hello: bytes | None = None
        self._ids = itertools.count(1)
        self.errors: list[dict[str, Any]] = []
        self.reconnects = 0
        self._connected_once = False

    @classmethod
    async def open(cls, path: str | os.PathLike[str] | None = None, *,
                   reconnect: bool = True) -> AsyncClient:
        client = cls(path, reconnect=reconnect)
        await client.connect()
        return client

    @property
    def connected(self) -> bool:
        return self._stream is not None

    @property
    def buffered(self) -> int:
        return len(self._out)

    async def connect(self) -> None:
        """(Re)connect; a new connection starts with the last ``hello``."""
        await self._drop_stream()
        stream = await trio.open_unix_socket(os.fspath(self.path))
        try:
            if self._hello is not None:
                await stream.send_all(self._hello)
        except BaseException:
            await stream.aclose()
            raise
        self._stream = stream
        self._parser = ReplyParser()
        self._connected_once = True

    async def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with trio.CancelScope(shield=True):
                await stream.aclose()

    # --- plumbing -----------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        self._queue(message)

    def _queue(self, message: dict[str, Any]) -> None:
        data = encode(message)
        if message.get("type") == "hello":
            self._hello = data
        self._out += data

    def send_raw(self, data: bytes) -> None:
        self._out += data

    async def flush(self) -> None:
        if not self._out:
            return
        if self._stream is None:
            if self._connected_once and not self.reconnect:
                raise ConnectionLost("not connected (reconnect is off)")
            await self.connect()
        assert self._stream is not None
        data = bytes(self._out)
        try:
            await self._stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            if not self.reconnect:
                await self._drop_stream()
                raise ConnectionLost("the daemon closed the connection") from exc
            await self.connect()
            self.reconnects += 1
            assert self._stream is not None
            await self._stream.send_all(data)
        del self._out[:len(data)]

    async def receive(self) -> dict[str, Any]:
        await self.flush()
        assert self._stream is not None
        while True:
            for reply in self._parser.replies():
                return reply
            try:
                data = await self._stream.receive_some(_RECEIVE_BYTES)
            except trio.BrokenResourceError:
                data = b""
            if not data:
                await self._drop_stream()
                raise ConnectionLost("the daemon closed the connection")
            self._parser.feed(data)

    async def _wait_for(self, reply_type: str, **match: Any) -> dict[str, Any]:
        while True:
            reply = await self.receive()
            if match_reply(reply, reply_type, match, self.errors):
                return reply

    async def _request(self, message: dict[str, Any], reply_type: str) -> dict[str, Any]:
        self._queue(message)
        try:
            return await self._wait_for(reply_type)
        except ConnectionLost:
            if not self.reconnect:
                raise
        await self.connect()
        self.reconnects += 1
        self._queue(message)
        return await self._wait_for(reply_type)

    # --- requests ----------------------------------------------------------------------

    async def sync(self) -> None:
        """Return once everything sent so far on this connection is committed."""
        sync_id = next(self._ids)
        self._queue(sync_message(sync_id))
        await self._wait_for("ack", id=sync_id)

    async def ping(self) -> dict[str, Any]:
        return await self._request(ping_message(), "pong")

    async def snapshot(self) -> dict[str, Any]:
        return await self._request(snapshot_message(), "snapshot")

    async def aclose(self) -> None:
        try:
            await self.flush()
        except (OSError, trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            await self._drop_stream()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()


class AsyncSafeClient(_SafeBase[AsyncClient]):
    """:class:`metricsd.client.SafeClient` for trio: no method raises ``Exception``
    (cancellation still propagates, as trio requires), each awaits at most ``timeout``
    seconds, events beyond ``max_buffer`` bytes are dropped and counted, and connection
    attempts back off.  Events queue until :meth:`flush`, :meth:`sync` or :meth:`aclose`
    (helpers cannot await)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 timeout: float = SAFE_TIMEOUT, max_buffer: int = SAFE_MAX_BUFFER,
                 backoff: Backoff | None = None) -> None:
        super().__init__(max_buffer, backoff or Backoff(clock=trio.current_time))
        self.timeout = timeout
        self._lock = trio.Lock()  # one operation on the connection at a time
        try:
            self._client = AsyncClient(path)
        except Exception as exc:
            self._failed(exc)

    def _queue(self, message: dict[str, Any]) -> None:
        self._enqueue(message)

    async def _call(self, method: str) -> Any:
        async with self._lock:
            return await self._call_locked(method)

    async def _call_locked(self, method: str) -> Any:
        client = self._client
        if client is None:
            return None
        if not client.connected and not self.backoff.ready():
            return None
        with trio.move_on_after(self.timeout) as scope:
            try:
                if not client.connected:
                    await client.connect()
                    self.backoff.succeeded()
                result = await getattr(client, method)()
                return True if result is None else result
            except Exception as exc:
                self._failed(exc)
        if scope.cancelled_caught:
            self._failed(TimeoutError(f"{method} took longer than {self.timeout} s"))
        await client._drop_stream()
        self.backoff.failed()
        return None

    async def flush(self) -> bool:
        if not self.buffered:
            return True
        return await self._call("flush") is True

    async def sync(self) -> bool:
        return await self._call("sync") is True

    async def ping(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._call("ping")
        return result

    async def snapshot(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._call("snapshot")
        return result

    async def aclose(self) -> None:
        if self.connected:
            await self.flush()
        if self._client is not None:
            await self._client._drop_stream()

    async def __aenter__(self) -> AsyncSafeClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

