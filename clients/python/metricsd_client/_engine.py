"""The one I/O engine behind :class:`~metricsd_client.Client` and
:class:`~metricsd_client.AsyncClient`.

The application's threads only encode a message and append it to a bounded queue under a
lock (waking the I/O thread through a pipe when it sleeps).  One daemon thread per client
owns the socket: it connects (with back-off), checks the peer's uid, sends the ``hello``,
writes whatever is queued in one write, reads replies and resolves waiters.  Nothing the
daemon does can block or raise into the caller.
"""

from __future__ import annotations

import itertools
import os
import select
import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from metricsd_client._paths import socket_path as resolve_socket_path
from metricsd_client._peer import check_peer, connect_unix
from metricsd_client._wire import FATAL_CODES, ReplyParser, encode, hello_message

#: Defaults (documented in docs/CLIENTS.md; every client uses the same numbers).
MAX_QUEUE_MESSAGES: Final = 10_000
MAX_QUEUE_BYTES: Final = 1024 * 1024
CONNECT_TIMEOUT: Final = 1.0
WRITE_TIMEOUT: Final = 5.0
BACKOFF_MIN: Final = 0.05
BACKOFF_MAX: Final = 5.0
#: How many ``error`` replies are kept (the oldest are forgotten).
KEEP_ERRORS: Final = 16

Notify = Callable[[Any], None]


class Waiter:
    """A request awaiting its reply; ``notify(reply_or_None)`` is called exactly once,
    from the I/O thread (or from the caller's thread when it cannot even be queued)."""

    __slots__ = ("done", "id", "kind", "notify", "sent_seq", "tainted")

    def __init__(self, kind: str, notify: Notify, req_id: int | None = None) -> None:
        self.kind = kind
        self.notify = notify
        self.id = req_id
        self.tainted = False
        self.sent_seq = -1
        self.done = False

    def finish(self, value: Any) -> None:
        if not self.done:
            self.done = True
            self.notify(value)


