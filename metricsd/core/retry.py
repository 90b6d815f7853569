"""The one back-off rule: exponential, capped, with optional jitter.  Pure.

Used by the commit loop (a storage fault: read-only or full disk) and by uploads
(:func:`metricsd.core.batches.backoff` adds the upload's own stopping rules on top).
"""

from __future__ import annotations


def exponential_delay(failures: int, *, base: float, cap: float, jitter: float = 0.0) -> float:
    """``base * 2**(failures-1)``, capped at ``cap``, plus up to the same again as jitter
    (``jitter`` in [0, 1), drawn by the caller), never above ``2 * cap``."""
    step = min(cap, base * 2.0 ** min(max(failures, 1) - 1, 64))
    return step + step * jitter
