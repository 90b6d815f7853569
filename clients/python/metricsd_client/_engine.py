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
import math
import os
import select
import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from metricsd_client._paths import ENDPOINT_FILE, ENV_SOCKET, read_endpoint
from metricsd_client._paths import socket_path as resolve_socket_path
from metricsd_client._peer import check_peer, connect_tcp, connect_unix
from metricsd_client._wire import (
    FATAL_CODES,
    ReplyError,
    ReplyParser,
    encode,
    hello_message,
    sync_bytes,
)

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

    __slots__ = ("done", "events_at", "id", "internal", "kind", "notify")

    def __init__(self, kind: str, notify: Notify, req_id: int | None = None, *,
                 internal: bool = False) -> None:
        self.kind = kind
        self.notify = notify
        self.id = req_id
        #: The client's own ``sync`` after a ``turn`` (nobody waits for it).
        self.internal = internal
        #: Events written on the connection before this request.
        self.events_at = 0
        self.done = False

    def finish(self, value: Any) -> None:
        if not self.done:
            self.done = True
            self.notify(value)


class Stats:
    """What a client has lost and why: numbers only, never a message's text.

    ``dropped``: events that never reached a connection.  ``unconfirmed``: events written
    whole on a connection that was then lost before the daemon acknowledged them (the
    daemon may or may not have counted them; they are never sent again)."""

    __slots__ = ("connects", "dropped", "last_error", "reconnects", "refused", "unconfirmed")

    def __init__(self) -> None:
        #: Events that will never be delivered: queue full, arguments that cannot be
        #: encoded, sent after ``close`` or to an inert client, still queued at ``close``.
        self.dropped = 0
        #: Events written on a connection lost before the daemon acknowledged them.
        self.unconfirmed = 0
        #: Successful connections (the first one included).
        self.connects = 0
        #: Connections after the first.
        self.reconnects = 0
        #: Daemons refused because another user serves them (nothing was sent).
        self.refused = 0
        #: The last internal failure (connect, write, peer check), for diagnostics.
        self.last_error: BaseException | None = None

    def __repr__(self) -> str:
        err = self.last_error
        last = "None" if err is None else f"{type(err).__name__}({str(err)!r})"
        return (f"Stats(dropped={self.dropped}, unconfirmed={self.unconfirmed}, "
                f"connects={self.connects}, reconnects={self.reconnects}, "
                f"refused={self.refused}, last_error={last})")


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
        self._client_version = client_version
        self._hello = encode(hello_message(client_version))
        self.path: str | None
        #: The path came from default discovery (may fall back to the endpoint file).
        self._discovered = not path and not os.environ.get(ENV_SOCKET)
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
        #: Messages waiting to be written, oldest first.  The I/O thread takes them all
        #: at once (``_inflight`` of them); they stay counted in ``_queued_bytes`` until
        #: written whole, and what a failed write did not finish goes back to the front
        #: (the message cut in the middle included, to be written again from its start).
        self._queue: list[tuple[bytes, Waiter | None]] = []
        self._queued_bytes = 0
        self._inflight = 0
        #: Bumped when ``close`` gives up on what is queued (a write may still be going).
        self._generation = 0
        self._idle = False
        self._closing = False
        self._stop = False
        self._sock: socket.socket | None = None
        self._sent: deque[Waiter] = deque()
        #: ``dropped + unconfirmed`` when the last ``sync`` result was reported.
        self._loss_mark = self.stats.dropped + self.stats.unconfirmed
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._drained = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._want_connect = True
        self._retry_now = False
        self._fatal = False
        #: A turn was queued since the client's own last ``sync``; that ``sync``, while
        #: it awaits its ``ack`` (one at a time, so a busy daemon is not flooded).
        self._sync_wanted = False
        self._auto: Waiter | None = None
        #: Events written whole on the current connection, and how many of them an
        #: ``ack`` covers (the rest become ``unconfirmed`` if the connection is lost).
        self._events_written = 0
        self._events_acked = 0
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

    def put(self, data: bytes, *, turn: bool = False) -> None:
        """Queue one event (bounded: counted in ``dropped`` when full).  A ``turn`` is
        followed by a ``sync`` of the client's own, whose ``ack`` confirms every event
        written before it on that connection; one such ``sync`` is outstanding at a time
        (turns written meanwhile get the next one)."""
        with self._lock:
            if (self._closing or self.path is None
                    or len(self._queue) + self._inflight >= self.max_queue
                    or self._queued_bytes + len(data) > self.max_queue_bytes):
                self.stats.dropped += 1
                return
            self._queue.append((data, None))
            self._queued_bytes += len(data)
            if turn:
                self._sync_wanted = True
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
        None, goes to ``notify`` (for ``sync``: True, or False when events were lost)."""
        req_id = next(self._ids)
        waiter = Waiter(kind, notify, req_id if kind == "ack" else None)
        data = sync_bytes(req_id) if kind == "ack" else encode(message)
        with self._lock:
            if self._closing or self.path is None:
                refused = True
            else:
                refused = False
                self._queue.append((data, waiter))
                self._queued_bytes += len(data)
                if kind == "ack":  # it confirms the turns before it as well
                    self._sync_wanted = False
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

    def reconnect_now(self) -> None:
        """A daemon has just become ready (the sidecar saw its ``READY``): connect now,
        without waiting out the back-off."""
        with self._lock:
            if self._stop or self.path is None:
                return
            self._retry_now = True
            self._want_connect = True
            if self._thread is None:
                self._start_locked()
            self._idle = False
        self._wake()

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
        return len(self._queue) + self._inflight

    def close(self, timeout: float) -> None:
        """Deliver what is queued for up to ``timeout`` seconds, then stop; what could
        not be written is counted in ``stats.dropped``."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            if self._stop:
                return
            self._closing = True
            thread = self._thread
            while (thread is not None and (self._queue or self._inflight)
                   and not self._failing):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._drained.wait(left)
            self._stop = True
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
        with self._lock:
            self.stats.dropped += sum(1 for _, w in self._queue if w is None)
            waiters = [w for _, w in self._queue if w is not None] + list(self._sent)
            self._queue = []
            self._queued_bytes = 0
            self._generation += 1  # a write still going counts its own leftovers
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
                    self._lost(sock)
                self._wait(self.backoff_max)

    def _loop(self) -> None:
        delay = 0.0
        next_attempt = 0.0
        parser = ReplyParser()
        while True:
            with self._lock:
                if self._stop:
                    break
                sock = self._sock
                if self._retry_now:
                    self._retry_now = False
                    next_attempt = 0.0
                    delay = 0.0
                batch: list[tuple[bytes, Waiter | None]] | None = None
                if (sock is not None and self._sync_wanted
                        and (self._auto is None or self._auto.done)):
                    req_id = next(self._ids)
                    self._auto = Waiter("ack", _ignore, req_id, internal=True)
                    sync = sync_bytes(req_id)
                    self._queue.append((sync, self._auto))
                    self._queued_bytes += len(sync)
                    self._sync_wanted = False
                if sock is not None and self._queue:
                    batch = self._queue
                    self._queue = []
                    self._inflight = len(batch)
                generation = self._generation
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
                parser = ReplyParser()
                self._events_written = self._events_acked = 0
                with self._lock:
                    self._sock = sock
                    self._failing = False
                    self._want_connect = False
                    self.stats.connects += 1
                    if self.stats.connects > 1:
                        self.stats.reconnects += 1
                continue
            if batch is not None:
                ok = self._write(sock, batch, generation, parser)
                readable = ok and self._poll(sock)
            else:
                ok = True
                readable = self._wait(None, sock)
            if ok and readable:
                ok = self._read(sock, parser)
            if not ok:
                fatal = self._lost(sock)
                if fatal:  # unauthorized, unsupported_proto...: back off, then re-read
                    delay = min(self.backoff_max, max(self.backoff_min, delay * 2))
                    next_attempt = time.monotonic() + delay
                else:
                    # A lost connection is retried at once (the daemon restarted);
                    # failures after that back off.
                    delay = 0.0
                    next_attempt = 0.0
        with self._lock:
            sock = self._sock
            self._sock = None
        if sock is not None:
            sock.close()

    def _read(self, sock: socket.socket, parser: ReplyParser) -> bool:
        """Read and handle what the daemon sent; False when the connection is over."""
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            return False
        try:
            parser.feed(data)
            for reply in parser.replies():
                self._reply(reply)
        except ReplyError as exc:  # over the bound or not MessagePack: hang up
            self.stats.last_error = exc
            return False
        return True

    def _poll(self, sock: socket.socket) -> bool:
        try:
            readable, _ = _ready([sock.fileno()], -1, 0)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def _connect(self) -> socket.socket:
        assert self.path is not None
        path = self.path
        if self._discovered and not path.endswith(".json"):
            endpoint = os.path.join(os.path.dirname(path), ENDPOINT_FILE)
            if not hasattr(socket, "AF_UNIX") or (not os.path.exists(path)
                                                  and os.path.exists(endpoint)):
                path = endpoint
        if path.endswith(".json"):
            try:
                port, token = read_endpoint(path)
            except PermissionError:
                self.stats.refused += 1
                raise
            sock = connect_tcp(port, self.connect_timeout)
            hello = encode(hello_message(self._client_version, token))
        else:
            sock = connect_unix(path, self.connect_timeout)
            hello = self._hello
            try:
                check_peer(sock, path)
            except PermissionError:
                sock.close()
                self.stats.refused += 1
                raise
        try:
            sock.settimeout(self.write_timeout)
            sock.sendall(hello)
        except BaseException:
            sock.close()
            raise
        self._fatal = False
        return sock

    def _write(self, sock: socket.socket, batch: list[tuple[bytes, Waiter | None]],
               generation: int, parser: ReplyParser) -> bool:
        """Write ``batch``.  Every message written whole is done (a request among them
        then awaits its reply); a failed write puts the rest back at the front of the
        queue — the message cut in the middle included, to be written again from its
        first byte on the next connection.  False when the connection failed."""
        buf = memoryview(b"".join([data for data, _ in batch]) if len(batch) > 1
                         else batch[0][0])
        off = 0
        done = 0  # messages written whole
        whole = 0  # their bytes
        ok = True
        try:
            while off < len(buf):
                # Replies are read while writing: a daemon whose replies are not read
                # stops reading in turn, and a long write would never finish.
                fd = sock.fileno()
                ready, writable = _ready([fd], fd, self.write_timeout)
                readable = bool(ready)
                if readable and not self._read(sock, parser):
                    ok = False  # the connection ended (``_read`` says why)
                    break
                if writable:
                    off += sock.send(buf[off:])
                    done, whole = self._written(batch, done, whole, off, generation)
                elif not readable:
                    raise TimeoutError(f"no progress writing for {self.write_timeout} s")
        except (OSError, ValueError) as exc:
            self.stats.last_error = exc
            ok = False
        rest = batch[done:]
        lost: list[Waiter] = []
        with self._lock:
            self._inflight = 0
            if generation != self._generation:
                # close() gave up meanwhile: what was not written is dropped.
                self.stats.dropped += sum(1 for _, w in rest if w is None)
                lost = [w for _, w in rest if w is not None]
            elif rest:
                self._queue[:0] = rest
            if not self._queue:
                self._drained.notify_all()
        for w in lost:
            w.finish(None)
        return ok

    def _written(self, batch: list[tuple[bytes, Waiter | None]], done: int, whole: int,
                 off: int, generation: int) -> tuple[int, int]:
        """Account the messages of ``batch`` that ``off`` bytes completed (from message
        ``done`` on): they leave the queue's bound, events move the written count,
        requests await their reply."""
        events = self._events_written
        waiters: list[Waiter] = []
        n = len(batch)
        first, before = done, whole
        while done < n:
            data, waiter = batch[done]
            if whole + len(data) > off:
                break
            whole += len(data)
            done += 1
            if waiter is None:
                events += 1
            else:
                waiter.events_at = events
                waiters.append(waiter)
        with self._lock:
            self._events_written = events
            if generation == self._generation:
                self._inflight -= done - first
                self._queued_bytes -= whole - before
            if waiters:
                self._sent.extend(waiters)
                while len(self._sent) > self.max_queue and self._sent[0].internal:
                    self._sent.popleft()  # a daemon that never answers: stay bounded
        return done, whole

    def _lost(self, sock: socket.socket) -> bool:
        """The connection is over: events written after the last ``ack`` are unconfirmed,
        waiters get their answer.  True when the daemon said the failure is fatal."""
        sock.close()
        with self._lock:
            self._sock = None
            waiters = list(self._sent)
            self._sent.clear()
            self.stats.unconfirmed += self._events_written - self._events_acked
            self._events_written = self._events_acked = 0
            results: list[tuple[Waiter, Any]] = []
            for w in waiters:
                if w.kind == "ack" and not w.internal:
                    results.append((w, False))
                    if not w.done:
                        self._loss_mark = self.stats.dropped + self.stats.unconfirmed
                else:
                    results.append((w, None))
            self._drained.notify_all()
            fatal, self._fatal = self._fatal, False
        for w, value in results:
            w.finish(value)
        return fatal

    def _reply(self, reply: dict[str, Any]) -> None:
        kind = reply.get("type")
        if kind == "error":
            self.errors.append({k: v for k, v in reply.items() if k in ("type", "code")})
            if reply.get("code") in FATAL_CODES:
                self._fatal = True
                self.stats.last_error = ConnectionError(f"daemon error {reply.get('code')}")
            return
        result: Any = reply
        with self._lock:
            match = None
            for w in self._sent:
                if w.kind == kind and (kind != "ack" or w.id == reply.get("id")):
                    match = w
                    break
            if match is None:
                return
            stale: list[Waiter] = []
            if kind == "ack":
                # Acks come in order: earlier syncs are answered (and covered) too.
                self._events_acked = max(self._events_acked, match.events_at)
                # A daemon without ``status`` ignores it: once a later sync is answered,
                # no reply can come for it.
                for w in self._sent:
                    if w is match:
                        break
                    if w.kind == "status":
                        stale.append(w)
                for w in stale:
                    self._sent.remove(w)
                self._sent.remove(match)
                if not match.internal:
                    losses = self.stats.dropped + self.stats.unconfirmed
                    result = losses == self._loss_mark
                    if not match.done:
                        self._loss_mark = losses
            else:
                self._sent.remove(match)
        for w in stale:
            w.finish(None)
        match.finish(result)

    def _wait(self, timeout: float | None, sock: socket.socket | None = None) -> bool:
        """Sleep until woken (pipe), ``sock`` is readable or ``timeout``; True when
        ``sock`` is readable."""
        fds = [self._wake_r]
        if sock is not None:
            fds.append(sock.fileno())
        try:
            readable, _ = _ready(fds, -1, timeout)
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
        return sock is not None and fds[-1] in readable


def _ignore(value: Any) -> None:
    pass


def _ready(fds: list[int], write_fd: int, timeout: float | None) -> tuple[set[int], bool]:
    """Which of ``fds`` are readable, and whether ``write_fd`` (-1: none) is writable,
    within ``timeout`` seconds.  ``poll`` where it exists: ``select`` fails on
    descriptors above 1023, which an application with many files open may hand out."""
    if hasattr(select, "poll"):
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN | (select.POLLOUT if fd == write_fd else 0))
        if write_fd >= 0 and write_fd not in fds:
            poller.register(write_fd, select.POLLOUT)
        events = poller.poll(None if timeout is None else max(0, math.ceil(timeout * 1000)))
        readable = {fd for fd, ev in events
                    if ev & (select.POLLIN | select.POLLHUP | select.POLLERR)}
        writable = any(fd == write_fd and ev & (select.POLLOUT | select.POLLERR
                                                | select.POLLHUP)
                       for fd, ev in events)
        return readable, writable
    r, w, _ = select.select(fds, [write_fd] if write_fd >= 0 else [], [], timeout)
    return set(r), bool(w)
