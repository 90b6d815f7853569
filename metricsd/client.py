"""A small blocking Python client for the metricsd socket (see docs/PROTOCOL.md)."""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

import msgpack

from metricsd.settings import ENV_SOCKET, default_socket


def socket_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path``, else $METRICSD_SOCKET, else the platform default."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_SOCKET)
    return Path(env) if env else default_socket()


class ProtocolError(Exception):
    """The daemon answered with an ``error`` reply where a result was expected."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(f"{reply.get('code')}: {reply.get('detail')}")
        self.reply = reply


class Client:
    """Blocking client.  Events are buffered and written in one ``sendall`` on
    :meth:`flush` (or when a reply is needed)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 timeout: float | None = 10.0) -> None:
        self.path = socket_path(path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        self._sock.connect(os.fspath(self.path))
        self._unpacker = msgpack.Unpacker(raw=False)
        self._out = bytearray()
        self._ids = itertools.count(1)
        #: ``error`` replies received while waiting for something else.
        self.errors: list[dict[str, Any]] = []

    # --- plumbing -----------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        self._out += msgpack.packb(message, use_bin_type=True)

    def send_raw(self, data: bytes) -> None:
        self._out += data

    def flush(self) -> None:
        if self._out:
            self._sock.sendall(self._out)
            self._out.clear()

    def receive(self) -> dict[str, Any]:
        """The next reply (flushes first)."""
        self.flush()
        while True:
            for reply in self._unpacker:
                return dict(reply)
            data = self._sock.recv(65536)
            if not data:
                raise ConnectionError("the daemon closed the connection")
            self._unpacker.feed(data)

    def _wait_for(self, reply_type: str, **match: Any) -> dict[str, Any]:
        while True:
            reply = self.receive()
            if reply.get("type") == reply_type and all(reply.get(k) == v
                                                       for k, v in match.items()):
                return reply
            if reply.get("type") == "error":
                self.errors.append(reply)
                if reply.get("code") in ("malformed", "too_large", "not_a_map",
                                         "unsupported_proto"):
                    raise ProtocolError(reply)

    # --- messages ---------------------------------------------------------------------

    def hello(self, client_version: str | None = None) -> None:
        msg: dict[str, Any] = {"type": "hello", "proto": 1}
        if client_version is not None:
            msg["client_version"] = client_version
        self.send(msg)

    def turn(self, finish_reason: str | None, empty_final: bool = False) -> None:
        self.send({"type": "turn", "finish_reason": finish_reason, "empty_final": empty_final})

    def usage(self, cache_hit_tokens: int, cache_miss_tokens: int) -> None:
        self.send({"type": "usage", "cache_hit_tokens": cache_hit_tokens,
                   "cache_miss_tokens": cache_miss_tokens})

    def provider_error(self, message: str, status: int | None = None) -> None:
        msg: dict[str, Any] = {"type": "provider_error", "message": message}
        if status is not None:
            msg["status"] = status
        self.send(msg)

    def tool_result(self, error: str | None = None) -> None:
        self.send({"type": "tool_result", "error": error})

    def compaction(self) -> None:
        self.send({"type": "compaction"})

    def sync(self) -> None:
        """Return once everything sent so far is committed to the daemon's database."""
        sync_id = next(self._ids)
        self.send({"type": "sync", "id": sync_id})
        self._wait_for("ack", id=sync_id)

    def ping(self) -> dict[str, Any]:
        self.send({"type": "ping"})
        return self._wait_for("pong")

    def snapshot(self) -> dict[str, Any]:
        self.send({"type": "snapshot"})
        return self._wait_for("snapshot")

    # --- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        try:
            self.flush()
        except OSError:
            pass
        self._sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
