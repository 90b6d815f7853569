"""The daemon: wires the parts together and owns the lifecycle.

* :class:`~metricsd.server.Server` — connections;
* :class:`~metricsd.commits.Committer` — commits and acks;
* the consent watch — a file watch on config.toml and the dev marker; a change reaches
  the gate, purges, and cancels a running upload within the second;
* :class:`Uploads` — at start (after the socket serves) and every 24 h of uptime;
* lifecycle — signals, ``--idle-exit``, ``--watch-stdin``, the final commit.

Blocking calls run on worker threads: SQLite through :meth:`Daemon.in_db` (one at a
time), the consent authority through ``trio.to_thread``.
"""

from __future__ import annotations

import importlib
import logging
import os
import random
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import trio

from metricsd import __version__
from metricsd.clock import Clock
from metricsd.commits import STORAGE_FAULTS, Committer
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import Host, seconds_to_next_upload, utc_day
from metricsd.core.consent import CLOSED, Decision
from metricsd.core.counts import Tally, VersionCap, counts_body, health_body
from metricsd.core.protocol import Gate
from metricsd.core.retry import storage_retry_delay
from metricsd.core.status import StatusReport
from metricsd.core.streams import Streams
from metricsd.core.uploading import UploadResult
from metricsd.core.wire import snapshot_reply, status_reply
from metricsd.server import Limits, Replies, Server
from metricsd.store import LAST_UPLOAD_KEY, Store, StoreUnavailable, describe_error
from metricsd.watch import open_watcher

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("metricsd")
T = TypeVar("T")


@dataclass(frozen=True)
class Committed:
    """A commit finished: the database holds every count taken before it (or, with
    metrics off, holds nothing)."""

    decision: Decision


@dataclass(frozen=True)
class DecisionChanged:
    """The daemon took a new consent decision (at start, from the file watch, or from a
    commit)."""

    old: Decision
    new: Decision


@dataclass(frozen=True)
class UploadFinished:
    """An upload run ended.  ``result`` is None when nothing was tried (``why`` says why:
    consent, a dev build, no endpoint) or when the run was cancelled (``cancelled``)."""

    result: UploadResult | None
    why: str
    cancelled: bool = False


#: What a daemon tells an observer (:mod:`metricsd.testing`); never an event's content.
Notification = Committed | DecisionChanged | UploadFinished


def _ignore(_: Notification) -> None:
    pass


@dataclass(frozen=True)
class DaemonOptions:
    """Values the command line resolved once; nothing below reads the environment."""

    socket: Path
    database: Path
    config: Path
    endpoint_flag: str | None
    endpoint_env: str | None
    host: Host
    #: The wall clock (Unix seconds) every date of the daemon comes from: the day a count
    #: belongs to, which days are complete, when the daily upload runs.  ``run`` passes
    #: the system clock (:mod:`metricsd.clock`); a test passes its own
    #: (:class:`metricsd.testing.WallClock`) — an argument, never an environment variable
    #: or a flag.
    wall_clock: Clock
    limits: Limits = field(default_factory=Limits)
    idle_exit: float | None = None
    watch_stdin: bool = False
    #: Called first at shutdown (the command line unlinks the socket / endpoint file).
    stop_listening: Callable[[], None] | None = None
    #: Over loopback TCP: the token a connection's first ``hello`` must carry.
    token: str | None = None
    #: Told of commits, decisions and upload runs, on the trio thread (must not block).
    notify: Callable[[Notification], None] = _ignore
    #: The HTTP transport uploads use (None: httpx's own; tests pass a MockTransport).
    transport: httpx.AsyncBaseTransport | None = None


