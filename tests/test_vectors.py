"""The shared vectors (tests/vectors/vectors.json) through the sans-IO layer, through a
real daemon, and against the Python client's encoder.  The Node client reads the same file."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack
import pytest

from metricsd.core.counts import Tally, counts_body, flatten, health_body
from metricsd.core.protocol import (
    ANSWER_SNAPSHOT,
    CLOSE,
    AckAfterCommit,
    Gate,
    Send,
    Session,
)
from metricsd.core.wire import MAX_MESSAGE_BYTES, MAX_STRING_BYTES
from tests import rawclient as client_mod
from tests.conftest import DaemonFactory, Home
from tests.rawclient import Client
from tests.vectors.cases import MESSAGE_LIMIT, STR_LIMIT
from tests.vectors.generate import OUT, decode_parts, render

VECTORS: dict[str, Any] = json.loads(Path(OUT).read_text())
ALL: list[dict[str, Any]] = VECTORS["events"] + VECTORS["errors"]
SYNC_ID = 4_000_000_000  # the daemon-side probe; no vector uses it


def _ids(vs: list[dict[str, Any]]) -> list[str]:
    return [v["name"] for v in vs]


def test_vectors_json_is_up_to_date() -> None:
    assert Path(OUT).read_text() == render(), "run: python -m tests.vectors.generate"


def test_vector_limits_are_the_wire_limits() -> None:
    assert (STR_LIMIT, MESSAGE_LIMIT) == (MAX_STRING_BYTES, MAX_MESSAGE_BYTES)


def test_every_fact_and_error_code_is_covered() -> None:
    from metricsd.core.facts import COUNTERS
    from metricsd.core.wire import ERROR_CODES

    seen: set[tuple[str, str]] = set()
    for v in ALL:
        for counter, value in v["counts"].items():
            pairs = value.items() if isinstance(value, dict) else [("", value)]
            seen.update((counter, label) for label, _ in pairs)
    for counter in COUNTERS:
        assert any(c == counter for c, _ in seen), counter
        if counter == "finish_reason":
            assert {lb for c, lb in seen if c == counter} >= {"stop", "none", "other"}
    codes = {r["code"] for v in ALL for r in v["replies"] if r["type"] == "error"}
    # `unauthorized` exists only over loopback TCP (the vectors run over a Unix socket):
    # tests/test_exactly_once.py::test_tcp_transport_requires_the_token covers it.
    assert codes == set(ERROR_CODES) - {"unauthorized"}


# --- sans-IO ---------------------------------------------------------------------------

def _run_session(data: bytes, chunk: int) -> dict[str, Any]:
    tally = Tally()
    session = Session(tally, Gate.open())
    replies: list[dict[str, Any]] = []
    closed = False
    for i in range(0, len(data), chunk):
        for action in session.receive(data[i:i + chunk]):
            if type(action) is Send:
                replies.extend(_unpack_all(action.data))
            elif type(action) is AckAfterCommit:
                replies.append({"type": "ack", "id": action.id})
            elif action is ANSWER_SNAPSHOT:
                replies.append({"type": "snapshot"})
            elif action is CLOSE:
                closed = True
    facts = flatten(tally.take())
    return {"counts": counts_body(facts), "replies": replies, "closed": closed,
            "health": {k: n for k, n in health_body(facts).items()
                       if k in ("invalid_events", "unknown_events")}}


def _unpack_all(data: bytes) -> Iterator[dict[str, Any]]:
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(data)
    yield from unpacker


def _replies_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> bool:
    return len(expected) == len(actual) and all(
        all(a.get(k) == v for k, v in e.items()) for e, a in zip(expected, actual, strict=True))


@pytest.mark.parametrize("vector", ALL, ids=_ids(ALL))
def test_vector_through_sans_io(vector: dict[str, Any]) -> None:
    data = decode_parts(vector["hex"])
    for chunk in (len(data), 1):
        got = _run_session(data, chunk)
        assert got["counts"] == vector["counts"], chunk
        assert _replies_match(vector["replies"], got["replies"]), (chunk, got["replies"])
        assert got["closed"] == vector["closed"], chunk
        assert got["health"] == vector["health"], chunk
        for reply in got["replies"]:
            if reply.get("type") == "error":
                # Error details are daemon-written: no byte of the input comes back.
                assert set(reply) == {"type", "code", "detail"}


EVENTS_WITH_CALLS = [v for v in ALL if "calls" in v]


@pytest.mark.parametrize("vector", EVENTS_WITH_CALLS, ids=_ids(EVENTS_WITH_CALLS))
def test_python_client_encodes_the_vector_bytes(vector: dict[str, Any]) -> None:
    out = b"".join(client_mod.encode(getattr(client_mod, f"{helper}_message")(*args))
                   for helper, args in vector["calls"])
    assert out == decode_parts(vector["hex"])


# --- a real daemon ----------------------------------------------------------------------

def _flat(counts: dict[str, Any]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for counter, value in counts.items():
        if isinstance(value, dict):
            out.update({(counter, label): n for label, n in value.items()})
        else:
            out[(counter, "")] = value
    return out


def _read_replies(sock: socket.socket, until_ack: bool) -> tuple[list[dict[str, Any]], bool]:
    """Replies until our probe's ack (connection open) or EOF (closed)."""
    unpacker = msgpack.Unpacker(raw=False)
    replies: list[dict[str, Any]] = []
    while True:
        data = sock.recv(65536)
        if not data:
            return replies, True
        unpacker.feed(data)
        for reply in unpacker:
            if until_ack and reply == {"type": "ack", "id": SYNC_ID}:
                return replies, False
            replies.append(reply)


