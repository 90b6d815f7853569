"""The daemon's own view against a real daemon: the `status` reply, `health` in
snapshots, and `metricsd status` reporting what the *daemon* uses."""

from __future__ import annotations

import os

import msgpack

from metricsd import __version__
from tests.conftest import DaemonFactory, Home, cli, stream


def test_the_status_reply_is_the_running_daemons_own_view(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--endpoint", "https://metrics.example.com/v1/metrics?key=s3cr3t",
                      "--max-connections", "7")
    stream(d)
    with d.client() as c:
        status = c.status()
        with d.client() as other:
            other.sync()  # connected and served
            assert c.status()["connections"] == 1  # the other one, not the asker
    assert status["pid"] == d.proc.pid and status["pid"] != os.getpid()
    assert status["version"] == __version__
    assert status["enabled"] is True and status["dev"] is False
    assert status["consent"] == "on" and status["veto"] is None
    assert status["uploads"] is True
    assert status["endpoint"] == "https://metrics.example.com"  # scheme and host only
    assert "s3cr3t" not in repr(status)
    # The asking connection is not counted: alone, no other connection is open.
    assert status["connections"] == 0 and status["max_connections"] == 7
    assert status["counts"]["turns"] == 3
    assert set(status["health"]) == {"invalid_events", "unknown_events", "dropped_batches",
                                     "clipped"}
    assert status["socket"] == str(home.socket) and status["config"] == str(home.config)
    assert "last_upload" in status
    assert d.stop() == 0


def test_snapshots_carry_health_counting_invalid_and_unknown_events(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with d.client() as c:
        c.send_raw(msgpack.packb({"type": "turn", "empty_final": "yes"}))  # invalid
        c.send_raw(msgpack.packb({"type": "from_the_future", "x": 1}))  # unknown
        c.send_raw(msgpack.packb({"type": "from_the_future"}))
        c.compaction()
        c.sync()
        snap = c.snapshot()
    assert snap["health"] == {"invalid_events": 1, "unknown_events": 2, "dropped_batches": 0,
                             "clipped": 0}
    assert snap["counts"] == {"compaction": 1}
    assert d.stop() == 0


def test_metricsd_status_shows_the_daemons_endpoint_not_the_commands(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--endpoint", "https://upload.example.org/v1/metrics")
    out = cli(home, "status")  # no --endpoint here: the daemon's own view is shown
    assert out.returncode == 0, out.stderr
    assert f"pid {d.proc.pid}" in out.stdout
    assert "endpoint:    https://upload.example.org" in out.stdout
    assert "uploads:     yes" in out.stdout
    assert d.stop() == 0
