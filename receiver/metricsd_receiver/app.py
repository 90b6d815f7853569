"""The ASGI application (Starlette): ``POST /v1/metrics``, the dashboard, its JSON.

Replies to the upload endpoint (the whole contract is in docs/UPLOAD.md):

* 202 ``{"duplicate": false}`` stored; 202 ``{"duplicate": true}`` that ``batch_id`` was
  already stored (a retry): nothing is added;
* 400 the body is not a valid upload; 413 the body is over the size limit (refused from
  its ``Content-Length``, or as soon as more arrived: it is never read whole); 408 the
  headers or the body did not arrive in time (see :mod:`metricsd_receiver.guard`);
  415 not ``Content-Type: application/json`` (or a content encoding other than identity);
* 429 with ``Retry-After`` when this source address sent more uploads than its rate
  limit allows, or when this process already stores its limit of uploads at once;
  503 with ``Retry-After`` when the database cannot be written;
* 405 another method on ``/v1/metrics``; 404 elsewhere.

Error bodies are ``{"error": "..."}`` with text written here: no byte of a request is ever
echoed, logged or stored unless it is a label of the schema (or matched one of its
patterns).
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final
from urllib.parse import urlencode

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from metricsd_receiver import __version__
from metricsd_receiver.dashboard import render_page
from metricsd_receiver.guard import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_UPLOAD_BURST,
    DEFAULT_UPLOAD_RATE,
    RateLimiter,
    source_of,
)
from metricsd_receiver.query import DEFAULT_K, BadQuery, summary, testing_summary
from metricsd_receiver.release import run_due
from metricsd_receiver.schema import Invalid, validate
from metricsd_receiver.storage import Storage, database_errors, open_storage

log = logging.getLogger("metricsd_receiver")

UPLOAD_PATH: Final = "/v1/metrics"
#: A real batch is under 2 KiB; this leaves room for every label of every counter.
DEFAULT_MAX_BODY: Final = 64 * 1024
DEFAULT_MAX_INFLIGHT: Final = 64
DEFAULT_RETRY_AFTER: Final = 30
TOKEN_COOKIE: Final = "metricsd_receiver_token"
#: Views (page or JSON of one query) kept per process; the oldest goes first.
MAX_KEPT_VIEWS: Final = 32

_SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Settings:
    k: int = DEFAULT_K
    max_body: int = DEFAULT_MAX_BODY
    #: Uploads stored at once by one process (their bodies read); more get 429.
    max_inflight: int = DEFAULT_MAX_INFLIGHT
    retry_after: int = DEFAULT_RETRY_AFTER
    #: Seconds a request body may take to arrive (408 after that; the daemon retries).
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    #: Uploads per minute from one source address, and its burst (429 beyond).
    upload_rate: int = DEFAULT_UPLOAD_RATE
    upload_burst: int = DEFAULT_UPLOAD_BURST
    #: With a token the dashboard answers anyone presenting it.
    token: str | None = None
    #: The operator says the receiver is reached only from this machine (no TLS terminator
    #: or proxy in front): loopback clients then read the dashboard without a token.
    local_only: bool = False
    #: Addresses of proxies in front (comma-separated, uvicorn's syntax): only requests
    #: from them have their client address taken from X-Forwarded-For.  None: the header
    #: is ignored.
    trusted_proxies: str | None = None

    @property
    def testing(self) -> bool:
        """The local testing mode (k under DEFAULT_K; the command line allows it only on a
        loopback address with --local-only): the exact sums are shown as they arrive."""
        return self.k < DEFAULT_K


def _error(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status, headers=headers)


def _media_type(value: str | None) -> tuple[str, dict[str, str]]:
    if value is None:
        return "", {}
    kind, *params = value.split(";")
    parsed = {}
    for p in params:
        name, _, v = p.partition("=")
        parsed[name.strip().lower()] = v.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Receiver:
    def __init__(self, settings: Settings,
                 clock: Callable[[], datetime.datetime] = _utc_now) -> None:
        self._storage: Storage | None = None
        self.settings = settings
        #: the wall clock (UTC): arrival days, due releases, the default range
        self.clock = clock
        #: views built from the stored releases: key -> (release generation, body)
        self._views: dict[tuple[str | None, ...], tuple[str, bytes]] = {}
        self.inflight = 0
        self.limiter = RateLimiter(settings.upload_rate, settings.upload_burst)
        static = resources.files("metricsd_receiver").joinpath("static")
        self._static = {
            "charts.js": (static.joinpath("charts.js").read_bytes(), "text/javascript"),
            "dashboard.css": (static.joinpath("dashboard.css").read_bytes(), "text/css"),
        }

    # --- upload ---------------------------------------------------------------------

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the storage is opened by the application's lifespan")
        return self._storage

    async def upload(self, request: Request) -> Response:
        s = self.settings
        wait = self.limiter.take(source_of(request.client.host if request.client else None))
        if wait:
            return _error(429, "too many uploads from this address, retry later",
                          {"Retry-After": str(wait)})
        kind, params = _media_type(request.headers.get("content-type"))
        if kind != "application/json" or params.get("charset", "utf-8") != "utf-8":
            return _error(415, "Content-Type must be application/json")
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding != "identity":
            return _error(415, "Content-Encoding must be identity")
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return _error(400, "bad Content-Length")
            if int(length) > s.max_body:
                return _error(413, f"body over {s.max_body} bytes")
        raw = bytearray()
        try:
            with anyio.fail_after(s.body_timeout):
                async for chunk in request.stream():
                    raw += chunk
                    if len(raw) > s.max_body:
                        return _error(413, f"body over {s.max_body} bytes")
        except TimeoutError:
            return _error(408, "the body took too long to arrive")
        except ClientDisconnect:
            log.warning("an upload's client went away before its body arrived")
            return _error(400, "incomplete body")
        try:
            batch = validate(bytes(raw), request.headers.get("idempotency-key"))
        except Invalid as exc:
            return _error(400, str(exc))
        # Only a complete, valid body takes a slot: bodies still arriving hold none.
        if self.inflight >= s.max_inflight:
            return _error(429, "too many uploads in progress, retry later",
                          {"Retry-After": str(s.retry_after)})
        self.inflight += 1
        try:
            new = await run_in_threadpool(self.storage.insert, batch,
                                          self.clock().date().isoformat())
        except database_errors() as exc:
            log.error("storing a batch failed (%s); replied 503", type(exc).__name__)
            return _error(503, "storage unavailable, retry later",
                          {"Retry-After": str(s.retry_after)})
        finally:
            self.inflight -= 1
        return JSONResponse({"duplicate": not new}, status_code=202)

    async def upload_other_method(self, request: Request) -> Response:
        return _error(405, "method not allowed", {"Allow": "POST"})

    # --- dashboard --------------------------------------------------------------------

    def _allowed(self, request: Request) -> bool:
        """A token, or (only when the operator said the receiver is reached from this
        machine only) a loopback peer: behind a same-host TLS terminator every request
        comes from loopback, so the peer address alone never grants access."""
        token = self.settings.token
        if self.settings.local_only and self.settings.trusted_proxies is None:
            host = request.client.host if request.client else ""
            try:
                if ipaddress.ip_address(host).is_loopback:
                    return True
            except ValueError:
                pass
        if token is None:
            return False
        presented = []
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            presented.append(auth[7:].strip())
        presented.append(request.cookies.get(TOKEN_COOKIE, ""))
        presented.append(request.query_params.get("token", ""))
        return any(p and hmac.compare_digest(p.encode(), token.encode()) for p in presented)

    def _denied(self) -> Response:
        if self.settings.token is None:
            return _error(403, "the dashboard needs a token (--dashboard-token-file), or "
                               "--local-only for a receiver reached from this machine only")
        return _error(401, "a dashboard token is required", {"WWW-Authenticate": "Bearer"})

    def _view(self, kind: str, params: dict[str, str | None]) -> bytes:
        """The page or the JSON of one query, built from the stored releases; kept until a
        release is stored (releases never change, so a kept view is exact).  In the local
        testing mode: the exact stored sums, read afresh each time."""
        today = self.clock().date()
        if self.settings.testing:
            exact = testing_summary(self.storage, day_from=params["from"],
                                    day_to=params["to"], version=params["version"],
                                    k=self.settings.k, today=today)
            return self._encode(kind, exact)
        generation = self.storage.release_generation()
        key = (kind, params["from"], params["to"], params["version"], today.isoformat())
        kept = self._views.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]
        data = summary(self.storage, day_from=params["from"], day_to=params["to"],
                       version=params["version"], k=self.settings.k, today=today)
        body = self._encode(kind, data)
        if len(self._views) >= MAX_KEPT_VIEWS:
            self._views.pop(next(iter(self._views)))
        self._views[key] = (generation, body)
        return body

    @staticmethod
    def _encode(kind: str, data: dict[str, Any]) -> bytes:
        return (render_page(data, __version__).encode() if kind == "page" else
                json.dumps(data, ensure_ascii=False, allow_nan=False,
                           separators=(",", ":")).encode())

    async def _render(self, request: Request, kind: str) -> bytes | Response:
        q = request.query_params
        params = {"from": q.get("from"), "to": q.get("to"), "version": q.get("version") or None}
        try:
            body: bytes = await run_in_threadpool(self._view, kind, params)
            return body
        except BadQuery as exc:
            return _error(400, str(exc))
        except database_errors() as exc:
            log.error("dashboard query failed (%s)", type(exc).__name__)
            return _error(503, "storage unavailable")

    async def dashboard(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._denied()
        if self.settings.token is not None and "token" in request.query_params:
            # Move the token from the address bar into a cookie.
            query = urlencode([(k, v) for k, v in request.query_params.multi_items()
                               if k in ("from", "to", "version")])
            response: Response = RedirectResponse("/" + (f"?{query}" if query else ""), 303)
            response.set_cookie(TOKEN_COOKIE, self.settings.token, httponly=True,
                                samesite="strict", secure=request.url.scheme == "https")
            return response
        body = await self._render(request, "page")
        if isinstance(body, Response):
            return body
        return HTMLResponse(body, headers=_SECURITY_HEADERS)

    async def api_summary(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._denied()
        body = await self._render(request, "json")
        if isinstance(body, Response):
            return body
        return Response(body, media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self._static:
            return _error(404, "not found")
        body, media = self._static[name]
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=300",
                                                         "X-Content-Type-Options": "nosniff"})

    # --- releases -----------------------------------------------------------------------

    async def release_due(self) -> list[tuple[str, int]]:
        """Compute the releases whose time has come (stored once, whoever computes them)."""
        made: list[tuple[str, int]] = await run_in_threadpool(
            run_due, self.storage, self.clock().date(), self.settings.k)
        for day, age in made:
            log.info("released %s (age %d)", day, age)
        return made

    async def release_loop(self) -> None:
        """Releases at start and after each UTC midnight (checked at least hourly, so a
        moved clock is noticed)."""
        while True:
            try:
                await self.release_due()
                # the default view (the last 30 days, every version), built once now
                # rather than by its first reader
                default: dict[str, str | None] = {"from": None, "to": None, "version": None}
                for kind in ("json", "page"):
                    await run_in_threadpool(self._view, kind, default)
            except database_errors() as exc:
                log.error("computing a release failed (%s); retrying later",
                          type(exc).__name__)
            now = self.clock()
            midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1),
                                                 datetime.time(), datetime.UTC)
            await anyio.sleep(min(3600.0, max(1.0, (midnight - now).total_seconds() + 1)))

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "version": __version__,
                             "uploads_in_progress": self.inflight})


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, "not found")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, "method not allowed")


def create_app(database: str | Storage, settings: Settings | None = None, *,
               clock: Callable[[], datetime.datetime] = _utc_now,
               releases: bool = True) -> Starlette:
    """The application; its lifespan opens the database (a URL, or a storage object to
    use), migrates it, runs the release loop (unless ``releases`` is false: tests call
    ``app.state.receiver.release_due()``), and closes the database at shutdown.
    ``clock`` is the wall clock (UTC)."""
    receiver = Receiver(settings or Settings(), clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        storage = open_storage(database) if isinstance(database, str) else database
        try:
            await run_in_threadpool(storage.migrate)
            receiver._storage = storage
            if not releases:
                yield
                return
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(receiver.release_loop)
                yield
                tasks.cancel_scope.cancel()
        finally:
            receiver._storage = None
            storage.close()

    app = Starlette(
        routes=[
            Route(UPLOAD_PATH, receiver.upload, methods=["POST"]),
            Route(UPLOAD_PATH, receiver.upload_other_method,
                  methods=["GET", "PUT", "DELETE", "PATCH"]),
            Route("/", receiver.dashboard, methods=["GET"]),
            Route("/api/summary", receiver.api_summary, methods=["GET"]),
            Route("/static/{name}", receiver.static, methods=["GET"]),
            Route("/healthz", receiver.health, methods=["GET"]),
        ],
        exception_handlers={404: _not_found, 405: _method_not_allowed},
        lifespan=lifespan,
    )
    app.state.receiver = receiver
    if receiver.settings.trusted_proxies is not None:
        # uvicorn's own middleware: X-Forwarded-For from these peers only
        app.add_middleware(ProxyHeadersMiddleware,
                           trusted_hosts=receiver.settings.trusted_proxies)
    return app

