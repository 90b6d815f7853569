"""Valid upload bodies of either schema.

Schema 1 bodies carry v1.1 labels (``90-99`` ...); schema 2 bodies use labels that facts
v2 keeps (``stop``, ``100``, ``rate_limit`` ...), one day, values within the daily bound.
:func:`daemon_body` is what the daemon's own code (``metricsd.core.batches.batch_body``)
writes.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from metricsd_receiver.schema import TABLES

from metricsd.core.batches import Host, batch_body


def today(offset: int = 0) -> str:
    return (datetime.datetime.now(datetime.UTC).date()
            + datetime.timedelta(days=offset)).isoformat()


def body(client_version: str = "1.4.0", *, day: str = "2026-11-20", turns: int = 10,
         batch_id: str | None = None, schema: int = 2, day_from: str | None = None,
         health: dict[str, int] | None = None, **facts: int) -> dict[str, Any]:
    counts: dict[tuple[str, str], int] = {
        ("turns", ""): turns,
        ("finish_reason", "stop"): turns - min(2, turns - 1),
        ("finish_reason", "length"): min(2, turns - 1),
        ("cache_hit", "90-99" if schema == 1 else "100"): 7, ("cache_hit", "none"): 1,
        ("provider_error", "rate_limit"): 3, ("tool_error", "timeout"): 1,
        ("compaction", ""): 2, ("empty_final", ""): 1,
    }
    for key, n in facts.items():
        counter, _, label = key.partition("__")
        counts[(counter, label)] = n
    out: dict[str, Any] = {}
    for (counter, label), n in counts.items():
        if n == 0:
            continue
        if label:
            out.setdefault(counter, {})[label] = n
        else:
            out[counter] = n
    h = {name: 0 for name in TABLES.bodies[schema].health}
    h["invalid_events"] = 1
    h.update(health or {})
    return {"schema": schema, "batch_id": batch_id or str(uuid.uuid4()),
            "daemon": {"version": "0.1.0", "os": "linux", "arch": "x86_64"},
            "client": {"version": client_version},
            "period": {"from": day_from or day, "to": day}, "counts": out, "health": h}


def encode(b: Any) -> bytes:
    return json.dumps(b).encode()


def daemon_body(day: str = "2026-11-20") -> dict[str, Any]:
    return batch_body(batch_id=str(uuid.uuid4()), daemon_version="0.1.0",
                      client_version="1.4.0", period_from=day, period_to=day,
                      facts={("turns", ""): 3, ("finish_reason", "stop"): 3,
                             ("invalid_events", ""): 1},
                      host=Host("linux", "x86_64"))
