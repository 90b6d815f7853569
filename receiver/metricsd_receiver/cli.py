"""``metricsd-receiver``: migrate the database, listen, serve from workers that uvicorn's
own supervisor (``uvicorn.supervisors.Multiprocess``) spawns and restarts.

Prints ``LISTENING http://HOST:PORT`` on stdout once every worker accepts connections
(with ``--port 0`` the port is the one the system chose); logs go to stderr, and no log
line carries a secret (the database password, the dashboard token).  A worker that dies
is restarted.  Exit codes: 0 after SIGTERM/SIGINT, 2 usage error, 1 any other failure
(one line on stderr).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlsplit

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from metricsd_receiver import __version__
from metricsd_receiver.app import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_INFLIGHT,
    DEFAULT_RETRY_AFTER,
    Settings,
    create_app,
)
from metricsd_receiver.guard import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_PER_SOURCE,
    DEFAULT_UPLOAD_BURST,
    DEFAULT_UPLOAD_RATE,
    GuardedHttp,
    Limits,
)
from metricsd_receiver.query import DEFAULT_K
from metricsd_receiver.storage import (
    DEFAULT_DATABASE,
    StorageError,
    UsageError,
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
                   help="sqlite:///FILE (relative), sqlite:////FILE (absolute) or "
                        "postgresql://USER:PASSWORD@HOST:PORT/DB (default %(default)s; "
                        "or set METRICSD_RECEIVER_DATABASE, which keeps a password out of "
                        "the process list)")
    p.add_argument("--workers", type=_positive, default=1,
                   help="worker processes sharing the listening socket (default 1)")
    p.add_argument("--k", type=_positive, default=DEFAULT_K,
                   help="a (day, client version) group needs this many reporting installs "
                        "(batches) to be shown under its version, and 'other' as much "
                        "(default %(default)s; a smaller k is a local testing mode, refused "
                        "unless --host is a loopback address)")
    p.add_argument("--max-body", type=_positive, default=DEFAULT_MAX_BODY,
                   help="largest accepted body in bytes; larger get 413 (default "
                        "%(default)s)")
    p.add_argument("--max-inflight", type=_positive, default=DEFAULT_MAX_INFLIGHT,
                   help="uploads stored at once per worker; more get 429 (default "
                        "%(default)s)")
    p.add_argument("--retry-after", type=_positive, default=DEFAULT_RETRY_AFTER,
                   help="seconds sent in Retry-After with 503 and the in-flight 429 "
                        "(default %(default)s)")
    p.add_argument("--header-timeout", type=_seconds, default=DEFAULT_HEADER_TIMEOUT,
                   help="seconds a request's headers may take from its first byte; 408 "
                        "and the connection closed after that (default %(default)s)")
    p.add_argument("--body-timeout", type=_seconds, default=DEFAULT_BODY_TIMEOUT,
                   help="seconds a request body may take after its headers; 408 after "
                        "that (default %(default)s)")
    p.add_argument("--max-connections", type=_positive, default=DEFAULT_MAX_CONNECTIONS,
                   help="open connections per worker; one more closes the oldest idle or "
                        "slow one (default %(default)s)")
    p.add_argument("--max-connections-per-source", type=_positive,
                   default=DEFAULT_MAX_PER_SOURCE,
                   help="open connections per worker from one source address (IPv6: one "
                        "/64) (default %(default)s)")
    p.add_argument("--upload-rate", type=_positive, default=DEFAULT_UPLOAD_RATE,
                   help="uploads per minute per source address and worker; more get 429 "
                        "with Retry-After (default %(default)s)")
    p.add_argument("--upload-burst", type=_positive, default=DEFAULT_UPLOAD_BURST,
                   help="uploads a source address may send at once before --upload-rate "
                        "applies (default %(default)s)")
    p.add_argument("--dashboard-token-file", metavar="PATH",
                   help=f"file holding the dashboard token (or set {TOKEN_ENV}); without a "
                        "token the dashboard answers nobody, unless --local-only")
    p.add_argument("--local-only", action="store_true",
                   help="this receiver is reached from this machine only (no TLS "
                        "terminator or proxy in front): loopback clients read the dashboard "
                        "without a token; needed for --k below 5")
    p.add_argument("--trusted-proxy", metavar="ADDRESSES",
                   help="a proxy is in front, at these addresses (comma-separated): the "
                        "rate limit keys on the client address its X-Forwarded-For gives; "
                        "without this option the header is ignored")
    p.add_argument("--copy-to", metavar="URL",
                   help="copy every batch from --database into this database (migrating "
                        "it first; batches already there are skipped), then exit: how a "
                        "SQLite receiver moves to PostgreSQL")
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"])
    return p


class _WorkerConfig(uvicorn.Config):
    """uvicorn's configuration of one worker, picklable (workers are spawned): the app and
    the guarded HTTP protocol are built in the worker from plain settings."""

    def __init__(self, database: str, settings: Settings, limits: Limits,
                 secrets: list[str], log_level: str, workers: int) -> None:
        self.database, self.settings, self.limits = database, settings, limits
        self.secrets, self.level = secrets, log_level
        super().__init__("metricsd_receiver.app:create_app", log_level=log_level,
                         log_config=None, access_log=False, server_header=False,
                         lifespan="on", timeout_keep_alive=5, workers=workers,
                         factory=True,
                         # X-Forwarded-For only from --trusted-proxy (in the app)
                         proxy_headers=False)

    def configure_logging(self) -> None:
        super().configure_logging()
        _configure_logging(self.level, self.secrets)

    def load_app(self) -> Any:
        _die_with_parent()
        self.http = GuardedHttp.with_limits(self.limits)
        self.http_protocol_class = self.http
        return lambda: create_app(self.database, self.settings)


class _Supervisor(Multiprocess):
    """uvicorn's supervisor (it restarts a worker that dies; SIGTERM/SIGINT stop all),
    reporting ``LISTENING`` once every worker serves."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], url: str) -> None:
        super().__init__(config, sockets)
        self.url = url
        self.status = 0

    def init_processes(self) -> None:
        super().init_processes()
        deadline = time.monotonic() + READY_TIMEOUT
        for process in self.processes:
            if not process.wait_until_ready(max(0.1, deadline - time.monotonic()),
                                            self.should_exit):
                if not self.should_exit.is_set():
                    print("metricsd-receiver: a worker failed to start", file=sys.stderr,
                          flush=True)
                    self.status = 1
                    self.should_exit.set()
                return
        print(f"LISTENING {self.url}", flush=True)


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


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when the supervising process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() == 1:  # it died before prctl took effect
        os._exit(0)


