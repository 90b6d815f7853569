"""``metricsd-receiver``: migrate the database, listen, serve (optionally pre-forked).

Prints ``LISTENING http://HOST:PORT`` on stdout once every worker accepts connections
(with ``--port 0`` the port is the one the system chose); logs go to stderr.  Exit codes:
0 after SIGTERM/SIGINT, 2 usage error, 1 any other failure (one line on stderr).
"""

from __future__ import annotations

import argparse
import logging
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any, Final

import uvicorn

from metricsd_receiver import __version__
from metricsd_receiver.app import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_INFLIGHT,
    DEFAULT_RETRY_AFTER,
    Settings,
    create_app,
)
from metricsd_receiver.query import DEFAULT_K
from metricsd_receiver.storage import (
    DEFAULT_DATABASE,
    StorageError,
    copy,
    describe,
    open_storage,
)

log = logging.getLogger("metricsd_receiver")

TOKEN_ENV: Final = "METRICSD_RECEIVER_TOKEN"
READY_TIMEOUT: Final = 60.0


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _seconds(value: str) -> float:
    n = float(value)
    if not 0 < n <= 3600:
        raise argparse.ArgumentTypeError("must be in (0, 3600]")
    return n


def _port(value: str) -> int:
    n = int(value)
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("must be 0..65535")
    return n


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metricsd-receiver",
        description="Receive metricsd uploads (POST /v1/metrics), store each batch once, "
                    "and serve a read-only dashboard on /.")
    p.add_argument("--version", action="version", version=f"metricsd-receiver {__version__}")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 = any)")
    p.add_argument("--database", default=os.environ.get("METRICSD_RECEIVER_DATABASE",
                                                        DEFAULT_DATABASE),
                   help="sqlite:///FILE (default %(default)s) or postgresql://...")
    p.add_argument("--workers", type=_positive, default=1,
                   help="worker processes sharing the listening socket (default 1)")
    p.add_argument("--k", type=_positive, default=DEFAULT_K,
                   help="a (client version, day) group needs this many batches to be shown "
                        "under its version on the dashboard (default %(default)s)")
    p.add_argument("--max-body", type=_positive, default=DEFAULT_MAX_BODY,
                   help="largest accepted body in bytes (default %(default)s)")
    p.add_argument("--max-inflight", type=_positive, default=DEFAULT_MAX_INFLIGHT,
                   help="uploads handled at once per worker; more get 429 (default "
                        "%(default)s)")
    p.add_argument("--retry-after", type=_positive, default=DEFAULT_RETRY_AFTER,
                   help="seconds sent in Retry-After with 429 and 503 (default %(default)s)")
    p.add_argument("--body-timeout", type=_seconds, default=DEFAULT_BODY_TIMEOUT,
                   help="seconds a request body may take to arrive; 408 after that "
                        "(default %(default)s)")
    p.add_argument("--dashboard-token-file", metavar="PATH",
                   help=f"file holding the dashboard token (or set {TOKEN_ENV}); without a "
                        "token the dashboard answers loopback clients only")
    p.add_argument("--copy-to", metavar="URL",
                   help="copy every batch from --database into this database (migrating "
                        "it first; batches already there are skipped), then exit: how a "
                        "SQLite receiver moves to PostgreSQL")
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"])
    return p


class _Server(uvicorn.Server):
    """A uvicorn server that reports once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Any) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._on_ready()


def _bind(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind(addr)
    sock.listen(socket.SOMAXCONN)
    sock.set_inheritable(True)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _ignore(signum: int, frame: Any) -> None:
    """uvicorn handles SIGTERM/SIGINT while it serves and re-raises the signal once it has
    shut down; with this as the handler it restores, that ends in a clean exit 0."""


def _serve(args: argparse.Namespace, settings: Settings, sock: socket.socket,
           on_ready: Any) -> None:
    signal.signal(signal.SIGTERM, _ignore)
    signal.signal(signal.SIGINT, _ignore)
    storage = open_storage(args.database)
    config = uvicorn.Config(create_app(storage, settings), log_level=args.log_level,
                            access_log=False, server_header=False, lifespan="on",
                            timeout_keep_alive=30)
    _Server(config, on_ready).run(sockets=[sock])


def _die_with_parent(parent: int) -> None:
    """Linux: a worker gets SIGTERM when the supervising process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(0)


