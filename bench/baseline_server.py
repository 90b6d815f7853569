"""The ingest baseline: a minimal trio loop that only feeds a ``msgpack.Unpacker`` and counts
a dict key per message (no validation, no classification, no commits).  It answers ``sync``
with ``ack`` so that the load generator can time it exactly like metricsd.

Usage: python bench/baseline_server.py SOCKET_PATH   (prints ``READY <path>``)
"""

from __future__ import annotations

import os
import sys
from collections import Counter

import msgpack
import trio


async def handle(stream: trio.SocketStream, counts: Counter[object]) -> None:
    unpacker = msgpack.Unpacker(raw=False)
    async with stream:
        while data := await stream.receive_some(64 * 1024):
            unpacker.feed(data)
            for msg in unpacker:
                kind = msg.get("type")
                counts[kind] += 1
                if kind == "sync":
                    await stream.send_all(msgpack.packb({"type": "ack", "id": msg["id"]}))


async def main(path: str) -> None:
    counts: Counter[object] = Counter()
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    await sock.bind(path)
    sock.listen(1024)
    print(f"READY {path}", flush=True)
    async def handler(stream: trio.SocketStream) -> None:
        await handle(stream, counts)

    await trio.serve_listeners(handler, [trio.SocketListener(sock)])


if __name__ == "__main__":
    try:
        trio.run(main, sys.argv[1])
    except KeyboardInterrupt:
        pass
