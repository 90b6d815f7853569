"""metricsd-receiver: accepts metricsd uploads, stores each batch once, shows a dashboard."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
