"""First end-to-end check: a real daemon counts a stream and shows it."""

from __future__ import annotations

import json

from tests.conftest import DaemonFactory, Home, cli


def test_events_are_counted_committed_and_shown(home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    with d.client() as c:
        c.hello("1.4.0")
        c.usage(95, 5)
        c.turn("stop")
        c.sync()
    assert d.stop() == 0
    out = cli(home, "show", "--json")
    assert out.returncode == 0, out.stderr
    bodies = json.loads(out.stdout)
    assert len(bodies) == 1
    assert bodies[0]["batch_id"] is None
    assert bodies[0]["client"] == {"version": "1.4.0"}
    assert bodies[0]["counts"] == {"turns": 1, "finish_reason": {"stop": 1},
                                   "cache_hit": {"95-98": 1}}
