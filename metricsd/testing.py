"""A daemon inside your trio run, for tests (as :mod:`trio.testing` is for trio).

:func:`open_daemon` starts :meth:`metricsd.daemon.Daemon.serve` with ``nursery.start`` on a
real Unix socket and a real SQLite file in a directory you give it, with uploads going to
the ``httpx`` transport you pass (an ``httpx.MockTransport``, say).  Run it under
``trio.testing.MockClock(autojump_threshold=0)`` and every back-off, retry and timeout of the
daemon takes no real time.  The daemon tells the harness what it did as typed
notifications (:class:`~metricsd.daemon.Committed`,
:class:`~metricsd.daemon.DecisionChanged`, :class:`~metricsd.daemon.UploadFinished`); a test
waits for one with :meth:`Harness.next` instead of reading log lines.

Dates come from the wall clock you pass (``open_daemon(wall_clock=WallClock(...))``; the
real clock by default): the counts a test's events make are dated by it, today's counts are
held until it says the day is over, and :meth:`WallClock.advance` or :meth:`WallClock.set`
moves the date — forward, back, far ahead — as a real clock can, without libfaketime.  A
completed day can also be put in the database before the daemon starts, with
:func:`seed_day`.  (The clock is a constructor argument of the daemon, as trio's ``clock=``
is of ``trio.run``: the shipped daemon has no variable or flag that moves its dates.)

Everything else is the shipped daemon: the consent authority reads ``config.toml``, the
file watch follows it, the egress lock is taken, commits run on a worker thread.

Example::

    async def test_counts() -> None:
        async with open_daemon(tmp) as h, await h.connect() as c:
            await c.send(turn_message("stop"))
            await c.sync()
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import trio
from metricsd_client._wire import ReplyParser, encode, hello_message, sync_message

from metricsd import __version__
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import utc_day
from metricsd.core.facts import Fact
from metricsd.daemon import (
    Committed,
    Daemon,
    DaemonOptions,
    DecisionChanged,
    Notification,
    UploadFinished,
)
from metricsd.server import Limits
from metricsd.settings import CONFIG_NAME, DB_NAME, DEV_MARKER_NAME, SOCKET_NAME, this_host
from metricsd.store import Store

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Committed", "Connection", "DecisionChanged", "Harness", "Notification",
    "UploadFinished", "WallClock", "open_daemon", "seed_day", "write_config",
]

N = TypeVar("N", Committed, DecisionChanged, UploadFinished)

#: Notifications kept for a test that has not asked for them yet; beyond this many the
#: oldest are dropped (a test waits for what comes next, not for history).
NOTIFICATIONS_KEPT = 1000


class WallClock:
    """A wall clock for an in-process daemon: Unix seconds, starting at ``start`` (default:
    the real time now) and standing still unless moved — :meth:`advance` (by seconds
    and/or days, negative moves it back) or :meth:`set`.  With ``follow`` (a trio
    ``MockClock``, say) it also moves as that clock does, so a jump of trio's time moves
    the date as well.  Callable from any thread (the daemon reads it on worker threads)."""

    def __init__(self, start: float | None = None, *,
                 follow: trio.abc.Clock | None = None) -> None:
        self._lock = threading.Lock()
        self._start = time.time() if start is None else float(start)
        self._follow = follow
        self._origin = follow.current_time() if follow is not None else 0.0

    def __call__(self) -> float:
        with self._lock:
            now = self._start
        if self._follow is not None:
            now += self._follow.current_time() - self._origin
        return now

    def advance(self, seconds: float = 0.0, *, days: float = 0) -> None:
        with self._lock:
            self._start += seconds + days * 86400

    def set(self, when: float) -> None:
        """Jump to ``when`` (Unix seconds), forward or back."""
        self.advance(when - self())

    def day(self, offset: int = 0) -> str:
        """The UTC day (``YYYY-MM-DD``) ``offset`` days from the clock's today."""
        return utc_day(self() + offset * 86400)


def write_config(config: Path, opted_in: bool | None) -> None:
    """``[desktop] metrics = true/false`` in ``config``; None removes the file."""
    if opted_in is None:
        config.unlink(missing_ok=True)
        return
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[desktop]\nmetrics = {'true' if opted_in else 'false'}\n")


def seed_day(database: Path, day: str, counts: Mapping[Fact, int], *,
             client_version: str = "2.0.1", dev: bool = False) -> None:
    """Commit ``counts`` for the UTC ``day`` (``YYYY-MM-DD``) into ``database`` through the
    store, as a daemon running on that day would have (blocking: call it before the daemon
    starts, or on a worker thread)."""
    store = Store.open(database)
    try:
        store.commit({(dev, client_version): dict(counts)}, daemon_version=__version__,
                     day=day)
    finally:
        store.close()


