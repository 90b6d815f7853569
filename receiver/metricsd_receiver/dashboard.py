"""The dashboard page: an autoescaping Jinja2 template, charts drawn by static/charts.js.

The page embeds the (already k-folded) summary as JSON; ``charts.js`` (no dependencies,
served from this package, no CDN) draws every chart as inline SVG from it, following each
chart's ``data-*`` attributes written from :data:`CHARTS` (chart ids live here only).  The
tables are rendered by the template, so the numbers are readable without scripts too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import jinja2
from markupsafe import Markup

from metricsd_receiver.query import DEFAULT_K


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    note: str
    #: how charts.js draws it: version_bars, label_bars, version_lines, version_shares,
    #: health
    kind: str
    #: data-* attributes for charts.js
    options: dict[str, str] = field(default_factory=dict)


#: Every chart, in page order.
CHARTS: Final = (
    Chart("installs", "Reporting installs per day", "Batches per day, by client version: "
          "each install sends one batch per day and version, so this counts installs "
          "that reported.", "version_bars", {"field": "batches", "y-title": "installs"}),
    Chart("turns", "Turns per day", "Turns ended, by client version.", "version_bars",
          {"field": "turns", "y-title": "turns"}),
    Chart("finish_reason", "How turns end", "Share of turns by finish reason.", "label_bars",
          {"counter": "finish_reason", "percent": "1", "y-title": "share of turns"}),
    Chart("provider_error", "Provider errors per 1,000 turns", "Failed model-provider calls "
          "by class.", "label_bars", {"counter": "provider_error", "per-thousand": "1",
                                      "y-title": "per 1,000 turns"}),
    Chart("cache_hit", "Prompt-cache hit distribution", "Share of model calls by percent of "
          "prompt tokens served from cache.", "label_bars",
          {"counter": "cache_hit", "percent": "1", "y-title": "share of calls"}),
    Chart("tool_error", "Tool errors per 1,000 turns", "Failed tool calls by class.",
          "label_bars", {"counter": "tool_error", "per-thousand": "1",
                         "y-title": "per 1,000 turns"}),
    Chart("compaction", "Compactions per turn", "Context compactions divided by turns, by "
          "client version.", "version_lines", {"field": "compaction", "scale": "1",
                                               "y-title": "per turn"}),
    Chart("empty_final", "Empty final answers per 1,000 turns", "Turns whose final "
          "assistant message came back empty, by client version.", "version_lines",
          {"field": "empty_final", "scale": "1000", "y-title": "per 1,000 turns"}),
    Chart("finish_reason_by_version", "How turns end, by client version", "Share of turns "
          "by finish reason, over the whole range.", "version_shares",
          {"counter": "finish_reason", "y-title": "share of turns"}),
    Chart("cache_hit_by_version", "Prompt-cache hits, by client version", "Share of model "
          "calls by cache-hit bucket, over the whole range.", "version_shares",
          {"counter": "cache_hit", "y-title": "share of calls"}),
    Chart("health", "Daemon health", "Events the daemons rejected or did not know, batches "
          "they dropped before delivery, and values clipped at the daily bound.", "health",
          {"y-title": "count"}),
)

_ENV: Final = jinja2.Environment(
    loader=jinja2.PackageLoader("metricsd_receiver", "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _n(value: int) -> str:
    """A released number as shown: noise may put a small one under zero; shown as 0."""
    return f"{max(0, value):,}"


def _pm(sd: float) -> Markup:
    """A number's noise as shown next to it: ± two standard deviations (about 95% of
    released numbers are that close to the true value)."""
    return Markup('<span class="pm" title="noise: about 95%% of the time the true value '
                  'is this close">±%s</span>') % f"{2 * sd:,.0f}"


def _per_k(part: int, turns: int, sd_part: float = 0.0, sd_turns: float = 0.0) -> Markup:
    """A rate per 1,000 turns and its noise (first-order: both sums are noisy)."""
    if turns <= 0:
        return Markup("-")
    rate = 1000 * max(0, part) / turns
    sd = 1000 / turns * math.sqrt(sd_part ** 2 + (max(0, part) / turns * sd_turns) ** 2)
    return Markup("%s ") % f"{rate:.1f}" + _pm(sd)


_ENV.filters["n"] = _n
_ENV.filters["pm"] = _pm
_ENV.globals["per_k"] = _per_k
#: the noise of the sum of a counter's labels (independent noise of ``sd`` each)
_ENV.globals["sd_sum"] = lambda sd, labels: sd * math.sqrt(len(labels))


def render_page(data: dict[str, Any], version: str) -> str:
    # the summary reaches charts.js through Jinja2's tojson (safe inside <script>); the
    # charts draw the cells' numbers, not their noise (the tables show it)
    charts_data = dict(data, cells=[{k: v for k, v in c.items() if k != "noise"}
                                    for c in data["cells"]])
    return _ENV.get_template("dashboard.html").render(
        data=data, charts_data=charts_data, version=version, charts=CHARTS,
        default_k=DEFAULT_K, testing=data["k"] < DEFAULT_K)
