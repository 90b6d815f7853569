"""The one place metricsd reads the wall clock.

Every date — the UTC day a count belongs to, which days are complete, when the daily
upload runs, the stamp of the last upload — comes from a ``Clock`` passed down from the
command line: :func:`system_clock` for the daemon and every command, a test's own clock
(:class:`metricsd.testing.WallClock`) in-process.  It is an argument, never an
environment variable or a flag: shipped code has no way to move its dates.  (Durations
and timeouts use trio's clock or ``time.monotonic``, not this.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias

#: Unix seconds, now.
Clock: TypeAlias = Callable[[], float]


def system_clock() -> float:
    """The computer's wall clock."""
    return time.time()