class Daemon:
    def __init__(self, options: DaemonOptions, store: Store, authority: Authority,
                 egress: EgressLock) -> None:
        self.options = options
        self.store = store
        self.authority = authority
        self.egress = egress
        self._db_limiter = trio.CapacityLimiter(1)
        #: The consent decision in force (set by :meth:`apply` only).
        self.gate = Gate()
        self.tally = Tally()  # its version cap is seeded from the store in serve()
        #: Replayable streams' marks: loaded from the store in serve(), committed with the
        #: counts they cover.
        self.streams = Streams()
        self.committer = Committer(store, self.tally, authority, egress,
                                   daemon_version=__version__, in_db=self.in_db,
                                   on_decision=self._committed,
                                   wall_clock=options.wall_clock, streams=self.streams)
        self.server = Server(self.tally, self.gate, Replies(
            commit_soon=self.committer.request, committed=self.committer.committed,
            snapshot=self._snapshot, status=self._status, target=self.committer.target,
            reached=self.committer.reached), options.limits, options.token, self.streams)
        self.shutdown = trio.Event()
        self.uploads = Uploads(self)

    @property
    def decision(self) -> Decision:
        return self.gate.decision

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await trio.to_thread.run_sync(fn, *args, limiter=self._db_limiter)

    # --- consent ---------------------------------------------------------------------------

    def _committed(self, decision: Decision) -> None:
        self.apply(decision)
        self.options.notify(Committed(decision))

    def apply(self, decision: Decision) -> None:
        """Take a decision of the authority: gate, log line, cancel an upload."""
        if decision == self.decision:
            return
        old = self.decision
        self.gate.take(decision)
        self.options.notify(DecisionChanged(old, decision))
        if not decision.counting:
            self.tally.clear()
        if not decision.uploading:
            self.uploads.cancel()
        file = decision.file
        if file.problem and file.problem != old.file.problem:
            log.log(logging.INFO if file.missing else logging.WARNING, "%s", file.problem)
        if (decision.counting, decision.dev, decision.veto) != (
                old.counting, old.dev, old.veto) or old is CLOSED:
            log.info("metrics %s", decision.describe())

    async def watch_consent(self) -> None:
        """Follow config.toml and the dev marker; an idle daemon does no periodic work."""
        watcher = await trio.to_thread.run_sync(open_watcher, self.authority.files)
        if watcher.kind == "poll":
            log.info("no file watch on this platform: checking config.toml every second")
        try:
            while True:
                # First pass: an edit made after the start-up decisions but before the
                # watch was armed made no event; decide once more now that it is.
                decision = await trio.to_thread.run_sync(self.authority.decide)
                if decision != self.decision:
                    self.apply(decision)
                    # Commit now: purges at once when metrics went off.
                    self.committer.request()
                await watcher.changed()
        finally:
            watcher.close()

    # --- replies ------------------------------------------------------------------------

    async def _snapshot(self) -> bytes:
        if not self.gate.counting:
            await self.committer.committed(unless_failing=True)
            return snapshot_reply(False, self.gate.dev, {}, health_body({}))
        total = await self.committer.local_totals()
        return snapshot_reply(self.gate.counting, self.gate.dev, counts_body(total),
                              health_body(total))

    def _log_endpoint(self) -> None:
        decision = self.decision
        if decision.endpoint is not None:
            log.info("upload endpoint %s (from %s)", decision.endpoint.where,
                     decision.endpoint.source)
        elif decision.endpoint_problem is not None:
            log.warning("nothing will be uploaded: %s", decision.why_nothing_is_sent())
        else:
            log.info("no upload endpoint configured")

    async def _status(self) -> bytes:
        decision = self.decision
        total = await self.committer.local_totals() if decision.counting else {}
        try:
            last = await self.in_db(self.store.get_meta, LAST_UPLOAD_KEY)
        except STORAGE_FAULTS:
            last = self.uploads.last
        return status_reply(StatusReport.of(
            decision, pid=os.getpid(), version=__version__,
            # The asking connection is open while this reply is built: not counted.
            connections=max(0, self.server.active - 1),
            max_connections=self.server.max_connections, last_upload=last,
            counts=counts_body(total), health=health_body(total),
            socket=str(self.options.socket), database=str(self.options.database),
            config=str(self.options.config)).to_reply())

    # --- lifecycle ----------------------------------------------------------------------

    async def idle_exit(self, seconds: float) -> None:
        while True:
            if self.server.active == 0:
                with trio.move_on_after(seconds) as scope:
                    await self.server.changed.wait()
                if scope.cancelled_caught and self.server.active == 0:
                    log.info("no client for %gs: exiting", seconds)
                    self.shutdown.set()
                    return
            else:
                await self.server.changed.wait()

    async def watch_stdin(self) -> None:
        """Exit when the parent closes our stdin, unless clients of other processes still
        use this daemon (another instance of the app): then exit once the last of them has
        gone (after ``--idle-exit`` seconds without one, if set).  The parent's own
        connections do not hold the daemon up: the parent is quitting."""
        parent = os.getppid()
        fd = sys.stdin.fileno()
        while True:
            chunk = await trio.to_thread.run_sync(os.read, fd, 4096, abandon_on_cancel=True)
            if not chunk:
                break
        others = self.server.active_except(parent)
        if others == 0:
            log.info("stdin closed: exiting")
            self.shutdown.set()
            return
        log.info("stdin closed, but %d client connection(s) of other processes remain: "
                 "serving until the last one leaves", others)
        grace = self.options.idle_exit or 0.0
        while True:
            if self.server.active_except(parent) == 0:
                with trio.move_on_after(grace) as scope:
                    await self.server.changed.wait()
                if scope.cancelled_caught and self.server.active_except(parent) == 0:
                    log.info("the last client of another process left: exiting")
                    self.shutdown.set()
                    return
            else:
                await self.server.changed.wait()

    async def signals(self, received: AsyncIterator[int]) -> None:
        async for signum in received:
            if self.shutdown.is_set():
                continue  # a second SIGTERM/Ctrl-C must not cut the final commit short
            log.info("received %s: exiting", signal.Signals(signum).name)
            self.shutdown.set()

    async def serve(self, listeners: list[trio.SocketListener], *,
                    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve until shutdown; ``task_status.started()`` once connections are accepted.
        The final commit runs after the nursery is closed, shielded."""
        self.apply(await trio.to_thread.run_sync(self.authority.decide))
        self._log_endpoint()
        try:
            known = await self.in_db(self.store.client_versions)
        except STORAGE_FAULTS:
            known = []
        self.tally.cap = VersionCap(known)
        try:
            self.streams.load(await self.in_db(self.store.stream_marks))
        except STORAGE_FAULTS:
            pass  # streams start unknown: clients resend what is not committed
        # Signals are caught until the final commit is done, not only while serving.
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as received:
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self.committer.run)
                    self.committer.request()  # purges at once when metrics are off
                    nursery.start_soon(self.watch_consent)
                    nursery.start_soon(self.signals, received)
                    await nursery.start(self.server.serve, listeners)
                    if self.options.idle_exit is not None:
                        nursery.start_soon(self.idle_exit, self.options.idle_exit)
                    if self.options.watch_stdin:
                        nursery.start_soon(self.watch_stdin)
                    task_status.started()
                    nursery.start_soon(self.uploads.run)
                    await self.shutdown.wait()
                    # Nothing new gets in, and what clients already wrote is counted,
                    # before the connections are closed and the final commit runs.
                    if self.options.stop_listening is not None:
                        self.options.stop_listening()
                    self.server.stop_accepting()
                    nursery.cancel_scope.cancel()
            finally:
                await self.committer.final()


class Uploads:
    """Upload at start (after the socket is serving) and, for a daemon that stays up, after
    each UTC midnight with a random delay of up to an hour; a run is cancelled the moment
    consent (or the release build) goes away."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self._scope: trio.CancelScope | None = None
        #: The last run's result line, for `status` when the database cannot be read.
        self.last: str | None = None

    def cancel(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def run(self) -> None:
        rng = random.SystemRandom()
        wall_clock = self._daemon.options.wall_clock
        while True:
            await self._prune()
            await self._once()
            await trio.sleep(seconds_to_next_upload(wall_clock(), rng.random()))

    async def _prune(self) -> None:
        """Once a day, uploading or not: dev-build counts are kept only as long as pending
        batches are."""
        d = self._daemon
        try:
            await d.in_db(d.store.prune, utc_day(d.options.wall_clock()))
        except StoreUnavailable:
            pass  # the store logged that it cannot be opened; the commits say when it can
        except STORAGE_FAULTS as exc:
            log.warning("could not prune old dev-build counts (%s)", describe_error(exc))

    async def _once(self) -> None:
        d = self._daemon
        decision = d.decision  # kept current by the file watch; the run asks again itself
        why = decision.why_nothing_is_sent()
        endpoint = decision.endpoint
        if why is not None or endpoint is None:
            log.log(logging.WARNING if decision.endpoint_problem else logging.INFO,
                    "upload: %s", why)
            d.options.notify(UploadFinished(None, why or "no endpoint"))
            return
        # httpx is slow to import: only a daemon that will upload imports it, off the
        # start-up path and the trio thread.
        upload = await trio.to_thread.run_sync(importlib.import_module, "metricsd.upload")
        ctx = upload.UploadContext(store=d.store, authority=d.authority, egress=d.egress,
                                   endpoint=endpoint, host=d.options.host, in_db=d.in_db,
                                   transport=d.options.transport,
                                   wall_clock=d.options.wall_clock)
        faults = 0
        while True:
            with trio.CancelScope() as scope:
                self._scope = scope
                try:
                    result = await upload.run_upload(ctx)
                except STORAGE_FAULTS as exc:
                    faults += 1
                    delay = storage_retry_delay(faults)
                    log.error("upload: the database is unavailable (%s); retrying in %.1fs",
                              describe_error(exc), delay)
                    self._scope = None
                    await trio.sleep(delay)
                    continue
                finally:
                    self._scope = None
            if scope.cancelled_caught:
                why = "stopped, metrics were turned off or the build became a dev build"
                log.info("upload: %s", why)
                d.options.notify(UploadFinished(None, why, cancelled=True))
                return
            self.last = result.summary()
            log.info("upload: %s", result.summary())
            d.options.notify(UploadFinished(result, result.summary()))
            return
