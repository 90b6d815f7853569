"""Simulated desktops: real metricsd daemons fed through the real client, then flushed."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from metricsd_receiver.query import shown_label

from tests.conftest import DaemonFactory, Home, cli, make_home

FINISH = ["stop", "stop", "stop", "length", "tool_calls", None, "weird-provider-reason"]
PROVIDER = [("HTTP status 429: slow down", None), ("upstream timed out", 504),
            ("connection refused", None), ("bad key", 401), ("overloaded", 503)]
TOOL = [None, None, None, "bash: exit status 1", "permission denied: /etc/x",
        "No such file or directory", "user rejected the call"]


@dataclass
class Session:
    """One desktop app connection: a client version and a seeded stream of turns."""

    version: str | None
    turns: int
    seed: int


def play(daemon_client: Any, session: Session) -> int:
    """Send one session's events; return the number of turns sent."""
    rng = random.Random(session.seed)
    with daemon_client as c:
        c.hello(session.version)
        for _ in range(session.turns):
            for _ in range(rng.randint(1, 3)):
                hit = rng.randint(0, 10_000)
                c.usage(cache_hit_tokens=hit, cache_miss_tokens=rng.randint(0, 10_000 - hit))
                c.tool_result(error=rng.choice(TOOL))
            if rng.random() < 0.3:
                message, status = rng.choice(PROVIDER)
                c.provider_error(message, status=status)
            if rng.random() < 0.2:
                c.compaction()
            c.turn(finish_reason=rng.choice(FINISH), empty_final=rng.random() < 0.1)
        c.sync()
    return session.turns


@contextmanager
def homes(n: int) -> Iterator[list[Home]]:
    made = [make_home() for _ in range(n)]
    for h in made:
        h.config.parent.mkdir(mode=0o700)
        h.opt_in(True)
    try:
        yield made
    finally:
        for h in made:
            shutil.rmtree(h.root, ignore_errors=True)


def count(daemons: DaemonFactory, home: Home, sessions: Iterable[Session]) -> tuple[int, list[
        dict[str, Any]]]:
    """Run a daemon, play the sessions, stop it; return (turns sent, the bodies that the
    next upload will send, from ``metricsd show --json``)."""
    d = daemons.start(home)
    turns = sum(play(d.client(), s) for s in sessions)
    assert d.stop() == 0, d.stderr
    shown = cli(home, "show", "--json")
    assert shown.returncode == 0, shown.stderr
    return turns, json.loads(shown.stdout)


def flush(home: Home, endpoint: str) -> None:
    result = cli(home, "flush", "--endpoint", endpoint, timeout=120)
    assert result.returncode == 0, (result.stdout, result.stderr)


def add_bodies(bodies: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum of the counts and health of upload bodies, in the summary's shape."""
    total: dict[str, Any] = {"batches": 0, "health": {}}
    for body in bodies:
        total["batches"] += 1
        for counter, value in body["counts"].items():
            if isinstance(value, dict):
                per = total.setdefault(counter, {})
                for label, n in value.items():
                    shown = shown_label(body["schema"], label)  # 90-99 (v1.1) for schema 1
                    per[shown] = per.get(shown, 0) + n
            else:
                total[counter] = total.get(counter, 0) + value
        for name, n in body["health"].items():
            total["health"][name] = total["health"].get(name, 0) + n
    return total


def same_sums(shown: dict[str, Any], expected: dict[str, Any]) -> None:
    """Compare a summary cell with :func:`add_bodies` output (zeros equal absent)."""
    assert shown["batches"] == expected["batches"]
    for key, value in shown.items():
        if key in ("day", "version", "batches"):
            continue
        if isinstance(value, dict):
            want = {k: v for k, v in expected.get(key, {}).items() if v}
            assert {k: v for k, v in value.items() if v} == want, key
        else:
            assert value == expected.get(key, 0), key
