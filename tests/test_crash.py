"""Crashes: SIGKILL at random points, during a long stream and during an upload, for
CYCLES cycles on one state directory and one receiver, with the invariant checked after
every kill:

* every acknowledged count is present exactly once, and nothing beyond what was sent:
  ``acked <= committed + pending batches + delivered batches <= sent`` per counter;
* a batch is either delivered or still pending **with the same id** (a batch id held both
  by the receiver and the outbox has the same content there), so no batch content is
  ever accepted twice under different ids (that would break the upper bound, as every
  upload cycle below is fully acknowledged);
* the next start opens the same database cleanly (no "moved aside").

The kill points are drawn from a seeded random generator (the seed is in the failure
message), among: after k of n acknowledged turns while the stream goes on; right after
READY (during the sealing of batches); while the receiver holds a POST it has already
stored (the daemon never saw the 2xx); right after the receiver answered a POST.
"""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgpack
import pytest

from tests.conftest import FIRST_DAY, Daemon, DaemonFactory, Home, wait_for
from tests.fake_endpoint import Receiver, serve

#: Per CI run (bench/soak_exactness.py runs days of faults); every kill point below comes up
#: several times (asserted), so fewer cycles sample each one less often, none never.
CYCLES = 30
MODES = ("mid-stream", "after-ready", "post-held", "post-answered")
STARTS_A_DAY = 5
#: Fixed so a failure reproduces; explore others with METRICSD_CRASH_SEED=<n> (each failure
#: message names the seed and the cycle).
SEED = int(os.environ.get("METRICSD_CRASH_SEED", "20261125"))
FACTS = (("turns", ""), ("cache_hit", "99"))
TURN = msgpack.packb({"type": "usage", "cache_hit_tokens": 99, "cache_miss_tokens": 1}) + \
    msgpack.packb({"type": "turn", "finish_reason": "stop", "empty_final": False})


@dataclass
class HoldingReceiver(Receiver):
    """A receiver that, while ``hold`` is set, stores a batch and then does not answer."""

    hold: bool = False
    held: int = 0
    gate: threading.Event = field(default_factory=threading.Event)

    def handle_post(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str],
                                                                         bytes]:
        result = super().handle_post(headers, raw)
        if self.hold:
            with self._lock:
                self.held += 1
            self.gate.wait(60)
        return result


@pytest.fixture
def receiver() -> Iterator[tuple[HoldingReceiver, str]]:
    r = HoldingReceiver()
    with serve(r) as (_, url):
        yield r, url
        r.gate.set()


@dataclass
class Stream:
    """One client streaming TURNs, each followed by a sync; counts what was acked."""

    home: Home
    turns: int
    sent: int = 0
    acked: int = 0
    thread: threading.Thread | None = None

    def run(self) -> None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(str(self.home.socket))
                s.settimeout(30)
                s.sendall(msgpack.packb({"type": "hello", "proto": 1,
                                         "client_version": "1.0.0"}))
                unpacker = msgpack.Unpacker(raw=False)
                for i in range(1, self.turns + 1):
                    self.sent += 1  # counted before the write: an upper bound
                    s.sendall(TURN + msgpack.packb({"type": "sync", "id": i}))
                    while True:
                        reply = next(unpacker, None)
                        if reply is not None:
                            break
                        data = s.recv(65536)
                        if not data:
                            return
                        unpacker.feed(data)
                    assert reply == {"type": "ack", "id": i}
                    self.acked += 1
        except (ConnectionError, BrokenPipeError):
            return  # the daemon was killed

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(60)
        assert not self.thread.is_alive()


def facts_of_body(body: dict[str, Any]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for counter, value in body["counts"].items():
        if isinstance(value, dict):
            for label, n in value.items():
                out[(counter, label)] += n
        else:
            out[(counter, "")] += value
    return out


def local_state(home: Home) -> tuple[Counter[tuple[str, str]],
                                     dict[str, Counter[tuple[str, str]]]]:
    """(committed counts, pending batches by id), read straight from the database."""
    committed: Counter[tuple[str, str]] = Counter()
    outbox: dict[str, Counter[tuple[str, str]]] = {}
    if not home.db.exists():
        return committed, outbox
    db = sqlite3.connect(home.db)
    try:
        for counter, label, n in db.execute(
                "SELECT counter, label, SUM(n) FROM counts GROUP BY counter, label"):
            committed[(counter, label)] += n
        for batch_id, counter, label, n in db.execute(
                "SELECT batch_id, counter, label, n FROM outbox_counts"):
            outbox.setdefault(batch_id, Counter())[(counter, label)] += n
        ids = {row[0] for row in db.execute("SELECT batch_id FROM outbox")}
        assert ids == set(outbox), "an outbox row without counts, or counts without a row"
    finally:
        db.close()
    return committed, outbox


def _uploadable(home: Home, day: int) -> bool:
    """Whether a daemon started on ``day`` (offset from today) has something to upload:
    pending batches, or committed counts of an earlier day."""
    if not home.db.exists():
        return False
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + day * 86400))
    db = sqlite3.connect(home.db)
    try:
        return bool(db.execute(
            "SELECT EXISTS(SELECT 1 FROM outbox) OR EXISTS(SELECT 1 FROM counts WHERE "
            "dev = 0 AND day < ? AND counter = 'turns')", (today,)).fetchone()[0])
    finally:
        db.close()


