"""The command line: one small function per command, and the composition of ``run``.

Exit codes: 0 ok, 2 usage error, 1 any other failure, always with one line saying why.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from metricsd import __version__
from metricsd.core.endpoint import Endpoint, EndpointError, choose_endpoint
from metricsd.settings import Settings, SettingsError, resolve

log = logging.getLogger("metricsd")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class Failure(Exception):
    """A one-line reason to exit 1."""


class UsageError(Exception):
    """A one-line reason to exit 2."""


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("metricsd[%(process)d] %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _authority(settings: Settings) -> Any:
    from metricsd.consent import Authority

    return Authority(settings.config, settings.dev_marker, settings.environ)


def _endpoint(settings: Settings, config_endpoint: str | None) -> Endpoint | None:
    """The endpoint in effect; an unacceptable one is a usage error."""
    try:
        return choose_endpoint(settings.endpoint_flag, settings.endpoint_env, config_endpoint)
    except EndpointError as exc:
        raise UsageError(str(exc)) from None


# --- run -----------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until a signal, --idle-exit, --watch-stdin EOF or an error.

    The socket comes from a service manager (systemd LISTEN_FDS, launchd
    launch_activate_socket) or is bound here under the per-socket instance lock; only a
    socket bound here is unlinked at exit."""
    import signal

    from metricsd import service
    from metricsd.portable import HAS_AF_UNIX

    setup_logging()
    listen = args.listen
    if listen is None:
        listen = "unix" if HAS_AF_UNIX else "tcp"
        if listen == "tcp":
            log.info("this platform has no Unix sockets: listening on loopback TCP "
                     "(endpoint.json beside the socket path)")
    elif listen == "unix" and not HAS_AF_UNIX:
        raise UsageError("this platform has no Unix sockets: use --listen tcp")
    # SIGTERM/SIGINT outside the event loop's own receiver (start-up, and the clean-up after
    # the final commit) are remembered instead of killing the process half-way: trio
    # restores this handler when it stops listening.
    stop_requested: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda n, _frame: stop_requested.append(n))
    with contextlib.ExitStack() as cleanup:
        token: str | None = None
        stop_listening: Callable[[], None] | None = None
        try:
            # The state directory and config.toml's get the socket directory's checks.
            service.prepare_state_directory(settings.state_dir)
            service.check_config_location(settings.config)
            socks, manager = service.activated_sockets(settings.environ)
            if socks:
                sock_path = _adopted_path(socks[0], settings, manager, cleanup)
                ready_path = sock_path
            else:
                sock_path = settings.socket
                tcp = listen == "tcp"
                if not tcp:
                    service.check_socket_path(sock_path)
                service.prepare_directory(sock_path.parent)
                ready_path = (sock_path.parent / service.ENDPOINT_FILE) if tcp else sock_path
                got = service.acquire_lock(sock_path)
                if not isinstance(got, service.InstanceLock):
                    if not args.watch_stdin:
                        return _already_served(sock_path, got)
                    # A spawned sidecar of another app instance: use the running daemon,
                    # and take over when it exits.
                    print(f"READY {ready_path}", flush=True)
                    standby = _stand_by(sock_path, got, stop_requested)
                    if standby is None:
                        return EXIT_OK
                    got = standby
                cleanup.callback(got.release)
                if tcp:
                    import secrets

                    listener = service.bind_tcp()
                    token = secrets.token_hex(32)
                    written = service.write_endpoint_file(
                        sock_path.parent, listener.getsockname()[1], token)
                    cleanup.callback(written.unlink)
                    stop_listening = written.unlink
                    socks = [listener]
                else:
                    try:
                        service.remove_stale_socket(sock_path)
                    except service.SocketLive:
                        return _already_served(sock_path, None)
                    bound = service.bind_socket(sock_path)
                    cleanup.callback(bound.unlink)
                    stop_listening = bound.unlink
                    socks = [bound.sock]
        except (service.ServiceError, SettingsError) as exc:
            raise Failure(str(exc)) from None
        except OSError as exc:
            raise Failure(f"cannot serve the socket ({exc.strerror or exc})") from None
        return _serve(args, settings, socks, sock_path, stop_requested,
                      ready=ready_path, token=token,
                      stop_listening=stop_listening)


