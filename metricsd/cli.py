"""Command line (SPEC section 8): one small function per command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from metricsd import __version__
from metricsd.settings import Settings, resolve

log = logging.getLogger("metricsd")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class Failure(Exception):
    """A one-line reason to exit 1."""


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("metricsd[%(process)d] %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


# --- run -----------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until a signal, --idle-exit, --watch-stdin EOF or an error.

    The socket comes from a service manager (systemd LISTEN_FDS, launchd
    launch_activate_socket) or is bound here under the per-socket instance lock; only a
    socket bound here is unlinked at exit."""
    import signal

    import trio

    from metricsd import service
    from metricsd.config import Watcher
    from metricsd.server import Daemon
    from metricsd.store import Store, StoreError

    setup_logging()
    # SIGTERM/SIGINT outside the event loop's own receiver (start-up, and the clean-up after
    # the final commit) are remembered instead of killing the process half-way: trio
    # restores this handler when it stops listening.
    stop_requested: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda n, _frame: stop_requested.append(n))
    lock: service.InstanceLock | None = None
    bound: service.BoundSocket | None = None
    sock_path = settings.socket
    try:
        socks, manager = service.activated_sockets(os.environ)
        if socks:
            name = socks[0].getsockname()
            if isinstance(name, str) and name:
                sock_path = type(sock_path)(name)
            log.info("using %d socket(s) passed by %s", len(socks), manager)
            # Best effort, so that `status` and a second `run` see who serves.
            got = service.acquire_lock(sock_path) if sock_path.parent.is_dir() else None
            lock = got if isinstance(got, service.InstanceLock) else None
        else:
            service.check_socket_path(sock_path)
            service.prepare_directory(sock_path.parent)
            got = service.acquire_lock(sock_path)
            if not isinstance(got, service.InstanceLock):
                return _already_served(sock_path, got)
            lock = got
            try:
                service.remove_stale_socket(sock_path)
            except service.SocketLive:
                return _already_served(sock_path, None)
            bound = service.bind_socket(sock_path)
            socks = [bound.sock]
        try:
            store = Store.open(settings.db)
        except StoreError as exc:
            raise Failure(str(exc)) from None
        watcher = Watcher(settings.config, settings.dev_marker, os.environ)
        daemon = Daemon(settings, store, watcher)
        daemon._refresh_config()
        try:
            if not watcher.state.opted_in and store.purge():
                log.info("metrics are off: purged stored counts and pending batches")
        except Exception:  # storage fault: the commit loop purges once it can write
            pass
        daemon.gate.counting = watcher.state.opted_in
        daemon.gate.dev = watcher.dev

        def on_ready() -> None:
            try:
                print(f"READY {sock_path}", flush=True)
            except (OSError, ValueError):
                pass  # stdout closed: the parent went away or does not care
            service.sd_notify("READY=1")
            log.info("serving %s (version %s)", sock_path, __version__)

        async def stop_if_requested_early() -> None:
            if stop_requested:
                log.info("asked to stop during start-up: exiting")
                daemon.shutdown.set()

        background: list[Callable[[], Any]] = [stop_if_requested_early, daemon.uploader]
        interval = service.watchdog_interval(os.environ)
        if interval is not None:
            async def watchdog() -> None:
                while True:
                    await trio.to_thread.run_sync(service.sd_notify, "WATCHDOG=1")
                    await trio.sleep(interval)
            background.append(watchdog)

        try:
            trio.run(lambda: daemon.serve(
                socks, on_ready=on_ready, idle_exit=args.idle_exit,
                watch_stdin=args.watch_stdin,
                on_stopping=lambda: service.sd_notify("STOPPING=1"),
                background=background))
        finally:
            store.close()
        log.info("stopped")
        return EXIT_OK
    except service.ServiceError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot serve {sock_path}: {exc.strerror or exc}") from None
    finally:
        if bound is not None:
            bound.unlink()
        if lock is not None:
            lock.release()


def _already_served(sock_path: os.PathLike[str], pid: int | None) -> int:
    """A second `run` on a live socket: say who serves it and exit 0 (SPEC section 8)."""
    print(f"metricsd: a daemon already serves {os.fspath(sock_path)} "
          f"(pid {'unknown' if pid is None else pid})", file=sys.stderr)
    return EXIT_OK


# --- status / show ------------------------------------------------------------------------

