"""Replayable streams, the daemon's side (in-process, real store, real Unix socket):
``resume`` with ``counted``, already-counted events skipped, ``ack`` with ``committed``,
the mark committed with the counts it covers, a second connection of a stream served
only after the first, the mark purged on opt-out and forgotten after 7 days; and a
``sync`` that never stops its connection from being read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import trio
from metricsd_client._wire import (
    auth_message,
    compaction_message,
    hello_message,
    proof,
    snapshot_message,
    sync_message,
    turn_message,
)

from metricsd.core.counts import Tally, counts_body, flatten
from metricsd.core.protocol import Gate, Session
from metricsd.core.streams import Streams
from metricsd.daemon import Committed, DecisionChanged
from metricsd.server import Server
from metricsd.store import Store
from metricsd.testing import Connection, Harness, open_daemon
from tests.inprocess import run

STREAM = bytes(range(16))


def stream_hello(seq: int, stream: bytes = STREAM) -> dict[str, object]:
    return {**hello_message("2.0.1"), "stream": stream, "seq": seq}


async def connect(h: Harness, seq: int, stream: bytes = STREAM) -> tuple[Connection, int]:
    conn = await h.connect(hello=False)
    await conn.send(stream_hello(seq, stream))
    reply = await conn.reply()
    assert reply["type"] == "resume", reply
    return conn, int(reply["counted"])


async def counted_compactions(h: Harness) -> int:
    async with await h.connect() as c:
        reply = await c.request(snapshot_message())
    return int(reply["counts"].get("compaction", 0))


def marks(database: Path) -> dict[bytes, int]:
    with sqlite3.connect(database) as db:
        return {bytes(s): int(n) for s, n in db.execute("SELECT stream, counted FROM streams")}


def test_resume_skips_counted_events_and_ack_carries_committed(tmp_path: Path) -> None:
    async def main() -> None:
        async with open_daemon(tmp_path) as h:
            conn, counted = await connect(h, 0)
            assert counted == -1  # a stream the daemon does not know
            await conn.send(*[compaction_message()] * 5, sync_message(1))
            assert await conn.reply() == {"type": "ack", "id": 1, "committed": 4}
            await conn.aclose()
            # The client lost the ack and sends everything again, and two new events.
            conn, counted = await connect(h, 0)
            assert counted == 4
            await conn.send(*[compaction_message()] * 7, sync_message(2))
            assert await conn.reply() == {"type": "ack", "id": 2, "committed": 6}
            await conn.aclose()
            assert await counted_compactions(h) == 7
        assert marks(tmp_path / "state" / "metrics.sqlite3") == {STREAM: 6}
    run(main)


def test_the_mark_survives_a_restart_and_a_stream_without_one_starts_at_seq(
        tmp_path: Path) -> None:
    async def main() -> None:
        async with open_daemon(tmp_path) as h:
            conn, _ = await connect(h, 10)
            await conn.send(*[compaction_message()] * 3, sync_message(1))
            assert (await conn.reply())["committed"] == 12
            await conn.aclose()
        async with open_daemon(tmp_path) as h:
            conn, counted = await connect(h, 11)
            assert counted == 12
            await conn.send(*[compaction_message()] * 3, sync_message(1))  # 11, 12, 13
            assert (await conn.reply())["committed"] == 13
            await conn.aclose()
            assert await counted_compactions(h) == 4
    run(main)


def test_a_second_connection_of_a_stream_is_served_after_the_first_is_read(
        tmp_path: Path) -> None:
    async def main() -> None:
        async with open_daemon(tmp_path) as h:
            first, _ = await connect(h, 0)
            # Events written on the first connection, then the client gives it up
            # (without closing it) and says hello again on a second one.
            await first.send(*[compaction_message()] * 50)
            second, counted = await connect(h, 0)
            assert counted == 49  # the first connection was read before this one
            await second.send(*[compaction_message()] * 60, sync_message(1))
            assert (await second.reply())["committed"] == 59
            assert await first.replies_until_closed() == []  # closed by the daemon
            await second.aclose()
            await first.aclose()
            assert await counted_compactions(h) == 60
    run(main)


def test_marks_are_purged_on_opt_out_and_forgotten_after_seven_days(tmp_path: Path) -> None:
    async def main() -> None:
        async with open_daemon(tmp_path) as h:
            conn, _ = await connect(h, 0)
            await conn.send(compaction_message(), sync_message(1))
            assert (await conn.reply())["committed"] == 0
            await conn.aclose()
            db = tmp_path / "state" / "metrics.sqlite3"
            assert marks(db) == {STREAM: 0}
            h.set_opted_in(False)
            await h.next(DecisionChanged, lambda d: not d.new.counting)
            await h.next(Committed, lambda c: not c.decision.counting)
            assert marks(db) == {}
    run(main)
    store = Store.open(tmp_path / "state" / "metrics.sqlite3")
    try:
        store.commit({}, daemon_version="1.0.0", day="2026-01-01", streams={STREAM: 3},
                     seen=1000)
        store.commit({}, daemon_version="1.0.0", day="2026-01-01", streams={b"x" * 16: 3},
                     seen=1000 + 7 * 86400)
        assert store.forget_streams(1000 + 1) == 1
        assert set(store.stream_marks()) == {b"x" * 16}
    finally:
        store.close()


def test_streams_in_the_session_count_each_number_once_in_order() -> None:
    tally, streams = Tally(), Streams()
    gate = Gate.open()
    import msgpack

    def send(session: Session, *messages: dict[str, object]) -> list[object]:
        return list(session.receive(b"".join(msgpack.packb(m) for m in messages)))

    a = Session(tally, gate, streams=streams)
    send(a, stream_hello(0), *[turn_message("stop")] * 3)
    b = Session(tally, gate, streams=streams)
    events = send(b, stream_hello(1), *[turn_message("stop")] * 4)
    assert [type(e).__name__ for e in events] == ["WaitForStream"]
    a.release()
    b.receive(b"")
    assert counts_body(flatten(tally.peek()))["turns"] == 5  # 0, 1, 2 then 3, 4
    assert streams.get(STREAM).counted == 4


def test_a_sync_does_not_stop_the_connection_from_being_read(tmp_path: Path) -> None:
    """While the commit a ``sync`` waits for runs, later events are read and counted."""

    async def main() -> None:
        async with open_daemon(tmp_path) as h:
            committer = h.daemon.committer
            gate, held = trio.Event(), trio.Event()
            real = committer._in_db

            async def slow_in_db(fn, *args):  # type: ignore[no-untyped-def]
                held.set()
                await gate.wait()
                return await real(fn, *args)

            committer._in_db = slow_in_db
            conn = await h.connect()
            await conn.send(turn_message("stop"), sync_message(1))
            await held.wait()  # the commit the sync waits for is running (held here)
            await conn.send(*[compaction_message()] * 20)
            # The commit cannot finish, so the sync cannot be answered; yet the 20
            # events sent after it are read and counted (in memory).
            with trio.fail_after(5):
                while counts_body(flatten(h.daemon.tally.peek())).get("compaction", 0) < 20:
                    await trio.sleep(0.01)
            gate.set()
            assert (await conn.reply())["type"] == "ack"
            await conn.aclose()
    run(main)


# --- loopback TCP: the daemon proves itself; unauthenticated connections --------------------

TOKEN = "5a" * 32


async def _tcp_server(nursery: trio.Nursery) -> tuple[Server, int, Tally]:
    from metricsd.server import Limits, Replies

    tally = Tally()

    async def committed() -> None:
        pass

    async def nothing() -> bytes:
        return b""

    server = Server(tally, Gate.open(), Replies(
        commit_soon=lambda: None, committed=committed, snapshot=nothing, status=nothing),
        Limits(max_connections=8), token=TOKEN)
    sock = trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_STREAM)
    await sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    await nursery.start(server.serve, [trio.SocketListener(sock)])
    return server, port, tally


def test_the_challenge_proves_the_daemon_and_the_client() -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            server, port, tally = await _tcp_server(nursery)
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            conn = Connection(stream)
            nonce = os.urandom(32)
            await conn.send({**hello_message("1.0.0"), "nonce": nonce})
            challenge = await conn.reply()
            assert challenge["type"] == "challenge"
            assert challenge["proof"] == proof(TOKEN, nonce)
            assert server.active == 0  # not yet anybody's client
            await conn.send(auth_message(proof(TOKEN, challenge["nonce"])),
                            compaction_message(), sync_message(1))
            assert await conn.reply() == {"type": "ack", "id": 1}
            assert server.active == 1
            assert counts_body(flatten(tally.peek())) == {"compaction": 1}
            # A wrong proof: unauthorized, closed, nothing counted.
            bad = Connection(await trio.open_tcp_stream("127.0.0.1", port))
            await bad.send({**hello_message(), "nonce": nonce})
            n2 = (await bad.reply())["nonce"]
            await bad.send(auth_message(proof("00" * 32, n2)), compaction_message())
            replies = await bad.replies_until_closed()
            assert [r.get("code") for r in replies] == ["unauthorized"]
            assert counts_body(flatten(tally.peek())) == {"compaction": 1}
            await conn.aclose()
            await bad.aclose()
            nursery.cancel_scope.cancel()
    run(main)


def test_a_connection_that_never_authenticates_is_closed_after_5_s() -> None:
    """Finding 8 of the v1.3 trial: TCP connections that never authenticate were never
    closed, filled the connection cap and kept a --watch-stdin daemon alive."""
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            server, port, _ = await _tcp_server(nursery)
            silent = Connection(await trio.open_tcp_stream("127.0.0.1", port))
            challenged = Connection(await trio.open_tcp_stream("127.0.0.1", port))
            await challenged.send({**hello_message(), "nonce": os.urandom(32)})
            assert (await challenged.reply())["type"] == "challenge"
            while len(server._conns) < 2:
                await trio.sleep(0.01)
            # Neither is another app instance's client (pid unknown over TCP).
            assert server.active == 0 and server.active_except(os.getpid()) == 0
            start = trio.current_time()
            assert await silent.replies_until_closed() == []
            assert await challenged.replies_until_closed() == []
            assert 5.0 <= trio.current_time() - start < 6.0
            assert server._conns == {}
            await silent.aclose()
            await challenged.aclose()
            nursery.cancel_scope.cancel()
    run(main)
