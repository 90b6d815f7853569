"""The one back-off rule: exponential, capped, with optional jitter.  Pure.

Used after a storage fault (read-only or full disk) by the commit loop and by the daemon's
upload run (:func:`storage_retry_delay`), and by uploads
(:func:`metricsd.core.batches.next_delay` adds the upload's own stopping rules on top).
"""

from __future__ import annotations

from typing import Final

#: Back-off bounds after a storage fault (disk full, read-only directory ...).
STORAGE_RETRY_MIN: Final = 0.5
STORAGE_RETRY_MAX: Final = 30.0


def exponential_delay(failures: int, *, base: float, cap: float, jitter: float = 0.0) -> float:
    """``base * 2**(failures-1)``, capped at ``cap``, plus up to the same again as jitter
    (``jitter`` in [0, 1), drawn by the caller), never above ``2 * cap``."""
    step = min(cap, base * 2.0 ** min(max(failures, 1) - 1, 64))
    return step + step * jitter


def storage_retry_delay(failures: int) -> float:
    """How long to wait after the ``failures``-th storage fault in a row."""
    return exponential_delay(failures, base=STORAGE_RETRY_MIN, cap=STORAGE_RETRY_MAX)
