"""metricsd-client: send agent events to the metricsd daemon from Python.

``Client`` (threads) and ``AsyncClient`` (asyncio or trio) behave alike: event methods
never raise and never block beyond a bounded enqueue, turn ends are written at once, the
client checks the daemon's uid, reconnects after a restart and repeats its ``hello``.
``spawn_sidecar`` starts the daemon for an application.  The behaviour, the same in every
language, is documented in docs/CLIENTS.md of the metricsd repository.
"""

from __future__ import annotations

from metricsd_client._aio import AsyncClient
from metricsd_client._client import Client
from metricsd_client._engine import Stats
from metricsd_client._paths import default_socket_path, socket_path
from metricsd_client._peer import NoReplyError, PeerUidError, peer_uid, request
from metricsd_client._sidecar import Sidecar, SidecarError, spawn_sidecar
from metricsd_client._wire import (
    MAX_MESSAGE_BYTES,
    MAX_STRING_BYTES,
    PROTO,
    clip,
    compaction_message,
    encode,
    hello_message,
    ping_message,
    provider_error_message,
    snapshot_message,
    status_message,
    sync_message,
    tool_result_message,
    turn_message,
    usage_message,
)

__version__ = "0.2.0"

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MAX_STRING_BYTES",
    "PROTO",
    "AsyncClient",
    "Client",
    "NoReplyError",
    "PeerUidError",
    "Sidecar",
    "SidecarError",
    "Stats",
    "__version__",
    "clip",
    "compaction_message",
    "default_socket_path",
    "encode",
    "hello_message",
    "peer_uid",
    "ping_message",
    "provider_error_message",
    "request",
    "snapshot_message",
    "socket_path",
    "spawn_sidecar",
    "status_message",
    "sync_message",
    "tool_result_message",
    "turn_message",
    "usage_message",
]
