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
from metricsd.cli.show import _count_rows
from metricsd.core.endpoint import EndpointError, choose_endpoint
from metricsd.settings import Settings, SettingsError

# --- status -----------------------------------------------------------------------------

def _request_daemon(sock: Path, message: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One request to the daemon serving ``sock``: over the Unix socket when that file
    exists (or the platform has Unix sockets and no ``endpoint.json`` is there), else over
    loopback TCP to the port of the ``endpoint.json`` beside it, with its token.  Raises
    ``OSError`` subclasses when no daemon answers (``PeerUidError``: another user's
    socket, nothing was sent)."""
    from metricsd import service
    from metricsd.portable import HAS_AF_UNIX

    if HAS_AF_UNIX and (os.path.lexists(sock)
                        or not os.path.lexists(sock.parent / service.ENDPOINT_FILE)):
        from metricsd_client._peer import request

        return request(sock, message, timeout=timeout)
    endpoint = service.read_endpoint_file(sock.parent)
    if endpoint is None:
        raise FileNotFoundError(f"no daemon: neither {sock} nor a usable "
                                f"{sock.parent / service.ENDPOINT_FILE}")
    return service.tcp_request(endpoint, message, timeout)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd_client._peer import PeerUidError

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


def _uploads_line(*, uploads: bool, why_not: str | None, endpoint: str | None,
                  endpoint_problem: str | None) -> str:
    """What will happen to the counts, or why nothing will be sent."""
    if uploads:
        return ("yes: each completed UTC day's counts, at daemon start, shortly after "
                "midnight UTC and on `metricsd flush`")
    if why_not:
        return f"no: {why_not}"
    if endpoint_problem:
        return "no: the endpoint is invalid (above)"
    if endpoint is None:
        return ("no: no endpoint is configured (--endpoint, METRICSD_ENDPOINT, or endpoint "
                "in the [metrics] table of config.toml)")
    return "no"


def _print_daemon_status(reply: dict[str, Any]) -> None:
    print(f"daemon:      running (pid {reply.get('pid')}, version {reply.get('version')}) "
          f"on {reply.get('socket')}")
    print(f"metrics:     {reply.get('consent')} ({reply.get('config')})")
    if reply.get("config_problem"):
        print(f"             {reply['config_problem']}")
    dev = bool(reply.get("dev"))
    print(f"build:       {'dev (never uploaded)' if dev else 'release'}")
    endpoint = reply.get("endpoint")
    if reply.get("endpoint_problem"):
        print(f"endpoint:    invalid: {reply['endpoint_problem']}")
    else:
        print(f"endpoint:    {endpoint or 'none configured (nothing is uploaded)'}")
    why_not = None
    if reply.get("veto"):
        why_not = f"metrics are off ({reply['veto']}): nothing is counted or uploaded"
    elif not reply.get("enabled"):
        why_not = "metrics are off: nothing is counted or uploaded"
    elif dev:
        why_not = "dev build: counts stay local and are never uploaded"
    print("uploads:     " + _uploads_line(
        uploads=bool(reply.get("uploads")), why_not=why_not, endpoint=endpoint,
        endpoint_problem=reply.get("endpoint_problem")))
    print(f"database:    {reply.get('database')}")
    print(f"connections: {reply.get('connections')} other than this one "
          f"(at most {reply.get('max_connections')})")
    counts = reply.get("counts") or {}
    print(f"held:        turns {counts.get('turns', 0)} (committed, pending and in memory"
          f"{'; this dev build never uploads them' if dev else ''})")
    for row in _count_rows(counts, reply.get("health") or {}):
        print(f"           {row}")
    print(f"last upload: {reply.get('last_upload') or 'never'}")


def _print_local_status(settings: Settings) -> None:
    from metricsd.core.counts import counts_body, health_body
    from metricsd.store import LAST_UPLOAD_KEY

    decision = _authority(settings).decide()
    print(f"metrics:     {decision.describe()} ({settings.config})")
    if decision.file.problem and not decision.file.missing:
        print(f"             {decision.file.problem}")
    print(f"build:       {'dev (never uploaded)' if decision.dev else 'release'}")
    where: str | None = None
    problem: str | None = None
    try:
        endpoint = choose_endpoint(settings.endpoint_flag, settings.endpoint_env,
                                   decision.file.endpoint)
        where = endpoint.where if endpoint else None
        print(f"endpoint:    {where or 'none configured'}")
    except EndpointError as exc:
        problem = str(exc)
        print(f"endpoint:    invalid: {exc}")
    why_not = decision.why_not_uploading()
    print("uploads:     " + _uploads_line(
        uploads=why_not is None and where is not None, why_not=why_not, endpoint=where,
        endpoint_problem=problem))
    print(f"database:    {settings.db}")
    with _existing_store(settings) as store:
        batches = store.batches() if store is not None else []
        totals = store.committed_totals() if store is not None else {}
        dev = store.dev_totals() if store is not None else {}
        last = store.get_meta(LAST_UPLOAD_KEY) if store is not None else None
    counts = counts_body(totals)
    print(f"pending:     {len(batches)} batch(es); turns {counts.get('turns', 0)}")
    for row in _count_rows(counts, health_body(totals)):
        print(f"           {row}")
    if dev:
        print(f"dev counts:  turns {counts_body(dev).get('turns', 0)} of these were counted "
              "under a dev build: kept on this machine and never uploaded")
    print(f"last upload: {last or 'never'}")
