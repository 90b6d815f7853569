"""The dashboard in a real browser: headless Chromium, data from real daemons' uploads."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from metricsd_receiver.dashboard import CHARTS as CHART_LIST

from tests.conftest import DaemonFactory
from tests.receiver.conftest import Database, ReceiverFactory
from tests.receiver.desktops import Session, add_bodies, count, flush, homes

CHARTS = tuple(c.id for c in CHART_LIST)


def chromium_args(chromium: str, profile: Path, *extra: str) -> list[str]:
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--virtual-time-budget=10000", *extra]


class _Svg(HTMLParser):
    """Collects each chart's <svg> attributes and the marks drawn inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, Any]] = {}
        self.root: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = a
        if tag == "svg" and "data-chart" in a:
            self._current = a["data-chart"]
            self.charts[self._current] = {"attrs": a, "rect": [], "circle": [], "path": 0}
        elif self._current is not None and tag in ("rect", "circle"):
            self.charts[self._current][tag].append(a)
        elif self._current is not None and tag == "path":
            self.charts[self._current]["path"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._current = None


def test_dashboard_renders_in_chromium(chromium: str, sqlite_database: Database,
                                       receivers: ReceiverFactory, daemons: DaemonFactory,
                                       tmp: Path) -> None:
    receiver = receivers.start(sqlite_database.url, "--k", "1")
    bodies = []
    with homes(2) as hs:
        for i, home in enumerate(hs):
            _, shown = count(daemons, home, [Session("1.4.0", turns=8, seed=i),
                                             Session("1.5.0-rc.1", turns=5, seed=10 + i)])
            bodies += shown
            flush(home, receiver.endpoint)
    sent = add_bodies(bodies)

    dom = subprocess.run(chromium_args(chromium, tmp / "profile", "--dump-dom",
                                       receiver.url + "/"),
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = _Svg()
    parsed.feed(dom.stdout)
    assert parsed.root.get("data-charts-rendered") == str(len(CHARTS)), dom.stdout[:500]
    assert set(parsed.charts) == set(CHARTS)

    def total(chart: str) -> int:
        return int(parsed.charts[chart]["attrs"]["data-total"])

    def bar_sum(chart: str) -> int:
        return sum(int(float(r["data-value"])) for r in parsed.charts[chart]["rect"]
                   if "data-value" in r)

    assert total("turns") == bar_sum("turns") == sent["turns"]
    assert total("installs") == bar_sum("installs") == sent["batches"] == len(bodies)
    for chart in ("finish_reason", "cache_hit", "provider_error", "tool_error"):
        assert total(chart) == bar_sum(chart) == sum(sent.get(chart, {}).values()), chart
    for counter in ("finish_reason", "cache_hit"):
        chart = f"{counter}_by_version"
        assert total(chart) == bar_sum(chart) == sum(sent.get(counter, {}).values()), chart
        per_version = {r["data-x"] for r in parsed.charts[chart]["rect"] if "data-x" in r}
        assert per_version == {"1.4.0", "1.5.0-rc.1"}
    assert total("health") == sum(sent["health"].values())
    assert total("compaction") == sent.get("compaction", 0)
    assert total("empty_final") == sent.get("empty_final", 0)
    # one stacked segment per version in the turns chart, lines for the per-turn ratios
    series = {r["data-series"] for r in parsed.charts["turns"]["rect"] if "data-series" in r}
    assert series == {"1.4.0", "1.5.0-rc.1"}
    assert parsed.charts["compaction"]["path"] >= 1 or sent.get("compaction", 0) == 0
    assert re.search(r'<td data-field="turns">' + f"{sent['turns']:,}" + "</td>", dom.stdout)

    shot = tmp / "dashboard.png"
    result = subprocess.run(chromium_args(chromium, tmp / "profile2", f"--screenshot={shot}",
                                          "--window-size=1280,1600", receiver.url + "/"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
