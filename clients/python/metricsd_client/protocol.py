"""The protocol for a program that speaks it itself — a tool, a test harness, the
daemon's own ``metricsd status`` and ``metricsd.testing``: the builders of each message,
``encode`` (one framed message), ``ReplyParser`` (the daemon's replies), ``request`` (one
question, over a Unix socket or an ``endpoint.json``, with the uid check or the token
proof), and ``peer_uid`` (who serves a connected Unix socket).

An application uses :class:`metricsd_client.Client`.  The messages are those of
docs/PROTOCOL.md in the metricsd repository.
"""

from __future__ import annotations

from metricsd_client._peer import PeerUidError, peer_uid, request
from metricsd_client._wire import (
    ReplyError,
    ReplyParser,
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
    usage_read_write_message,
    usage_total_message,
)

__all__ = [
    "PeerUidError",
    "ReplyError",
    "ReplyParser",
    "compaction_message",
    "encode",
    "hello_message",
    "peer_uid",
    "ping_message",
    "provider_error_message",
    "request",
    "snapshot_message",
    "status_message",
    "sync_message",
    "tool_result_message",
    "turn_message",
    "usage_message",
    "usage_read_write_message",
    "usage_total_message",
]
