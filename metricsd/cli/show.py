"""`metricsd show`: exactly what the next upload sends, and what is held."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from metricsd.cli._common import (
    EXIT_OK,
    Failure,
    _authority,
    _bodies,
    _existing_store,
    _held,
)
from metricsd.core.status import count_rows
from metricsd.settings import Settings

# --- show ---------------------------------------------------------------------------------

def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from metricsd.store import StoreError

    now = time.time()
    with _existing_store(settings) as store:
        try:
            bodies = _bodies(store, now)
            held = _held(store, now)
            dev = store.dev_totals() if store is not None else {}
        except (StoreError, OSError) as exc:
            raise Failure(f"cannot read database {settings.db} ({exc})") from None
    decision = _authority(settings).decide()
    if args.json:
        # Exactly the next upload's bodies: none while consent forbids uploading.  Without
        # an endpoint they are still listed (what an upload sends once one is set), with a
        # note saying that nothing is sent until then.
        why = decision.why_not_uploading()
        print(json.dumps(bodies if why is None else [], indent=2))
        note = decision.why_nothing_is_sent()
        if note:
            print(f"note: {note}", file=sys.stderr)
        return EXIT_OK
    print(render_show(bodies, held, dev, decision.why_nothing_is_sent()))
    return EXIT_OK


def render_show(bodies: list[dict[str, Any]], held: list[dict[str, Any]],
                dev: dict[Any, int], why: str | None) -> str:
    """``show`` for a person: what the next upload sends, or why nothing will be."""
    from metricsd.core.counts import counts_body, health_body

    parts = []
    if why is None:
        parts.append(render_bodies(bodies))
        if held:
            parts.append("held until the day is over (UTC), then sent as one batch per "
                         "day:\n" + render_bodies(held, held=True))
    else:
        parts.append(f"nothing will be uploaded: {why}")
        if bodies or held:
            parts.append("stored on this machine, not sent while that holds:\n"
                         + render_bodies(bodies + held, held=True))
    if dev:
        rows = count_rows(counts_body(dev), health_body(dev))
        parts.append("counted under a dev build: kept on this machine and never uploaded:\n"
                     + "\n".join(rows))
    return "\n\n".join(parts)


def render_bodies(bodies: list[dict[str, Any]], *, held: bool = False) -> str:
    if not bodies:
        return "nothing to upload"
    lines = []
    for body in bodies:
        batch = (f"batch {body['batch_id']}" if body["batch_id"]
                 else "today, still counting" if held
                 else "not yet in a batch (gets its batch id at the next upload)")
        lines.append(f"{batch}: daemon {body['daemon']['version']}, client "
                     f"{body['client']['version']}, {body['period']['from']} to "
                     f"{body['period']['to']}")
        lines.extend(count_rows(body["counts"], body["health"]))
    return "\n".join(lines)


