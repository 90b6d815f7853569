"""Consent and the edges of the privacy promise (docs/PRIVACY.md), with the daemon
in-process (metricsd.testing under trio's MockClock): config files that cannot be read,
the environment, the dev marker, client versions, the database's files.

What needs a real process (signals, exit codes, memory of a process, commands run while a
daemon runs, ``flush``) stays in test_consent.py; a test here that needs a completed day
runs ``flush`` or ``show`` on the next day (libfaketime), on the files the in-process daemon
left."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import msgpack
import pytest
from metricsd_client._wire import compaction_message, ping_message, turn_message

from metricsd.daemon import DecisionChanged, UploadFinished
from metricsd.testing import open_daemon, write_config
from tests.conftest import cli
from tests.fake_endpoint import Receiver
from tests.inprocess import Endpoint, daemon_log, home_of, run, session, snapshot


def test_a_fifo_as_config_means_off_and_the_daemon_stays_responsive(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "config.toml")

    async def test() -> None:
        async with open_daemon(tmp_path, opted_in=None) as h:
            await session(h)  # sync answered: no thread hangs on the FIFO
            snap = await snapshot(h)
            assert snap["enabled"] is False and snap["counts"] == {}
            # SIGTERM reaches the daemon's own signal receiver in this process, and the
            # daemon stops (leaving the block waits for its final commit).
            os.kill(os.getpid(), signal.SIGTERM)
            await h.daemon.shutdown.wait()

    with daemon_log() as log:
        run(test)
    assert any("not a regular file" in line for line in log.lines), log.lines


@pytest.mark.parametrize("kind", ["oversize", "dev-zero"])
def test_an_oversize_or_endless_config_means_off(tmp_path: Path, kind: str) -> None:
    config = tmp_path / "config.toml"
    if kind == "oversize":
        config.write_text("[desktop]\nmetrics = true\n" + "#" * (1024 * 1024) + "\n")
    else:
        config.symlink_to("/dev/zero")

    async def test() -> None:
        async with open_daemon(tmp_path, opted_in=None) as h:
            await session(h)
            assert (await snapshot(h))["enabled"] is False

    with daemon_log() as log:
        run(test)
    wanted = "larger than" if kind == "oversize" else "not a regular file"
    assert any(wanted in line for line in log.lines), log.lines


def test_do_not_track_0_is_no_veto(tmp_path: Path) -> None:
    async def test() -> None:
        async with open_daemon(tmp_path, environ={"DO_NOT_TRACK": "0"}) as h:
            await session(h)
            assert (await snapshot(h))["enabled"] is True

    run(test)


def test_an_unacceptable_config_endpoint_is_refused_by_the_daemon_in_one_line(
        tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[desktop]\nmetrics = true\n[metrics]\nendpoint = "http://example.com/v1/metrics"\n')
    ep = Endpoint()

    async def test() -> None:
        async with open_daemon(tmp_path, opted_in=None, transport=ep.transport) as h:
            done = await h.next(UploadFinished)
            assert done.result is None

    with daemon_log() as log:
        run(test)
    refused = [line for line in log.lines if "must be https://" in line]
    assert refused and all("\n" not in line for line in refused), log.lines
    assert ep.posts == []


def test_counts_made_under_the_dev_marker_stay_dev_when_it_is_removed_before_the_commit(
        tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    home = home_of(tmp_path)
    home.dev_marker.write_text("")

    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            assert (await snapshot(h))["dev"] is True
            async with await h.connect("1.4.0") as c:
                await c.send(compaction_message())  # counted under the marker, no turn yet
                assert (await c.request(ping_message()))["type"] == "pong"
                home.dev_marker.unlink()
                await h.next(DecisionChanged, lambda n: n.old.dev and not n.new.dev)
                assert (await snapshot(h))["dev"] is False  # the marker's removal is seen
                await c.send(turn_message("stop"))  # committed under a release build
                await c.sync()

    run(test)
    with sqlite3.connect(home.db) as db:
        committed = set(db.execute("SELECT dev, counter FROM counts"))
    assert (1, "compaction") in committed and (0, "compaction") not in committed
    assert (0, "turns") in committed
    out = cli(home, "flush", "--endpoint", url, day=1)  # today is a completed day then
    assert out.returncode == 0, out.stderr
    (body,) = r.batches.values()
    assert "compaction" not in body["counts"] and body["counts"]["turns"] == 1


def test_opt_out_deletes_moved_aside_copies_of_a_corrupt_database(tmp_path: Path) -> None:
    home = home_of(tmp_path)
    home.state_dir.mkdir(mode=0o700)
    home.db.write_bytes(b"SQLite format 3\x00" + b"turns finish_reason stop" * 400)

    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            await session(h)

    run(test)
    copies = [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name]
    assert copies, "the corrupt database was not moved aside"
    out = cli(home, "consent", "off", day=0)
    assert out.returncode == 0, out.stderr
    assert [p for p in home.state_dir.iterdir() if ".corrupt-" in p.name] == []


def test_database_wal_and_shm_are_0600_under_umask_022(tmp_path: Path) -> None:
    home = home_of(tmp_path)

    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            await session(h)
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in home.db_files()}
            assert {"metrics.sqlite3", "metrics.sqlite3-wal",
                    "metrics.sqlite3-shm"} <= set(files)
            assert set(files.values()) == {0o600}, files

    umask = os.umask(0o022)  # this process's: the daemon's files are created under it
    try:
        run(test)
    finally:
        os.umask(umask)


def test_300_client_versions_make_at_most_17_groups_and_keep_every_count(
        tmp_path: Path) -> None:
    data = b"".join(
        msgpack.packb({"type": "hello", "proto": 1, "client_version": f"1.0.{i}"})
        + msgpack.packb({"type": "compaction"}) for i in range(300))

    async def test() -> None:
        async with open_daemon(tmp_path) as h, await h.connect(hello=False) as c:
            await c.stream.send_all(data + msgpack.packb({"type": "turn"})
                                    + msgpack.packb({"type": "sync", "id": 1}))
            assert await c.reply() == {"type": "ack", "id": 1}

    run(test)
    out = cli(home_of(tmp_path), "show", "--json", day=1)  # today is a completed day then
    assert out.returncode == 0, out.stderr
    bodies = json.loads(out.stdout)
    assert len(bodies) <= 17
    assert sum(b["counts"].get("compaction", 0) for b in bodies) == 300
    assert {b["client"]["version"] for b in bodies} >= {"1.0.0", "1.0.15", "unknown"}



def test_an_opt_out_while_the_watch_is_being_set_up_is_not_missed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon decides at start, and its start-up commit decides again, before the file
    watch is in place: an edit after both and before the watch must still be seen (the
    watch decides once more as soon as it is armed)."""
    import metricsd.commits
    import metricsd.daemon
    import metricsd.watch

    first_commit = threading.Event()
    real_commit = metricsd.commits.Committer._commit_blocking
    real_open_watcher = metricsd.watch.open_watcher

    def commit(self: Any, *args: Any) -> Any:
        try:
            return real_commit(self, *args)
        finally:
            first_commit.set()

    def edit_then_watch(files: Any) -> Any:
        assert first_commit.wait(30)
        write_config(tmp_path / "config.toml", False)  # `consent off` at this very moment
        return real_open_watcher(files)

    monkeypatch.setattr(metricsd.commits.Committer, "_commit_blocking", commit)
    monkeypatch.setattr(metricsd.daemon, "open_watcher", edit_then_watch)
    # Without the mount-table watch (Linux only), whose first wake-up re-decides anyway.
    monkeypatch.setattr(metricsd.watch, "_mount_watch", lambda: None)

    async def test() -> None:
        async with open_daemon(tmp_path) as h:
            change = await h.next(DecisionChanged, lambda n: n.new.counting is False)
            assert change.old.counting is True
            assert (await snapshot(h))["enabled"] is False

    # The mock clock stays still: with the edit missed, nothing else would ever re-decide
    # (and the run's watchdog ends the wait).
    run(test, autojump=False)
