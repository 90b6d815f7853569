"""The whole chain, exactly once: app (client library) → daemon → receiver, under faults.

An app streams events through a real client library (Python and Node, through their
conformance drivers) into a real daemon that uploads to a real ``metricsd-receiver``
(SQLite and PostgreSQL).  Meanwhile every command runs against the running daemon, the
daemon is SIGSTOPped and SIGKILLed, its small disk fills up, and the receiver is killed
and restarted between uploads.  Each round runs on its own (faked) day, as a desktop
app's days do.  At the end the receiver's sums must equal what the app was told was
accepted (a successful ``sync``), exactly; an event the client could not confirm is
counted in its ``dropped`` or ``unconfirmed``, and only those may make a difference.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    read_line,
    unavailable,
    wait_for,
)
from tests.receiver.conftest import Database, ReceiverFactory, ReceiverProc
from tests.test_storage_faults import fill, tmpfs

ROOT = Path(__file__).resolve().parent.parent.parent
DRIVERS = ROOT / "tests" / "conformance" / "drivers"
NODE_MODULES = ROOT / "clients" / "node" / "node_modules"
#: Turns per round (each with a usage, a tool result, and a compaction every fourth), and
#: how many times the four days of faults repeat; bench/soak_exactness.py raises both.
TURNS = int(os.environ.get("METRICSD_SOAK_TURNS", "60"))
CYCLES = int(os.environ.get("METRICSD_SOAK_CYCLES", "1"))
COMMANDS = (("status",), ("show",), ("show", "--json"), ("flush",), ("consent",),
            ("disclosure",))


@dataclass
class Tally:
    """What the app was told: counts confirmed by a successful sync, and the events the
    client reported as possibly lost."""

    accepted: Counter[str] = field(default_factory=Counter)
    uncertain: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    unconfirmed: int = 0


def _sent(n: int) -> Counter[str]:
    """What a driver's ``rounds`` scenario sends for ``round n``."""
    return Counter({"turns": n, "compaction": len(range(0, n, 4))})


class App:
    """An app using one client library, through its conformance driver's ``rounds``."""

    def __init__(self, client: str, socket: Path, go_driver: Path | None = None) -> None:
        command = {"python": [sys.executable, str(DRIVERS / "driver.py")],
                   "node": [shutil.which("node") or "node", str(DRIVERS / "driver.cjs")],
                   "go": [str(go_driver)]}
        self.proc = subprocess.Popen(
            [*command[client], "rounds"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env=clean_env(MD_SOCKET=str(socket)))
        self.seen = {"dropped": 0, "unconfirmed": 0}

    def _say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _step(self) -> dict[str, Any]:
        step: dict[str, Any] = json.loads(read_line(self.proc, 120))
        return step

    def round(self, tally: Tally, during: Callable[[], None] | None = None) -> bool:
        """One round; ``during`` runs half-way through the stream."""
        self._say(f"round {TURNS}")
        assert self._step()["step"] == "half"
        if during is not None:
            during()
        self._say("go")
        done = self._step()
        assert done["step"] == "done", done
        (tally.accepted if done["sync"] else tally.uncertain).update(_sent(TURNS))
        tally.dropped += done["dropped"] - self.seen["dropped"]
        tally.unconfirmed += done["unconfirmed"] - self.seen["unconfirmed"]
        self.seen = {"dropped": done["dropped"], "unconfirmed": done["unconfirmed"]}
        return bool(done["sync"])

    def close(self) -> None:
        self._say("end")
        assert "result" in self._step()
        assert self.proc.wait(30) == 0


def _commands_meanwhile(home: Home) -> Callable[[], None]:
    """Runs every command against the running daemon, concurrently."""
    def run() -> None:
        threads = [threading.Thread(target=cli, args=(home, *command)) for command in COMMANDS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    return run


def _stop_and_continue(d: Daemon) -> Callable[[], None]:
    def run() -> None:
        d.proc.send_signal(signal.SIGSTOP)
        threading.Timer(1.0, d.proc.send_signal, args=(signal.SIGCONT,)).start()
    return run


def _fill_for_a_second(home: Home) -> Callable[[], None]:
    def run() -> None:
        filler = fill(home.state_dir)
        threading.Timer(1.0, filler.unlink).start()
    return run


def _receiver_totals(receiver: ReceiverProc) -> Counter[str]:
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 60 * 86400))
    total = receiver.exact(**{"from": since})["total"]
    return Counter({"turns": int(total.get("turns", 0)),
                    "compaction": int(total.get("compaction", 0))})


