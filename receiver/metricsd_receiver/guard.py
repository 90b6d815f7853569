"""Defences against cheap hostile load, below and beside the application.

* :class:`GuardedHttp` is the HTTP protocol the server runs (uvicorn's httptools protocol
  with deadlines): a request's headers must arrive within ``header_timeout`` seconds of its
  first byte (of the connection, for the first request) and its body within
  ``body_timeout`` seconds of the end of its headers; otherwise the connection gets ``408``
  (when no response has started) and is closed.  Headers over :data:`MAX_HEADER_BYTES`
  get ``431``.  A worker holds at most ``max_connections`` connections: one more evicts the
  oldest connection that is idle or still sending headers (a flood of slow connections
  cannot lock others out), or is refused when every connection is busy; one source address
  holds at most ``max_per_source`` of them.
* :class:`RateLimiter` is the per-source-address upload limit (a token bucket), applied by
  the application before it reads a body.

A *source* is the client's IPv4 address, or the /64 network of its IPv6 address (one host
usually has a whole /64).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Largest request head (request line and headers) in bytes.
MAX_HEADER_BYTES: Final = 16 * 1024
DEFAULT_HEADER_TIMEOUT: Final = 10.0
DEFAULT_BODY_TIMEOUT: Final = 10.0
DEFAULT_MAX_CONNECTIONS: Final = 1000
DEFAULT_MAX_PER_SOURCE: Final = 32
#: Uploads per minute from one source address (sustained) ...
DEFAULT_UPLOAD_RATE: Final = 60
#: ... and how many it may send at once.
DEFAULT_UPLOAD_BURST: Final = 60
#: Sources the limiter remembers at most (older, refilled ones are forgotten first).
MAX_SOURCES: Final = 100_000


def source_of(host: str | None) -> str:
    """The rate-limited unit for a client address."""
    if not host:
        return ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _response(status: bytes) -> bytes:
    return (b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
            b"content-length: 2\r\nconnection: close\r\n\r\n{}")


@dataclass(frozen=True)
class Limits:
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_per_source: int = DEFAULT_MAX_PER_SOURCE


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with header/body deadlines and connection caps."""

    limits: ClassVar[Limits] = Limits()
    #: open connections per source, in this worker
    per_source: ClassVar[dict[str, int]] = {}

    _phase: str = "head"
    #: the current request was answered before its body was complete
    _answered: bool = False
    _since: float = 0.0
    _head_bytes: int = 0
    #: the last bytes of the head so far (its end may straddle two reads)
    _tail: bytes = b""
    _timer: asyncio.TimerHandle | None = None
    _source: str = ""

    @classmethod
    def with_limits(cls, limits: Limits) -> type[GuardedHttp]:
        return type("GuardedHttp", (cls,), {"limits": limits, "per_source": {}})

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close_with(self, status: bytes) -> None:
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self.transport.write(_response(status))
        self.transport.close()

    def _expire(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._phase in ("head", "body"):
            self._close_with(b"408 Request Timeout")
        elif self._phase == "idle":
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase, self._since = "head", time.monotonic()
        peer = transport.get_extra_info("peername")
        self._source = source_of(peer[0] if isinstance(peer, tuple) and peer else None)
        count = self.per_source.get(self._source, 0) + 1
        self.per_source[self._source] = count
        if count > self.limits.max_per_source or not self._make_room():
            transport.abort()
            return
        self._arm(self.limits.header_timeout)

    def _make_room(self) -> bool:
        """Keep at most max_connections: evict the oldest idle or header-phase one."""
        if len(self.connections) <= self.limits.max_connections:
            return True
        victims = [c for c in self.connections if c is not self
                   and getattr(c, "_phase", "") in ("head", "idle")]
        if not victims:
            return False
        oldest: Any = min(victims, key=lambda c: getattr(c, "_since", 0.0))
        oldest.transport.abort()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._phase != "gone":
            self._phase = "gone"
            left = self.per_source.get(self._source, 1) - 1
            if left > 0:
                self.per_source[self._source] = left
            else:
                self.per_source.pop(self._source, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase == "idle":  # the next request on a kept-alive connection
            self._phase, self._since, self._head_bytes = "head", time.monotonic(), 0
            self._answered, self._tail = False, b""
            self._arm(self.limits.header_timeout)
        if self._phase == "head":
            # only the head counts against the header limit: a body that arrives in the
            # same read as the headers is the body's (its limit is the app's 413)
            window = self._tail + data
            end = window.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else max(0, end + 4 - len(self._tail))
            self._tail = window[-3:]
            if self._head_bytes > MAX_HEADER_BYTES:
                self._disarm()
                self._close_with(b"431 Request Header Fields Too Large")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._phase = "body"
        self._arm(self.limits.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        if self._answered:
            # answered before its body was in (413, 415, 429): the rest of the body has
            # been read (and dropped) under the body deadline, and the connection is idle
            # again, under the keep-alive timeout like any other
            self._phase, self._since, self._answered = "idle", time.monotonic(), False
            self._arm(self.timeout_keep_alive)
            super().on_message_complete()
            return
        self._phase = "app"
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._phase == "body":  # the body is still arriving: keep its deadline
            self._answered = True
        elif self._phase == "app":
            self._phase, self._since = "idle", time.monotonic()
        super().on_response_complete()


class RateLimiter:
    """A token bucket per source: ``burst`` uploads at once, ``per_minute`` sustained."""

    def __init__(self, per_minute: int, burst: int, max_sources: int = MAX_SOURCES) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_sources = max_sources
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, source: str, now: float | None = None) -> int:
        """0 when the upload may go ahead, else the seconds to wait (for Retry-After)."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(source, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[source] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_sources:
                self._forget(now)
            return 0
        self._buckets[source] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _forget(self, now: float) -> None:
        full = [s for s, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate >= self.burst]
        for s in full:
            del self._buckets[s]
        if len(self._buckets) > self.max_sources:  # still too many: forget the oldest half
            keep = sorted(self._buckets.items(), key=lambda kv: kv[1][1])
            self._buckets = dict(keep[len(keep) // 2:])
