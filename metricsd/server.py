"""The trio connection layer: accept, check the peer, move bytes, apply the limits.

All protocol work is :class:`metricsd.core.protocol.Session`'s; this module turns its
events into I/O.  Connection rules (docs/PROTOCOL.md, "Connections"):

* only the daemon's own uid may connect (checked on every accept);
* an open connection is never closed for being idle; at ``max_connections`` the one
  that has received nothing for the longest time is closed to admit a new one;
* a message whose first byte has arrived must be complete within ``message_timeout``;
* a client that does not read its replies for ``send_timeout`` is closed.
"""

from __future__ import annotations

import errno
import logging
import os
import resource
import socket
import struct
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import trio
from metricsd_client import peer_uid

from metricsd.core.counts import Tally
from metricsd.core.protocol import (
    AckAfterCommit,
    AnswerSnapshot,
    AnswerStatus,
    Close,
    CommitSoon,
    Gate,
    Send,
    Session,
)
from metricsd.core.wire import ack_reply

log = logging.getLogger("metricsd")

RECEIVE_BYTES: Final = 64 * 1024
#: Before a connection is closed (eviction, shutdown, a client that does not read its
#: replies), what it already wrote is read and counted, up to this much: a client's
#: successful write is never thrown away by the daemon.
DRAIN_LIMIT: Final = 16 * 1024 * 1024
#: AF_UNIX where the platform has it (CPython on Windows does not).
_AF_UNIX: Final = getattr(socket, "AF_UNIX", -1)
#: File descriptors kept free of client connections (database, WAL, locks, listener,
#: trio's wakeup pipe, worker threads ...): the cap never exceeds RLIMIT_NOFILE minus this.
FD_RESERVE: Final = 64
#: accept() errors that mean "no capacity right now" (retried after a pause, as
#: ``trio.serve_listeners`` does); any other is raised.
ACCEPT_CAPACITY_ERRNOS: Final = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM,
                                           errno.ENOBUFS})
ACCEPT_RETRY_SECONDS: Final = 0.1


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-daemon connection limits, passed in by the command line."""

    #: Connections served at once; at the cap the longest-idle one is closed.
    max_connections: int = 1000
    #: A message whose first byte arrived must be complete within this long (slowloris).
    message_timeout: float = 30.0
    #: A client that has not read its replies for this long is disconnected.
    send_timeout: float = 10.0


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered to what RLIMIT_NOFILE allows; raises the soft limit if it can."""
    need = wanted + FD_RESERVE
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < need:
            target = need if hard == resource.RLIM_INFINITY else min(need, hard)
            if target > soft:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
    except (OSError, ValueError):
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


async def receive_some(fd: int, max_bytes: int) -> bytes:
    """Read what a connection's socket holds, once it is readable (b"" at EOF).

    Unlike ``SocketStream.receive_some``, no checkpoint comes *after* a read that found
    data waiting, so a task never holds a received chunk while other tasks run (with 1,000
    busy connections those chunks added ~17 MiB to the peak RSS: docs/BENCHMARKS.md)."""
    while True:
        await trio.lowlevel.wait_readable(fd)
        try:
            return os.read(fd, max_bytes)
        except BlockingIOError:
            continue
        except OSError as exc:
            raise trio.BrokenResourceError(exc) from exc


class _Conn:
    __slots__ = ("last_received", "pid", "scope")

    def __init__(self, now: float, pid: int | None) -> None:
        self.last_received = now
        #: The peer's process id where the platform tells it (Unix sockets), else None.
        self.pid = pid
        self.scope = trio.CancelScope()


def peer_pid(sock: socket.socket) -> int | None:
    """The pid of the process at the other end of a Unix socket: SO_PEERCRED on Linux,
    LOCAL_PEERPID on macOS; None elsewhere or when it cannot be read."""
    try:
        if sys.platform.startswith("linux"):
            creds = sock.getsockopt(socket.SOL_SOCKET, getattr(socket, "SO_PEERCRED", 17),
                                    struct.calcsize("3i"))
            return int(struct.unpack("3i", creds)[0])
        if sys.platform == "darwin":
            # SOL_LOCAL = 0, LOCAL_PEERPID = 2 (<sys/un.h>)
            return int(struct.unpack("i", sock.getsockopt(0, 2, 4))[0])
    except OSError:
        pass
    return None