def _serve(args: argparse.Namespace, settings: Settings, sock: socket.socket, url: str,
           secrets: list[str]) -> int:
    limits = Limits(header_timeout=args.header_timeout, body_timeout=args.body_timeout,
                    max_connections=args.max_connections,
                    max_per_source=args.max_connections_per_source)
    config = _WorkerConfig(args.database, settings, limits, secrets, args.log_level,
                           args.workers)
    supervisor = _Supervisor(config, [sock], url)
    supervisor.run()
    return supervisor.status


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


class _Redact(logging.Filter):
    """Replaces every known secret in a log record by ``***`` (a last line of defence:
    messages are written not to carry them in the first place)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [x for x in secrets if len(x) >= 3]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = record.exc_text = None
        for secret in self.secrets:
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


def _configure_logging(level: str, secrets: list[str]) -> None:
    """One line per record on stderr, every secret replaced (in each process)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("metricsd-receiver: %(levelname)s %(message)s"))
    handler.addFilter(_Redact(secrets))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # uvicorn's own loggers (the supervisor's and the workers') go to the same handler
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def _secrets(*urls: str | None) -> list[str]:
    out = []
    for url in urls:
        if not url:
            continue
        parts = urlsplit(url)
        try:
            if parts.password:
                out += [parts.password, quote(parts.password, safe="")]
        except ValueError:
            pass
        for _, value in parse_qsl(parts.query):
            out.append(value)
    return out


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
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
    secrets = [*_secrets(args.database, args.copy_to), *([token] if token else [])]
    _configure_logging(args.log_level, secrets)
    if args.k < DEFAULT_K and not (_is_loopback(args.host) and args.local_only
                                   and not args.trusted_proxy):
        print(f"metricsd-receiver: --k below {DEFAULT_K} is a local testing mode that can "
              "show single installations; it needs a loopback --host and --local-only",
              file=sys.stderr)
        return 2
    settings = Settings(k=args.k, max_body=args.max_body, max_inflight=args.max_inflight,
                        retry_after=args.retry_after, body_timeout=args.body_timeout,
                        upload_rate=args.upload_rate, upload_burst=args.upload_burst,
                        token=token, local_only=args.local_only,
                        trusted_proxies=args.trusted_proxy)
    try:
        storage = open_storage(args.database)
        if args.copy_to:
            open_storage(args.copy_to).close()
    except UsageError as exc:
        print(f"metricsd-receiver: {exc}", file=sys.stderr)
        return 2
    try:
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
          f"{'with a token' if token else 'without a token'}"
          f"{', loopback clients without one' if args.local_only else ''}, k = {args.k}"
          f"{' (LOCAL TESTING MODE)' if args.k < DEFAULT_K else ''}",
          file=sys.stderr, flush=True)
    return _serve(args, settings, sock, url, secrets)
