"""`metricsd flush`: upload now, under the rules of a daemon's start."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from metricsd.cli._common import (
    EXIT_FAILURE,
    EXIT_OK,
    Failure,
    UsageError,
    _authority,
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
        # Consent's reasons already say "nothing is ... uploaded"; the endpoint's do not.
        print(why if decision.why_not_uploading() else f"{why}: nothing was sent")
        return EXIT_OK
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