def test_vectors_through_a_real_daemon(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    probe = msgpack.packb({"type": "sync", "id": SYNC_ID})
    with Client(home.socket) as observer:
        before = _flat(observer.snapshot()["counts"])
        for v in ALL:
            data = decode_parts(v["hex"])
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(20)
                s.connect(str(home.socket))
                if v["closed"]:
                    s.sendall(data)
                    replies, closed = _read_replies(s, until_ack=False)
                elif v["complete"]:
                    s.sendall(data + probe)
                    replies, closed = _read_replies(s, until_ack=True)
                else:
                    s.sendall(data)
                    s.shutdown(socket.SHUT_WR)
                    replies, closed = _read_replies(s, until_ack=False)
                    closed = False  # we closed it
            assert closed == v["closed"], v["name"]
            assert _replies_match(v["replies"], replies), (v["name"], replies)
            after = _flat(observer.snapshot()["counts"])
            delta = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
            assert delta == _flat(v["counts"]), v["name"]
            before = after
    assert d.stop() == 0


# --- docs/PROTOCOL.md -------------------------------------------------------------------

PROTOCOL_MD = Path(__file__).resolve().parents[1] / "docs" / "PROTOCOL.md"


def _doc_dumps() -> list[tuple[dict[str, Any], bytes]]:
    import re

    blocks = re.findall(r"```msgpack\n(.*?)```", PROTOCOL_MD.read_text(), re.DOTALL)
    out = []
    for block in blocks:
        first, *hex_lines = block.strip().splitlines()
        out.append((json.loads(first), bytes.fromhex(" ".join(hex_lines))))
    return out


def test_protocol_doc_hex_dumps_are_right() -> None:
    dumps = _doc_dumps()
    assert len(dumps) >= 15
    for value, data in dumps:
        assert msgpack.packb(value, use_bin_type=True) == data, value


def test_protocol_doc_covers_every_message_reply_code_and_limit() -> None:
    from metricsd.core import protocol
    from metricsd.core.wire import ERROR_CODES

    text = PROTOCOL_MD.read_text()
    dumped = {v["type"] for v, _ in _doc_dumps()}
    session = protocol.Session(Tally(), Gate())
    assert set(session._handlers) <= dumped
    assert {"ack", "pong", "snapshot", "error"} <= dumped
    for code in ERROR_CODES:
        assert f"| `{code}` |" in text, code
    for limit in (MAX_MESSAGE_BYTES, MAX_STRING_BYTES):
        assert f"{limit:,}".replace(",", " ") in text
    from metricsd.server import REPLY_BYTES
    assert f"| {REPLY_BYTES // 1024} KiB; " in text and "`metricsd.server.REPLY_BYTES`" in text
