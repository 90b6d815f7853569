"""The privacy invariant (docs/PRIVACY.md), proved end to end.

A secret is placed in every string a client can send — every field, field names, the
``type`` itself, unknown events, invalid events, framing errors — and then every byte the
daemon wrote is scanned: the database files (the WAL and any journal included, while the
daemon runs and after it stopped), every file under the state and runtime directories, the
daemon's stderr and stdout, every reply, and every upload request (bodies and headers).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack
import pytest

from tests.conftest import Daemon, DaemonFactory, Home, cli, wait_for
from tests.fake_endpoint import Receiver, serve
from tests.rawclient import Client

SECRET = "SeCrEt-7f3a9c"
#: What a leak could look like on disk or on the wire.
FORMS = (SECRET.encode(), SECRET.lower().encode(), SECRET.upper().encode(),
         SECRET.encode("utf-16-le"), SECRET.encode().hex().encode())


def secret(tag: str) -> str:
    return f"{tag} {SECRET} status 429 timeout permission denied exit status 1"


def all_secret_messages() -> list[dict[Any, Any]]:
    return [
        {"type": "hello", "proto": 1, "client_version": f"1.2.3-{SECRET}"},
        {"type": "compaction"},  # counted under client version 'unknown'
        {"type": "hello", "proto": 1, "client_version": "1.2.3", SECRET: SECRET},
        {"type": "turn", "finish_reason": secret("finish"), "empty_final": True,
         "extra": SECRET},
        {"type": "turn", "finish_reason": SECRET, "empty_final": False},
        {"type": "usage", "cache_hit_tokens": 5, "cache_miss_tokens": 5, SECRET: [SECRET]},
        {"type": "provider_error", "message": secret("provider")},
        {"type": "provider_error", "message": SECRET, "status": 503},
        {"type": "provider_error", "message": SECRET},
        {"type": "tool_result", "error": secret("tool")},
        {"type": "tool_result", "error": SECRET},
        {"type": "compaction", "summary": SECRET},
        # Unknown events: ignored and counted, with the secret in the type and the fields.
        {"type": SECRET, SECRET: SECRET},
        {"type": f"assistant_text {SECRET}", "text": SECRET},
        # Invalid events: a reply, whose detail must not echo anything.
        {"type": "turn", "finish_reason": {SECRET: SECRET}},
        {"type": "usage", "cache_hit_tokens": SECRET, "cache_miss_tokens": 1},
        {"type": "provider_error", "message": [SECRET], "status": SECRET},
        {"type": "tool_result", "error": {SECRET: 1}},
        {"type": "sync", "id": SECRET},
        {"type": 1, "id": SECRET},
        {SECRET: "no type"},
        {"type": "ping", SECRET: SECRET},
        # MessagePack bin where a string is expected (protocol v1.1): classified, dropped.
        {"type": "tool_result", "error": secret("bin tool").encode()},
        {"type": "provider_error", "message": SECRET.encode(), "status": 500.0},
        {"type": "turn", "finish_reason": SECRET.encode(), "empty_final": None},
        {"type": "hello", "proto": 1, "client_version": f"9.9.9-{SECRET}".encode()},
        {"type": "compaction"},
    ]


def assert_clean(what: str, data: bytes) -> None:
    for form in FORMS:
        assert form not in data, f"the secret leaked into {what}"


def files_under(*dirs: Path) -> Iterator[Path]:
    for d in dirs:
        if d.exists():
            yield from (p for p in d.rglob("*") if p.is_file() and not p.is_socket())


def scan_disk(home: Home) -> int:
    """Scan every file the daemon may have written; return how many were scanned."""
    n = 0
    for path in files_under(home.state_dir, home.socket.parent):
        assert_clean(str(path), path.read_bytes())
        n += 1
    return n


def read_replies(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def send_everything(d: Daemon) -> bytes:
    """Send every secret-bearing message and framing error; return all reply bytes."""
    replies = bytearray()
    with d.client() as c:
        for msg in all_secret_messages():
            c.send(msg)
        c.sync()
        c.snapshot()
        c.ping()
        replies += msgpack.packb(c.errors)
    # Framing errors whose offending bytes hold the secret.
    for payload in (
        SECRET.encode() * 3,  # bare bytes: a fixint stream, then nonsense
        msgpack.packb([SECRET, {"type": "turn"}]),  # not a map
        msgpack.packb({"type": "turn", "finish_reason": SECRET * 2000}),  # too large
        b"\x81\xa4type\xd9\x20" + b"\xff" + (SECRET * 3).encode()[:31],  # invalid UTF-8
        msgpack.packb({"type": "hello", "proto": 2, "client_version": SECRET}),
    ):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(str(d.home.socket))
        s.sendall(payload)
        got = read_replies(s)
        s.close()
        assert got, "a framing error must get a reply"
        replies += got
    return bytes(replies)


def test_no_secret_reaches_disk_logs_replies_or_uploads(
        home: Home, daemons: DaemonFactory) -> None:
    with serve() as (receiver, url):
        d = daemons.start(home)
        replies = send_everything(d)
        assert_clean("replies", replies)
        # While the daemon runs the commits sit in the WAL: scan it now.
        assert any(p.name.endswith("-wal") for p in home.db_files())
        assert scan_disk(home) >= 2
        with d.client() as c:
            counts = c.snapshot()["counts"]
        # The events were counted (so the test is not vacuous) under allow-listed labels.
        assert counts["turns"] == 3
        assert counts["provider_error"] == {"rate_limit": 1, "overloaded": 1, "server": 1,
                                            "other": 1}
        assert counts["tool_error"] == {"timeout": 2, "other": 1}  # table order
        assert d.stop() == 0
        assert_clean("stderr", d.stderr.encode())
        scan_disk(home)
        shown = cli(home, "show", "--json")
        assert shown.returncode == 0 and '"turns": ' in shown.stdout
        assert_clean("show", shown.stdout.encode() + shown.stderr.encode())
        status = cli(home, "status")
        assert_clean("status", status.stdout.encode() + status.stderr.encode())

        # Upload what was counted, and scan what went over the wire.
        d = daemons.start(home, "--endpoint", url)
        wait_for(lambda: "upload: " in d.stderr, timeout=30, what="upload run")
        assert d.stop() == 0
        posts = receiver.posts()
        assert len(posts) == 2 and all(p.status == 202 for p in posts)  # two client versions
        for p in posts:
            assert_clean("upload body", p.body)
            assert_clean("upload headers", repr(p.headers).encode())
        assert_clean("stderr", d.stderr.encode())
        scan_disk(home)
        check_receiver_state(receiver)


def check_receiver_state(receiver: Receiver) -> None:
    versions = sorted(b["client"]["version"] for b in receiver.batches.values())
    assert versions == ["1.2.3", "unknown"]  # the secret-bearing version became 'unknown'
    total_health = sum(b["health"]["unknown_events"] for b in receiver.batches.values())
    assert total_health == 2


def test_opt_out_purges_and_leaves_no_trace_in_the_files(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with d.client() as c:
        for _ in range(50):
            c.tool_result(secret("tool"))
            c.turn("stop")
        c.sync()
    labels = (b"tool_error", b"finish_reason")
    before = b"".join(p.read_bytes() for p in home.db_files())
    assert all(label in before for label in labels)  # so the check below can fail
    # A damaged database is moved aside (kept) and a fresh one started: the copy holds
    # counts too, never a client string, and opting out deletes it.
    assert d.stop() == 0
    with home.db.open("r+b") as f:
        f.write(b"this is no longer a database")
    d = daemons.start(home)
    copies = [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name]
    assert copies and any(label in p.read_bytes() for p in copies for label in labels)
    scan_disk(home)
    assert cli(home, "consent", "off").returncode == 0
    assert [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name] == []

    def purged() -> bool:
        with d.client() as c:
            return bool(c.snapshot()["counts"] == {})

    wait_for(purged, what="daemon notices opt-out")
    assert d.stop() == 0
    assert cli(home, "show", "--json").stdout.strip() == "[]"
    # The deleted counts' labels leave no copy in the main file or the WAL either.
    for path in home.db_files():
        data = path.read_bytes()
        for label in labels:
            assert label not in data, (path, label)


@pytest.mark.parametrize("field", ["finish_reason", "message", "error", "client_version"])
def test_a_secret_long_string_is_classified_and_dropped(
        home: Home, daemons: DaemonFactory, field: str) -> None:
    # Strings up to the 16 KiB limit are accepted and still never kept.
    value = (SECRET + " ") * 1000
    d = daemons.start(home)
    with d.client() as c:
        events: dict[str, dict[str, Any]] = {
            "finish_reason": {"type": "turn"}, "message": {"type": "provider_error"},
            "error": {"type": "tool_result"}, "client_version": {"type": "hello", "proto": 1}}
        msg = events[field]
        c.send({**msg, field: value})
        c.turn(None)
        c.sync()
        assert c.errors == []
    assert d.stop() == 0
    scan_disk(home)
    assert_clean("stderr", d.stderr.encode())


def test_the_client_itself_does_not_need_to_be_trusted(home: Home,
                                                       daemons: DaemonFactory) -> None:
    # Even a client that crafts label-looking strings cannot create a new label.
    d = daemons.start(home)
    with Client(home.socket) as c:
        c.send({"type": "turn", "finish_reason": "stop\x00secret"})
        c.send({"type": "tool_result", "error": "other"})
        c.send({"type": "provider_error", "message": "auth"})
        c.sync()
        counts = c.snapshot()["counts"]
    # Read by its words (facts v3), "stop\x00secret" is a stop: a label of the allow-list,
    # never the string.
    assert counts["finish_reason"] == {"stop": 1}
    assert counts["tool_error"] == {"other": 1}
    assert counts["provider_error"] == {"other": 1}
    assert d.stop() == 0
