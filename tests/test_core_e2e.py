"""The core daemon end to end: real daemon subprocesses, real sockets, real SQLite files."""

from __future__ import annotations

import functools
import json
import signal
import sqlite3
from typing import Any

from tests.conftest import DaemonFactory, Home, cli, run_concurrently, summed_counts
from tests.rawclient import Client


def show(home: Home) -> list[dict[str, Any]]:
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    bodies: list[dict[str, Any]] = json.loads(out.stdout)
    return bodies


def shown_counts(home: Home) -> dict[str, Any]:
    """Counts of the not-yet-batched bodies (one per day and version), added up."""
    bodies = show(home)
    assert all(b["batch_id"] is None for b in bodies), bodies
    return summed_counts(bodies)


def committed_rows(home: Home) -> dict[tuple[int, str, str, str], int]:
    """(dev, client_version, counter, label) -> n straight from the database."""
    with sqlite3.connect(home.db) as db:
        rows = db.execute("SELECT dev, client_version, counter, label, SUM(n) FROM counts "
                          "GROUP BY dev, client_version, counter, label").fetchall()
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def mixed_stream(c: Client, k: int) -> None:
    """A deterministic mix; client ``k`` sends ``k + 1`` rounds."""
    for _ in range(k + 1):
        c.usage(cache_hit_tokens=50, cache_miss_tokens=50)
        c.usage(cache_hit_tokens=0, cache_miss_tokens=0)
        c.provider_error("server said status 429", None)
        c.provider_error("nothing", 401)
        c.tool_result("permission denied")
        c.tool_result(None)
        c.compaction()
        c.turn("length", empty_final=True)
        c.turn("tool_calls")


def expected_mixed(rounds: int) -> dict[str, Any]:
    return {"turns": 2 * rounds, "finish_reason": {"length": rounds, "tool_calls": rounds},
            "empty_final": rounds, "cache_hit": {"none": rounds, "50-79": rounds},
            "provider_error": {"auth": rounds, "rate_limit": rounds},
            "tool_error": {"permission": rounds}, "compaction": rounds}


def test_exact_counts_from_many_concurrent_clients(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    n_clients = 12

    def one(k: int) -> None:
        with d.client() as c:
            c.hello(f"2.{k % 2}.0")
            mixed_stream(c, k)
            c.sync()

    run_concurrently([functools.partial(one, k) for k in range(n_clients)])
    rounds_v0 = sum(k + 1 for k in range(n_clients) if k % 2 == 0)
    rounds_v1 = sum(k + 1 for k in range(n_clients) if k % 2 == 1)
    with d.client() as c:
        snap = c.snapshot()
    assert snap["enabled"] is True and snap["dev"] is False
    assert snap["counts"] == expected_mixed(rounds_v0 + rounds_v1)
    assert d.stop() == 0
    bodies = {b["client"]["version"]: b["counts"] for b in show(home)}
    assert bodies == {"2.0.0": expected_mixed(rounds_v0), "2.1.0": expected_mixed(rounds_v1)}


def test_sigkill_after_acknowledged_sync_loses_and_doubles_nothing(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with d.client() as c:
        mixed_stream(c, 2)
        c.sync()
        # Unacknowledged events after the sync may be lost, but never doubled.
        c.compaction()
        c.flush()
    d.kill()
    assert shown_counts(home) in (expected_mixed(3),
                                  {**expected_mixed(3), "compaction": 4})
    d = daemons.start(home)
    with d.client() as c:
        before = c.snapshot()["counts"]
        mixed_stream(c, 0)
        c.sync()
    d.kill()
    after = shown_counts(home)
    assert after["turns"] == before["turns"] + 2
    assert after["finish_reason"]["length"] == before["finish_reason"]["length"] + 1
    # A third start opens the same database cleanly and shows the same counts.
    d = daemons.start(home)
    with d.client() as c:
        assert c.snapshot()["counts"] == after
    assert d.stop() == 0


def test_sigterm_and_sigint_commit_what_is_in_memory(home: Home, daemons: DaemonFactory) -> None:
    for n, sig in enumerate((signal.SIGTERM, signal.SIGINT), start=1):
        d = daemons.start(home)
        c = d.client()
        c.compaction()
        c.ping()  # the daemon has read (and counted) the compaction
        assert d.stop(sig) == 0
        c.close()
        assert shown_counts(home) == {"compaction": n}


def test_dev_counts_are_marked_and_not_shown_for_upload(
        home: Home, daemons: DaemonFactory) -> None:
    home.dev_marker.write_text("")
    d = daemons.start(home)
    with d.client() as c:
        c.turn("stop")
        c.sync()
        snap = c.snapshot()
    assert snap["dev"] is True and snap["counts"]["turns"] == 1
    assert d.stop() == 0
    assert {k: v for k, v in committed_rows(home).items() if k[2] == "turns"} == {
        (1, "unknown", "turns", ""): 1}
    assert show(home) == []


def test_status_and_show_with_and_without_a_daemon(home: Home, daemons: DaemonFactory) -> None:
    out = cli(home, "status")
    assert out.returncode == 0, out.stderr
    assert "not running" in out.stdout and "metrics:     on" in out.stdout
    assert cli(home, "show", "--endpoint",
               "https://metrics.example.com/v1/metrics").stdout.strip() == "nothing to upload"
    d = daemons.start(home)
    with d.client() as c:
        c.hello("3.1.4-rc.2")
        c.turn("stop")
        c.usage(1, 0)
        c.sync()
        out = cli(home, "status")
        assert out.returncode == 0, out.stderr
        assert f"running (pid {d.proc.pid}" in out.stdout
        assert "turns 1" in out.stdout
        c.compaction()  # in memory only: status asks the running daemon
        c.ping()
        assert "compaction" in cli(home, "status").stdout
    table = cli(home, "show").stdout
    assert "client 3.1.4-rc.2" in table and "finish_reason" in table and "stop" in table
    assert d.stop() == 0
    out = cli(home, "status")
    assert "not running" in out.stdout and "turns 1" in out.stdout


def test_version_and_usage_errors(home: Home) -> None:
    out = cli(home, "--version")
    assert out.returncode == 0 and out.stdout.startswith("metricsd ")
    out = cli(home, "frobnicate")
    assert out.returncode == 2
    out = cli(home, "run", "--idle-exit", "-3")
    assert out.returncode == 2