def _start(daemons: DaemonFactory, home: Home, receiver: ReceiverProc) -> Daemon:
    return daemons.start(home, "--endpoint", receiver.endpoint)


@pytest.mark.parametrize("client", ["python", "node", "go"])
@pytest.mark.long
def test_receiver_sums_equal_what_the_app_was_told(
        client: str, home: Home, daemons: DaemonFactory, receivers: ReceiverFactory,
        database: Database, request: pytest.FixtureRequest) -> None:
    if client != "python" and database.kind != "sqlite":
        pytest.skip("the other clients run against one engine (the rest of the chain is "
                    "the same)")
    if client == "node" and not (NODE_MODULES / "@msgpack" / "msgpack").is_dir():
        unavailable("clients/node/node_modules is missing: npm ci --prefix clients/node")
    go = request.getfixturevalue("go_driver") if client == "go" else None
    receiver = receivers.start(database.url, "--k", "1")
    tally = Tally()
    with tmpfs(home.state_dir, "4m"):  # a small disk, filled on day 4
        for _ in range(CYCLES):
            receiver = _days(client, home, daemons, receivers, database, receiver, tally, go)
        # The last day uploads everything that is over.
        d = _start(daemons, home, receiver)
        wait_for(lambda: "upload: " in d.stderr, timeout=60, what="the last upload run")
        assert d.stop() == 0
        out = cli(home, "flush", "--endpoint", receiver.endpoint)
        assert out.returncode == 0, out.stdout + out.stderr

    got = _receiver_totals(receiver)
    print(f"\nexactness: client={client} database={database.kind} cycles={CYCLES} "
          f"turns_sent={CYCLES * 4 * TURNS} accepted={tally.accepted['turns']} "
          f"uncertain={tally.uncertain['turns']} received={got['turns']} "
          f"dropped={tally.dropped} unconfirmed={tally.unconfirmed}")
    for counter in ("turns", "compaction"):
        low = tally.accepted[counter]
        high = low + tally.uncertain[counter]
        assert low <= got[counter] <= high, (counter, got, tally)
    # The only difference allowed is what the client reported as possibly lost.
    if not tally.uncertain:
        assert got == tally.accepted
    else:
        assert tally.dropped + tally.unconfirmed > 0, tally


def _days(client: str, home: Home, daemons: DaemonFactory, receivers: ReceiverFactory,
          database: Database, receiver: ReceiverProc, tally: Tally,
          go: Path | None) -> ReceiverProc:
    """Four days of faults; returns the receiver (it is restarted on day 3)."""

    # Day 1: every command runs against the running daemon while the app streams.
    d = _start(daemons, home, receiver)
    app = App(client, home.socket, go)
    assert app.round(tally, _commands_meanwhile(home))
    app.close()
    assert d.stop() == 0

    # Day 2: the daemon is stopped (SIGSTOP) for a second mid-stream, then SIGKILLed right
    # after the app's sync was acknowledged.
    d = _start(daemons, home, receiver)
    app = App(client, home.socket, go)
    assert app.round(tally, _stop_and_continue(d))
    d.kill()
    app.close()

    # Day 3: the receiver is killed (SIGKILL) and restarted before the day's upload; the
    # daemon is SIGKILLed mid-stream and a new one started (what the killed one had not
    # committed is the client's `unconfirmed`, and its sync reports the loss).
    receiver.proc.kill()
    receiver.proc.wait(10)
    receiver = receivers.start(database.url, "--k", "1")
    d = _start(daemons, home, receiver)
    app = App(client, home.socket, go)
    restarted: list[Daemon] = []

    def kill_and_restart() -> None:
        d.kill()
        restarted.append(_start(daemons, home, receiver))

    app.round(tally, kill_and_restart)
    app.close()
    assert restarted[0].stop() == 0

    # Day 4: the disk fills up mid-stream and is freed a second later: the commits wait,
    # counts stay in memory, and the sync is acknowledged once they are committed.
    d = _start(daemons, home, receiver)
    app = App(client, home.socket, go)
    assert app.round(tally, _fill_for_a_second(home))
    app.close()
    assert d.stop() == 0
    return receiver
