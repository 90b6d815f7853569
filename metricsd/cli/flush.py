"""`metricsd flush`: upload now, under the rules of a daemon's start."""

from __future__ import annotations

import argparse
import signal
import time
from collections.abc import Callable
from typing import Any

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

# --- flush ------------------------------------------------------------------------------

def cmd_flush(args: argparse.Namespace, settings: Settings) -> int:
    import trio

    from metricsd.consent import EgressLock
    from metricsd.core.uploading import UploadResult
    from metricsd.settings import this_host
    from metricsd.store import Store, StoreError
    from metricsd.upload import UploadContext, run_upload

    authority = _authority(settings)
    decision = authority.decide(fresh=True)
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
                        host=this_host(), in_db=in_db, progress=lambda line: print(line,
                                                                                   flush=True))
    result = UploadResult()
    print(f"uploading to {endpoint.where}", flush=True)
    # Ctrl-C must interrupt the upload even when this process was started with SIGINT
    # ignored (a background job, nohup): trio turns SIGINT into KeyboardInterrupt only while
    # Python's default handler is installed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        trio.run(run_upload, ctx, result)
    except KeyboardInterrupt:
        print(f"interrupted: {result.summary()}")
        return EXIT_FAILURE
    except (StoreError, OSError) as exc:
        raise Failure(f"the database is unavailable ({exc})") from None
    finally:
        store.close()
    print(result.summary())
    return EXIT_OK if result.delivered_all else EXIT_FAILURE


def _waiting(settings: Settings) -> int:
    """How many reports (pending batches and completed days not yet batched) wait."""
    from metricsd.store import StoreError

    with _existing_store(settings) as store:
        try:
            return len(_bodies(store, time.time()))
        except (StoreError, OSError) as exc:
            raise Failure(f"cannot read database {settings.db} ({exc})") from None
