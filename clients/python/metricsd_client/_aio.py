"""The async client: the same engine as :class:`~metricsd_client.Client`, awaited from
asyncio or trio (whichever runs the calling task; no extra dependency)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from metricsd_client._client import CLOSE_TIMEOUT, REQUEST_TIMEOUT, _Events
from metricsd_client._wire import (
    ping_message,
    snapshot_message,
    status_message,
    sync_message,
)

if TYPE_CHECKING:
    import asyncio


def _running_asyncio_loop() -> asyncio.AbstractEventLoop | None:
    # Without asyncio imported no asyncio loop can be running (and importing it costs).
    aio = sys.modules.get("asyncio")
    if aio is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = aio.get_running_loop()
    except RuntimeError:
        return None
    return loop


class AsyncClient(_Events):
    """:class:`~metricsd_client.Client` for async code under asyncio or trio.

    The event methods (``usage``, ``tool_result``, ``provider_error``, ``compaction``,
    ``turn``) are plain, non-blocking methods, exactly as on ``Client``; only ``sync``,
    ``snapshot``, ``ping``, ``status`` and ``aclose`` are awaited.  Usable from any task
    (and thread)."""

    async def _ask(self, kind: str, message: dict[str, Any], timeout: float) -> Any:
        loop = _running_asyncio_loop()
        if loop is not None:
            return await self._ask_asyncio(loop, kind, message, timeout)
        return await self._ask_trio(kind, message, timeout)

    async def _ask_asyncio(self, loop: asyncio.AbstractEventLoop, kind: str,
                           message: dict[str, Any], timeout: float) -> Any:
        fut: asyncio.Future[Any] = loop.create_future()

        def settle(value: Any) -> None:
            if not fut.done():
                fut.set_result(value)

        def notify(value: Any) -> None:
            try:
                loop.call_soon_threadsafe(settle, value)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

        waiter = self._engine.ask(kind, message, notify)
        import asyncio

        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            return None
        finally:
            self._engine.forget(waiter)

    async def _ask_trio(self, kind: str, message: dict[str, Any], timeout: float) -> Any:
        import trio  # only when trio runs this task (sniffed: no asyncio loop)

        token = trio.lowlevel.current_trio_token()
        event = trio.Event()
        box: list[Any] = []

        def notify(value: Any) -> None:
            box.append(value)
            try:
                token.run_sync_soon(event.set)
            except trio.RunFinishedError:
                pass

        waiter = self._engine.ask(kind, message, notify)
        try:
            with trio.move_on_after(timeout):
                await event.wait()
        finally:
            self._engine.forget(waiter)
        return box[0] if box else None

    async def sync(self, timeout: float = REQUEST_TIMEOUT) -> bool:
        """As :meth:`metricsd_client.Client.sync`, awaited."""
        return await self._ask("ack", sync_message(0), timeout) is True

    async def snapshot(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._ask("snapshot", snapshot_message(),
                                                        timeout)
        return result

    async def ping(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._ask("pong", ping_message(), timeout)
        return result

    async def status(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._ask("status", status_message(), timeout)
        return result

    async def aclose(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is queued (at most ``timeout`` seconds, in a worker thread), then
        disconnect.  Never raises."""
        await _to_thread(lambda: self._engine.close(timeout))

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()


async def _to_thread(fn: Callable[[], None]) -> None:
    if _running_asyncio_loop() is not None:
        import asyncio

        await asyncio.to_thread(fn)
        return
    import trio

    await trio.to_thread.run_sync(fn)


__all__ = ["AsyncClient"]
