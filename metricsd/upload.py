"""The upload run's shell: drive the pure :class:`~metricsd.core.uploading.UploadRun` —
take the egress lock, ask consent, seal and list with SQLite, POST with httpx, sleep —
and decide nothing itself.  Imported only when an upload runs
(httpx is slow to import).

Consent is asked of the authority, under the shared egress lock, right before sealing and
right before *each* POST attempt (retries included); a wait between attempts is a plain
sleep that the daemon cancels the moment consent changes.  A run that finds consent gone
stops at once: no request carrying counts leaves after an opt-out took effect.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import httpx
import trio

from metricsd import __version__
from metricsd.clock import Clock, system_clock
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import ATTEMPT_TIMEOUT_SECONDS, Host
from metricsd.core.endpoint import Endpoint
from metricsd.core.uploading import (
    Admit,
    Admitted,
    Delete,
    Drop,
    Failed,
    NoteAttempt,
    Post,
    Prepare,
    Prepared,
    Progress,
    Refused,
    Responded,
    Sleep,
    UploadResult,
    UploadRun,
)
from metricsd.store import LAST_UPLOAD_KEY, Store

log = logging.getLogger("metricsd")
InDb = Callable[..., Awaitable[Any]]

USER_AGENT: Final = f"metricsd/{__version__}"


@dataclass(frozen=True)
class UploadContext:
    """Everything one run needs, resolved by the caller."""

    store: Store
    authority: Authority
    egress: EgressLock
    endpoint: Endpoint
    host: Host
    in_db: InDb
    #: Called with one line per batch: ``flush`` prints them, the daemon logs them as
    #: ``uploading ...``; a daemon's run ends with one ``upload: <summary>`` line.
    progress: Callable[[str], None] = lambda line: log.info("uploading %s", line)
    #: Called with a line the user should look at (expired batches were dropped).
    warn: Callable[[str], None] = lambda line: log.warning("%s", line)
    attempt_timeout: float = ATTEMPT_TIMEOUT_SECONDS
    transport: httpx.AsyncBaseTransport | None = None
    #: The wall clock every date of the run comes from (see :mod:`metricsd.clock`).
    wall_clock: Clock = system_clock


#: How much of a response body is read at most (it is never used).
RESPONSE_READ_LIMIT: Final = 64 * 1024


def _prepare(ctx: UploadContext, action: Prepare) -> Prepared | Refused:
    """Worker thread, under the egress lock: ask consent; if it allows uploads, seal the
    complete days and list the outbox."""
    with ctx.egress.shared():
        decision = ctx.authority.decide()
        why = decision.why_not_uploading()
        if why is not None:
            return Refused(why, counting=decision.counting)
        store = ctx.store
        store.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=action.now,
                           today=action.today)
        return Prepared(tuple(store.batches()), held_today=bool(store.held(action.today)))


def _admit_attempt(ctx: UploadContext) -> tuple[int | None, Refused | None]:
    """Worker thread: take the egress lock (shared, without waiting) and ask consent
    afresh.  -> (lock descriptor to close after the attempt, None) or (None, refusal)."""
    fd = ctx.egress.try_shared()
    if fd is None:
        # Only `metricsd consent off` takes the lock exclusively: an opt-out is under way.
        return None, Refused("metrics are being turned off", counting=False)
    try:
        decision = ctx.authority.decide()
    except BaseException:
        os.close(fd)
        raise
    why = decision.why_not_uploading()
    if why is not None:
        os.close(fd)
        return None, Refused(why, counting=decision.counting)
    return fd, None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything behind it: causes, contexts and exception-group members."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < 50:
        e = todo.pop()
        out.append(e)
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None and nxt not in out:
                todo.append(nxt)
    return out


def describe_failure(exc: BaseException) -> str:
    """A plain name for why a request got no response (never the exception's text)."""
    causes = _causes(exc)
    for kind, name in ((ssl.SSLCertVerificationError, "TLS certificate not trusted"),
                       (ssl.SSLError, "TLS handshake failed"),
                       (ConnectionRefusedError, "connection refused"),
                       (socket.gaierror, "host name lookup failed")):
        if any(isinstance(e, kind) for e in causes):
            return name
    if any(isinstance(e, (httpx.TimeoutException, trio.TooSlowError, TimeoutError))
           for e in causes):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connection lost"
    return "network error"


class Upload:
    """One upload run: the machine, started on the wall clock's date, and the shell that
    performs its actions.  :meth:`so_far` says what an interrupted run had done."""

    def __init__(self, ctx: UploadContext) -> None:
        self._ctx = ctx
        self._now = ctx.wall_clock()
        self._run = UploadRun(ctx.host, now=self._now, jitter=random.SystemRandom().random)

    def so_far(self) -> UploadResult:
        return self._run.so_far()

    async def run(self) -> UploadResult:
        ctx, run = self._ctx, self._run
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        fd: int | None = None
        async with httpx.AsyncClient(timeout=ctx.attempt_timeout, transport=ctx.transport,
                                     follow_redirects=False, trust_env=False) as client:
            try:
                while True:
                    action = run.next_action()
                    if isinstance(action, Prepare):
                        run.send(await ctx.in_db(_prepare, ctx, action))
                    elif isinstance(action, Admit):
                        fd, refused = await trio.to_thread.run_sync(_admit_attempt, ctx)
                        run.send(refused if refused is not None else Admitted())
                    elif isinstance(action, Post):
                        run.send(await _attempt(ctx, client, action, {
                            **headers, "Idempotency-Key": action.batch_id}))
                        if fd is not None:
                            os.close(fd)
                            fd = None
                    elif isinstance(action, Delete):
                        await ctx.in_db(ctx.store.delete_batch, action.batch_id)
                    elif isinstance(action, Drop):
                        await ctx.in_db(ctx.store.drop_batches, action.batch_ids, action.day)
                    elif isinstance(action, NoteAttempt):
                        await ctx.in_db(ctx.store.note_attempt, action.batch_id)
                    elif isinstance(action, Sleep):
                        await trio.sleep(action.seconds)
                    elif isinstance(action, Progress):
                        (ctx.warn if action.warning else ctx.progress)(action.line)
                    else:
                        result = action.result
                        break
            finally:
                if fd is not None:
                    os.close(fd)
        await ctx.in_db(ctx.store.set_meta, LAST_UPLOAD_KEY, _stamp(self._now, result.summary()))
        return result


async def run_upload(ctx: UploadContext) -> UploadResult:
    """One upload run, to its end."""
    return await Upload(ctx).run()


async def _attempt(ctx: UploadContext, client: httpx.AsyncClient, action: Post,
                   headers: dict[str, str]) -> Responded | Failed:
    """One POST, bounded by the attempt timeout; never raises for a network failure."""
    try:
        with trio.fail_after(ctx.attempt_timeout + 1):
            status, retry_after = await _post(client, ctx.endpoint.url, action.body, headers)
    except (httpx.HTTPError, trio.TooSlowError, OSError) as exc:
        return Failed(describe_failure(exc))
    return Responded(status, retry_after, now=ctx.wall_clock())


async def _post(client: httpx.AsyncClient, url: str, body: bytes,
                headers: dict[str, str]) -> tuple[int, str | None]:
    """POST one batch; -> (status, Retry-After).  The response body is streamed and read
    no further than RESPONSE_READ_LIMIT, then the connection is closed: whoever controls
    the endpoint cannot grow the daemon's memory.  (A transport that hands over a body
    already read, as ``httpx.MockTransport`` does, has nothing left to stream.)"""
    async with client.stream("POST", url, content=body, headers=headers) as response:
        read = 0
        if not response.is_stream_consumed:
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read >= RESPONSE_READ_LIMIT:
                    break
        return response.status_code, response.headers.get("retry-after")


def _stamp(now: float, text: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)) + " " + text
