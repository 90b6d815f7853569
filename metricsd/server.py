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
import secrets
import socket
import struct
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import trio
from metricsd_client.protocol import peer_uid

from metricsd.core.counts import Tally
from metricsd.core.protocol import (
    NONCE_BYTES,
    AckAfterCommit,
    AnswerSnapshot,
    AnswerStatus,
    Close,
    CommitSoon,
    Event,
    Gate,
    Send,
    Session,
    WaitForStream,
)
from metricsd.core.streams import Stream, Streams
from metricsd.core.wire import ack_reply
from metricsd.portable import current_uid

log = logging.getLogger("metricsd")

RECEIVE_BYTES: Final = 64 * 1024
#: Before a connection is closed (eviction, shutdown, a client that does not read its
#: replies), what it already wrote is read and counted, up to this much: a client's
#: successful write is never thrown away by the daemon.
DRAIN_LIMIT: Final = 16 * 1024 * 1024
#: At shutdown each connection is half-closed and read until the client closes its end,
#: for at most this long, so that what a client writes while it learns of the shutdown is
#: counted too (the reference clients close their end at once when they see EOF).
SHUTDOWN_DRAIN_SECONDS: Final = 0.5
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
#: Over loopback TCP, a connection that has not proved it holds the token by then is
#: closed (v1.3); until it has, it is no app instance's client (``--watch-stdin``).
AUTH_TIMEOUT_SECONDS: Final = 5.0
#: Replies a connection may have waiting to be written (acks waiting for their commit
#: included) before the connection is read no further until some are written.
REPLY_QUEUE: Final = 1024
#: Bytes of immediate replies (pongs, errors) a connection may have waiting to be written
#: before it is read no further until some are written.  REPLY_QUEUE alone let one read of
#: 64 KiB of pings queue 64 KiB of pongs, 1,024 times over: a client that wrote and never
#: read held 64 MiB of the daemon's memory, and its CPU, until the send timeout.
REPLY_BYTES: Final = 256 * 1024


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
    """``wanted``, lowered to what RLIMIT_NOFILE allows; raises the soft limit if it can.
    Windows has no RLIMIT_NOFILE (sockets are not C-runtime descriptors there): ``wanted``."""
    if sys.platform == "win32":
        return wanted
    import resource

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
    __slots__ = ("authed", "gone", "last_received", "pid", "queued", "scope", "written")

    def __init__(self, now: float, pid: int | None, authed: bool) -> None:
        self.last_received = now
        #: The peer's process id where the platform tells it (Unix sockets), else None.
        self.pid = pid
        self.scope = trio.CancelScope()
        #: Over TCP: the client proved it holds the token (Unix sockets: the uid check).
        self.authed = authed
        #: Set once the connection is closed and what it sent is counted.
        self.gone = trio.Event()
        #: Bytes of immediate replies queued and not yet written (see REPLY_BYTES), and
        #: the event the writer sets each time it wrote some.
        self.queued = 0
        self.written = trio.Event()


@dataclass(frozen=True, slots=True)
class _Ack:
    """An ``ack`` to write once commit number ``target`` has finished."""

    id: int
    target: int
    stream: Stream | None


#: Queued replies of one connection, in order: bytes, an ack, or a state reply to build.
_Reply = bytes | _Ack | AnswerSnapshot | AnswerStatus


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


async def _queue_bytes(out: trio.MemorySendChannel[_Reply], conn: _Conn, payload: bytes) -> None:
    """Queue immediate replies; past REPLY_BYTES waiting to be written, wait until the
    writer has written some (the connection is read no further meanwhile)."""
    conn.queued += len(payload)
    await _queue(out, payload)
    while conn.queued > REPLY_BYTES:
        conn.written = trio.Event()
        await conn.written.wait()


async def _queue(out: trio.MemorySendChannel[_Reply], item: _Reply) -> None:
    """Queue a reply for the connection's writer; waits only when its queue is full (no
    checkpoint otherwise: a sync every 100 events must cost next to nothing)."""
    try:
        try:
            out.send_nowait(item)
        except trio.WouldBlock:
            await out.send(item)
    except trio.BrokenResourceError:
        pass  # the writer has stopped: the connection is being closed (its scope cancelled)


