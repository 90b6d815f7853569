"""Exactly once while the app lives (replayable streams), end to end: an app with 8 tabs
(one client each, one sidecar) streams through real daemons to a real receiver while the
serving daemon is SIGKILLed every 0.5 s, SIGSTOPped, replaced by its stand-by and
restarted by the sidecar (in bursts of 8 faults; a longer run leaves the sidecar's daemon
alive for 10 s between bursts, since the sidecar rightly slows down after 10 fast failures
in a row).  At the end the receiver's sum equals what the app handed its clients minus their
``dropped``, exactly, and ``unconfirmed`` is 0.

Each client plugs in through its conformance driver's ``tabs`` scenario; a longer run of
the same chain is ``bench/soak_exactness.py --streams``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DaemonFactory, Home, clean_env, cli, read_line, unavailable
from tests.rawclient import Client as RawClient
from tests.receiver.conftest import Database, ReceiverFactory

ROOT = Path(__file__).resolve().parent.parent.parent
DRIVERS = ROOT / "tests" / "conformance" / "drivers"
NODE_MODULES = ROOT / "clients" / "node" / "node_modules"
EXE = str(Path(sys.executable).with_name("metricsd"))
#: Faults (one every 0.5 s) per run, in bursts of BURST with a calm of FAST_FAILURE_SECONDS
#: between them; bench/soak_exactness.py --streams raises FAULTS.
FAULTS = int(os.environ.get("METRICSD_STREAMS_FAULTS", "8"))
BURST = 8
FAST_FAILURE_SECONDS = 10.0
RESTART_BACKOFF_MAX = 5.0
TABS = 8
#: Each tab's pause between rounds; a soak slows the tabs so that no counter passes the
#: receiver's contribution bound of one install-day batch (100,000: clipped above it).
PAUSE_MS = int(os.environ.get("METRICSD_STREAMS_PAUSE_MS", "5"))
#: The counters the tabs' events count into (one each per event).
COUNTED = ("turns", "compaction", "cache_hit", "tool_error")


def _serving_pid(home: Home, timeout: float = 20.0) -> int:
    """The pid of the daemon serving the socket now (asked over it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with RawClient(home.socket, timeout=2) as c:
                return int(c.status()["pid"])
        except (OSError, KeyError, ValueError, AssertionError):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no daemon serves; processes: {_daemons_of(home)}") from None
            time.sleep(0.05)


def _daemons_of(home: Home) -> list[str]:
    """The metricsd processes of this home (pid, state), for a failure's message."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(home.root) in cmdline and " run " in cmdline:
            out.append(f"{entry.name}:{state}")
    return out


def _total(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_total(v) for v in value.values())
    return int(value or 0)


def _command(client: str, request: pytest.FixtureRequest) -> list[str]:
    if client == "python":
        return [sys.executable, str(DRIVERS / "driver.py")]
    if client == "node":
        if not (NODE_MODULES / "@msgpack" / "msgpack").is_dir():
            unavailable("clients/node/node_modules is missing: npm ci --prefix clients/node")
        return [shutil.which("node") or "node", str(DRIVERS / "driver.cjs")]
    return [str(request.getfixturevalue("go_driver"))]


@pytest.mark.parametrize("client", ["python", "go", "node"])
@pytest.mark.long
def test_receiver_sum_is_what_the_tabs_handed_minus_dropped(
        client: str, home: Home, daemons: DaemonFactory, receivers: ReceiverFactory,
        sqlite_database: Database, request: pytest.FixtureRequest) -> None:
    receiver = receivers.start(sqlite_database.url, "--k", "1")
    app = subprocess.Popen(
        [*_command(client, request), "tabs"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
        env=clean_env(MD_EXE=EXE, MD_ARGS=json.dumps(home.args()), MD_TABS=str(TABS),
                      MD_PAUSE_MS=str(PAUSE_MS)))
    try:
        assert json.loads(read_line(app, 60)) == {"step": "ready"}
        kinds: list[str] = []
        for burst in range(0, FAULTS, BURST):
            if burst:
                # Let the sidecar's daemon live past its fast-failure window (10 s, after
                # a restart back-off of up to 5 s), as a daemon that is not killed twice
                # a second does: otherwise, after 10 fast failures in a row, the sidecar
                # rightly slows to one start a minute.
                time.sleep(FAST_FAILURE_SECONDS + RESTART_BACKOFF_MAX + 0.5)
            # A second app instance's sidecar: it stands by, and takes over when the
            # serving daemon dies (then the first sidecar's restarted daemon stands by).
            standby = daemons.start(home, "--watch-stdin", stdin=subprocess.PIPE, day=0)
            n = min(BURST, FAULTS - burst)
            for i in range(n):
                time.sleep(0.5)  # the fault pace, not a synchronisation
                pid = _serving_pid(home)
                if i == n // 2:
                    os.kill(pid, signal.SIGSTOP)
                    time.sleep(1.0)
                    os.kill(pid, signal.SIGCONT)
                    kinds.append("stop")
                else:
                    os.kill(pid, signal.SIGKILL)
                    kinds.append("kill" if pid != standby.proc.pid else "kill-standby")
        _serving_pid(home)
        assert app.stdin is not None
        app.stdin.write("stop\n")
        app.stdin.flush()
        result: dict[str, Any] = json.loads(read_line(app, 120))["result"]
        assert app.wait(60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    for d in daemons.started:
        if d.proc.poll() is None:
            if d.proc.stdin is not None:
                d.proc.stdin.close()
            d.stop()
    # Whatever still serves (a sidecar's daemon that took over) exits once its stdin is
    # closed and its clients are gone; wait for the database to be free of it.
    deadline = time.monotonic() + 30
    while home.socket.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    out = cli(home, "flush", "--endpoint", receiver.endpoint, day=1)
    assert out.returncode == 0, out.stdout + out.stderr
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 60 * 86400))
    total = receiver.summary(**{"from": since})["total"]
    received = sum(_total(total.get(k)) for k in COUNTED)
    print(f"\nstreams-exactness: client={client} tabs={TABS} faults={FAULTS} "
          f"handed={result['handed']} dropped={result['dropped']} "
          f"unconfirmed={result['unconfirmed']} received={received} "
          f"restarts={result['restarts']} kinds={','.join(kinds)}")
    assert result["sync"] is True, result
    assert result["unconfirmed"] == 0, result
    # Four counters share the events equally; above 100,000 each the batch is clipped.
    assert result["handed"] // 4 <= 100_000, "too many events for one day's batch: slow down"
    assert received == result["handed"] - result["dropped"], (received, result)
