"""The one I/O engine behind :class:`~metricsd_client.Client` and
:class:`~metricsd_client.AsyncClient`.

The application's threads only encode a message and append it to a deque (no lock: a
deque's append is atomic), waking the I/O thread through a pipe only when it sleeps.  One
daemon thread per client owns the socket: it connects (with back-off), checks the peer's
uid (Unix socket) or the daemon's proof (loopback TCP), sends the ``hello`` naming the
client's replayable stream, writes what is new, reads replies and resolves waiters.

Replayable streams (v1.3): every event gets a number and is kept (the replay buffer,
bounded) until an ``ack``'s ``committed`` covers it; after any reconnect — the same
daemon, a restarted one, a stand-by that took over — the client says ``hello`` with the
number of the first event it still holds and writes them all again; the daemon skips
what it already counted.  Nothing the daemon does can block or raise into the caller.
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
from metricsd_client._peer import check_peer, connect_tcp, connect_unix, tcp_handshake
from metricsd_client._wire import (
    FATAL_CODES,
    STREAM_ID_BYTES,
    ReplyError,
    ReplyParser,
    encode,
    hello_message,
    sync_bytes,
)

#: Defaults (documented in docs/CLIENTS.md; every client uses the same numbers).
#: The replay buffer's bound: events held (queued, or written and not yet committed).
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

    __slots__ = ("data", "done", "events_at", "id", "internal", "kind", "notify")

    def __init__(self, kind: str, notify: Notify, req_id: int | None = None, *,
                 internal: bool = False) -> None:
        self.kind = kind
        self.notify = notify
        self.id = req_id
        #: The client's own ``sync`` after a ``turn`` (nobody waits for it).
        self.internal = internal
        #: The number of the first event handed after this request (a ``sync`` covers
        #: every event numbered below it).
        self.events_at = 0
        self.done = False
        #: The request's bytes.
        self.data = b""

    def finish(self, value: Any) -> None:
        if not self.done:
            self.done = True
            self.notify(value)


class Stats:
    """What a client has lost and why: numbers only, never a message's text.

    ``dropped``: events that will never be counted: the replay buffer was full, their
    arguments could not be encoded, they were handed after ``close`` or to an inert
    client, or ``close`` gave up before writing them.  ``unconfirmed``: events written
    that no ``ack`` covered when ``close`` gave up (the daemon may or may not have counted
    them).  While the client lives, a reconnect loses nothing: it writes again every event
    not yet committed, and the daemon skips what it already counted."""

    __slots__ = ("connects", "dropped", "last_error", "reconnects", "refused", "unconfirmed")

    def __init__(self) -> None:
        #: Events that will never be delivered: queue full, arguments that cannot be
        #: encoded, sent after ``close`` or to an inert client, still queued at ``close``.
        self.dropped = 0
        #: Events written but not covered by an ack when ``close`` gave up on them.
        self.unconfirmed = 0
        #: Successful connections (the first one included).
        self.connects = 0
        #: Connections after the first.
        self.reconnects = 0
        #: Daemons refused because another user serves them, or (loopback TCP) the
        #: listener could not prove it holds the token: nothing was sent to them.
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

#: After a write, the I/O thread keeps watching for new events this long before it goes
#: to sleep, so that a burst of event calls wakes it once, not once per call.
LINGER: Final = 0.002
#: Held events without a ``turn`` that make the client ask for an ``ack`` anyway (its
#: ``committed`` frees the replay buffer), as a fraction of the bound.
SYNC_AT_FRACTION: Final = 0.5


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
        #: Handed over by the application, not yet taken by the I/O thread: event bytes
        #: and request waiters, in call order.  Appended without a lock.
        self._incoming: deque[bytes | Waiter] = deque()
        #: False once the client closes (or has no address): event calls drop.
        self._accepting = self.path is not None
        #: The I/O thread sleeps (without a timeout): an event call must wake it.
        self._sleeping = False
        #: A ``turn`` was handed since the client's own last ``sync``.
        self._sync_wanted = False
        # --- the replay buffer (I/O thread only; read elsewhere) ---
        #: This client object's stream (a new one after ``fork``) and the next number.
        self.stream = os.urandom(STREAM_ID_BYTES)
        self._next_seq = 0
        #: Held events, numbered ``_held_first`` on; ``_held_n``/``_held_bytes`` mirror
        #: their count and size for the callers' bound check.
        self._held: deque[bytes] = deque()
        self._held_first = 0
        self._held_n = 0
        self._held_bytes = 0
        #: The number of the next held event to write on the current connection.
        self._write_seq = 0
        #: Requests not yet written (each after event ``events_at - 1``), and written
        #: requests awaiting their reply.
        self._requests: deque[Waiter] = deque()
        self._sent: deque[Waiter] = deque()
        #: ``dropped + unconfirmed`` when the last ``sync`` result was reported.
        self._loss_mark = self.stats.dropped + self.stats.unconfirmed
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._drained = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._closing = False
        self._stop = False
        self._want_connect = True
        self._retry_now = False
        self._fatal = False
        self._auto: Waiter | None = None
        #: The last connection attempt failed (close() does not wait for a daemon then).
        self._failing = False

    def _reset_after_fork(self) -> None:
        """In a forked child: the I/O thread does not exist there and the parent's queue,
        replay buffer, stream and connection are the parent's.  Start afresh (lazily, on
        the first event) with a stream of the child's own."""
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

    # --- the caller's side (never blocks, never raises) -------------------------------

    def _start_locked(self) -> None:
        self._thread = threading.Thread(target=self._run, name="metricsd-client",
                                        daemon=True)
        self._thread.start()

    def start(self) -> None:
        with self._lock:
            if self._thread is None and self.path is not None:
                self._start_locked()

    def put(self, data: bytes, *, turn: bool = False) -> None:
        """Hand over one event: appended to the incoming deque without a lock; the I/O
        thread is woken only when it sleeps.  Counted in ``dropped`` when the replay
        buffer is full (or the client is closed)."""
        if self._accepting and len(self._incoming) + self._held_n < self.max_queue:
            self._incoming.append(data)
            if turn:
                self._sync_wanted = True
            if self._sleeping or self._thread is None:
                self._wake_up()
            return
        self.drop()

    def _wake_up(self) -> None:
        with self._lock:
            if self._thread is None and self.path is not None:
                self._start_locked()
            self._sleeping = False
        self._wake()

    def drop(self) -> None:
        """Count one event that was not even queued (its arguments could not be encoded,
        the buffer was full, the client is closed)."""
        with self._lock:
            self.stats.dropped += 1

    def ask(self, kind: str, message: dict[str, Any], notify: Notify) -> Waiter:
        """Queue a request (``sync``, ``snapshot``, ``ping``, ``status``); its reply, or
        None, goes to ``notify`` (for ``sync``: True, or False when events were lost)."""
        req_id = next(self._ids)
        waiter = Waiter(kind, notify, req_id)
        waiter.data = sync_bytes(req_id) if kind == "ack" else encode(message)
        with self._lock:
            refused = self._closing or self.path is None
            if not refused:
                if kind == "ack":  # it confirms the turns before it as well
                    self._sync_wanted = False
                self._incoming.append(waiter)
                if self._thread is None:
                    self._start_locked()
                self._sleeping = False
        if refused:
            waiter.finish(None)
        else:
            self._wake()
        return waiter

    def forget(self, waiter: Waiter) -> None:
        """The caller stopped waiting (timeout, cancellation): the loss report it would
        have consumed stays for the next ``sync`` or ``close``."""
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
            self._sleeping = False
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
        """Events and requests not yet written."""
        return (len(self._incoming) + max(0, self._next_seq - self._write_seq)
                + len(self._requests))

    @property
    def held(self) -> int:
        """Events held until the daemon commits them (written or not)."""
        return len(self._incoming) + self._held_n

    def close(self, timeout: float) -> None:
        """Deliver what is held — written and committed — for up to ``timeout`` seconds,
        then stop.  What was never written then is counted in ``stats.dropped``; what was
        written but not committed, in ``stats.unconfirmed``."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            if self._stop:
                return
            self._closing = True
            self._accepting = False
            thread = self._thread
            self._sync_wanted = True  # an ack's committed frees what is held
            self._sleeping = False
        self._wake()
        with self._lock:
            while (thread is not None and (self._incoming or self._held_n)
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
            # The I/O thread has stopped (or is stuck in a write it will not finish
            # usefully): account for what it held.
            waiters = [w for w in self._incoming if isinstance(w, Waiter)]
            self.stats.dropped += sum(1 for w in self._incoming if not isinstance(w, Waiter))
            self._incoming.clear()
            written = max(0, min(self._write_seq, self._next_seq) - self._held_first)
            self.stats.unconfirmed += min(written, len(self._held))
            self.stats.dropped += max(0, len(self._held) - written)
            self._held.clear()
            self._held_first = self._write_seq = self._next_seq
            self._held_n = self._held_bytes = 0
            waiters += list(self._requests) + list(self._sent)
            self._requests.clear()
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
                sock, self._sock = self._sock, None
                if sock is not None:
                    self._lost(sock)
                self._wait(self.backoff_max)

    def _take(self) -> None:
        """Move what the application handed over into the replay buffer (numbering each
        event) and the request queue.  An event over the byte bound is dropped."""
        incoming = self._incoming
        held = self._held
        dropped = 0
        while incoming:
            item = incoming.popleft()
            if type(item) is bytes:
                if self._held_bytes + len(item) > self.max_queue_bytes:
                    dropped += 1
                    continue
                held.append(item)
                self._held_bytes += len(item)
                self._next_seq += 1
            else:
                assert isinstance(item, Waiter)
                item.events_at = self._next_seq
                self._requests.append(item)
        self._held_n = len(held)
        if dropped:
            with self._lock:
                self.stats.dropped += dropped

    def _auto_sync(self) -> None:
        """The client's own ``sync``: after a ``turn`` (one outstanding at a time), or
        when the replay buffer fills up without turns."""
        if self._auto is not None and not self._auto.done:
            return
        if not (self._sync_wanted or (
                self._held_n >= max(1, int(self.max_queue * SYNC_AT_FRACTION))
                and self._write_seq > self._held_first)):
            return
        self._sync_wanted = False
        req_id = next(self._ids)
        auto = Waiter("ack", _ignore, req_id, internal=True)
        auto.data = sync_bytes(req_id)
        auto.events_at = self._next_seq
        self._auto = auto
        self._requests.append(auto)

    def _loop(self) -> None:
        delay = 0.0
        next_attempt = 0.0
        parser = ReplyParser()
        linger = False
        while True:
            with self._lock:
                if self._stop:
                    break
                if self._retry_now:
                    self._retry_now = False
                    next_attempt = 0.0
                    delay = 0.0
            sock = self._sock
            self._take()
            if sock is not None:
                self._auto_sync()
            work = self._next_seq > self._write_seq or bool(self._requests)
            if sock is None:
                want = work or self._held_n > 0 or self._want_connect
                if not want:
                    self._sleep(None)
                    continue
                now = time.monotonic()
                if now < next_attempt:
                    self._wait(next_attempt - now)
                    continue
                try:
                    sock, parser = self._connect()
                except Exception as exc:
                    self.stats.last_error = exc
                    delay = min(self.backoff_max, max(self.backoff_min, delay * 2))
                    next_attempt = time.monotonic() + delay
                    with self._lock:
                        self._failing = True
                        self._want_connect = False  # from now on, only for something to send
                        self._drained.notify_all()
                    continue
                with self._lock:
                    self._sock = sock
                    self._failing = False
                    self._want_connect = False
                    self.stats.connects += 1
                    if self.stats.connects > 1:
                        self.stats.reconnects += 1
                continue
            if work:
                ok = self._write(sock, parser)
                readable = ok and self._poll(sock)
                linger = True
            else:
                with self._lock:
                    if not self._incoming and not self._held_n:
                        self._drained.notify_all()
                if linger:
                    # Just wrote: watch for more events a moment before sleeping, so a
                    # burst of calls needs no wake-up each.
                    linger = False
                    readable = self._wait(LINGER, sock)
                else:
                    readable = self._sleep(sock)
                ok = True
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
        sock, self._sock = self._sock, None
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

    def _connect(self) -> tuple[socket.socket, ReplyParser]:
        """Connect and say ``hello`` with the stream and the number of the first held
        event; every held event is written again from there."""
        assert self.path is not None
        path = self.path
        if self._discovered and not path.endswith(".json"):
            endpoint = os.path.join(os.path.dirname(path), ENDPOINT_FILE)
            if not hasattr(socket, "AF_UNIX") or (not os.path.exists(path)
                                                  and os.path.exists(endpoint)):
                path = endpoint
        parser = ReplyParser()
        seq = self._held_first
        if path.endswith(".json"):
            try:
                port, token = read_endpoint(path)
            except PermissionError:
                self.stats.refused += 1
                raise
            sock = connect_tcp(port, self.connect_timeout)
            try:
                # The daemon proves it holds the token before anything else is sent.
                tcp_handshake(sock, token, parser, hello_message(
                    self._client_version, stream=self.stream, seq=seq))
            except PermissionError:
                sock.close()
                self.stats.refused += 1
                raise
            except BaseException:
                sock.close()
                raise
        else:
            sock = connect_unix(path, self.connect_timeout)
            try:
                check_peer(sock, path)
            except PermissionError:
                sock.close()
                self.stats.refused += 1
                raise
            try:
                sock.settimeout(self.write_timeout)
                sock.sendall(encode(hello_message(self._client_version, stream=self.stream,
                                                  seq=seq)))
            except BaseException:
                sock.close()
                raise
        sock.settimeout(self.write_timeout)
        self._fatal = False
        self._write_seq = seq
        return sock, parser

    def _write(self, sock: socket.socket, parser: ReplyParser) -> bool:
        """Write the held events not yet written on this connection, with the requests
        among them in call order.  False when the connection failed (everything not
        committed is written again on the next one)."""
        held = self._held
        first = self._held_first
        end = self._next_seq
        start = max(self._write_seq, first)
        parts: list[bytes] = []
        written: list[Waiter] = []
        requests = self._requests
        pos = start
        while pos < end or requests:
            if requests and requests[0].events_at <= pos:
                w = requests.popleft()
                if w.done and not w.internal and w.kind != "ack":
                    continue  # nobody waits for it any more
                parts.append(w.data)
                written.append(w)
                continue
            if pos >= end:
                # A request for events not taken yet cannot be: they were all taken.
                w = requests.popleft()
                parts.append(w.data)
                written.append(w)
                continue
            upto = min(end, requests[0].events_at) if requests else end
            parts.extend(itertools.islice(held, pos - first, upto - first))
            pos = upto
        buf = memoryview(b"".join(parts))
        self._sent.extend(written)
        off = 0
        try:
            while off < len(buf):
                # Replies are read while writing: a daemon whose replies are not read
                # stops reading in turn, and a long write would never finish.
                fd = sock.fileno()
                ready, writable = _ready([fd], fd, self.write_timeout)
                readable = bool(ready)
                if readable and not self._read(sock, parser):
                    return False  # the connection ended (``_read`` says why)
                if writable:
                    off += sock.send(buf[off:])
                elif not readable:
                    raise TimeoutError(f"no progress writing for {self.write_timeout} s")
        except (OSError, ValueError) as exc:
            self.stats.last_error = exc
            return False
        self._write_seq = end
        return True

    def _lost(self, sock: socket.socket) -> bool:
        """The connection is over: every held event will be written again on the next
        one; a ``sync`` is asked again there, other requests get None.  True when the
        daemon said the failure is fatal."""
        sock.close()
        self._sock = None
        self._write_seq = self._held_first
        waiters = list(self._sent)
        self._sent.clear()
        again = [w for w in waiters if w.kind == "ack" and not (w.done and w.internal)]
        if again:
            self._requests = deque(sorted([*again, *self._requests],
                                          key=lambda w: w.events_at))
        with self._lock:
            self._drained.notify_all()
            fatal, self._fatal = self._fatal, False
        for w in waiters:
            if w.kind != "ack":
                w.finish(None)
        return fatal

    def _committed(self, committed: int) -> None:
        """Free every held event numbered ``committed`` or lower."""
        held = self._held
        n = min(len(held), committed + 1 - self._held_first)
        if n <= 0:
            return
        if n == len(held):
            held.clear()
            self._held_bytes = 0
        else:
            freed = 0
            for _ in range(n):
                freed += len(held.popleft())
            self._held_bytes -= freed
        self._held_first += n
        self._held_n = len(held)
        if self._write_seq < self._held_first:
            self._write_seq = self._held_first
        if not held and not self._incoming:
            with self._lock:
                self._drained.notify_all()

    def _reply(self, reply: dict[str, Any]) -> None:
        kind = reply.get("type")
        if kind == "error":
            self.errors.append({k: v for k, v in reply.items() if k in ("type", "code")})
            if reply.get("code") in FATAL_CODES:
                self._fatal = True
                self.stats.last_error = ConnectionError(f"daemon error {reply.get('code')}")
            return
        if kind == "resume":
            return  # informative: the daemon skips what it counted; acks free the buffer
        result: Any = reply
        match = None
        for w in self._sent:
            if w.kind == kind and (kind != "ack" or w.id == reply.get("id")):
                match = w
                break
        if match is None:
            return
        stale: list[Waiter] = []
        if kind == "ack":
            committed = reply.get("committed")
            if type(committed) is int:
                self._committed(committed)
                covered = committed >= match.events_at - 1
            else:
                # A daemon without streams (before v1.3): its ack covers every event this
                # connection carried before the sync — all held ones, written again on it.
                self._committed(match.events_at - 1)
                covered = True
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
                with self._lock:
                    losses = self.stats.dropped + self.stats.unconfirmed
                    result = covered and losses == self._loss_mark
                    if not match.done:
                        self._loss_mark = losses
        else:
            self._sent.remove(match)
        for w in stale:
            w.finish(None)
        match.finish(result)

    def _sleep(self, sock: socket.socket | None) -> bool:
        """Sleep until woken: an event call wakes a sleeping I/O thread.  True when
        ``sock`` is readable."""
        self._sleeping = True
        if self._incoming:  # handed over before the flag was seen: no wake-up came
            self._sleeping = False
            return False
        return self._wait(None, sock)

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
        self._sleeping = False
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