class Replies:
    """What the connection layer asks of the daemon: commits and the two state replies."""

    def __init__(self, *, commit_soon: Callable[[], None],
                 committed: Callable[[], Awaitable[None]],
                 snapshot: Callable[[], Awaitable[bytes]],
                 status: Callable[[], Awaitable[bytes]],
                 target: Callable[[], int] | None = None,
                 reached: Callable[[int], Awaitable[None]] | None = None) -> None:
        """``target``/``reached``: the number of the commit that will cover what was read
        until now, and a wait for it (so an ``ack`` waits for exactly that commit while
        the connection keeps being read); without them, ``committed`` is awaited."""
        self.commit_soon = commit_soon
        self.committed = committed
        self.snapshot = snapshot
        self.status = status
        self.target = target
        self.reached = reached


class Server:
    def __init__(self, tally: Tally, gate: Gate, replies: Replies, limits: Limits,
                 token: str | None = None, streams: Streams | None = None) -> None:
        """``token``: the secret a loopback TCP connection must prove it holds.
        ``streams``: the replayable streams' marks (shared with the committer)."""
        self._tally = tally
        self.streams = streams if streams is not None else Streams()
        #: The connection serving each session (to close the one serving a stream
        #: another connection now asks for).
        self._by_session: dict[object, _Conn] = {}
        self.token = token
        self._listeners: list[trio.SocketListener] = []
        #: Set by stop_accepting: the connections are being closed for a shutdown.
        self._stopping = False
        self._gate = gate
        self._replies = replies
        self.limits = limits
        self.max_connections = limits.max_connections
        self._conns: dict[int, _Conn] = {}
        self._next_id = 0
        #: Connections closed at the cap since the last "cap reached" line (None: not now).
        self._evicting: int | None = None
        self.changed = trio.Event()
        #: None on Windows, where no Unix-socket peer can exist.
        self.own_uid = current_uid()

    @property
    def active(self) -> int:
        """Client connections open (over TCP, those that proved they hold the token)."""
        return sum(1 for c in self._conns.values() if c.authed)

    def active_except(self, pid: int) -> int:
        """Client connections open from any process but ``pid`` (whose pid is unknown
        count; a TCP connection that has not authenticated is nobody's client)."""
        return sum(1 for c in self._conns.values() if c.pid != pid and c.authed)

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
        self._stopping = True
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
                        session.release()
                        taken += 1
            listener.socket.close()
        if taken:
            self._replies.commit_soon()
        return taken

    def _session(self, family: int) -> Session:
        if family in (socket.AF_INET, socket.AF_INET6):
            return Session(self._tally, self._gate, self.token, streams=self.streams,
                           nonce=secrets.token_bytes(NONCE_BYTES))
        return Session(self._tally, self._gate, None, streams=self.streams)

    @staticmethod
    async def _read_to_eof(stream: trio.SocketStream, session: Session) -> None:
        """Shutdown: tell the client (EOF) and count what it wrote until it closes."""
        fd = stream.socket.fileno()
        try:
            stream.socket.shutdown(socket.SHUT_WR)
        except OSError:
            return
        total = 0
        while not session.closed and total < DRAIN_LIMIT:
            try:
                data = await receive_some(fd, RECEIVE_BYTES)
            except trio.BrokenResourceError:
                return
            if not data:
                return
            total += len(data)
            session.receive(data)

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
            return bool(peer_uid(stream.socket) != self.own_uid)  # type: ignore[arg-type,unused-ignore]
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
        pid = peer_pid(stream.socket) if family == _AF_UNIX else None  # type: ignore[arg-type,unused-ignore]
        session = self._session(family)
        conn = _Conn(trio.current_time(), pid, session.authenticated)
        key = self._next_id
        self._next_id += 1
        self._conns[key] = conn
        self._by_session[session] = conn
        self._notify()
        task_status.started()
        try:
            with conn.scope:
                await self._serve(stream, session, conn)
        except* (trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # the client went away (its reader or its replies' writer noticed)
        finally:
            if self._stopping and not session.closed:
                with trio.CancelScope(shield=True) as scope:
                    scope.deadline = trio.current_time() + SHUTDOWN_DRAIN_SECONDS
                    await self._read_to_eof(stream, session)
            self._drain(stream.socket.fileno(), session)
            session.release()
            del self._conns[key]
            del self._by_session[session]
            conn.gone.set()
            self._notify()
            self._replies.commit_soon()
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _serve(self, stream: trio.SocketStream, session: Session, conn: _Conn) -> None:
        """Read and handle messages; replies are written by a task of their own, in
        order, so that a ``sync`` waiting for its commit never stops the connection from
        being read."""
        send_replies, replies = trio.open_memory_channel[_Reply](REPLY_QUEUE)
        async with trio.open_nursery() as nursery:
            writer_done = trio.Event()
            nursery.start_soon(self._write_replies, stream, replies, conn, writer_done)
            async with send_replies:
                await self._read(stream, session, conn, send_replies)
            # EOF, a close the protocol asked for, or a timeout: what is queued is still
            # written (bounded by the send timeout), then the connection closes.
            with trio.move_on_after(self.limits.send_timeout):
                await writer_done.wait()
            nursery.cancel_scope.cancel()

    async def _read(self, stream: trio.SocketStream, session: Session, conn: _Conn,
                    out: trio.MemorySendChannel[_Reply]) -> None:
        fd = stream.socket.fileno()
        limits = self.limits
        clock = trio.current_time
        partial_deadline = float("inf")
        auth_deadline = float("inf") if conn.authed else clock() + AUTH_TIMEOUT_SECONDS
        while True:
            data: bytes | None = None
            with trio.move_on_at(min(partial_deadline, auth_deadline)):
                data = await receive_some(fd, RECEIVE_BYTES)
            if data is None:
                if clock() >= auth_deadline:
                    log.info("closed a TCP connection that did not authenticate within %gs",
                             AUTH_TIMEOUT_SECONDS)
                else:
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
            data = None  # do not hold the chunk while waiting
            if not conn.authed and session.authenticated:
                conn.authed = True
                auth_deadline = float("inf")
                self._notify()
            if await self._apply(session, events, out, conn):
                return
            if not session.buffered:
                partial_deadline = float("inf")
            elif progressed or partial_deadline == float("inf"):
                partial_deadline = clock() + limits.message_timeout

    async def _apply(self, session: Session, events: list[Event],
                     out: trio.MemorySendChannel[_Reply], conn: _Conn) -> bool:
        """Queue the replies ``events`` ask for; True when the connection is to close."""
        replies = self._replies
        pending = bytearray()
        while True:
            wait: WaitForStream | None = None
            for event in events:
                match event:
                    case Send(payload):
                        pending += payload
                    case CommitSoon():
                        replies.commit_soon()
                    case AckAfterCommit(sync_id, named):
                        if pending:
                            await _queue_bytes(out, conn, bytes(pending))
                            pending.clear()
                        target = replies.target() if replies.target is not None else -1
                        await _queue(out, _Ack(sync_id, target, named))
                    case AnswerSnapshot() | AnswerStatus():
                        if pending:
                            await _queue_bytes(out, conn, bytes(pending))
                            pending.clear()
                        await _queue(out, event)
                    case WaitForStream():
                        wait = event
                    case Close():
                        if pending:
                            await _queue_bytes(out, conn, bytes(pending))
                        return True
            if wait is None:
                break
            # Another connection still serves this stream: read what it already sent,
            # close it, then serve this one (events of a stream are counted in order).
            other = self._by_session.get(wait.owner)
            if other is not None:
                other.scope.cancel()
                await other.gone.wait()
            else:
                await trio.sleep(0)
            events = session.receive(b"")
        if pending:
            await _queue_bytes(out, conn, bytes(pending))
        return False

    async def _write_replies(self, stream: trio.SocketStream,
                             replies: trio.MemoryReceiveChannel[_Reply], conn: _Conn,
                             done: trio.Event) -> None:
        """Write the queued replies in order: an ack once its commit has finished, the
        state replies once built; what is ready at once goes out in one write."""
        daemon = self._replies
        limits = self.limits
        try:
            async with replies:
                while True:
                    try:
                        item: _Reply = await replies.receive()
                    except trio.EndOfChannel:
                        return
                    out = bytearray()
                    taken = 0  # bytes of immediate replies among them (see REPLY_BYTES)
                    while True:
                        if isinstance(item, bytes):
                            out += item
                            taken += len(item)
                        elif isinstance(item, _Ack):
                            if item.target >= 0 and daemon.reached is not None:
                                await daemon.reached(item.target)
                            else:
                                await daemon.committed()
                            named = item.stream
                            out += ack_reply(item.id,
                                             named.committed if named is not None else None)
                        elif isinstance(item, AnswerSnapshot):
                            out += await daemon.snapshot()
                        else:
                            out += await daemon.status()
                        try:
                            item = replies.receive_nowait()
                        except (trio.WouldBlock, trio.EndOfChannel):
                            break
                    with trio.move_on_after(limits.send_timeout) as scope:
                        await stream.send_all(out)
                    if scope.cancelled_caught:
                        log.warning("closed a connection that did not read its replies")
                        conn.scope.cancel()
                        return
                    if taken:
                        conn.queued -= taken
                        conn.written.set()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            conn.scope.cancel()
        finally:
            done.set()
