"""metricsd: a per-user sidecar that turns agent events into enumerated counters."""

__version__ = "0.1.0"
PROTO = 1
