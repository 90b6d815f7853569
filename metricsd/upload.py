"""The upload run's shell: seal batches, then drive the pure
:class:`~metricsd.core.uploading.UploadRun` — take the egress lock, ask consent, POST with
httpx, run SQLite, sleep — and decide nothing itself.  Imported only when an upload runs
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
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import (
    ATTEMPT_TIMEOUT_SECONDS,
    MAX_BATCH_AGE_DAYS,
    MAX_BATCHES,
    Batch,
    Host,
    expired,
    utc_day,
)
from metricsd.core.endpoint import Endpoint
from metricsd.core.uploading import (
    NOTHING_YET,
    Admit,
    Admitted,
    Delete,
    Drop,
    Failed,
    NoteAttempt,
    Post,
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
    attempt_timeout: float = ATTEMPT_TIMEOUT_SECONDS
    transport: httpx.AsyncBaseTransport | None = None
    #: The wall clock every date of the run comes from (see DaemonOptions.wall_clock).
    wall_clock: Callable[[], float] = time.time


#: How much of a response body is read at most (it is never used).
RESPONSE_READ_LIMIT: Final = 64 * 1024


def _prepare(ctx: UploadContext, now: float) -> list[Batch] | str:
    """Worker thread, under the egress lock: drop expired batches, seal committed counts
    and list the outbox — or say why not (consent)."""
    with ctx.egress.shared():
        decision = ctx.authority.decide(fresh=True)
        why = decision.why_not_uploading()
        if why is not None:
            return why
        store = ctx.store
        today = utc_day(now)
        store.prune(today)
        store.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=int(now),
                           today=today)
        _drop_expired(store, today)
        batches = store.batches()
        if not batches and store.held(today):
            return NOTHING_YET
        return batches


def _drop_expired(store: Store, today: str) -> None:
    stale = expired([(b.batch_id, b.period_to) for b in store.batches()], today=today)
    if stale:
        n = store.drop_batches(stale, today)
        log.warning("dropped %d batch(es) of days more than %d days ago or beyond the %d "
                    "newest days", n, MAX_BATCH_AGE_DAYS, MAX_BATCHES)


def _admit_attempt(ctx: UploadContext) -> tuple[int | None, Refused | None]:
    """Worker thread: take the egress lock (shared, without waiting) and ask consent
    afresh.  -> (lock descriptor to close after the attempt, None) or (None, refusal)."""
    fd = ctx.egress.try_shared()
    if fd is None:
        counting = ctx.authority.decide().counting
        return None, Refused("metrics are being turned off", counting=counting)
    try:
        decision = ctx.authority.decide(fresh=True)
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


async def run_upload(ctx: UploadContext, result: UploadResult | None = None) -> UploadResult:
    """One upload run.  ``result`` is filled in as the run goes (so an interrupted caller
    can still say what was sent)."""
    result = result if result is not None else UploadResult()
    now = ctx.wall_clock()
    prepared: list[Batch] | str = await ctx.in_db(_prepare, ctx, now)
    if isinstance(prepared, str):
        result.skipped = prepared
        return result
    run = UploadRun(prepared, ctx.host, jitter=random.SystemRandom().random, result=result)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    fd: int | None = None
    async with httpx.AsyncClient(timeout=ctx.attempt_timeout, transport=ctx.transport,
                                 follow_redirects=False, trust_env=False) as client:
        try:
            while True:
                action = run.next_action()
                if isinstance(action, Admit):
                    fd, refused = await trio.to_thread.run_sync(_admit_attempt, ctx)
                    run.send(refused if refused is not None else Admitted())
                elif isinstance(action, Post):
                    run.send(await _attempt(ctx, client, action,
                                            {**headers, "Idempotency-Key": action.batch_id}))
                    if fd is not None:
                        os.close(fd)
                        fd = None
                elif isinstance(action, Delete):
                    await ctx.in_db(ctx.store.delete_batch, action.batch_id)
                elif isinstance(action, Drop):
                    await ctx.in_db(ctx.store.drop_batches, [action.batch_id],
                                    utc_day(ctx.wall_clock()))
                elif isinstance(action, NoteAttempt):
                    await ctx.in_db(ctx.store.note_attempt, action.batch_id)
                elif isinstance(action, Sleep):
                    await trio.sleep(action.seconds)
                elif isinstance(action, Progress):
                    ctx.progress(action.line)
                else:
                    break
        finally:
            if fd is not None:
                os.close(fd)
    await ctx.in_db(ctx.store.set_meta, LAST_UPLOAD_KEY, _stamp(now, result.summary()))
    return result


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
