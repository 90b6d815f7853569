"""Valid upload bodies built by the daemon's own code (metricsd.core.batches.batch_body)."""

from __future__ import annotations

import uuid
from typing import Any

from metricsd.core.batches import Host, batch_body


def body(client_version: str = "1.4.0", *, day: str = "2026-11-20", turns: int = 10,
         batch_id: str | None = None, **facts: int) -> dict[str, Any]:
    counts: dict[tuple[str, str], int] = {
        ("turns", ""): turns,
        ("finish_reason", "stop"): turns - min(2, turns - 1),
        ("finish_reason", "length"): min(2, turns - 1),
        ("cache_hit", "90-99"): 7, ("cache_hit", "none"): 1,
        ("provider_error", "rate_limit"): 3, ("tool_error", "timeout"): 1,
        ("compaction", ""): 2, ("empty_final", ""): 1, ("invalid_events", ""): 1,
    }
    for key, n in facts.items():
        counter, _, label = key.partition("__")
        counts[(counter, label)] = n
    return batch_body(batch_id=batch_id or str(uuid.uuid4()), daemon_version="0.1.0",
                      client_version=client_version, period_from=day, period_to=day,
                      facts=counts, host=Host("linux", "x86_64"))
