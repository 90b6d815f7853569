"""The upload run: seal batches, POST each with httpx, apply the policy of
:mod:`metricsd.core.batches`.  Imported only when an upload runs (httpx is slow to import).

Consent is asked of the authority, under the shared egress lock, right before sealing and
right before *each* POST attempt (retries included); a wait between attempts is a plain
sleep that the daemon cancels the moment consent changes.  A run that finds consent gone
stops at once: no request carrying counts leaves after an opt-out took effect.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import trio

from metricsd import __version__
from metricsd.consent import Authority, EgressLock
from metricsd.core.batches import (
    ATTEMPT_TIMEOUT_SECONDS,
    MAX_BATCH_AGE_SECONDS,
    MAX_BATCHES,
    MAX_FAILURES_PER_RUN,
    MAX_RETRY_AFTER_SECONDS,
    Batch,
    Host,
    backoff,
    body_of,
    expired,
    outcome,
    parse_retry_after,
    utc_day,
)
from metricsd.core.endpoint import Endpoint
from metricsd.store import LAST_UPLOAD_KEY, Store

log = logging.getLogger("metricsd")
InDb = Callable[..., Awaitable[Any]]

USER_AGENT: Final = f"metricsd/{__version__}"


@dataclass
class UploadResult:
    sent: int = 0
    folded_back: int = 0
    dropped: int = 0
    #: Why nothing was attempted ("nothing to upload", "metrics are off ..."), or None.
    skipped: str | None = None
    #: Why the run stopped early (consent withdrawn), or None.
    stopped: str | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def delivered_all(self) -> bool:
        """Every batch was delivered, or there was nothing to send."""
        return not (self.folded_back or self.dropped or self.stopped)

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        parts = [f"delivered {self.sent} batch(es)"]
        if self.folded_back:
            last = f" (last failure: {self.failures[-1]})" if self.failures else ""
            parts.append(f"{self.folded_back} kept for the next upload with the same "
                         f"batch id{last}")
        if self.dropped:
            parts.append(f"{self.dropped} rejected by the endpoint and deleted")
        if self.stopped:
            parts.append(f"stopped: {self.stopped}")
        return "; ".join(parts)


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


#: The run's summary when only today's counts are waiting.
NOTHING_YET: Final = ("nothing to upload yet: today's counts are sent once the day is over "
                      "(UTC)")

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
        _drop_expired(store, now)
        store.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=int(now),
                           today=utc_day(now))
        _drop_expired(store, now)
        batches = store.batches()
        if not batches and store.held(utc_day(now)):
            return NOTHING_YET
        return batches


def _drop_expired(store: Store, now: float) -> None:
    stale = expired([(b.batch_id, b.created) for b in store.batches()], now=now)
    if stale:
        n = store.drop_batches(stale, utc_day(now))
        log.warning("dropped %d batch(es) older than %d days or beyond the %d newest",
                    n, MAX_BATCH_AGE_SECONDS // 86400, MAX_BATCHES)


def _admit_attempt(ctx: UploadContext) -> tuple[int | None, str | None]:
    """Worker thread: take the egress lock (shared, without waiting) and ask consent
    afresh.  -> (lock descriptor to close after the attempt, None) or (None, why not)."""
    fd = ctx.egress.try_shared()
    if fd is None:
        return None, "metrics are being turned off"
    try:
        why = ctx.authority.decide(fresh=True).why_not_uploading()
    except BaseException:
        os.close(fd)
        raise
    if why is not None:
        os.close(fd)
        return None, why
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
    now = time.time()
    prepared: list[Batch] | str = await ctx.in_db(_prepare, ctx, now)
    if isinstance(prepared, str):
        result.skipped = prepared
        return result
    if not prepared:
        result.skipped = "nothing to upload (no counts were waiting)"
        await ctx.in_db(ctx.store.set_meta, LAST_UPLOAD_KEY, _stamp(now, result.skipped))
        return result
    failures = 0
    rng = random.SystemRandom()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    async with httpx.AsyncClient(timeout=ctx.attempt_timeout, transport=ctx.transport,
                                 follow_redirects=False, trust_env=False) as client:
        queue = list(prepared)
        while queue:
            batch = queue[0]
            fd, why = await trio.to_thread.run_sync(_admit_attempt, ctx)
            if fd is None:
                result.stopped = why
                # An opt-out (or the veto) deletes what is left, now or at the daemon's
                # next look; only a stop for another reason keeps the batches.
                decision = await trio.to_thread.run_sync(ctx.authority.decide)
                result.folded_back = len(queue) if decision.counting else 0
                fate = (f"{len(queue)} batch(es) kept for a later upload"
                        if decision.counting else
                        f"metrics are off, so the {len(queue)} remaining batch(es) are "
                        "deleted, not sent")
                ctx.progress(f"stopped before sending batch {batch.batch_id}: {why}; {fate}")
                break
            body = json.dumps(body_of(batch, ctx.host), separators=(",", ":")).encode()
            status: int | None = None
            retry_after: float | None = None
            failure = ""
            try:
                with trio.fail_after(ctx.attempt_timeout + 1):
                    status, retry_header = await _post(
                        client, ctx.endpoint.url, body,
                        {**headers, "Idempotency-Key": batch.batch_id})
                retry_after = parse_retry_after(retry_header, now=time.time())
            except (httpx.HTTPError, trio.TooSlowError, OSError) as exc:
                failure = describe_failure(exc)
            finally:
                os.close(fd)
            what = outcome(status)
            label = f"batch {batch.batch_id} (client {batch.client_version})"
            if what == "sent":
                await ctx.in_db(ctx.store.delete_batch, batch.batch_id)
                result.sent += 1
                queue.pop(0)
                ctx.progress(f"{label}: delivered (HTTP {status})")
                continue
            if what == "drop":
                await ctx.in_db(ctx.store.drop_batches, [batch.batch_id], utc_day(time.time()))
                result.dropped += 1
                queue.pop(0)
                ctx.progress(f"{label}: the endpoint rejected it with HTTP {status}; it was "
                             "deleted and will not be sent again (check the endpoint URL)")
                continue
            failures += 1
            reason = f"HTTP {status}" if status is not None else failure
            result.failures.append(reason)
            await ctx.in_db(ctx.store.note_attempt, batch.batch_id)
            delay = backoff(failures, retry_after, rng.random())
            if delay is None:
                result.folded_back = len(queue)
                why_stop = (f"{failures} failed attempts" if failures >= MAX_FAILURES_PER_RUN
                            else f"the endpoint asked to wait longer than "
                                 f"{MAX_RETRY_AFTER_SECONDS:g}s (Retry-After)")
                ctx.progress(f"{label}: {reason}; {why_stop}: {len(queue)} batch(es) kept "
                             "for the next upload with the same batch id")
                break
            ctx.progress(f"{label}: {reason}; retrying in {delay:.1f}s")
            await trio.sleep(delay)
    await ctx.in_db(ctx.store.set_meta, LAST_UPLOAD_KEY, _stamp(now, result.summary()))
    return result


async def _post(client: httpx.AsyncClient, url: str, body: bytes,
                headers: dict[str, str]) -> tuple[int, str | None]:
    """POST one batch; -> (status, Retry-After).  The response body is streamed and read
    no further than RESPONSE_READ_LIMIT, then the connection is closed: whoever controls
    the endpoint cannot grow the daemon's memory."""
    async with client.stream("POST", url, content=body, headers=headers) as response:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= RESPONSE_READ_LIMIT:
                break
        return response.status_code, response.headers.get("retry-after")


def _stamp(now: float, text: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)) + " " + text