def check_invariant(home: Home, r: Receiver, acked: int, sent: int, where: str) -> None:
    committed, pending = local_state(home)
    with r._lock:
        delivered = {bid: facts_of_body(body) for bid, body in r.batches.items()}
    for bid in set(pending) & set(delivered):
        assert pending[bid] == delivered[bid], f"{where}: batch {bid} changed content"
    total = Counter(committed)
    for facts in {**delivered, **pending}.values():
        total.update(facts)
    for fact in FACTS:
        assert acked <= total[fact] <= sent, (where, fact, acked, total[fact], sent)


def one_cycle(home: Home, daemons: DaemonFactory, r: HoldingReceiver, url: str,
              rng: random.Random, mode: str, where: str, day: int) -> Stream:
    """Start a daemon, stream, SIGKILL it at the point ``mode`` names; the stream's tally."""
    r.hold = mode == "post-held"
    r.gate.clear()
    held_before, posts_before = r.held, len(r.posts())
    had_pending = _uploadable(home, day)
    d: Daemon = daemons.start(home, "--endpoint", url, day=day)
    assert "moved it to" not in d.stderr, where
    stream = Stream(home, turns=rng.randint(2, 12))
    if mode == "after-ready":
        d.kill()
        stream.turns = 0
        return stream
    stream.start()
    thread = stream.thread
    assert thread is not None
    if mode == "mid-stream":
        k = rng.randint(0, stream.turns - 1)
        wait_for(lambda: stream.acked >= k or not thread.is_alive(), timeout=30,
                 what=f"{where}: {k} acks")
    else:
        stream.join()  # fully acknowledged: the upload bound is exact
        if had_pending and mode == "post-held":
            wait_for(lambda: r.held > held_before, timeout=30, what=f"{where}: a held POST")
        elif had_pending:
            wait_for(lambda: len(r.posts()) > posts_before, timeout=30,
                     what=f"{where}: an answered POST")
    d.kill()
    r.gate.set()
    stream.join()
    return stream


@pytest.mark.long
def test_sigkill_at_random_points_during_streams_and_uploads(
        home: Home, daemons: DaemonFactory,
        receiver: tuple[HoldingReceiver, str]) -> None:
    r, url = receiver
    rng = random.Random(SEED)
    acked = sent = 0
    modes: Counter[str] = Counter()
    for cycle in range(CYCLES):
        mode = rng.choice([MODES[0], *MODES])  # mid-stream twice as often
        modes[mode] += 1
        where = f"seed {SEED} cycle {cycle} ({mode})"
        # A few starts a day, as a desktop app has them: batches stay far from the
        # 30-day expiry, and every few cycles a day is over and gets sealed.
        stream = one_cycle(home, daemons, r, url, rng, mode, where,
                           day=FIRST_DAY + cycle // STARTS_A_DAY)
        acked += stream.acked
        sent += stream.sent
        check_invariant(home, r, acked, sent, where)

    # A last clean run delivers everything: nothing was lost or sent twice.
    r.hold = False
    d = daemons.start(home, "--endpoint", url, day=FIRST_DAY + CYCLES // STARTS_A_DAY + 1)
    wait_for(lambda: "upload: delivered" in d.stderr or "upload: nothing" in d.stderr,
             timeout=60, what="the final upload")
    assert d.stop() == 0
    check_invariant(home, r, acked, sent, f"seed {SEED} final")
    assert not local_state(home)[1], "batches left pending after a clean upload"
    assert all(modes[m] >= 3 for m in MODES), f"seed {SEED}: a kill point came up too rarely"
    print(f"\ncrash cycles: {CYCLES} ({dict(modes)}), {acked} acked of {sent} sent turns, "
          f"{len(r.batches)} batches delivered, {len(r.posts())} POSTs")
