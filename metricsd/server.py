"""The trio shell: accept connections, move bytes, coalesce commits, answer sync/snapshot.

All counting is done by :class:`metricsd.core.protocol.Session`; all SQLite and file I/O
runs in :class:`metricsd.store.Store` / :mod:`metricsd.config` on a worker thread,
one call at a time (``self._db_limiter``).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import resource
import signal
import socket as stdsocket
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import trio

from metricsd import __version__
from metricsd.config import Watcher
from metricsd.core.batches import UPLOAD_INTERVAL_SECONDS, utc_day
from metricsd.core.counts import Groups, Tally, add_into, counts_body, flatten
from metricsd.core.facts import Fact
from metricsd.core.protocol import CLOSE, SNAPSHOT, Gate, Session, Sync
from metricsd.core.wire import ack_reply, snapshot_reply
from metricsd.service import peer_uid
from metricsd.settings import Settings
from metricsd.store import Store, describe_error

log = logging.getLogger("metricsd")
T = TypeVar("T")

RECEIVE_BYTES: Final = 64 * 1024
#: A client that has not read its replies for this long is disconnected.
SEND_TIMEOUT: Final = 10.0
#: How often config.toml and the dev marker are checked when no turn ends.
CONFIG_POLL_SECONDS: Final = 2.0
#: Back-off bounds when a commit fails (disk full, read-only directory ...).
COMMIT_RETRY_MIN: Final = 0.5
COMMIT_RETRY_MAX: Final = 30.0

# --- connection limits (docs/RELIABILITY.md explains each choice) ----------------------
#: At most this many client connections are served at once.  One more is accepted and
#: closed at once, without a reply (no error code of SPEC section 4 fits), and logged
#: once per episode of refusals.
MAX_CONNECTIONS: Final = 1000
#: A connection that completes no message for this long is closed (a leaked or dead
#: client).  A well-behaved client simply reconnects; everything it sent still counts.
IDLE_TIMEOUT: Final = 600.0
#: A message whose first byte has arrived must be complete within this long (slowloris).
MESSAGE_TIMEOUT: Final = 30.0
#: File descriptors kept free of client connections (database, WAL, lock, listener,
#: trio's wakeup pipe, worker threads ...): the cap never exceeds RLIMIT_NOFILE minus this.
FD_RESERVE: Final = 64
#: Testing knobs (like METRICSD_UPLOAD_TIMEOUT): environment overrides of the limits,
#: so tests can exercise them in seconds.  Invalid or non-positive values are ignored.
ENV_MAX_CONNECTIONS: Final = "METRICSD_MAX_CONNECTIONS"
ENV_IDLE_TIMEOUT: Final = "METRICSD_IDLE_TIMEOUT"
ENV_MESSAGE_TIMEOUT: Final = "METRICSD_MESSAGE_TIMEOUT"
ENV_SEND_TIMEOUT: Final = "METRICSD_SEND_TIMEOUT"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-connection limits of one daemon."""

    max_connections: int = MAX_CONNECTIONS
    idle_timeout: float = IDLE_TIMEOUT
    message_timeout: float = MESSAGE_TIMEOUT
    send_timeout: float = SEND_TIMEOUT

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Limits:
        def knob(name: str, default: float) -> float:
            try:
                value = float(environ.get(name, ""))
            except ValueError:
                return default
            return value if 0 < value < float("inf") else default

        return cls(
            max_connections=int(knob(ENV_MAX_CONNECTIONS, MAX_CONNECTIONS)),
            idle_timeout=knob(ENV_IDLE_TIMEOUT, IDLE_TIMEOUT),
            message_timeout=knob(ENV_MESSAGE_TIMEOUT, MESSAGE_TIMEOUT),
            send_timeout=knob(ENV_SEND_TIMEOUT, SEND_TIMEOUT),
        )


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
    data waiting, so a task never holds a received chunk while other tasks run: with 1,000
    busy connections those chunks added ~17 MiB to the peak RSS (docs/BENCHMARKS.md)."""
    while True:
        await trio.lowlevel.wait_readable(fd)
        try:
            return os.read(fd, max_bytes)
        except BlockingIOError:
            continue
        except OSError as exc:
            raise trio.BrokenResourceError(exc) from exc


class Daemon:
    def __init__(self, settings: Settings, store: Store, watcher: Watcher, *,
                 environ: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.limits = Limits.from_environ(os.environ if environ is None else environ)
        self.watcher = watcher
        self.tally = Tally()
        self.gate = Gate(counting=watcher.state.opted_in, dev=watcher.dev)
        self._db_limiter = trio.CapacityLimiter(1)
        # Commit coordination: a commit "starts" when it takes the deltas.
        self._wake = trio.Event()
        self._done = trio.Event()
        self._started = 0
        self._completed = 0
        self._commit_failures = 0
        # The deltas a commit has taken but not yet written, and the sequence number of
        # the last commit the database holds (set on the worker thread), for snapshots.
        self._inflight: tuple[int, Groups] | None = None
        self._db_seq = 0
        # Connections, for --idle-exit.
        self.active = 0
        self._conn_changed = trio.Event()
        self.connections_total = 0
        self.max_connections = self.limits.max_connections
        #: Connections refused at the cap since the last "cap reached" line (None: not
        #: refusing now).
        self._refusing: int | None = None
        self.shutdown = trio.Event()

    # --- worker-thread calls -----------------------------------------------------------

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await trio.to_thread.run_sync(fn, *args, limiter=self._db_limiter)

    def _commit_blocking(self, groups: Groups, seq: int) -> tuple[bool, bool]:
        """Worker thread: refresh consent/dev, then commit or discard.  -> (opted_in, dev)."""
        self._commit_or_purge(groups)
        self._db_seq = seq
        return self.watcher.state.opted_in, self.watcher.dev

    def _snapshot_blocking(self) -> tuple[dict[Fact, int], int]:
        return self.store.committed_totals(), self._db_seq

    def _commit_or_purge(self, groups: Groups) -> None:
        self._refresh_config()
        if not self.watcher.state.opted_in:
            if self.store.purge():
                log.info("metrics are off: purged stored counts and pending batches")
        elif groups:
            self.store.commit(groups, dev=self.watcher.dev, daemon_version=__version__,
                              day=utc_day())

    def _log_config_change(self) -> None:
        state = self.watcher.state
        if state.problem:
            log.log(logging.INFO if state.missing else logging.WARNING, "%s", state.problem)
        log.info("metrics %s%s", "on" if state.opted_in else "off",
                 " (dev build: nothing is uploaded)" if self.watcher.dev else "")

    # --- commits -------------------------------------------------------------------------

    def request_commit(self) -> None:
        self._wake.set()

    async def committed(self, *, unless_failing: bool = False) -> None:
        """Return once a commit that started after this call has finished (or, with
        ``unless_failing``, as soon as commits are failing: a storage fault)."""
        target = self._started + 1
        self._wake.set()
        while self._completed < target and not (unless_failing and self._commit_failures):
            await self._done.wait()

    async def _commit_once(self) -> None:
        self._started += 1
        seq = self._started
        groups = self.tally.take()
        self._inflight = (seq, groups)
        try:
            counting, dev = await self.in_db(self._commit_blocking, groups, seq)
        except Exception as exc:
            self._inflight = None
            self.tally.merge(groups)
            self._commit_failures += 1
            delay = min(COMMIT_RETRY_MAX, COMMIT_RETRY_MIN * 2 ** min(self._commit_failures, 8))
            log.error("commit failed (%s); keeping counts in memory, retrying in %.1fs",
                      describe_error(exc), delay)
            self._started -= 1
            # Wake waiters: a sync keeps waiting for a commit that succeeds, a snapshot
            # answers from what can be read (see _snapshot).
            done, self._done = self._done, trio.Event()
            done.set()
            await trio.sleep(delay)
            self._wake.set()
            return
        self._inflight = None
        if self._commit_failures:
            log.info("commits succeed again")
            self._commit_failures = 0
        if not counting:
            self.tally.clear()
        self.gate.counting = counting
        self.gate.dev = dev
        self._completed = self._started
        done, self._done = self._done, trio.Event()
        done.set()

    async def commit_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            await self._commit_once()

    async def config_poll(self) -> None:
        while True:
            await trio.sleep(CONFIG_POLL_SECONDS)
            self.request_commit()

    async def final_commit(self) -> None:
        with trio.CancelScope(shield=True):
            groups = self.tally.take()
            try:
                await self.in_db(self._commit_blocking, groups, self._started + 1)
            except Exception as exc:
                log.error("final commit failed (%s); %d uncommitted facts lost",
                          describe_error(exc), sum(len(g) for g in groups.values()))

    # --- connections -----------------------------------------------------------------

    def _conn_change(self, delta: int) -> None:
        self.active += delta
        ev, self._conn_changed = self._conn_changed, trio.Event()
        ev.set()

    async def handle(self, stream: trio.SocketStream) -> None:
        sock = stream.socket
        try:
            uid = peer_uid(sock)  # type: ignore[arg-type]
        except OSError:
            uid = None
        if uid != os.getuid():
            log.warning("refused a connection from another user")
            await stream.aclose()
            return
        if self.active >= self.max_connections:
            # No error code of SPEC section 4 means "busy": close at once, log once.
            if self._refusing is None:
                self._refusing = 0
                log.warning("%d connections open, the limit: refusing new ones",
                            self.active)
            self._refusing += 1
            await stream.aclose()
            return
        if self._refusing is not None:
            log.info("accepting connections again (refused %d)", self._refusing)
            self._refusing = None
        self.connections_total += 1
        self._conn_change(+1)
        session = Session(self.tally, self.gate)
        try:
            await self._serve(stream, session)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self._conn_change(-1)
            self.request_commit()
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _serve(self, stream: trio.SocketStream, session: Session) -> None:
        receive = functools.partial(receive_some, stream.socket.fileno())
        limits = self.limits
        clock = trio.current_time
        # Two deadlines: no complete message for idle_timeout, or a message still partial
        # message_timeout after its first byte arrived, and the connection is closed.
        idle_deadline = clock() + limits.idle_timeout
        partial_deadline = float("inf")
        while True:
            data: bytes | None = None
            with trio.move_on_at(min(idle_deadline, partial_deadline)):
                data = await receive(RECEIVE_BYTES)
            if data is None:
                if partial_deadline <= idle_deadline:
                    log.info("closed a connection whose message stayed incomplete for %gs",
                             limits.message_timeout)
                else:
                    log.info("closed a connection idle for %gs", limits.idle_timeout)
                return
            if not data:
                return
            before = session.buffered
            actions = session.receive(data)
            progressed = session.buffered < before + len(data)
            data = None  # do not hold the chunk while waiting for a commit or a send
            if session.wants_commit:
                session.wants_commit = False
                self._wake.set()
            if actions:
                out = bytearray()
                close = False
                for action in actions:
                    if type(action) is bytes:
                        out += action
                    elif type(action) is Sync:
                        await self.committed()
                        out += ack_reply(action.id)
                    elif action is SNAPSHOT:
                        out += await self._snapshot()
                    elif action is CLOSE:
                        close = True
                if out:
                    with trio.move_on_after(limits.send_timeout) as scope:
                        await stream.send_all(out)
                    if scope.cancelled_caught:
                        log.warning("closed a connection that did not read its replies")
                        return
                if close:
                    return
            now = clock()
            if progressed:
                idle_deadline = now + limits.idle_timeout
            if not session.buffered:
                partial_deadline = float("inf")
            elif progressed or partial_deadline == float("inf"):
                partial_deadline = now + limits.message_timeout

    async def _snapshot(self) -> bytes:
        # Wait for a commit that covers everything before, unless commits are failing
        # (storage fault): then answer at once from what the database and memory hold.
        await self.committed(unless_failing=True)
        if not self.gate.counting:
            return snapshot_reply(False, self.gate.dev, {})
        try:
            total, db_seq = await self.in_db(self._snapshot_blocking)
        except Exception as exc:
            # The database cannot be read: memory is all there is to show.
            log.warning("snapshot without the database (%s)", type(exc).__name__)
            total, db_seq = {}, self._db_seq
        add_into(total, flatten(self.tally.peek()).items())
        inflight = self._inflight
        if inflight is not None and inflight[0] > db_seq:
            add_into(total, flatten(inflight[1]).items())
        return snapshot_reply(True, self.gate.dev, counts_body(total))

    # --- upload ----------------------------------------------------------------------

    async def uploader(self) -> None:
        """Upload at start and every 24 h of uptime, after the socket is serving."""
        # httpx is slow to import: do it here, off the start-up path and the trio thread.
        upload = await trio.to_thread.run_sync(importlib.import_module, "metricsd.upload")
        while True:
            try:
                await self.in_db(self._refresh_config)
                result = await upload.maybe_upload(
                    self.store, opted_in=self.watcher.state.opted_in, dev=self.watcher.dev,
                    endpoint=self.settings.endpoint_override or self.watcher.state.endpoint,
                    in_db=self.in_db)
            except Exception as exc:
                # Storage fault (read-only or full directory ...): keep serving, retry.
                log.error("upload: the database is unavailable (%s); retrying in %gs",
                          type(exc).__name__, COMMIT_RETRY_MAX)
                await trio.sleep(COMMIT_RETRY_MAX)
                continue
            log.info("upload: %s", result.summary())
            await trio.sleep(UPLOAD_INTERVAL_SECONDS)

    def _refresh_config(self) -> None:
        if self.watcher.refresh():
            self._log_config_change()

    # --- lifecycle -------------------------------------------------------------------

    async def idle_exit(self, seconds: float) -> None:
        while True:
            if self.active == 0:
                with trio.move_on_after(seconds) as scope:
                    await self._conn_changed.wait()
                if scope.cancelled_caught and self.active == 0:
                    log.info("no client for %gs: exiting", seconds)
                    self.shutdown.set()
                    return
            else:
                await self._conn_changed.wait()

    async def watch_stdin(self) -> None:
        fd = sys.stdin.fileno()
        while True:
            chunk = await trio.to_thread.run_sync(os.read, fd, 4096, abandon_on_cancel=True)
            if not chunk:
                log.info("stdin closed: exiting")
                self.shutdown.set()
                return

    async def signals(self, received: AsyncIterator[int]) -> None:
        async for signum in received:
            if self.shutdown.is_set():
                continue  # a second SIGTERM/Ctrl-C must not cut the final commit short
            log.info("received %s: exiting", signal.Signals(signum).name)
            self.shutdown.set()

    async def serve(self, listener_socks: list[stdsocket.socket], *,
                    on_ready: Callable[[], None], idle_exit: float | None = None,
                    watch_stdin: bool = False,
                    on_stopping: Callable[[], object] | None = None,
                    background: list[Callable[[], Any]] | None = None) -> None:
        listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(s))
                     for s in listener_socks]
        self.max_connections = connection_cap(self.limits.max_connections)
        if self.max_connections < self.limits.max_connections:
            log.warning("the file descriptor limit allows only %d connections",
                        self.max_connections)
        # Signals are caught until the final commit is done, not only while serving.
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as received:
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self.commit_loop)
                    nursery.start_soon(self.config_poll)
                    nursery.start_soon(self.signals, received)
                    nursery.start_soon(trio.serve_listeners, self.handle, listeners)
                    if idle_exit is not None:
                        nursery.start_soon(self.idle_exit, idle_exit)
                    if watch_stdin:
                        nursery.start_soon(self.watch_stdin)
                    await trio.lowlevel.checkpoint()
                    on_ready()
                    for task in background or ():
                        nursery.start_soon(task)
                    await self.shutdown.wait()
                    if on_stopping is not None:
                        on_stopping()
                    nursery.cancel_scope.cancel()
            finally:
                await self.final_commit()
