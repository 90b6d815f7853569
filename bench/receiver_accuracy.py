"""How accurate released numbers are: relative error of a cell's turns, of a label's rate
per 1,000 turns and of a label's share, at 100, 1,000 and 10,000 reporting installs.

A synthetic population (seeded; the receiver has no real one to learn from): each install's
day has turns drawn from a log-normal (median 20, sigma 0.9: about 4% of install-days are
over the publishing bound of 100), ``length`` finish reasons at 2% of turns and
``rate_limit`` provider errors at 15 per 1,000 turns (binomial per install-day), so the
rates are the kind a product team watches.  Each report is clipped by the receiver's own
code (``release.clip``) and every trial draws the release's noise with the receiver's own
mechanism (``release._noise``: OpenDP's Laplace mechanism at the receiver's ε and bounds).

Rows: one (day, version) cell of N reporting installs, and a 30-day view of such cells
(30 released cells summed, the dashboard's default range).  Errors are relative to the
true, unclipped numbers, so they include the clipping's bias; the baseline (same run) is
that bias alone: the clipped numbers without noise.

    python bench/receiver_accuracy.py [--trials 2000]

Not a test: it prints a table (median and 95th percentile of |relative error|).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import uuid
from typing import Any

from metricsd_receiver import release
from metricsd_receiver.release import EPSILON, GROUP, RELEASE_AGES, clip, scale_of
from metricsd_receiver.schema import COUNTERS, HEALTH_COUNTERS, Batch

SIZES = (100, 1000, 10_000)
LENGTH_SHARE = 0.02
RATE_LIMIT_PER_TURN = 0.015


def population(n: int, rng: random.Random) -> tuple[dict[str, int], dict[str, int]]:
    """(true sums, clipped sums) of n install-days: turns, finish_reason/length,
    provider_error/rate_limit."""
    true = {"turns": 0, "length": 0, "rate_limit": 0, "finish": 0}
    clipped = dict.fromkeys(true, 0)
    health = tuple((h, 0) for h in HEALTH_COUNTERS)
    for _ in range(n):
        turns = max(1, round(rng.lognormvariate(math.log(20), 0.9)))
        length = sum(1 for _ in range(turns) if rng.random() < LENGTH_SHARE)
        limited = sum(1 for _ in range(turns) if rng.random() < RATE_LIMIT_PER_TURN)
        counts: list[tuple[str, str, int]] = [("turns", "", turns)]
        if turns - length:
            counts.append(("finish_reason", "stop", turns - length))
        if length:
            counts.append(("finish_reason", "length", length))
        if limited:
            counts.append(("provider_error", "rate_limit", limited))
        true["turns"] += turns
        true["length"] += length
        true["rate_limit"] += limited
        true["finish"] += turns
        batch = Batch(2, str(uuid.uuid4()), "0.1.0", "linux", "x86_64", "1.4.0",
                      "2026-11-20", "2026-11-20", tuple(counts), health)
        for counter, label, v in clip(batch):
            key = {"turns": "turns", "length": "length", "rate_limit": "rate_limit"}.get(
                label or counter)
            if key:
                clipped[key] += v
            if counter == "finish_reason":
                clipped["finish"] += v
    return true, clipped


def noisy(group: str, value: int, trials: int, cells: int) -> list[int]:
    """``trials`` releases of the sum of ``cells`` cells worth ``value`` in all."""
    draws = release._noise(GROUP[group], [0] * (trials * cells))
    return [value + sum(draws[t * cells:(t + 1) * cells]) for t in range(trials)]


def stats(errors: list[float]) -> str:
    ordered = sorted(abs(e) for e in errors)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{100 * statistics.median(ordered):.1f}% | {100 * p95:.1f}%"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rng = random.Random(args.seed)
    rows: list[str] = []
    for n in SIZES:
        true, clipped = population(n, rng)
        for view, cells in (("one day", 1), ("30 days", 30)):
            t_true = true["turns"] * cells
            t_clip = clipped["turns"] * cells
            turns = noisy("turns", t_clip, args.trials, cells)
            out: list[Any] = [f"{n:,}", view, f"{t_true:,}"]
            out.append(stats([t / t_true - 1 for t in turns]))
            out.append(f"{100 * abs(t_clip / t_true - 1):.1f}%")
            # a rate per 1,000 turns: rate_limit provider errors / turns
            rate_true = true["rate_limit"] / true["turns"]
            labels = noisy("provider_error", clipped["rate_limit"] * cells, args.trials, cells)
            rates = [x / t if t > 0 else 0.0 for x, t in zip(labels, turns, strict=True)]
            out.append(f"{1000 * rate_true:.1f}")
            out.append(stats([r / rate_true - 1 for r in rates]))
            clip_rate = clipped["rate_limit"] / clipped["turns"]
            out.append(f"{100 * abs(clip_rate / rate_true - 1):.1f}%")
            # a share: length among all finish reasons (the other 9 labels noised too)
            share_true = true["length"] / true["finish"]
            length = noisy("finish_reason", clipped["length"] * cells, args.trials, cells)
            others = noisy("finish_reason", (clipped["finish"] - clipped["length"]) * cells,
                           args.trials, cells * (len(COUNTERS["finish_reason"]) - 1))
            shares = [x / (x + o) if x + o > 0 else 0.0
                      for x, o in zip(length, others, strict=True)]
            out.append(f"{100 * share_true:.2f}%")
            out.append(stats([sh / share_true - 1 for sh in shares]))
            clip_share = clipped["length"] / clipped["finish"]
            out.append(f"{100 * abs(clip_share / share_true - 1):.1f}%")
            rows.append("| " + " | ".join(str(x) for x in out) + " |")
    print(f"ε = {EPSILON} per report over {len(RELEASE_AGES)} releases; noise sd: turns "
          f"{scale_of(GROUP['turns']) * math.sqrt(2):,.0f}, provider_error label "
          f"{scale_of(GROUP['provider_error']) * math.sqrt(2):,.0f}, finish_reason label "
          f"{scale_of(GROUP['finish_reason']) * math.sqrt(2):,.0f} (per released cell); "
          f"{args.trials} trials\n")
    print("| installs per day | view | true turns | turns: median \\| p95 error | "
          "turns: clipping only | rate_limit per 1,000 turns | rate: median \\| p95 error | "
          "rate: clipping only | length share of finish reasons | share: median \\| p95 "
          "error | share: clipping only |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
