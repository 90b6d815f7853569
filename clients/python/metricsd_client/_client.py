"""The blocking client: event methods enqueue and return; one I/O thread delivers."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from metricsd_client._engine import (
    BACKOFF_MAX,
    BACKOFF_MIN,
    CONNECT_TIMEOUT,
    MAX_QUEUE_BYTES,
    MAX_QUEUE_MESSAGES,
    WRITE_TIMEOUT,
    Engine,
    Stats,
)
from metricsd_client._wire import (
    compaction_message,
    encode,
    ping_message,
    provider_error_bytes,
    snapshot_message,
    status_message,
    sync_message,
    tool_result_bytes,
    turn_bytes,
    usage_bytes,
    usage_read_write_bytes,
    usage_total_bytes,
)

#: ``close()`` waits this long, at most, for queued events to be written.
CLOSE_TIMEOUT = 1.0
#: ``sync``, ``snapshot``, ``ping`` and ``status`` wait this long for their reply.
REQUEST_TIMEOUT = 5.0


class _Events:
    """The event methods: each encodes one message and enqueues it.  They never raise and
    never wait for the daemon; what cannot be delivered is counted in ``stats.dropped``."""

    _engine: Engine

    def __init__(self, socket_path: str | os.PathLike[str] | None = None,
                 client_version: str | None = None, *,
                 max_queue: int = MAX_QUEUE_MESSAGES, max_queue_bytes: int = MAX_QUEUE_BYTES,
                 connect_timeout: float = CONNECT_TIMEOUT,
                 write_timeout: float = WRITE_TIMEOUT,
                 backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX)) -> None:
        self._engine = Engine(socket_path, client_version, max_queue=max_queue,
                              max_queue_bytes=max_queue_bytes,
                              connect_timeout=connect_timeout, write_timeout=write_timeout,
                              backoff=backoff)
        self._engine.start()

    def usage(self, cache_hit_tokens: int | None = 0,
              cache_miss_tokens: int | None = 0) -> None:
        """Token usage of one model call, split form: prompt tokens read from the cache
        and not (DeepSeek's ``prompt_cache_hit_tokens``, ``prompt_cache_miss_tokens``).
        None counts as 0.  Once per model call (a stream's final usage)."""
        try:
            self._engine.put(usage_bytes(cache_hit_tokens, cache_miss_tokens))
        except Exception:
            self._engine.drop()

    def usage_total(self, prompt_tokens: int | None = 0,
                    cached_tokens: int | None = 0) -> None:
        """Token usage of one model call, total + cached form: all prompt tokens and
        those of them read from the cache (OpenAI ``prompt_tokens`` and
        ``prompt_tokens_details.cached_tokens``, Gemini ``prompt_token_count`` and
        ``cached_content_token_count``).  None counts as 0."""
        try:
            self._engine.put(usage_total_bytes(prompt_tokens, cached_tokens))
        except Exception:
            self._engine.drop()

    def usage_read_write(self, input_tokens: int | None = 0,
                         cache_read_input_tokens: int | None = 0,
                         cache_creation_input_tokens: int | None = 0) -> None:
        """Token usage of one model call, uncached + read/write form (Anthropic
        ``input_tokens``, ``cache_read_input_tokens``, ``cache_creation_input_tokens``;
        Bedrock ``inputTokens``, ``cacheReadInputTokens``, ``cacheWriteInputTokens``).
        None counts as 0."""
        try:
            self._engine.put(usage_read_write_bytes(input_tokens, cache_read_input_tokens,
                                                    cache_creation_input_tokens))
        except Exception:
            self._engine.drop()

    def tool_result(self, error: str | None = None) -> None:
        """A tool call finished; ``error`` is its error text (None: success).  The daemon
        only derives a class from the text and drops it."""
        try:
            self._engine.put(tool_result_bytes(error))
        except Exception:
            self._engine.drop()

    def provider_error(self, message: str, status: int | None = None) -> None:
        """A model-provider call failed: its error text, and HTTP status if known."""
        try:
            self._engine.put(provider_error_bytes(message, status))
        except Exception:
            self._engine.drop()

    def compaction(self) -> None:
        """The context was compacted."""
        try:
            self._engine.put(_COMPACTION)
        except Exception:
            self._engine.drop()

    def turn(self, finish_reason: str | None = None, empty_final: bool = False) -> None:
        """One agent turn ended (the daemon commits at each turn end); written at once,
        followed by the client's own ``sync`` so that its ``ack`` confirms delivery."""
        try:
            self._engine.put(turn_bytes(finish_reason, empty_final), turn=True)
        except Exception:
            self._engine.drop()

    @property
    def stats(self) -> Stats:
        """Counters: ``dropped``, ``unconfirmed``, ``connects``, ``reconnects``,
        ``refused``, ``last_error``."""
        return self._engine.stats

    @property
    def dropped(self) -> int:
        return self._engine.stats.dropped

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The last few ``error`` replies (type and code only), oldest first."""
        return list(self._engine.errors)

    @property
    def connected(self) -> bool:
        return self._engine.connected

    @property
    def queued(self) -> int:
        """Messages waiting to be written."""
        return self._engine.queued

    @property
    def socket_path(self) -> Path | None:
        """The socket this client sends to (None: no usable default path here)."""
        return Path(self._engine.path) if self._engine.path is not None else None


_COMPACTION = encode(compaction_message())


class Client(_Events):
    """A client for the metricsd daemon, safe to embed in an application.

    ``socket_path``: explicit path, else ``$METRICSD_SOCKET``, else the daemon's default.
    ``client_version``: the application's ``MAJOR.MINOR.PATCH[-dev|-alpha.N|-beta.N|-rc.N]``
    (anything else is counted as ``unknown``), sent in the ``hello`` of every connection.

    Event methods never raise and never block beyond appending to a bounded queue
    (``max_queue`` messages, ``max_queue_bytes`` bytes; beyond that, events are dropped
    and counted).  A background thread connects (checking that the daemon runs as this
    user), writes queued events promptly, and reconnects with back-off after the daemon
    restarts.  Thread-safe; after ``os.fork()`` the child starts its own connection.
    """

    def _ask(self, kind: str, message: dict[str, Any], timeout: float) -> Any:
        done = threading.Event()
        box: list[Any] = []

        def notify(value: Any) -> None:
            box.append(value)
            done.set()

        try:
            waiter = self._engine.ask(kind, message, notify)
        except Exception:
            return None
        if not done.wait(timeout):
            self._engine.forget(waiter)
            return None
        return box[0] if box else None

    def sync(self, timeout: float = REQUEST_TIMEOUT) -> bool:
        """True once the daemon has committed every event this client was handed before
        the call (its ``ack``'s ``committed`` covers them: across reconnects and daemon
        restarts, since they are written again) and nothing was lost since the previous
        successful ``sync``; False otherwise: no answer within ``timeout`` seconds, or
        events counted in ``stats.dropped`` or ``stats.unconfirmed`` since then.  A
        ``sync`` whose caller gave up (timeout) does not consume the loss report: the
        next ``sync`` still returns False.  For tests and shutdown, not the hot path."""
        return self._ask("ack", sync_message(0), timeout) is True

    def snapshot(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        """The daemon's ``snapshot`` reply (``enabled``, ``dev``, ``counts``, ...), or None."""
        result: dict[str, Any] | None = self._ask("snapshot", snapshot_message(), timeout)
        return result

    def ping(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self._ask("pong", ping_message(), timeout)
        return result

    def status(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        """The running daemon's ``status`` reply, or None (also from daemons too old for
        it: they ignore the request)."""
        result: dict[str, Any] | None = self._ask("status", status_message(), timeout)
        return result

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is queued (waiting at most ``timeout`` seconds), then disconnect.
        Events still queued then are counted as dropped.  Never raises."""
        try:
            self._engine.close(timeout)
        except Exception as exc:
            self._engine.stats.last_error = exc

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class NoopClient(Client):
    """An inert client: what to use when the daemon could not be started.  It accepts
    every call of :class:`Client`, sends nothing, costs next to nothing, and says why it
    is inert in ``reason``.  Events are counted in ``stats.dropped``; ``sync`` is False;
    ``snapshot``, ``ping`` and ``status`` are None."""

    def __init__(self, reason: str = "no daemon") -> None:  # no engine, no thread
        self.reason = reason
        self._stats = Stats()

    def __repr__(self) -> str:
        return f"NoopClient(reason={self.reason!r}, dropped={self._stats.dropped})"

    def usage(self, cache_hit_tokens: int | None = 0,
              cache_miss_tokens: int | None = 0) -> None:
        self._stats.dropped += 1

    def usage_total(self, prompt_tokens: int | None = 0,
                    cached_tokens: int | None = 0) -> None:
        self._stats.dropped += 1

    def usage_read_write(self, input_tokens: int | None = 0,
                         cache_read_input_tokens: int | None = 0,
                         cache_creation_input_tokens: int | None = 0) -> None:
        self._stats.dropped += 1

    def tool_result(self, error: str | None = None) -> None:
        self._stats.dropped += 1

    def provider_error(self, message: str, status: int | None = None) -> None:
        self._stats.dropped += 1

    def compaction(self) -> None:
        self._stats.dropped += 1

    def turn(self, finish_reason: str | None = None, empty_final: bool = False) -> None:
        self._stats.dropped += 1

    def sync(self, timeout: float = REQUEST_TIMEOUT) -> bool:
        return False

    def snapshot(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        return None

    def ping(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        return None

    def status(self, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any] | None:
        return None

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        pass

    @property
    def stats(self) -> Stats:
        return self._stats

    @property
    def dropped(self) -> int:
        return self._stats.dropped

    @property
    def errors(self) -> list[dict[str, Any]]:
        return []

    @property
    def connected(self) -> bool:
        return False

    @property
    def queued(self) -> int:
        return 0

    @property
    def socket_path(self) -> Path | None:
        return None

    def __enter__(self) -> NoopClient:
        return self
