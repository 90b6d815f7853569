"""`metricsd status`: the running daemon's own view, or the database's."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from metricsd.cli._common import (
    EXIT_OK,
    _authority,
    _existing_store,
)
from metricsd.core.status import StatusReport
from metricsd.settings import Settings, SettingsError

# --- status -----------------------------------------------------------------------------

def _request_daemon(sock: Path, message: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One request to the daemon serving ``sock``: over the Unix socket when that file
    exists (or the platform has Unix sockets and no ``endpoint.json`` is there), else over
    loopback TCP to the port of the ``endpoint.json`` beside it, with its token.  Raises
    ``OSError`` subclasses when no daemon answers (``PeerUidError``: another user's
    socket, nothing was sent)."""
    from metricsd_client import endpoint_path
    from metricsd_client.protocol import request

    from metricsd.portable import HAS_AF_UNIX

    endpoint = endpoint_path(sock)
    if HAS_AF_UNIX and (os.path.lexists(sock) or not os.path.lexists(endpoint)):
        return request(sock, message, timeout=timeout)
    # The client's own reader of endpoint.json, and its proof exchange over loopback TCP.
    return request(endpoint, message, timeout=timeout)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd_client.protocol import PeerUidError

    try:
        sock = settings.socket
    except SettingsError as exc:
        sock = None
        print(f"daemon:      unknown ({exc})")
    reply = None
    if sock is not None:
        try:
            reply = _request_daemon(sock, {"type": "status"}, timeout=3.0)
        except PeerUidError:
            print(f"daemon:      {sock} is served by another user: nothing was sent to it "
                  "(set XDG_RUNTIME_DIR or --socket)")
            sock = None
        except OSError:
            reply = None
        if reply is not None and reply.get("type") != "status":
            reply = None  # an older daemon
    if reply is not None:
        _print_daemon_status(reply)
    else:
        if sock is not None:
            print(f"daemon:      not running (nothing answers on {sock})")
        _print_local_status(settings)
    return EXIT_OK


def _print_daemon_status(reply: dict[str, Any]) -> None:
    print("\n".join(StatusReport.from_reply(reply).render()))


def _print_local_status(settings: Settings) -> None:
    from metricsd.core.counts import counts_body, health_body
    from metricsd.store import LAST_UPLOAD_KEY

    decision = _authority(settings).decide()
    with _existing_store(settings) as store:
        batches = store.batches() if store is not None else []
        totals = store.committed_totals() if store is not None else {}
        dev = store.dev_totals() if store is not None else {}
        last = store.get_meta(LAST_UPLOAD_KEY) if store is not None else None
    report = StatusReport.of(
        decision, config=str(settings.config), database=str(settings.db),
        counts=counts_body(totals), health=health_body(totals),
        last_upload=last, pending_batches=len(batches),
        dev_turns=counts_body(dev).get("turns", 0) if dev else None)
    print("\n".join(report.render()))
