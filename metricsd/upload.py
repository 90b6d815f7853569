"""The upload run: seal batches, POST each with httpx, apply the policy of
:mod:`metricsd.core.batches`.  Imported only when an upload runs (httpx is slow to import).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx
import trio

from metricsd.core.batches import (
    ATTEMPT_TIMEOUT_SECONDS,
    backoff,
    body_of,
    expired,
    outcome,
    parse_retry_after,
    utc_day,
)
from metricsd.store import LAST_UPLOAD_KEY, Batch, Store

log = logging.getLogger("metricsd")
T = TypeVar("T")
InDb = Callable[..., Awaitable[Any]]

ENV_UPLOAD_TIMEOUT: Final = "METRICSD_UPLOAD_TIMEOUT"


@dataclass
class UploadResult:
    sent: int = 0
    folded_back: int = 0
    dropped: int = 0
    skipped: str | None = None

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        return (f"sent {self.sent} batch(es), {self.folded_back} folded back for later, "
                f"{self.dropped} dropped")


def _prepare(store: Store, now: float) -> list[Batch]:
    """Worker thread: drop expired batches, seal committed counts, list the outbox."""
    stale = expired([(b.batch_id, b.created) for b in store.batches()], now=now)
    if stale:
        n = store.drop_batches(stale, utc_day(now))
        log.warning("dropped %d batch(es) older than 30 days or beyond the 50 newest", n)
    store.seal_batches((str(uuid.uuid4()) for _ in iter(int, 1)), now=int(now))
    stale = expired([(b.batch_id, b.created) for b in store.batches()], now=now)
    if stale:
        store.drop_batches(stale, utc_day(now))
    return store.batches()


async def maybe_upload(store: Store, *, opted_in: bool, dev: bool, endpoint: str | None,
                       in_db: InDb,
                       transport: httpx.AsyncBaseTransport | None = None) -> UploadResult:
    """Upload under the rules of SPEC section 7, or say why not."""
    if not opted_in:
        return UploadResult(skipped="metrics are off: nothing is uploaded")
    if dev:
        return UploadResult(skipped="dev build: nothing is uploaded")
    if not endpoint:
        return UploadResult(skipped="no endpoint configured: nothing is uploaded")
    return await run_upload(store, endpoint, in_db, transport=transport)


async def run_upload(store: Store, endpoint: str, in_db: InDb, *,
                     transport: httpx.AsyncBaseTransport | None = None) -> UploadResult:
    """One upload run.  The caller has checked consent, dev build and endpoint."""
    result = UploadResult()
    now = time.time()
    batches: list[Batch] = await in_db(_prepare, store, now)
    if not batches:
        result.skipped = "nothing to upload"
        await in_db(store.set_meta, LAST_UPLOAD_KEY, _stamp(now, result.skipped))
        return result
    failures = 0
    rng = random.SystemRandom()
    timeout = attempt_timeout(os.environ)
    async with httpx.AsyncClient(timeout=timeout, transport=transport,
                                 follow_redirects=False) as client:
        queue = list(batches)
        while queue:
            batch = queue[0]
            body = json.dumps(body_of(batch), separators=(",", ":")).encode()
            status, retry_after = await _post(client, endpoint, batch.batch_id, body, timeout)
            what = outcome(status)
            if what == "sent":
                await in_db(store.delete_batch, batch.batch_id)
                result.sent += 1
                queue.pop(0)
                continue
            if what == "drop":
                await in_db(store.drop_batches, [batch.batch_id], utc_day())
                log.warning("the endpoint rejected a batch with HTTP %d; dropped it", status)
                result.dropped += 1
                queue.pop(0)
                continue
            failures += 1
            await in_db(store.note_attempt, batch.batch_id)
            delay = backoff(failures, retry_after, rng.random())
            reason = f"HTTP {status}" if status is not None else "no response"
            if delay is None:
                log.warning("upload failed (%s); %d batch(es) wait for the next run",
                            reason, len(queue))
                result.folded_back = len(queue)
                break
            log.info("upload failed (%s); retrying in %.1fs", reason, delay)
            await trio.sleep(delay)
    await in_db(store.set_meta, LAST_UPLOAD_KEY, _stamp(now, result.summary()))
    return result


def attempt_timeout(environ: Mapping[str, str]) -> float:
    """The per-attempt timeout: 10 s, or METRICSD_UPLOAD_TIMEOUT (a testing knob)."""
    try:
        value = float(environ.get(ENV_UPLOAD_TIMEOUT, ""))
    except ValueError:
        return ATTEMPT_TIMEOUT_SECONDS
    return value if value > 0 else ATTEMPT_TIMEOUT_SECONDS


async def _post(client: httpx.AsyncClient, endpoint: str, batch_id: str,
                body: bytes, timeout: float) -> tuple[int | None, float | None]:
    headers = {"Content-Type": "application/json", "Idempotency-Key": batch_id}
    try:
        with trio.fail_after(timeout + 1):
            response = await client.post(endpoint, content=body, headers=headers)
    except (httpx.HTTPError, trio.TooSlowError, OSError):
        return None, None
    retry_after = parse_retry_after(response.headers.get("retry-after"), now=time.time())
    return response.status_code, retry_after


def _stamp(now: float, text: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)) + " " + text
