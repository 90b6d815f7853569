"""`metricsd run`: serve until a signal, --idle-exit, --watch-stdin EOF or an error."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from metricsd import __version__
from metricsd.cli._common import (
    EXIT_OK,
    Failure,
    UsageError,
    _authority,
    setup_logging,
)
from metricsd.settings import Settings, SettingsError

if TYPE_CHECKING:
    from metricsd.instance import InstanceLock

log = logging.getLogger("metricsd")

# --- run -----------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until a signal, --idle-exit, --watch-stdin EOF or an error.

    The socket comes from a service manager (systemd LISTEN_FDS, launchd
    launch_activate_socket) or is bound here under the per-socket instance lock; only a
    socket bound here is unlinked at exit."""
    import signal

    from metricsd import activation, directories, instance, tcp
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
            directories.prepare_state_directory(settings.state_dir)
            directories.check_config_location(settings.config)
            socks, manager = activation.activated_sockets(settings.environ)
            if socks:
                sock_path = _adopted_path(socks[0], settings, manager, cleanup)
                ready_path = sock_path
            else:
                sock_path = settings.socket
                over_tcp = listen == "tcp"
                if not over_tcp:
                    instance.check_socket_path(sock_path)
                directories.prepare_directory(sock_path.parent)
                ready_path = (sock_path.parent / tcp.ENDPOINT_FILE) if over_tcp else sock_path
                got = instance.acquire_lock(sock_path)
                if not isinstance(got, instance.InstanceLock):
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
                if over_tcp:
                    import secrets

                    listener = tcp.bind_tcp()
                    token = secrets.token_hex(32)
                    written = tcp.write_endpoint_file(
                        sock_path.parent, listener.getsockname()[1], token)
                    cleanup.callback(written.unlink)
                    stop_listening = written.unlink
                    socks = [listener]
                else:
                    try:
                        instance.remove_stale_socket(sock_path)
                    except instance.SocketLive:
                        return _already_served(sock_path, None)
                    bound = instance.bind_socket(sock_path)
                    cleanup.callback(bound.unlink)
                    stop_listening = bound.unlink
                    socks = [bound.sock]
        except (directories.ServiceError, SettingsError) as exc:
            raise Failure(str(exc)) from None
        except OSError as exc:
            raise Failure(f"cannot serve the socket ({exc.strerror or exc})") from None
        return _serve(args, settings, socks, sock_path, stop_requested,
                      ready=ready_path, token=token,
                      stop_listening=stop_listening)


def _stand_by(sock_path: Path, pid: int | None,
              stop_requested: list[int]) -> InstanceLock | None:
    """Wait, without polling, until the daemon serving ``sock_path`` exits (then return the
    instance lock: this process serves next) or until stdin closes or a signal arrives
    (then return None)."""
    import queue
    import signal
    import threading

    from metricsd import instance

    log.info("a daemon already serves %s (pid %s): standing by to take over when it exits",
             sock_path, "unknown" if pid is None else pid)
    events: queue.Queue[object] = queue.Queue()

    def lock() -> None:
        try:
            events.put(instance.acquire_lock(sock_path, wait=True))
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
    if isinstance(got, instance.InstanceLock):
        log.info("the daemon that served %s exited: taking over", sock_path)
        return got
    log.info("stdin closed or asked to stop while standing by: exiting")
    return None


def _adopted_path(sock: socket.socket, settings: Settings, manager: str,
                  cleanup: contextlib.ExitStack) -> Path:
    """The path of an inherited socket, for logs and `status`.  No default path is
    computed: a service manager's socket must work whatever the runtime directory."""
    from pathlib import Path

    from metricsd import instance

    log.info("using the socket passed by %s", manager)
    name = sock.getsockname()
    if not (isinstance(name, str) and name):
        return settings.socket_override or Path("(inherited socket)")
    path = Path(name)
    with contextlib.suppress(OSError):
        # Best effort, so that `status` and a second `run` see who serves.
        got = instance.acquire_lock(path)
        if isinstance(got, instance.InstanceLock):
            cleanup.callback(got.release)
    with contextlib.suppress(OSError):
        sock.listen(instance.listen_backlog())
    return path


def _serve(args: argparse.Namespace, settings: Settings, socks: list[socket.socket],
           sock_path: Path, stop_requested: list[int], *, ready: Path | None,
           token: str | None = None,
           stop_listening: Callable[[], None] | None = None) -> int:
    import trio

    from metricsd import activation
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
        host=this_host(), wall_clock=settings.wall_clock,
        limits=Limits(max_connections=args.max_connections),
        idle_exit=args.idle_exit, watch_stdin=args.watch_stdin,
        stop_listening=stop_listening, token=token)
    daemon = Daemon(options, store, _authority(settings), EgressLock(settings.state_dir))
    log.info("config %s, database %s", settings.config, settings.db)
    watchdog = activation.watchdog_interval(settings.environ)

    async def main() -> None:
        listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(s)) for s in socks]
        async with trio.open_nursery() as nursery:
            await nursery.start(daemon.serve, listeners)
            if ready is not None:
                try:
                    print(f"READY {ready}", flush=True)
                except (OSError, ValueError):
                    pass  # stdout closed: the parent went away or does not care
            activation.sd_notify("READY=1", settings.environ)
            log.info("serving %s (version %s)", sock_path, __version__)
            if stop_requested:
                log.info("asked to stop during start-up: exiting")
                daemon.shutdown.set()
            if watchdog is not None:
                nursery.start_soon(_watchdog, watchdog, settings)
            await daemon.shutdown.wait()
            activation.sd_notify("STOPPING=1", settings.environ)
            nursery.cancel_scope.cancel()

    try:
        trio.run(main)
    finally:
        store.close()
    log.info("stopped")
    return EXIT_OK


async def _watchdog(interval: float, settings: Settings) -> None:
    import trio

    from metricsd import activation

    while True:
        await trio.to_thread.run_sync(activation.sd_notify, "WATCHDOG=1", settings.environ)
        await trio.sleep(interval)


def _already_served(sock_path: os.PathLike[str], pid: int | None) -> int:
    """A second `run` on a live socket: say who serves it and exit 0."""
    print(f"metricsd: a daemon already serves {os.fspath(sock_path)} "
          f"(pid {'unknown' if pid is None else pid})", file=sys.stderr)
    return EXIT_OK