def _stand_by(sock_path: Any, pid: int | None,
              stop_requested: list[int]) -> Any:
    """Wait, without polling, until the daemon serving ``sock_path`` exits (then return the
    instance lock: this process serves next) or until stdin closes or a signal arrives
    (then return None)."""
    import queue
    import signal
    import threading

    from metricsd import service

    log.info("a daemon already serves %s (pid %s): standing by to take over when it exits",
             sock_path, "unknown" if pid is None else pid)
    events: queue.Queue[object] = queue.Queue()

    def lock() -> None:
        try:
            events.put(service.acquire_lock(sock_path, wait=True))
        except OSError as exc:
            events.put(exc)

    def stdin() -> None:
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except (OSError, ValueError):
            pass
        events.put(None)

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.append(signum)
        events.put(None)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    threading.Thread(target=lock, daemon=True).start()
    threading.Thread(target=stdin, daemon=True).start()
    got = events.get()
    if isinstance(got, OSError):
        raise got
    if isinstance(got, service.InstanceLock):
        log.info("the daemon that served %s exited: taking over", sock_path)
        return got
    log.info("stdin closed or asked to stop while standing by: exiting")
    return None


def _adopted_path(sock: socket.socket, settings: Settings, manager: str,
                  cleanup: contextlib.ExitStack) -> Any:
    """The path of an inherited socket, for logs and `status`.  No default path is
    computed: a service manager's socket must work whatever the runtime directory."""
    from pathlib import Path

    from metricsd import service

    log.info("using the socket passed by %s", manager)
    name = sock.getsockname()
    if not (isinstance(name, str) and name):
        return settings.socket_override or Path("(inherited socket)")
    path = Path(name)
    with contextlib.suppress(OSError):
        # Best effort, so that `status` and a second `run` see who serves.
        got = service.acquire_lock(path)
        if isinstance(got, service.InstanceLock):
            cleanup.callback(got.release)
    with contextlib.suppress(OSError):
        sock.listen(service.listen_backlog())
    return path


def _serve(args: argparse.Namespace, settings: Settings, socks: list[socket.socket],
           sock_path: Any, stop_requested: list[int], *, ready: Any,
           token: str | None = None,
           stop_listening: Callable[[], None] | None = None) -> int:
    import trio

    from metricsd import service
    from metricsd.consent import EgressLock
    from metricsd.daemon import Daemon, DaemonOptions
    from metricsd.server import Limits
    from metricsd.settings import this_host
    from metricsd.store import Store, StoreError

    try:
        store = Store.open(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    options = DaemonOptions(
        socket=sock_path, database=settings.db, config=settings.config,
        endpoint_flag=settings.endpoint_flag, endpoint_env=settings.endpoint_env,
        host=this_host(), limits=Limits(max_connections=args.max_connections),
        idle_exit=args.idle_exit, watch_stdin=args.watch_stdin,
        stop_listening=stop_listening, token=token)
    daemon = Daemon(options, store, _authority(settings), EgressLock(settings.state_dir))
    log.info("config %s, database %s", settings.config, settings.db)
    watchdog = service.watchdog_interval(settings.environ)

    async def main() -> None:
        listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(s)) for s in socks]
        async with trio.open_nursery() as nursery:
            await nursery.start(daemon.serve, listeners)
            if ready is not None:
                try:
                    print(f"READY {ready}", flush=True)
                except (OSError, ValueError):
                    pass  # stdout closed: the parent went away or does not care
            service.sd_notify("READY=1", settings.environ)
            log.info("serving %s (version %s)", sock_path, __version__)
            if stop_requested:
                log.info("asked to stop during start-up: exiting")
                daemon.shutdown.set()
            if watchdog is not None:
                nursery.start_soon(_watchdog, watchdog, settings)
            await daemon.shutdown.wait()
            service.sd_notify("STOPPING=1", settings.environ)
            nursery.cancel_scope.cancel()

    try:
        trio.run(main)
    finally:
        store.close()
    log.info("stopped")
    return EXIT_OK


async def _watchdog(interval: float, settings: Settings) -> None:
    import trio

    from metricsd import service

    while True:
        await trio.to_thread.run_sync(service.sd_notify, "WATCHDOG=1", settings.environ)
        await trio.sleep(interval)


def _already_served(sock_path: os.PathLike[str], pid: int | None) -> int:
    """A second `run` on a live socket: say who serves it and exit 0."""
    print(f"metricsd: a daemon already serves {os.fspath(sock_path)} "
          f"(pid {'unknown' if pid is None else pid})", file=sys.stderr)
    return EXIT_OK