def _worker(args: argparse.Namespace, settings: Settings, sock: socket.socket,
            ready_w: int) -> None:
    def ready() -> None:
        os.write(ready_w, b"r")
        os.close(ready_w)

    try:
        _serve(args, settings, sock, ready)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException as exc:
        print(f"metricsd-receiver: worker failed: {type(exc).__name__}", file=sys.stderr)
        os._exit(1)
    os._exit(0)


def _prefork(args: argparse.Namespace, settings: Settings, sock: socket.socket,
             url: str) -> int:
    ready_r, ready_w = os.pipe()
    children: list[int] = []
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getpid()
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _die_with_parent(parent)
            _worker(args, settings, sock, ready_w)
        children.append(pid)
    os.close(ready_w)
    ready, deadline = 0, time.monotonic() + READY_TIMEOUT
    while ready < args.workers and not stopping:
        left = deadline - time.monotonic()
        r, _, _ = select.select([ready_r], [], [], max(0.0, left))
        if not r:
            print("metricsd-receiver: workers did not start in time", file=sys.stderr)
            stop(signal.SIGTERM, None)
            break
        got = os.read(ready_r, 64)
        if not got:  # every worker closed its end: one of them died before being ready
            print("metricsd-receiver: a worker failed to start", file=sys.stderr)
            stop(signal.SIGTERM, None)
            break
        ready += len(got)
    os.close(ready_r)
    if ready >= args.workers and not stopping:
        print(f"LISTENING {url}", flush=True)
    status = 0 if ready >= args.workers else 1
    remaining = set(children)
    while remaining:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        remaining.discard(pid)
        if not stopping:
            print("metricsd-receiver: a worker exited; stopping", file=sys.stderr)
            status = 1
            stop(signal.SIGTERM, None)
    return status


def _copy(source_url: str, target_url: str) -> int:
    try:
        source, target = open_storage(source_url), open_storage(target_url)
        try:
            added, skipped = copy(source, target)
        finally:
            source.close()
            target.close()
    except StorageError as exc:
        print(f"metricsd-receiver: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"metricsd-receiver: copying to {describe(target_url)} failed: "
              f"{type(exc).__name__}", file=sys.stderr)
        return 1
    print(f"copied {added} batch(es) to {describe(target_url)}, {skipped} already there")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="metricsd-receiver: %(levelname)s %(message)s")
    token = os.environ.get(TOKEN_ENV) or None
    if args.dashboard_token_file:
        try:
            with open(args.dashboard_token_file, encoding="utf-8") as f:
                token = f.read().strip() or None
        except OSError as exc:
            print(f"metricsd-receiver: cannot read the token file: {exc.strerror}",
                  file=sys.stderr)
            return 2
        if token is None:
            print("metricsd-receiver: the token file is empty", file=sys.stderr)
            return 2
    settings = Settings(k=args.k, max_body=args.max_body, max_inflight=args.max_inflight,
                        retry_after=args.retry_after, body_timeout=args.body_timeout,
                        token=token)
    try:
        storage = open_storage(args.database)
        try:
            version = storage.migrate()
        finally:
            storage.close()
    except StorageError as exc:
        print(f"metricsd-receiver: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"metricsd-receiver: cannot prepare the database {describe(args.database)}: "
              f"{type(exc).__name__}", file=sys.stderr)
        return 1
    if args.copy_to:
        return _copy(args.database, args.copy_to)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"metricsd-receiver: cannot listen on {args.host}:{args.port}: {exc.strerror}",
              file=sys.stderr)
        return 1
    url = _url(args.host, sock)
    print(f"metricsd-receiver: {describe(args.database)} (schema version {version}), "
          f"{args.workers} worker(s), dashboard "
          f"{'with a token' if token else 'for loopback clients only'}, k = {args.k}",
          file=sys.stderr, flush=True)
    if args.workers == 1:
        try:
            _serve(args, settings, sock, lambda: print(f"LISTENING {url}", flush=True))
        except KeyboardInterrupt:
            pass
        return 0
    return _prefork(args, settings, sock, url)
