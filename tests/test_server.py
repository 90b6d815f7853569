"""The connection layer in-process, on a real Unix socket, under trio's MockClock: the
timeouts are tested in virtual time (hours pass in milliseconds), deterministically.

The rest of the daemon is replaced by the smallest stand-ins (a commit that is always
done, fixed snapshot/status bytes): this file is about bytes and deadlines.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import msgpack
import trio
import trio.testing

from metricsd.core.counts import Tally, counts_body, flatten
from metricsd.core.protocol import Gate
from metricsd.core.wire import encode
from metricsd.server import REPLY_BYTES, Limits, Replies, Server

PING = msgpack.packb({"type": "ping"})
LIMITS = Limits(max_connections=4, message_timeout=30.0, send_timeout=10.0)
#: What a client that never reads its replies can write before the daemon stops reading
#: it: the pongs REPLY_BYTES allows, with room for the sockets' kernel buffers; without
#: that bound it was 64 MiB and more.
MAX_FLOODED = REPLY_BYTES + 8 * 1024 * 1024


class Harness:
    def __init__(self, path: str, server: Server, tally: Tally) -> None:
        self.path = path
        self.server = server
        self.tally = tally
        self.commits = 0

    async def connect(self) -> trio.SocketStream:
        return await trio.open_unix_socket(self.path)


async def read_reply(stream: trio.SocketStream) -> dict[str, Any] | None:
    """One reply, or None at EOF."""
    unpacker = msgpack.Unpacker(raw=False)
    while True:
        try:
            data = await stream.receive_some(65536)
        except trio.BrokenResourceError:
            return None
        if not data:
            return None
        unpacker.feed(data)
        for reply in unpacker:
            return dict(reply)


async def closed(stream: trio.SocketStream) -> bool:
    """True once the server closed ``stream`` (EOF or reset)."""
    while True:
        try:
            data = await stream.receive_some(65536)
        except trio.BrokenResourceError:
            return True
        if not data:
            return True


@asynccontextmanager
async def serving(limits: Limits = LIMITS) -> AsyncIterator[Harness]:
    directory = tempfile.mkdtemp(prefix="md-srv-", dir="/tmp")
    path = os.path.join(directory, "s.sock")
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    await sock.bind(path)
    sock.listen(64)
    tally = Tally()
    harness: Harness

    def commit_soon() -> None:
        harness.commits += 1

    async def committed() -> None:
        harness.commits += 1

    def fixed(reply: dict[str, Any]) -> Callable[[], Awaitable[bytes]]:
        async def answer() -> bytes:
            return encode(reply)
        return answer

    replies = Replies(commit_soon=commit_soon, committed=committed,
                      snapshot=fixed({"type": "snapshot"}), status=fixed({"type": "status"}))
    server = Server(tally, Gate.open(), replies, limits)
    harness = Harness(path, server, tally)
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(server.serve, [trio.SocketListener(sock)])
            yield harness
            nursery.cancel_scope.cancel()
    finally:
        os.unlink(path)
        os.rmdir(directory)


def run(test: Callable[[], Awaitable[None]]) -> None:
    trio.run(test, clock=trio.testing.MockClock(autojump_threshold=0))


def test_an_idle_connection_is_never_closed_for_idleness() -> None:
    async def main() -> None:
        async with serving() as h, await h.connect() as s:
            await s.send_all(PING)
            assert (await read_reply(s) or {}).get("type") == "pong"
            await trio.sleep(8 * 3600)  # a lunch break and more, in virtual time
            await s.send_all(msgpack.packb({"type": "compaction"}) + PING)
            assert (await read_reply(s) or {}).get("type") == "pong"
            assert counts_body(flatten(h.tally.peek())) == {"compaction": 1}
    run(main)


def test_a_message_left_incomplete_for_the_message_timeout_is_closed() -> None:
    async def main() -> None:
        async with serving() as h:
            message = msgpack.packb({"type": "tool_result", "error": "x" * 200})
            async with await h.connect() as slow, await h.connect() as other:
                start = trio.current_time()
                for i in range(len(message) - 1):  # one byte a second: never completes
                    try:
                        await slow.send_all(message[i:i + 1])
                    except trio.BrokenResourceError:
                        break
                    await trio.sleep(1)
                    if trio.current_time() - start > LIMITS.message_timeout + 5:
                        break
                assert await closed(slow)
                elapsed = trio.current_time() - start
                assert LIMITS.message_timeout <= elapsed <= LIMITS.message_timeout + 2
                await other.send_all(PING)  # others are served all along
                assert (await read_reply(other) or {}).get("type") == "pong"
    run(main)


def test_whole_messages_keep_a_connection_open_past_the_message_timeout() -> None:
    async def main() -> None:
        async with serving() as h, await h.connect() as s:
            for _ in range(10):  # 100 virtual seconds of steady, complete messages
                await s.send_all(PING)
                assert (await read_reply(s) or {}).get("type") == "pong"
                await trio.sleep(10)
    run(main)


def test_a_client_that_does_not_read_its_replies_is_closed_and_blocks_nobody() -> None:
    async def main() -> None:
        async with serving() as h, await h.connect() as flooder, \
                await h.connect() as other:
            start = trio.current_time()
            sent = 0
            with trio.move_on_after(LIMITS.send_timeout * 10):
                try:
                    while True:
                        await flooder.send_all(PING * 10_000)
                        sent += len(PING) * 10_000
                except trio.BrokenResourceError:
                    pass
            assert trio.current_time() - start < LIMITS.send_timeout * 10, \
                "the flooder was never dropped"
            # Its pongs waiting to be written are bounded in bytes, so the daemon stopped
            # reading it early (each ping it read asked for a pong of the same size).
            assert sent <= MAX_FLOODED, sent
            await other.send_all(PING)
            assert (await read_reply(other) or {}).get("type") == "pong"
    run(main)


def test_at_the_cap_the_connection_idle_longest_is_closed() -> None:
    async def main() -> None:
        async with serving(Limits(max_connections=2)) as h:
            a = await h.connect()
            await a.send_all(PING)
            assert await read_reply(a)
            await trio.sleep(60)
            b = await h.connect()
            await b.send_all(PING)
            assert await read_reply(b)
            await trio.sleep(60)
            await a.send_all(PING)  # now b has received nothing for the longest
            assert await read_reply(a)
            c = await h.connect()
            await c.send_all(PING)
            assert await read_reply(c)
            assert await closed(b)
            await a.send_all(PING)
            assert await read_reply(a)
            for s in (a, b, c):
                await s.aclose()
    run(main)


def test_a_turn_asks_for_a_commit_and_a_sync_waits_for_one() -> None:
    async def main() -> None:
        async with serving() as h, await h.connect() as s:
            await s.send_all(msgpack.packb({"type": "turn", "finish_reason": "stop"})
                             + msgpack.packb({"type": "sync", "id": 3}))
            assert await read_reply(s) == {"type": "ack", "id": 3}
            assert h.commits == 2
    run(main)

