"""Helpers of the in-process tests (metricsd.testing under trio's MockClock): an upload
endpoint behind ``httpx.MockTransport`` that validates every body with the receiver's own
validator, the watchdog runner, the standard session, and reads of the database."""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trio
import trio.testing
from metricsd_client._wire import (
    compaction_message,
    provider_error_message,
    snapshot_message,
    tool_result_message,
    turn_message,
    usage_message,
)

from metricsd.clock import Clock
from metricsd.core.batches import utc_day
from metricsd.core.facts import Fact
from metricsd.daemon import Committed
from metricsd.settings import CONFIG_NAME, DEV_MARKER_NAME, SOCKET_NAME
from metricsd.store import Store
from metricsd.testing import Harness, seed_day
from tests.conftest import Home
from tests.fake_endpoint import Invalid, validate

URL = "http://127.0.0.1:9/v1/metrics"
#: The facts of one day of EXPECTED, as seeded into the database.
SEEDED = {("turns", ""): 3, ("compaction", ""): 1, ("finish_reason", "stop"): 3,
          ("cache_hit", "90-94"): 3, ("provider_error", "overloaded"): 3,
          ("tool_error", "exit_nonzero"): 3}


@dataclass
class Endpoint:
    """What the receiver would answer, request by request; every body is validated by the
    receiver's own validator first."""

    answers: list[int | httpx.Response] = field(default_factory=list)
    posts: list[tuple[int, dict[str, Any], httpx.Headers]] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Set: the next request waits for this event before it is answered.
    hang: trio.Event | None = None
    #: Set when a request is waiting for ``hang``.
    hanging: trio.Event = field(default_factory=trio.Event)
    #: Set once any request has been answered.
    answered: trio.Event = field(default_factory=trio.Event)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        try:
            validate(body, request.headers.get("idempotency-key"))
        except Invalid:
            response = httpx.Response(400)
        else:
            if self.hang is not None:
                hang, self.hang = self.hang, None
                self.hanging.set()
                await hang.wait()
            answer = self.answers.pop(0) if self.answers else 202
            response = answer if isinstance(answer, httpx.Response) else httpx.Response(answer)
        self.posts.append((response.status_code, body, request.headers))
        self.answered.set()
        if response.status_code == 202:
            self.stored.setdefault(body["batch_id"], body)
        return response

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


#: A wrong daemon makes a test wait for a notification that never comes: after this many
#: real seconds the test process gets SIGINT, which the daemon takes as a stop, and the
#: waiting test fails with "the daemon stopped" instead of hanging the suite.
WATCHDOG_SECONDS = 120


def run(test: Callable[[], Awaitable[None]], *, autojump: bool = True) -> None:
    """Run ``test`` under a MockClock: with ``autojump``, time jumps to the next deadline
    whenever every task waits (back-offs take no time); without it, time stands still
    (nothing times out)."""
    clock = trio.testing.MockClock(autojump_threshold=0 if autojump else float("inf"))
    watchdog = threading.Timer(WATCHDOG_SECONDS, os.kill, (os.getpid(), signal.SIGINT))
    watchdog.start()
    try:
        trio.run(test, clock=clock)
    finally:
        watchdog.cancel()


def yesterday() -> str:
    return utc_day(time.time() - 86400)


async def session(h: Harness, *, turns: int = 3) -> None:
    """The standard session of tests.conftest.stream, acknowledged by a sync."""
    async with await h.connect() as c:
        for _ in range(turns):
            await c.send(usage_message(900, 100), tool_result_message("exit status 1"),
                         provider_error_message("upstream said status 503"),
                         turn_message("stop"))
        await c.send(compaction_message())
        await c.sync()


async def snapshot(h: Harness) -> dict[str, Any]:
    async with await h.connect() as c:
        return await c.request(snapshot_message())


def totals(database: Path) -> dict[tuple[str, str], int]:
    """Everything the database holds (committed counts and pending batches), summed."""
    store = Store.open(database)
    try:
        return store.committed_totals()
    finally:
        store.close()


