"""`metricsd flush`: upload now, under the rules of a daemon's start."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from metricsd.cli._common import (
    EXIT_FAILURE,
    EXIT_OK,
    Failure,
    _authority,
    _endpoint,
)
from metricsd.settings import Settings

# --- flush ------------------------------------------------------------------------------

def cmd_flush(args: argparse.Namespace, settings: Settings) -> int:
    import trio

    from metricsd.consent import EgressLock
    from metricsd.settings import this_host
    from metricsd.store import Store, StoreError
    from metricsd.upload import UploadContext, UploadResult, run_upload

    authority = _authority(settings)
    decision = authority.decide(fresh=True)
    why = decision.why_not_uploading()
    if why is not None:
        print(why)
        return EXIT_OK
    endpoint = _endpoint(settings, decision.file.endpoint)
    if endpoint is None:
        print("no endpoint is configured (--endpoint, METRICSD_ENDPOINT or [metrics] "
              "endpoint in config.toml): nothing was sent")
        return EXIT_OK
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