class Stats:
    """What a client has lost and why: numbers only, never a message's text."""

    __slots__ = ("connects", "dropped", "last_error", "reconnects", "refused")

    def __init__(self) -> None:
        #: Events that will never be delivered: queue full, arguments that cannot be
        #: encoded, still queued at ``close``.
        self.dropped = 0
        #: Successful connections (the first one included).
        self.connects = 0
        #: Connections after the first.
        self.reconnects = 0
        #: Sockets refused because another user serves them (nothing was sent).
        self.refused = 0
        #: The last internal failure (connect, write, peer check), for diagnostics.
        self.last_error: BaseException | None = None


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for engine in list(_ENGINES):
        engine._reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Engine:
    def __init__(self, path: str | os.PathLike[str] | None, client_version: str | None, *,
                 max_queue: int = MAX_QUEUE_MESSAGES, max_queue_bytes: int = MAX_QUEUE_BYTES,
                 connect_timeout: float = CONNECT_TIMEOUT,
                 write_timeout: float = WRITE_TIMEOUT,
                 backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX)) -> None:
        self.stats = Stats()
        self.errors: deque[dict[str, Any]] = deque(maxlen=KEEP_ERRORS)
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self.backoff_min, self.backoff_max = backoff
        self._hello = encode(hello_message(client_version))
        self.path: str | None
        try:
            self.path = os.fspath(resolve_socket_path(path))
        except Exception as exc:  # no usable default path: every event is dropped
            self.path = None
            self.stats.last_error = exc
        self._ids = itertools.count(1)
        self._init_runtime()
        _ENGINES.add(self)

    def _init_runtime(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[tuple[bytes, Waiter | None]] = []
        self._queued_bytes = 0
        self._idle = False
        self._closing = False
        self._stop = False
        self._sock: socket.socket | None = None
        self._sent: deque[Waiter] = deque()
        self._lost_unreported = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._drained = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._want_connect = True
        #: The last connection attempt failed (close() does not wait for a daemon then).
        self._failing = False

    def _reset_after_fork(self) -> None:
        """In a forked child: the I/O thread does not exist there and the parent's queue
        and connection are the parent's.  Start afresh (lazily, on the first event)."""
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        if self._sock is not None:
            # close() without shutdown() releases only the child's copy of the descriptor:
            # the parent's connection stays up.
            self._sock.close()
        self._init_runtime()
        self._want_connect = False

    # --- the caller's side (never blocks beyond the lock, never raises) ---------------

    def _start_locked(self) -> None:
        self._thread = threading.Thread(target=self._run, name="metricsd-client",
                                        daemon=True)
        self._thread.start()

    def start(self) -> None:
        with self._lock:
            if self._thread is None and self.path is not None:
                self._start_locked()

    def put(self, data: bytes) -> None:
        with self._lock:
            if (self._closing or self.path is None or len(self._queue) >= self.max_queue
                    or self._queued_bytes + len(data) > self.max_queue_bytes):
                self.stats.dropped += 1
                return
            self._queue.append((data, None))
            self._queued_bytes += len(data)
            if self._thread is None:
                self._start_locked()
            if not self._idle:
                return
            self._idle = False
        self._wake()

    def drop(self) -> None:
        """Count one event that was not even queued (its arguments could not be encoded)."""
        with self._lock:
            self.stats.dropped += 1

    def ask(self, kind: str, message: dict[str, Any], notify: Notify) -> Waiter:
        """Queue a request (``sync``, ``snapshot``, ``ping``, ``status``); its reply, or
        None, goes to ``notify``."""
        req_id = next(self._ids)
        waiter = Waiter(kind, notify, req_id if kind == "ack" else None)
        if kind == "ack":
            message = {**message, "id": req_id}
        data = encode(message)
        with self._lock:
            if self._closing or self.path is None:
                refused = True
            else:
                refused = False
                if kind == "ack":
                    waiter.tainted = self._lost_unreported
                    self._lost_unreported = False
                self._queue.append((data, waiter))
                self._queued_bytes += len(data)
                if self._thread is None:
                    self._start_locked()
                self._idle = False
        if refused:
            waiter.finish(None)
        else:
            self._wake()
        return waiter

    def forget(self, waiter: Waiter) -> None:
        """The caller stopped waiting (timeout, cancellation)."""
        waiter.done = True

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full: the I/O thread is awake anyway

    @property
    def connected(self) -> bool:
        return self._sock is not None

    @property
    def queued(self) -> int:
        return len(self._queue)

    def close(self, timeout: float) -> None:
        """Deliver what is queued for up to ``timeout`` seconds, then stop; what could
        not be written is counted in ``stats.dropped``."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            if self._stop:
                return
            self._closing = True
            thread = self._thread
            while thread is not None and self._queue and not self._failing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._drained.wait(left)
            self._stop = True
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
        with self._lock:
            for _, waiter in self._queue:
                if waiter is None:
                    self.stats.dropped += 1
            waiters = [w for _, w in self._queue if w is not None] + list(self._sent)
            self._queue = []
            self._queued_bytes = 0
            self._sent.clear()
        for w in waiters:
            w.finish(None)
        if thread is None or not thread.is_alive():
            for fd in (self._wake_r, self._wake_w):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._wake_r = self._wake_w = -1

    # --- the I/O thread -----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                self._loop()
                return
            except Exception as exc:  # a bug here must not end delivery for good
                self.stats.last_error = exc
                with self._lock:
                    sock, self._sock = self._sock, None
                if sock is not None:
                    self._lost(sock, True)
                self._wait(self.backoff_max)

    def _loop(self) -> None:
        delay = 0.0
        next_attempt = 0.0
        parser = ReplyParser()
        written = 0  # messages written on the current connection
        acked = 0  # of those, covered by the last ack
        while True:
            with self._lock:
                if self._stop:
                    break
                sock = self._sock
                if sock is not None and self._queue:
                    batch = self._queue
                    self._queue = []
                    self._queued_bytes = 0
                else:
                    batch = None
                want = bool(self._queue) or self._want_connect
                if (sock is not None and batch is None) or (sock is None and not want):
                    self._idle = True  # new work wakes us
                    self._drained.notify_all()
            if sock is None:
                if not want:
                    self._wait(None)
                    continue
                now = time.monotonic()
                if now < next_attempt:
                    self._wait(next_attempt - now)
                    continue
                try:
                    sock = self._connect()
                except Exception as exc:
                    self.stats.last_error = exc
                    delay = min(self.backoff_max, max(self.backoff_min, delay * 2))
                    next_attempt = time.monotonic() + delay
                    with self._lock:
                        self._failing = True
                        self._want_connect = False  # from now on, only for something to send
                        self._drained.notify_all()
                    continue
                delay = 0.0
                parser = ReplyParser()
                written = acked = 0
                with self._lock:
                    self._sock = sock
                    self._failing = False
                    self._want_connect = False
                    self.stats.connects += 1
                    if self.stats.connects > 1:
                        self.stats.reconnects += 1
                continue
            if batch is not None:
                ok, written = self._write(sock, batch, written)
                if not ok:
                    self._lost(sock, written > acked)
                    # A lost connection is retried at once (the daemon restarted);
                    # failures after that back off.
                    next_attempt = 0.0
                continue
            ready = self._wait(None, sock)
            if not ready:
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self._lost(sock, written > acked)
                next_attempt = 0.0
                continue
            parser.feed(data)
            for reply in parser.replies():
                acked = self._reply(reply, acked)
        with self._lock:
            sock = self._sock
            self._sock = None
        if sock is not None:
            sock.close()

    def _connect(self) -> socket.socket:
        assert self.path is not None
        sock = connect_unix(self.path, self.connect_timeout)
        try:
            try:
                check_peer(sock, self.path)
            except PermissionError:
                self.stats.refused += 1
                raise
            sock.settimeout(self.write_timeout)
            sock.sendall(self._hello)
        except BaseException:
            sock.close()
            raise
        return sock

    def _write(self, sock: socket.socket, batch: list[tuple[bytes, Waiter | None]],
               written: int) -> tuple[bool, int]:
        """Write ``batch``; on failure put back every message not completely written."""
        buf = memoryview(b"".join(data for data, _ in batch))
        off = 0
        try:
            while off < len(buf):
                off += sock.send(buf[off:])
        except OSError as exc:
            self.stats.last_error = exc
        end = 0
        done = 0
        for data, waiter in batch:
            end += len(data)
            if end > off:
                break
            done += 1
            written += 1
            if waiter is not None:
                waiter.sent_seq = written
                with self._lock:
                    self._sent.append(waiter)
        if done == len(batch):
            return True, written
        rest = batch[done:]
        with self._lock:
            self._queue[:0] = rest
            self._queued_bytes += sum(len(d) for d, _ in rest)
        return False, written

    def _lost(self, sock: socket.socket, unacked: bool) -> None:
        sock.close()
        with self._lock:
            self._sock = None
            waiters = list(self._sent)
            self._sent.clear()
            if unacked and not any(w.kind == "ack" for w in waiters):
                self._lost_unreported = True
            self._drained.notify_all()
        for w in waiters:
            w.finish(None)

    def _reply(self, reply: dict[str, Any], acked: int) -> int:
        kind = reply.get("type")
        if kind == "error":
            self.errors.append({k: v for k, v in reply.items() if k in ("type", "code")})
            if reply.get("code") in FATAL_CODES:
                self.stats.last_error = ConnectionError(f"daemon error {reply.get('code')}")
            return acked
        with self._lock:
            match = None
            for w in self._sent:
                if w.kind == kind and (kind != "ack" or w.id == reply.get("id")):
                    match = w
                    break
            if match is None:
                return acked
            self._sent.remove(match)
            stale: list[Waiter] = []
            if kind == "ack":
                # Acks come in order: earlier syncs are covered too.
                acked = max(acked, match.sent_seq)
                # A daemon without ``status`` ignores it: once a later sync is answered,
                # no reply can come for it.
                stale = [w for w in self._sent
                         if w.kind == "status" and w.sent_seq < match.sent_seq]
                for w in stale:
                    self._sent.remove(w)
        for w in stale:
            w.finish(None)
        if kind == "ack":
            match.finish(not match.tainted)
        else:
            match.finish(reply)
        return acked

    def _wait(self, timeout: float | None, sock: socket.socket | None = None) -> bool:
        """Sleep until woken (pipe), ``sock`` is readable or ``timeout``; True when
        ``sock`` is readable."""
        fds: list[Any] = [self._wake_r]
        if sock is not None:
            fds.append(sock)
        try:
            readable, _, _ = select.select(fds, [], [], timeout)
        except (OSError, ValueError):
            return False
        with self._lock:
            self._idle = False
        if self._wake_r in readable:
            try:
                while os.read(self._wake_r, 4096):
                    pass
            except (BlockingIOError, OSError):
                pass
        return sock is not None and sock in readable

