"""Who serves a Unix socket: the peer's uid from the kernel, and the one-shot request."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import socket
import struct
import sys
import time
from typing import Any, Final

from metricsd_client._wire import (
    NONCE_BYTES,
    PROOF_TIMEOUT,
    ReplyError,
    ReplyParser,
    auth_message,
    encode,
    hello_message,
    proof,
)

#: While a daemon's listen backlog is full a connect fails at once with EAGAIN (Unix
#: sockets do not wait); it is retried this often until the timeout.
CONNECT_RETRY_SECONDS: Final = 0.005


class PeerUidError(PermissionError):
    """The socket is served by a process of another user: nothing was sent to it."""


class ImpostorError(PermissionError):
    """Over loopback TCP, whatever listens on the endpoint's port did not prove it holds
    the token (a wrong proof, another reply, silence): nothing but a ``hello`` with a
    random nonce was sent to it."""


def tcp_handshake(sock: socket.socket, token: str, parser: ReplyParser,
                  hello: dict[str, Any], timeout: float = PROOF_TIMEOUT) -> None:
    """v1.3: send ``hello`` with a fresh nonce (no token, no event), read the daemon's
    ``challenge``, verify its proof in constant time, then send ``auth`` with ours.
    Raises :class:`ImpostorError` when the listener does not prove itself within
    ``timeout`` seconds (the connection must then be closed)."""
    import hmac

    nonce = os.urandom(NONCE_BYTES)
    deadline = time.monotonic() + timeout
    sock.settimeout(timeout)
    try:
        sock.sendall(encode({**hello, "nonce": nonce}))
        reply = None
        while reply is None:
            reply = next(iter(parser.replies()), None)
            if reply is not None:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = sock.recv(4096)
            if not chunk:
                break
            parser.feed(chunk)
    except (TimeoutError, ReplyError, OSError) as exc:
        raise ImpostorError("the loopback TCP listener did not prove it holds the token "
                            f"({type(exc).__name__}): nothing sent to it") from None
    their = reply.get("proof") if reply is not None else None
    n2 = reply.get("nonce") if reply is not None else None
    if (reply is None or reply.get("type") != "challenge" or type(their) is not bytes
            or type(n2) is not bytes or not hmac.compare_digest(their, proof(token, nonce))):
        raise ImpostorError("the loopback TCP listener did not prove it holds the token: "
                            "nothing sent to it")
    sock.sendall(encode(auth_message(proof(token, n2))))


class NoReplyError(ConnectionError):
    """The daemon closed the connection (or went away) before it replied."""


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of a connected ``AF_UNIX`` socket
    (``SO_PEERCRED`` on Linux, ``getpeereid`` on macOS and the BSDs)."""
    if sys.platform.startswith("linux"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return int(uid)
    return _getpeereid(sock.fileno())


def _getpeereid(fd: int) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    uid = ctypes.c_uint32()
    gid = ctypes.c_uint32()
    if libc.getpeereid(fd, ctypes.byref(uid), ctypes.byref(gid)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return int(uid.value)


def connect_unix(path: str, timeout: float | None) -> socket.socket:
    """A connected socket with ``timeout`` set, retrying a full backlog until ``timeout``.
    Errors name the path: ``cannot connect to /path: No such file or directory``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        sock.settimeout(timeout)
        while True:
            try:
                sock.connect(path)
                return sock
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                time.sleep(CONNECT_RETRY_SECONDS)
    except OSError as exc:
        sock.close()
        raise type(exc)(exc.errno, f"cannot connect to {path}: {exc.strerror or exc}") from exc
    except BaseException:
        sock.close()
        raise


def connect_tcp(port: int, timeout: float | None) -> socket.socket:
    """A connection to ``127.0.0.1:port`` (the loopback TCP transport), ``timeout`` set.
    Errors name the address."""
    address = ("127.0.0.1", port)
    try:
        sock = socket.create_connection(address, timeout)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot connect to 127.0.0.1:{port}: "
                                   f"{exc.strerror or exc}") from exc
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass
    return sock


def check_peer(sock: socket.socket, path: str) -> None:
    """Raise :class:`PeerUidError` unless our own user serves ``sock``."""
    uid = peer_uid(sock)
    if uid != os.geteuid():
        raise PeerUidError(f"{path} is served by uid {uid}, not by this user "
                           f"(uid {os.geteuid()}): refusing to send to it")


def request(socket_path: str | os.PathLike[str], message: dict[str, Any], *,
            timeout: float) -> dict[str, Any]:
    """Connect, check that the daemon runs as this user, send ``message`` and return the
    first reply (whatever its type, ``error`` included).  ``socket_path`` may be an
    endpoint file (``*.json``, loopback TCP): then the connection starts with a
    ``hello`` carrying its token.

    Raises ``OSError`` subclasses naming the path: ``FileNotFoundError`` /
    ``ConnectionRefusedError`` (no daemon), :class:`PeerUidError` (another user's
    socket; nothing is sent), ``PermissionError`` (an endpoint file others can read),
    ``TimeoutError``, :class:`NoReplyError`."""
    from metricsd_client._paths import read_endpoint

    path = os.fspath(socket_path)
    data = encode(message)
    parser = ReplyParser()
    if path.endswith(".json"):
        port, token = read_endpoint(path)
        sock = connect_tcp(port, timeout)
        try:
            tcp_handshake(sock, token, parser, hello_message(None),
                          min(timeout, PROOF_TIMEOUT))
            sock.settimeout(timeout)
        except BaseException:
            sock.close()
            raise
    else:
        sock = connect_unix(path, timeout)
    try:
        if not path.endswith(".json"):
            check_peer(sock, path)
        try:
            sock.sendall(data)
            while True:
                for reply in parser.replies():
                    return reply
                chunk = sock.recv(65536)
                if not chunk:
                    raise NoReplyError(f"{path}: the daemon closed the connection "
                                       "without a reply")
                parser.feed(chunk)
        except TimeoutError as exc:
            raise TimeoutError(f"{path}: no reply within {timeout} s") from exc
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise NoReplyError(f"{path}: the daemon closed the connection "
                               "without a reply") from exc
        except ReplyError as exc:
            raise NoReplyError(f"{path}: {exc}") from exc
    finally:
        sock.close()