def _open_store(settings: Settings) -> Any:
    from metricsd.store import Store, StoreError

    try:
        return Store.open_existing(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None


def _bodies(store: Any) -> list[dict[str, Any]]:
    """Exactly what the next upload sends: pending batches, then unbatched counts."""
    from metricsd.batches import body_of

    if store is None:
        return []
    bodies = [body_of(b) for b in store.batches()]
    # Counts not yet batched; a group with no counts (only health) is not sent.
    bodies += [body for body in map(body_of, store.pending()) if body["counts"]]
    return bodies


def _upload_blocker(settings: Settings) -> str | None:
    from metricsd.config import is_dev_build, read_config

    if not read_config(settings.config).opted_in:
        return "metrics are off: nothing is uploaded"
    if is_dev_build(os.environ, settings.dev_marker):
        return "dev build: nothing is uploaded"
    return None


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store = _open_store(settings)
    try:
        bodies = _bodies(store)
    finally:
        if store is not None:
            store.close()
    if args.json:
        print(json.dumps(bodies, indent=2))
    else:
        print(render_bodies(bodies))
    blocker = _upload_blocker(settings)
    if blocker:
        print(f"note: {blocker}", file=sys.stderr)
    return EXIT_OK


def render_bodies(bodies: list[dict[str, Any]]) -> str:
    if not bodies:
        return "nothing to upload"
    lines = []
    for body in bodies:
        batch = body["batch_id"] or "(not yet batched)"
        lines.append(f"batch {batch}  daemon {body['daemon']['version']}  client "
                     f"{body['client']['version']}  {body['period']['from']} .. "
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


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd_client import request

    from metricsd import service
    from metricsd.config import is_dev_build, read_config
    from metricsd.counts import counts_body
    from metricsd.store import LAST_UPLOAD_KEY

    pid = service.serving_pid(settings.socket)
    snapshot = None
    try:
        daemon_version = request(settings.socket, {"type": "ping"}, timeout=3.0).get("version")
        snapshot = request(settings.socket, {"type": "snapshot"}, timeout=3.0)
        if snapshot.get("type") != "snapshot":
            snapshot = None
    except OSError:
        daemon_version = None
    if daemon_version is not None:
        where = f"running (pid {pid if pid is not None else 'unknown'}, version " \
                f"{daemon_version}) on {settings.socket}"
    else:
        where = f"not running (no daemon answers on {settings.socket})"
    state = read_config(settings.config)
    dev = is_dev_build(os.environ, settings.dev_marker)
    endpoint = settings.endpoint_override or state.endpoint
    store = _open_store(settings)
    try:
        batches = store.batches() if store is not None else []
        totals = store.committed_totals() if store is not None else {}
        last = store.get_meta(LAST_UPLOAD_KEY) if store is not None else None
    finally:
        if store is not None:
            store.close()
    counts = snapshot["counts"] if snapshot is not None else counts_body(totals)
    print(f"daemon:      {where}")
    print(f"metrics:     {'on' if state.opted_in else 'off'} ({settings.config})")
    if state.problem:
        print(f"             {state.problem}")
    print(f"build:       {'dev (never uploaded)' if dev else 'release'}")
    print(f"endpoint:    {'configured' if endpoint else 'none (nothing is uploaded)'}")
    print(f"database:    {settings.db}")
    print(f"pending:     {len(batches)} batch(es); turns {counts.get('turns', 0)}")
    for row in _count_rows(counts, {}):
        print(f"           {row}")
    print(f"last upload: {last or 'never'}")
    return EXIT_OK


# --- consent / flush --------------------------------------------------------------------

def cmd_consent(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd.config import read_config, set_consent

    if args.value is not None:
        on = args.value == "on"
        try:
            set_consent(settings.config, on)
        except (ValueError, OSError) as exc:
            raise Failure(str(exc)) from None
        if not on:
            store = _open_store(settings)
            if store is not None:
                try:
                    store.purge()
                finally:
                    store.close()
            print("metrics off: stored counts and pending batches were deleted")
        else:
            print("metrics on")
        return EXIT_OK
    state = read_config(settings.config)
    print(f"metrics {'on' if state.opted_in else 'off'} ({settings.config})")
    if state.problem:
        print(state.problem)
    return EXIT_OK


def cmd_flush(args: argparse.Namespace, settings: Settings) -> int:
    import trio

    from metricsd.config import is_dev_build, read_config
    from metricsd.store import Store, StoreError
    from metricsd.upload import maybe_upload

    setup_logging()
    state = read_config(settings.config)
    try:
        store = Store.open(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None

    async def in_db(fn: Callable[..., Any], *a: Any) -> Any:
        return await trio.to_thread.run_sync(fn, *a)

    try:
        result = trio.run(lambda: maybe_upload(
            store, opted_in=state.opted_in, dev=is_dev_build(os.environ, settings.dev_marker),
            endpoint=settings.endpoint_override or state.endpoint, in_db=in_db))
    finally:
        store.close()
    print(result.summary())
    return EXIT_FAILURE if result.folded_back else EXIT_OK


# --- parser -----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("common options")
    g.add_argument("--socket", metavar="PATH", help="Unix socket (env METRICSD_SOCKET)")
    g.add_argument("--state-dir", metavar="DIR",
                   help="where the database lives (env METRICSD_STATE_DIR)")
    g.add_argument("--config", metavar="PATH",
                   help="config.toml (env METRICSD_CONFIG)")
    g.add_argument("--endpoint", metavar="URL",
                   help="upload endpoint (env METRICSD_ENDPOINT, or [metrics] endpoint)")
    g.add_argument("--dev-marker", metavar="PATH",
                   help="dev-build marker file (default: DEV_BUILD beside config.toml)")

    parser = argparse.ArgumentParser(
        prog="metricsd",
        description="Privacy-first metrics sidecar for desktop AI coding agents.")
    parser.add_argument("--version", action="version", version=f"metricsd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("run", parents=[common], help="run the daemon in the foreground")
    p.add_argument("--idle-exit", type=_positive_float, metavar="SECONDS",
                   help="exit after this long with no client connected")
    p.add_argument("--watch-stdin", action="store_true",
                   help="exit cleanly when stdin reaches EOF (for a spawning parent)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("status", parents=[common], help="daemon, consent and pending state")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("show", parents=[common], help="exactly what the next upload sends")
    p.add_argument("--json", action="store_true", help="print the request bodies as JSON")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("consent", parents=[common], help="show or set [desktop] metrics")
    p.add_argument("value", nargs="?", choices=("on", "off"))
    p.set_defaults(func=cmd_consent)

    p = sub.add_parser("flush", parents=[common], help="upload now, under the usual rules")
    p.set_defaults(func=cmd_flush)
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = resolve(socket=args.socket, state_dir=args.state_dir, config=args.config,
                       endpoint=args.endpoint, dev_marker=args.dev_marker)
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        return func(args, settings)
    except Failure as exc:
        print(f"metricsd: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