class Replies:
    """What the connection layer asks of the daemon: commits and the two state replies."""

    def __init__(self, *, commit_soon: Callable[[], None],
                 committed: Callable[[], Awaitable[None]],
                 snapshot: Callable[[], Awaitable[bytes]],
                 status: Callable[[], Awaitable[bytes]]) -> None:
        self.commit_soon = commit_soon
        self.committed = committed
        self.snapshot = snapshot
        self.status = status


class Server:
    def __init__(self, tally: Tally, gate: Gate, replies: Replies, limits: Limits,
                 token: str | None = None) -> None:
        """``token``: the secret a loopback TCP connection's first ``hello`` must carry."""
        self._tally = tally
        self.token = token
        self._listeners: list[trio.SocketListener] = []
        self._gate = gate
        self._replies = replies
        self.limits = limits
        self.max_connections = limits.max_connections
        self._conns: dict[int, _Conn] = {}
        self._next_id = 0
        #: Connections closed at the cap since the last "cap reached" line (None: not now).
        self._evicting: int | None = None
        self.changed = trio.Event()
        self.own_uid = os.getuid()

    @property
    def active(self) -> int:
        return len(self._conns)

    def active_except(self, pid: int) -> int:
        """Connections open from any process but ``pid`` (whose pid is unknown count)."""
        return sum(1 for c in self._conns.values() if c.pid != pid)

    def _notify(self) -> None:
        ev, self.changed = self.changed, trio.Event()
        ev.set()

    async def serve(self, listeners: list[trio.SocketListener], *,
                    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        self.max_connections = connection_cap(self.limits.max_connections)
        if self.max_connections < self.limits.max_connections:
            log.warning("the file descriptor limit allows only %d connections",
                        self.max_connections)
        self._listeners = list(listeners)
        async with trio.open_nursery() as nursery:
            for listener in listeners:
                nursery.start_soon(self._accept_loop, listener, nursery)
            task_status.started()

    def stop_accepting(self) -> int:
        """Shutdown, step one: take in the connections already waiting in the listen
        backlog, count what they wrote, and close the listeners, so that nothing a client
        wrote to a dying daemon is lost uncounted.  Returns how many were taken in."""
        taken = 0
        for listener in self._listeners:
            fd = listener.socket.fileno()
            if fd < 0:
                continue
            try:
                dup = socket.socket(fileno=os.dup(fd))
            except OSError:
                continue
            with dup:
                dup.setblocking(False)
                while True:
                    try:
                        conn, _addr = dup.accept()
                    except OSError:
                        break
                    with conn:
                        conn.setblocking(False)
                        if conn.family == _AF_UNIX:
                            try:
                                if peer_uid(conn) != self.own_uid:
                                    continue
                            except OSError:
                                continue
                        session = self._session(conn.family)
                        self._drain(conn.fileno(), session)
                        taken += 1
            listener.socket.close()
        if taken:
            self._replies.commit_soon()
        return taken

    def _session(self, family: int) -> Session:
        token = self.token if family in (socket.AF_INET, socket.AF_INET6) else None
        return Session(self._tally, self._gate, token)

    @staticmethod
    def _drain(fd: int, session: Session) -> None:
        """Count what the client already wrote, without replying (the connection is being
        closed).  Not after a framing error: what follows it never counts."""
        total = 0
        while not session.closed and total < DRAIN_LIMIT:
            try:
                data = os.read(fd, RECEIVE_BYTES)
            except OSError:  # nothing more waiting (EAGAIN), or the peer reset it
                return
            if not data:
                return
            total += len(data)
            session.receive(data)

    async def _accept_loop(self, listener: trio.SocketListener,
                           nursery: trio.Nursery) -> None:
        """Accept, one connection at a time: each is admitted under the cap (see
        :meth:`_admit`) and registered before the next is accepted, so a burst of connects
        never overshoots ``max_connections`` (nor the descriptors kept for commits).
        Only a lack of capacity (EMFILE, ENFILE, ENOBUFS, ENOMEM) is retried, after a
        pause, as ``trio.serve_listeners`` does; any other error is a bug and is raised."""
        while True:
            try:
                stream = await listener.accept()
            except trio.ClosedResourceError:
                return  # shutdown: stop_accepting closed it
            except OSError as exc:
                if exc.errno not in ACCEPT_CAPACITY_ERRNOS:
                    raise
                log.warning("accept failed (%s); trying again in %gs",
                            exc.strerror or type(exc).__name__, ACCEPT_RETRY_SECONDS)
                await trio.sleep(ACCEPT_RETRY_SECONDS)
                continue
            if self._foreign(stream):
                log.warning("refused a connection from another user")
                stream.socket.close()
                continue
            try:
                await self._admit()
            except BaseException:
                stream.socket.close()
                raise
            await nursery.start(self._handle, stream)

    def _foreign(self, stream: trio.SocketStream) -> bool:
        """A Unix-socket peer that is not this daemon's own user (checked before it can
        take a place under the cap)."""
        if stream.socket.family != _AF_UNIX:
            return False
        try:
            return bool(peer_uid(stream.socket) != self.own_uid)  # type: ignore[arg-type]
        except OSError:
            return True

    async def _admit(self) -> None:
        """Make room for one more connection: at the cap, close the one that has received
        nothing for the longest time and wait until it has gone (what it wrote is counted
        first, see :meth:`_handle`)."""
        if len(self._conns) < self.max_connections:
            if self._evicting is not None:
                log.info("below the connection cap again (closed %d idle connection(s))",
                         self._evicting)
                self._evicting = None
            return
        if self._evicting is None:
            self._evicting = 0
            log.warning("%d connections open, the limit (--max-connections): closing the "
                        "longest-idle one for each new one", len(self._conns))
        while len(self._conns) >= self.max_connections:
            oldest = min((c for c in self._conns.values() if not c.scope.cancel_called),
                         key=lambda c: c.last_received, default=None)
            if oldest is not None:
                oldest.scope.cancel()
                self._evicting += 1
            await self.changed.wait()

    async def _handle(self, stream: trio.SocketStream, *,
                      task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        family = stream.socket.family
        pid = peer_pid(stream.socket) if family == _AF_UNIX else None  # type: ignore[arg-type]
        conn = _Conn(trio.current_time(), pid)
        key = self._next_id
        self._next_id += 1
        self._conns[key] = conn
        self._notify()
        task_status.started()
        session = self._session(family)
        try:
            with conn.scope:
                await self._serve(stream, session, conn)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self._drain(stream.socket.fileno(), session)
            del self._conns[key]
            self._notify()
            self._replies.commit_soon()
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _serve(self, stream: trio.SocketStream, session: Session, conn: _Conn) -> None:
        fd = stream.socket.fileno()
        limits = self.limits
        replies = self._replies
        clock = trio.current_time
        partial_deadline = float("inf")
        while True:
            data: bytes | None = None
            with trio.move_on_at(partial_deadline):
                data = await receive_some(fd, RECEIVE_BYTES)
            if data is None:
                log.info("closed a connection whose message stayed incomplete for %gs",
                         limits.message_timeout)
                return
            if not data:
                return
            now = clock()
            conn.last_received = now
            before = session.buffered
            events = session.receive(data)
            progressed = session.buffered < before + len(data)
            data = None  # do not hold the chunk while waiting for a commit or a send
            out = bytearray()
            close = False
            for event in events:
                match event:
                    case Send(payload):
                        out += payload
                    case CommitSoon():
                        replies.commit_soon()
                    case AckAfterCommit(sync_id):
                        await replies.committed()
                        out += ack_reply(sync_id)
                    case AnswerSnapshot():
                        out += await replies.snapshot()
                    case AnswerStatus():
                        out += await replies.status()
                    case Close():
                        close = True
            if out:
                with trio.move_on_after(limits.send_timeout) as scope:
                    await stream.send_all(out)
                if scope.cancelled_caught:
                    log.warning("closed a connection that did not read its replies")
                    return
            if close:
                return
            if not session.buffered:
                partial_deadline = float("inf")
            elif progressed or partial_deadline == float("inf"):
                partial_deadline = clock() + limits.message_timeout