async def committed_until(h: Harness, done: Callable[[dict[tuple[str, str], int]], bool],
                          ) -> dict[tuple[str, str], int]:
    """Wait for commits until the database's totals satisfy ``done``."""
    while True:
        await h.next(Committed)
        total = await trio.to_thread.run_sync(totals, h.database)
        if done(total):
            return total


def rows(database: Path) -> int:
    return len(totals(database))


class DaemonLog(logging.Handler):
    """The messages the daemon logs (INFO and up), as the command line's stderr shows
    them after ``metricsd[pid] LEVEL:``; :meth:`line` waits for one."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self._wake: tuple[trio.lowlevel.TrioToken, trio.Event] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())  # from the trio thread or a worker thread
        if self._wake is not None:
            token, event = self._wake
            with suppress(trio.RunFinishedError):
                token.run_sync_soon(event.set)

    async def line(self, where: Callable[[str], bool]) -> str:
        """The first line logged so far that ``where`` accepts, waiting for it if none
        has come yet (for what the daemon reports in no notification)."""
        while True:
            event = trio.Event()
            self._wake = (trio.lowlevel.current_trio_token(), event)
            for line in self.lines:
                if where(line):
                    return line
            await event.wait()


@contextmanager
def daemon_log() -> Iterator[DaemonLog]:
    """Collect what the daemon logs meanwhile.  The handler sits on the daemon's own
    logger: the command line's ``setup_logging`` stops propagation to the root logger
    when a test ran a command in this process."""
    logger = logging.getLogger("metricsd")
    handler = DaemonLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def home_of(directory: Path) -> Home:
    """The paths of ``open_daemon(directory)`` as a :class:`tests.conftest.Home`, to run a
    command (``cli``) on what an in-process daemon left behind."""
    return Home(root=directory, socket=directory / SOCKET_NAME, state_dir=directory / "state",
                config=directory / CONFIG_NAME, dev_marker=directory / DEV_MARKER_NAME)


@contextmanager
def held_exclusively(path: Path) -> Iterator[int]:
    """What a `metricsd consent off` stopped with Ctrl-Z leaves: egress.lock held
    exclusively by a process that does not go on (``flock`` locks an open file, so a
    descriptor of this process conflicts with an in-process daemon's as another
    process's would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def seed_for_next_daemon(home: Home, counts: Mapping[Fact, int], *,
                         client_version: str = "2.0.1") -> None:
    """Commit ``counts`` for the day before the home's next daemon runs (see
    ``tests.conftest.FIRST_DAY``): a completed day it uploads, as if an earlier daemon
    had counted them, without starting one."""
    home.state_dir.mkdir(mode=0o700, exist_ok=True)
    day = utc_day(time.time() + (home.daemon_day() - 1) * 86400)
    seed_day(home.db, day, counts, client_version=client_version)


def command(home: Home, *args: str, wall_clock: Clock,
            environ: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``metricsd ARGS`` with the home's paths in this process, on ``wall_clock``'s
    date (as ``tests.conftest.cli`` does in a child under libfaketime), in an empty
    environment unless ``environ`` is given.  Blocking: from a trio run, call it with
    ``trio.to_thread.run_sync``; ``flush`` runs its own trio loop and sets SIGINT, so call
    that one outside any trio run."""
    from metricsd.cli import main

    out, err = io.StringIO(), io.StringIO()
    umask = os.umask(0o077)
    os.umask(umask)
    sigint = signal.getsignal(signal.SIGINT)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*args[:1], *home.args(), *args[1:]], environ=environ or {},
                        wall_clock=wall_clock)
    finally:
        os.umask(umask)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, sigint)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def show_bodies(home: Home, wall_clock: Clock) -> list[dict[str, Any]]:
    """``metricsd show --json`` in this process."""
    out = command(home, "show", "--json", wall_clock=wall_clock)
    assert out.returncode == 0, out.stderr
    bodies: list[dict[str, Any]] = json.loads(out.stdout)
    return bodies
