"""Exactly once: each finding of the exactness review, against real processes.

Every test here failed on the code before the fix it names and passes now.
"""

from __future__ import annotations

import signal
import sqlite3

from tests.conftest import Daemon, DaemonFactory, Home, cli


def _turns(d: Daemon, n: int) -> None:
    with d.client() as c:
        for _ in range(n):
            c.turn("stop")
        c.sync()


def _snapshot_turns(d: Daemon) -> int:
    with d.client() as c:
        return int(c.snapshot()["counts"].get("turns", 0))


def test_commands_against_a_running_daemon_keep_its_commits_durable(
        home: Home, daemons: DaemonFactory) -> None:
    """Running show/status/flush/consent and the sqlite3 shell beside a running daemon must
    not take its locks away (closing any descriptor of the database drops them all), so
    every turn acknowledged by a sync survives a SIGKILL, counted once."""
    d = daemons.start(home)
    _turns(d, 5)
    for command in (["show", "--json"], ["status"], ["flush"], ["consent"], ["show"]):
        out = cli(home, *command)
        assert out.returncode in (0, 1), (command, out.stderr)
    with sqlite3.connect(home.db) as db:  # what an operator's `sqlite3` shell does
        assert db.execute("SELECT COUNT(*) FROM counts").fetchone()[0] >= 1
    db.close()
    assert home.db.with_name("metrics.sqlite3-wal").exists()
    _turns(d, 10)
    # flush with nothing to upload says so, and does not claim "nothing" while turns wait
    d.stop(signal.SIGKILL)
    d2 = daemons.start(home)
    assert _snapshot_turns(d2) == 15