class Connection(trio.abc.AsyncResource):
    """One client connection, speaking the wire protocol (already said ``hello``)."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self._parser = ReplyParser()
        self._replies: list[dict[str, Any]] = []
        self._sync_id = 0

    async def send(self, *messages: dict[str, Any]) -> None:
        """Write ``messages`` (built with ``metricsd_client``'s message builders)."""
        await self.stream.send_all(b"".join(encode(m) for m in messages))

    async def reply(self) -> dict[str, Any]:
        """The next reply the daemon sends (``EOFError`` when it closes the connection)."""
        while not self._replies:
            data = await self.stream.receive_some()
            if not data:
                raise EOFError("the daemon closed the connection")
            self._parser.feed(data)
            self._replies.extend(self._parser.replies())
        return self._replies.pop(0)

    async def replies_until_closed(self) -> list[dict[str, Any]]:
        """Every reply until the daemon closes the connection."""
        out: list[dict[str, Any]] = []
        while True:
            try:
                out.append(await self.reply())
            except EOFError:
                return out

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        await self.send(message)
        return await self.reply()

    async def sync(self) -> None:
        """``sync`` and wait for its ``ack``: everything sent before is committed."""
        self._sync_id += 1
        reply = await self.request(sync_message(self._sync_id))
        assert reply == {"type": "ack", "id": self._sync_id}, reply

    async def aclose(self) -> None:
        await self.stream.aclose()


@dataclass
class Harness:
    """A running in-process daemon (see :func:`open_daemon`)."""

    daemon: Daemon
    directory: Path
    _receive: trio.MemoryReceiveChannel[Notification]
    #: Notifications received but not yet returned by :meth:`next`, oldest first
    #: (bounded).
    pending: list[Notification] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.daemon.options.socket

    @property
    def config(self) -> Path:
        return self.daemon.options.config

    @property
    def database(self) -> Path:
        return self.daemon.options.database

    async def connect(self, client_version: str | None = "2.0.1", *,
                      hello: bool = True) -> Connection:
        """A connection that has said ``hello`` (with ``client_version``), unless
        ``hello`` is false."""
        conn = Connection(await trio.open_unix_socket(str(self.socket)))
        if hello:
            await conn.send(hello_message(client_version))
        return conn

    async def next(self, kind: type[N], where: Callable[[N], bool] = lambda _: True) -> N:
        """The first notification of ``kind`` that ``where`` accepts and that no earlier
        call returned, waiting for it if it has not come yet.  Order between kinds is
        whatever the daemon's tasks made it: a test asks for what it needs, in any order."""
        for i, note in enumerate(self.pending):
            if isinstance(note, kind) and where(note):
                del self.pending[i]
                return note
        async for note in self._receive:
            if isinstance(note, kind) and where(note):
                return note
            self.pending.append(note)
            del self.pending[:-NOTIFICATIONS_KEPT]
        raise AssertionError("the daemon stopped")

    def set_opted_in(self, opted_in: bool | None) -> None:
        """Rewrite ``config.toml``; the daemon's file watch notices (wait for
        :class:`DecisionChanged`)."""
        write_config(self.config, opted_in)

    def stop(self) -> None:
        """Ask the daemon to stop, as SIGTERM does (the final commit still runs)."""
        self.daemon.shutdown.set()


@asynccontextmanager
async def open_daemon(directory: Path, *, opted_in: bool | None = True,
                      endpoint: str | None = None,
                      transport: httpx.AsyncBaseTransport | None = None,
                      environ: Mapping[str, str] | None = None,
                      limits: Limits | None = None,
                      wall_clock: Callable[[], float] | None = None,
                      ) -> AsyncIterator[Harness]:
    """Start a daemon whose socket, state and config live in ``directory``.

    ``opted_in`` writes ``config.toml`` first (None: leave what is there); ``endpoint`` is
    what ``--endpoint`` would be; ``environ`` is the environment the consent veto and the
    dev flag read (default: empty, so neither the real environment's veto nor its dev flag
    applies); ``wall_clock`` is where every date of the daemon comes from (a
    :class:`WallClock`; default: the real clock).  On exit the daemon is stopped as by
    SIGTERM: the final commit runs and the database is closed."""
    if sys.platform == "win32":
        raise NotImplementedError("metricsd.testing serves a Unix socket: not on Windows")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    if opted_in is not None:
        write_config(config, opted_in)
    state = directory / "state"
    state.mkdir(mode=0o700, exist_ok=True)
    sock_path = directory / SOCKET_NAME
    sock_path.unlink(missing_ok=True)
    send, receive = trio.open_memory_channel[Notification](NOTIFICATIONS_KEPT)

    def notify(note: Notification) -> None:
        try:
            send.send_nowait(note)
        except trio.WouldBlock:
            pass  # nobody is listening: a test waits for what comes next

    options = DaemonOptions(
        socket=sock_path, database=state / DB_NAME, config=config, endpoint_flag=endpoint,
        endpoint_env=None, host=this_host(), limits=limits or Limits(),
        notify=notify, transport=transport, wall_clock=wall_clock or time.time)
    authority = Authority(config, directory / DEV_MARKER_NAME, environ or {},
                          endpoint_flag=endpoint)
    store = await trio.to_thread.run_sync(Store.open, options.database)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(sock_path))
        listener.listen(128)
        daemon = Daemon(options, store, authority, EgressLock(state))
        listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(listener))]

        async def serve(*, task_status: trio.TaskStatus[None]) -> None:
            try:
                await daemon.serve(listeners, task_status=task_status)
            finally:
                send.close()  # a test waiting for a notification learns the daemon stopped

        async with trio.open_nursery() as nursery:
            await nursery.start(serve)
            harness = Harness(daemon, directory, receive)
            try:
                yield harness
            finally:
                daemon.shutdown.set()
    finally:
        listener.close()
        sock_path.unlink(missing_ok=True)
        await trio.to_thread.run_sync(store.close)
