"""`metricsd flush`: upload now, under the rules of a daemon's start."""

from __future__ import annotations

import argparse
import signal
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from metricsd.cli._common import (
    EXIT_FAILURE,
    EXIT_OK,
    Failure,
    UsageError,
    _authority,
    _bodies,
    _existing_store,
)
from metricsd.settings import Settings

T = TypeVar("T")

# --- flush ------------------------------------------------------------------------------

def cmd_flush(args: argparse.Namespace, settings: Settings) -> int:
    import trio

    from metricsd.consent import EgressLock
    from metricsd.settings import this_host
    from metricsd.store import Store, StoreError
    from metricsd.upload import Upload, UploadContext

    authority = _authority(settings)
    decision = authority.decide()
    if decision.endpoint_problem is not None and decision.why_not_uploading() is None:
        raise UsageError(decision.endpoint_problem)
    why = decision.why_nothing_is_sent()
    if why is not None or decision.endpoint is None:
        if decision.why_not_uploading():
            # Off or a dev build: nothing is meant to be sent, so there is nothing to flush.
            print(why)
            return EXIT_OK
        # Opted in but no usable endpoint: exit 0 only when nothing waits to be sent.
        waiting = _waiting(settings)
        if not waiting:
            print(f"{why}: nothing was sent (nothing waits to be sent)")
            return EXIT_OK
        print(f"{why}: nothing was sent, {waiting} report(s) wait to be sent")
        return EXIT_FAILURE
    endpoint = decision.endpoint
    try:
        store = Store.open(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None

    async def in_db(fn: Callable[..., Any], *a: Any) -> Any:
        return await trio.to_thread.run_sync(fn, *a)

    ctx = UploadContext(store=store, authority=authority,
                        egress=EgressLock(settings.state_dir), endpoint=endpoint,
                        host=this_host(), in_db=in_db,
                        progress=lambda line: print(line, flush=True),
                        wall_clock=settings.wall_clock)
    upload = Upload(ctx)
    print(f"uploading to {endpoint.where}", flush=True)
    try:
        result = trio.run(_until_interrupted, upload.run)
    except (StoreError, OSError) as exc:
        raise Failure(f"the database is unavailable ({exc})") from None
    finally:
        store.close()
    if result is None:
        print(f"interrupted: {upload.so_far().summary()}")
        return EXIT_FAILURE
    print(result.summary())
    return EXIT_OK if result.delivered_all else EXIT_FAILURE


async def _until_interrupted(run: Callable[[], Awaitable[T]]) -> T | None:
    """``run()``'s result, or None once Ctrl-C (SIGINT) cancelled it.  The signal cancels
    the run at its next checkpoint, as the daemon's SIGTERM does, rather than raising
    KeyboardInterrupt wherever the main thread happens to be (inside the HTTP client's
    connection pool, say).  It is received even when this process was started with SIGINT
    ignored (a background job, nohup)."""
    import trio

    result: T | None = None
    with trio.open_signal_receiver(signal.SIGINT) as received:
        async with trio.open_nursery() as nursery:
            async def interrupt() -> None:
                async for _ in received:
                    nursery.cancel_scope.cancel()
                    return

            nursery.start_soon(interrupt)
            result = await run()
            nursery.cancel_scope.cancel()
    return result


def _waiting(settings: Settings) -> int:
    """How many reports (pending batches and completed days not yet batched) wait."""
    from metricsd.store import StoreError

    with _existing_store(settings) as store:
        try:
            return len(_bodies(store, settings.wall_clock()))
        except (StoreError, OSError) as exc:
            raise Failure(f"cannot read database {settings.db} ({exc})") from None
