"""Coverage-guided fuzz target (atheris) for the decoding path: wire.Decoder under
protocol.Session, fed in fuzzer-chosen chunks.

Run by hand for longer:  python tests/fuzz/fuzz_session.py -max_total_time=600 CORPUS_DIR
CI runs it for a fixed short budget through tests/fuzz/test_fuzz_budget.py.

It fails (atheris reports the input) when anything raises out of Session.receive, when a
reply is not a documented one (docs/PROTOCOL.md), when a label outside the allow-lists is
counted, or when splitting the same bytes differently changes the outcome.
"""

from __future__ import annotations

import sys
from typing import Any

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

with atheris.instrument_imports():
    import msgpack

    from metricsd.core.counts import Tally, flatten
    from metricsd.core.facts import is_allowed, is_rendered_version
    from metricsd.core.protocol import (
        ANSWER_SNAPSHOT,
        ANSWER_STATUS,
        CLOSE,
        COMMIT_SOON,
        AckAfterCommit,
        Gate,
        Send,
        Session,
    )
    from metricsd.core.wire import ERROR_CODES

REPLY_TYPES = frozenset({"ack", "pong", "snapshot", "status", "error"})


def _run(chunks: list[bytes]) -> tuple[list[Any], dict[Any, int]]:
    tally = Tally()
    session = Session(tally, Gate.open())
    actions: list[Any] = []
    for chunk in chunks:
        actions += session.receive(chunk)
    for (_dev, client_version), facts in tally.peek().items():
        if not is_rendered_version(client_version):
            raise AssertionError("unrendered client version counted")
        for counter, label in facts:
            if not is_allowed(counter, label):
                raise AssertionError("fact outside the allow-list counted")
    return actions, flatten(tally.peek())


def _check(actions: list[Any]) -> None:
    for i, action in enumerate(actions):
        if isinstance(action, Send):
            reply = msgpack.unpackb(action.data, raw=False)
            if reply["type"] not in REPLY_TYPES:
                raise AssertionError("reply outside the spec")
            if reply["type"] == "error" and reply["code"] not in ERROR_CODES:
                raise AssertionError("error code outside the spec")
        elif action is CLOSE:
            if i != len(actions) - 1:
                raise AssertionError("CLOSE is not last")
        elif action not in (ANSWER_SNAPSHOT, ANSWER_STATUS, COMMIT_SOON) and type(
                action) is not AckAfterCommit:
            raise AssertionError("unknown action")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    n_cuts = fdp.ConsumeIntInRange(0, 8)
    cuts = sorted(fdp.ConsumeIntInRange(0, 4096) for _ in range(n_cuts))
    payload = fdp.ConsumeBytes(fdp.remaining_bytes())
    chunks, last = [], 0
    for cut in cuts:
        cut = min(cut, len(payload))
        chunks.append(payload[last:cut])
        last = max(last, cut)
    chunks.append(payload[last:])
    whole, whole_counts = _run([payload])
    split, split_counts = _run(chunks)
    _check(whole)
    if whole != split or whole_counts != split_counts:
        raise AssertionError("the split of the stream changed the outcome")


SEEDS: list[bytes] = [
    msgpack.packb(m, use_bin_type=True) for m in (
        {"type": "hello", "proto": 1, "client_version": "1.2.3-rc.4"},
        {"type": "turn", "finish_reason": "stop", "empty_final": True},
        {"type": "usage", "cache_hit_tokens": 90, "cache_miss_tokens": 10},
        {"type": "provider_error", "message": "status 429 too many", "status": None},
        {"type": "tool_result", "error": "permission denied"},
        {"type": "compaction"}, {"type": "sync", "id": 7}, {"type": "ping"},
        {"type": "snapshot"}, {"type": "future", "x": [1, {"y": b"z"}]},
    )
]


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
