"""metricsd: a per-user sidecar that turns agent events into enumerated counters."""

from metricsd.core.version import PROTO, VERSION

__version__ = VERSION
__all__ = ["PROTO", "__version__"]