# --- reading the database -------------------------------------------------------------------

@contextlib.contextmanager
def _existing_store(settings: Settings) -> Iterator[Any]:
    from metricsd.store import Store, StoreError

    try:
        store = Store.open_existing(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def _bodies(store: Any, now: float) -> list[dict[str, Any]]:
    """Exactly what the next upload sends: pending batches, then the unbatched counts of
    completed UTC days."""
    from metricsd.core.batches import body_of, utc_day
    from metricsd.settings import this_host

    if store is None:
        return []
    host = this_host()
    bodies = [body_of(b, host) for b in store.batches()]
    bodies += [body_of(p, host) for p in store.pending(utc_day(now))]
    return bodies


def _held(store: Any, now: float) -> list[dict[str, Any]]:
    """Today's counts (UTC): uploaded after the day is over."""
    from metricsd.core.batches import body_of, utc_day
    from metricsd.settings import this_host

    if store is None:
        return []
    return [body_of(p, this_host()) for p in store.held(utc_day(now))]


# --- show ---------------------------------------------------------------------------------

def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from metricsd.store import StoreError

    now = time.time()
    with _existing_store(settings) as store:
        try:
            bodies = _bodies(store, now)
            held = _held(store, now)
            dev = store.dev_totals() if store is not None else {}
        except (StoreError, OSError) as exc:
            raise Failure(f"cannot read database {settings.db} ({exc})") from None
    why = _authority(settings).decide().why_not_uploading()
    if args.json:
        # Exactly the next upload's bodies: none while nothing may be uploaded.
        print(json.dumps(bodies if why is None else [], indent=2))
        if why:
            print(f"note: {why}", file=sys.stderr)
        return EXIT_OK
    print(render_show(bodies, held, dev, why))
    return EXIT_OK


def render_show(bodies: list[dict[str, Any]], held: list[dict[str, Any]],
                dev: dict[Any, int], why: str | None) -> str:
    """``show`` for a person: what the next upload sends, or why nothing will be."""
    from metricsd.core.counts import counts_body, health_body

    parts = []
    if why is None:
        parts.append(render_bodies(bodies))
        if held:
            parts.append("held until the day is over (UTC), then sent as one batch per "
                         "day:\n" + render_bodies(held, held=True))
    else:
        parts.append(f"nothing will be uploaded: {why}")
        if bodies or held:
            parts.append("stored on this machine, not sent while that holds:\n"
                         + render_bodies(bodies + held, held=True))
    if dev:
        rows = _count_rows(counts_body(dev), health_body(dev))
        parts.append("counted under a dev build: kept on this machine and never uploaded:\n"
                     + "\n".join(rows))
    return "\n\n".join(parts)


def render_bodies(bodies: list[dict[str, Any]], *, held: bool = False) -> str:
    if not bodies:
        return "nothing to upload"
    lines = []
    for body in bodies:
        batch = (f"batch {body['batch_id']}" if body["batch_id"]
                 else "today, still counting" if held
                 else "not yet in a batch (gets its batch id at the next upload)")
        lines.append(f"{batch}: daemon {body['daemon']['version']}, client "
                     f"{body['client']['version']}, {body['period']['from']} to "
                     f"{body['period']['to']}")
        lines.extend(_count_rows(body["counts"], body["health"]))
    return "\n".join(lines)


def _count_rows(counts: dict[str, Any], health: dict[str, int]) -> list[str]:
    rows = []
    for counter, value in counts.items():
        if isinstance(value, dict):
            for label, n in value.items():
                rows.append(f"  {counter:<16} {label:<30} {n:>10}")
        else:
            rows.append(f"  {counter:<16} {'':<30} {value:>10}")
    for name, n in health.items():
        if n:
            rows.append(f"  {'health':<16} {name:<30} {n:>10}")
    return rows


# --- status -----------------------------------------------------------------------------

def _request_daemon(sock: Any, message: dict[str, Any], timeout: float) -> dict[str, Any]:
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


# --- consent ----------------------------------------------------------------------------

def cmd_consent(args: argparse.Namespace, settings: Settings) -> int:
    if args.value is None:
        decision = _authority(settings).decide()
        print(f"metrics {decision.describe()} ({settings.config})")
        if decision.file.problem:
            print(decision.file.problem)
        return EXIT_OK
    if args.value == "on":
        return _consent_on(settings)
    return _consent_off(settings)


def _consent_on(settings: Settings) -> int:
    from metricsd.consent import ConfigWriteError, set_consent

    try:
        set_consent(settings.config, True)
    except ConfigWriteError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {settings.config} ({exc.strerror or exc})") from None
    decision = _authority(settings).decide(fresh=True)
    print(f"metrics on ({settings.config})")
    if decision.veto is not None:
        print(f"note: {decision.veto}, which turns metrics off whatever config.toml says: "
              "nothing is counted while it is set")
    elif decision.dev:
        print("note: this is a dev build: counts stay on this machine and are never sent")
    else:
        try:
            endpoint = choose_endpoint(settings.endpoint_flag, settings.endpoint_env,
                                       decision.file.endpoint)
        except EndpointError as exc:
            print(f"note: {exc}: nothing will be sent until it is fixed")
        else:
            if endpoint is None:
                print("note: no endpoint is configured: counts are kept on this machine "
                      "and nothing is sent.\n"
                      "To send them, set one of (the first set wins):\n"
                      "  --endpoint https://HOST/PATH   (on the daemon's command line)\n"
                      "  METRICSD_ENDPOINT=https://HOST/PATH   (in the daemon's environment)\n"
                      f"  endpoint = \"https://HOST/PATH\"   (in the [metrics] table of "
                      f"{settings.config})")
            else:
                print(f"each completed UTC day's counts are sent to {endpoint.where} (at "
                      "daemon start, shortly after midnight UTC, or on metricsd flush); "
                      "see them first with: metricsd show")
    return EXIT_OK


def _consent_off(settings: Settings) -> int:
    from metricsd.consent import ConfigWriteError, EgressLock, EgressLockUnsafe, set_consent
    from metricsd.store import StoreError, purge_database

    notes = []
    try:
        set_consent(settings.config, False)
    except ConfigWriteError as exc:
        # Unreadable or ambiguous: that already means off.  Never overwrite it; purge.
        notes.append(f"{exc} (it already means metrics are off)")
    except OSError as exc:
        raise Failure(f"cannot write {settings.config} ({exc.strerror or exc}); "
                      "nothing was deleted") from None

    def purge() -> None:
        purge_database(settings.db)

    try:
        try:
            with EgressLock(settings.state_dir).exclusive():
                purge()
        except EgressLockUnsafe as exc:
            # Nobody can take an unusable lock, so no egress runs: purge without it.
            notes.append(f"{exc.strerror}")
            purge()
    except TimeoutError:
        raise Failure("metrics are off in config.toml, but an upload in progress did not "
                      "end, so stored counts were not deleted yet; run `metricsd consent "
                      "off` again") from None
    except (StoreError, OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise Failure(f"metrics are off in config.toml, but stored counts could not be "
                      f"deleted ({reason})") from None
    for note in notes:
        print(f"note: {note}")
    print("metrics off: stored counts and pending batches were deleted")
    return EXIT_OK


# --- flush ------------------------------------------------------------------------------

def cmd_flush(args: argparse.Namespace, settings: Settings) -> int:
    import trio

    from metricsd.consent import EgressLock
    from metricsd.settings import this_host
    from metricsd.store import Store, StoreError
    from metricsd.upload import UploadContext, UploadResult, run_upload

    authority = _authority(settings)
    decision = authority.decide(fresh=True)
    why = decision.why_not_uploading()
    if why is not None:
        print(why)
        return EXIT_OK
    endpoint = _endpoint(settings, decision.file.endpoint)
    if endpoint is None:
        print("no endpoint is configured (--endpoint, METRICSD_ENDPOINT or [metrics] "
              "endpoint in config.toml): nothing was sent")
        return EXIT_OK
    try:
        store = Store.open(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None

    async def in_db(fn: Callable[..., Any], *a: Any) -> Any:
        return await trio.to_thread.run_sync(fn, *a)

    ctx = UploadContext(store=store, authority=authority,
                        egress=EgressLock(settings.state_dir), endpoint=endpoint,
                        host=this_host(), in_db=in_db, progress=lambda line: print(line,
                                                                                   flush=True))
    result = UploadResult()
    print(f"uploading to {endpoint.where}", flush=True)
    try:
        trio.run(run_upload, ctx, result)
    except KeyboardInterrupt:
        print(f"interrupted: {result.summary()}")
        return EXIT_FAILURE
    except (StoreError, OSError) as exc:
        raise Failure(f"the database is unavailable ({exc})") from None
    finally:
        store.close()
    print(result.summary())
    return EXIT_OK if result.delivered_all else EXIT_FAILURE


# --- disclosure / service install (metricsd/disclosure.py, metricsd/install.py) --------

def cmd_disclosure(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd import disclosure

    decision = _authority(settings).decide()
    try:
        endpoint = choose_endpoint(settings.endpoint_flag, settings.endpoint_env,
                                   decision.file.endpoint)
        endpoint_problem = None
    except EndpointError as exc:  # only config.toml's can be wrong here (main checked)
        endpoint, endpoint_problem = None, str(exc)
    doc = disclosure.build(config_path=settings.config, decision=decision,
                           endpoint=endpoint, endpoint_problem=endpoint_problem,
                           dev_marker=settings.dev_marker)
    print(json.dumps(doc, indent=2) if args.json else disclosure.render_text(doc))
    return EXIT_OK


def cmd_service_install(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd import install

    try:
        return install.main(manager=args.manager, print_only=args.print, enable=args.enable,
                            hardening=args.hardening, state_dir=settings.state_dir,
                            bundle_program=args.bundle_program)
    except install.InstallError as exc:
        raise Failure(str(exc)) from None


# --- parser -----------------------------------------------------------------------------

ENVIRONMENT_HELP = """\
environment:
  METRICSD_SOCKET      socket path (as --socket)
  METRICSD_STATE_DIR   database directory (as --state-dir)
  METRICSD_CONFIG      config.toml (as --config)
  METRICSD_ENDPOINT    upload endpoint (as --endpoint)
  METRICSD_DEV_BUILD   non-empty and not 0: a dev build (counts are never uploaded)
  DO_NOT_TRACK         non-empty and not 0: metrics off, whatever config.toml says
  METRICSD_METRICS     "off": metrics off, whatever config.toml says

defaults:
  socket      platformdirs user_runtime_dir("metricsd")/metricsd.sock
  database    platformdirs user_state_dir("metricsd")/metrics.sqlite3
  config      platformdirs user_config_dir("metricsd")/config.toml
  dev marker  DEV_BUILD beside config.toml

exit codes: 0 ok, 2 usage error, 1 any other failure (one line on stderr says why)
"""


def _common_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("common options")
    s = argparse.SUPPRESS
    g.add_argument("--socket", metavar="PATH", default=s, help="Unix socket path")
    g.add_argument("--state-dir", metavar="DIR", default=s, help="where the database lives")
    g.add_argument("--config", metavar="PATH", default=s, help="config.toml")
    g.add_argument("--endpoint", metavar="URL", default=s,
                   help="upload endpoint: https://, or http:// to a loopback host")
    g.add_argument("--dev-marker", metavar="PATH", default=s,
                   help="dev-build marker file (default: DEV_BUILD beside config.toml)")


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run the daemon in the foreground",
            "Run the daemon in the foreground.  Prints READY <socket> on stdout once it "
            "accepts connections; logs to stderr.  A second run on a socket a live daemon "
            "serves says so and exits 0."),
    "status": ("daemon, consent and pending state",
               "Whether a daemon serves the socket (its own view, asked over the socket), "
               "opt-in and dev state, the endpoint, whether it uploads (and when, or why "
               "not), the other connections, pending counts and the last upload."),
    "show": ("exactly what the next upload would send",
             "Exactly what the next upload would send: pending batches first, then the "
             "committed counts of completed UTC days not yet in a batch (batch_id null "
             "until they are batched).  The text also lists today's counts (held until the "
             "day is over) and counts made under a dev build (never uploaded), and says why "
             "nothing will be sent under DO_NOT_TRACK, with metrics off or in a dev build "
             "(--json then prints [])."),
    "consent": ("show or set [desktop] metrics in config.toml",
                "Show or set [desktop] metrics in config.toml, keeping its comments and "
                "layout.  'off' also deletes every stored count and pending batch."),
    "flush": ("upload now, under the usual rules",
              "Upload now, under the same rules as at daemon start: one line per batch; "
              "exit 0 only if every batch was delivered or there was nothing to send."),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="metricsd", epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Privacy-first metrics sidecar for desktop AI coding agents: counts "
                    "enumerated facts about agent turns, never what anyone typed.")
    parser.add_argument("--version", action="version", version=f"metricsd {__version__}")
    _common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    subs: dict[str, argparse.ArgumentParser] = {}
    for name, (summary, description) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=description, epilog=ENVIRONMENT_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _common_options(p)
        subs[name] = p
    p = subs["run"]
    p.add_argument("--idle-exit", type=_positive_float, metavar="SECONDS",
                   help="exit after this long with no client connected")
    p.add_argument("--watch-stdin", action="store_true",
                   help="exit cleanly when stdin reaches EOF (for a spawning parent)")
    p.add_argument("--listen", choices=("unix", "tcp"), default=None,
                   help="unix: the Unix socket (the default where the platform has them); "
                        "tcp: 127.0.0.1 on a free port, written with a secret token to "
                        "endpoint.json beside the socket path (the default on Windows)")
    p.add_argument("--max-connections", type=_positive_int, default=1000, metavar="N",
                   help="connections served at once; at the cap the longest-idle one is "
                        "closed to admit a new one (default 1000)")
    p.set_defaults(func=cmd_run)
    subs["status"].set_defaults(func=cmd_status)
    subs["show"].add_argument("--json", action="store_true",
                              help="print the request bodies as a JSON array")
    subs["show"].set_defaults(func=cmd_show)
    subs["consent"].add_argument("value", nargs="?", choices=("on", "off"),
                                 help="omit to show the current state")
    subs["consent"].set_defaults(func=cmd_consent)
    subs["flush"].set_defaults(func=cmd_flush)

    p = sub.add_parser(
        "disclosure", help="what is collected, where it is sent, how to opt out",
        description="What metricsd collects (every counter and label with its meaning), what "
                    "it never collects, when and where it sends data and how to opt out, "
                    "generated from the tables the daemon enforces: the text of a desktop "
                    "app's first-run dialog.  --json for the app itself.",
        epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable, for an app's dialog")
    p.set_defaults(func=cmd_disclosure)
    subs["disclosure"] = p

    p = sub.add_parser("service", help="install the systemd units or the LaunchAgent",
                       description="Service-manager integration.")
    service_sub = p.add_subparsers(dest="service_command", metavar="SUBCOMMAND", required=True)
    p = service_sub.add_parser(
        "install", help="install the units for this metricsd binary",
        description="Write the systemd user units (Linux) or the LaunchAgent (macOS) for the "
                    "metricsd binary running this command, verify them with systemd-analyze "
                    "where it is installed, and say how to start them (or start them, with "
                    "--enable).")
    _common_options(p)
    p.add_argument("--print", action="store_true",
                   help="print the rendered files instead of writing them")
    managers = p.add_mutually_exclusive_group()
    managers.add_argument("--systemd", dest="manager", action="store_const", const="systemd",
                          help="systemd user units (default on Linux)")
    managers.add_argument("--launchd", dest="manager", action="store_const", const="launchd",
                          help="a LaunchAgent (default on macOS)")
    p.add_argument("--enable", action="store_true",
                   help="also load and start it (systemctl --user / launchctl bootstrap)")
    p.add_argument("--hardening", action="store_true",
                   help="systemd: add the stricter sandbox drop-in (needs unprivileged user "
                        "namespaces)")
    p.add_argument("--bundle-program", metavar="PATH",
                   help="launchd, with --print: a static plist for SMAppService naming this "
                        "path inside the app bundle (e.g. Contents/MacOS/metricsd)")
    p.set_defaults(func=cmd_service_install, manager=None)
    subs["service"] = p
    return parser, subs


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser, subs = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        subs[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _usage_exit(message: str) -> NoReturn:
    print(f"metricsd: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # everything metricsd creates is private to the user
    args = _parse(argv)
    settings = resolve(socket=getattr(args, "socket", None),
                       state_dir=getattr(args, "state_dir", None),
                       config=getattr(args, "config", None),
                       endpoint=getattr(args, "endpoint", None),
                       dev_marker=getattr(args, "dev_marker", None))
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        # An unacceptable --endpoint / METRICSD_ENDPOINT is a usage error for every command.
        choose_endpoint(settings.endpoint_flag, settings.endpoint_env, None)
        return func(args, settings)
    except EndpointError as exc:
        _usage_exit(str(exc))
    except UsageError as exc:
        _usage_exit(str(exc))
    except Failure as exc:
        print(f"metricsd: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader went away (`metricsd show | head -1`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
