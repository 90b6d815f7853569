"""metricsd-client: send agent events to the metricsd daemon from Python.

``Client`` (threads) and ``AsyncClient`` (asyncio or trio) behave alike: event methods
never raise and never block beyond a bounded enqueue, turn ends are written at once, the
client checks the daemon's uid, reconnects after a restart and repeats its ``hello``.
``spawn_sidecar`` starts and supervises the daemon for an application; ``NoopClient`` is
what to use when it cannot start.  The behaviour, the same in every language, is
documented in docs/CLIENTS.md of the metricsd repository.
"""

from __future__ import annotations

from metricsd_client._aio import AsyncClient
from metricsd_client._client import Client, NoopClient
from metricsd_client._engine import Stats
from metricsd_client._paths import default_socket_path, endpoint_path, socket_path
from metricsd_client._peer import PeerUidError
from metricsd_client._sidecar import Sidecar, SidecarError, spawn_sidecar

__version__ = "0.3.0"

__all__ = [
    "AsyncClient",
    "Client",
    "NoopClient",
    "PeerUidError",
    "Sidecar",
    "SidecarError",
    "Stats",
    "__version__",
    "default_socket_path",
    "endpoint_path",
    "socket_path",
    "spawn_sidecar",
]
