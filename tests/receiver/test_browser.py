"""The dashboard in a real browser: headless Chromium, data from real daemons' uploads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
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


@pytest.mark.long
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


class _Marks(HTMLParser):
    """Each chart's <text> elements (attributes and content) and marks, by chart id."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, Any]] = {}
        self.ids: set[str] = set()
        self._current: str | None = None
        self._text: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg" and "data-chart" in a:
            self._current = a["data-chart"]
            self.charts[self._current] = {"attrs": a, "text": [], "circle": [], "line": []}
        elif self._current is not None and tag in ("circle", "line"):
            self.charts[self._current][tag].append(a)
        elif self._current is not None and tag == "text":
            self._text = dict(a, content="")
            self.charts[self._current]["text"].append(self._text)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text["content"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "text":
            self._text = None
        if tag == "svg":
            self._current = None


def test_a_first_operators_page_is_readable(chromium: str, sqlite_database: Database,
                                            receivers: ReceiverFactory, tmp: Path) -> None:
    """One test daemon's first reports under the local testing mode: the banner says so,
    counts get whole-number ticks, a health chart of zeros shows zeros, a single day's line
    is a visible mark, and the newest day (today) has its label."""
    from tests.receiver.bodies import body, today

    receiver = receivers.start(sqlite_database.url, "--k", "1")
    for turns in (3, 2):  # two installs, one day: three turns is the tallest bar
        assert receiver.post(body("1.4.0", day=today(-1), turns=turns, compaction=1,
                                  health={"invalid_events": 0})).status_code == 202
    assert receiver.post(body("1.5.0", day=today(), turns=1, compaction=0, empty_final=0,
                              health={"invalid_events": 0})).status_code == 202
    summary = receiver.summary()
    assert summary["to"] == today() and summary["k"] == 1

    dom = subprocess.run(chromium_args(chromium, tmp / "profile", "--dump-dom",
                                       receiver.url + "/"),
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = _Marks()
    page.feed(dom.stdout)
    assert "testing-mode" in page.ids and "LOCAL TESTING MODE" in dom.stdout
    assert "<title>LOCAL TESTING (k = 1) — metricsd" in dom.stdout  # in the tab too

    health = page.charts["health"]
    assert health["attrs"].get("data-empty") == "zeros"
    shown = " ".join(t["content"] for t in health["text"])
    assert "0 in every report (3 reports)" in shown and "no data" not in shown

    for chart in ("turns", "installs", "health", "provider_error", "tool_error"):
        ticks = [t["content"] for t in page.charts[chart]["text"]
                 if "y-tick" in t.get("class", "")]
        assert ticks and all(re.fullmatch(r"\d+(\.\d)?k|\d+", t) for t in ticks), (chart, ticks)
        values = [round(float(t[:-1]) * 1000) if t.endswith("k") else int(t) for t in ticks]
        steps = {b - a for a, b in pairwise(values)}
        assert len(steps) == 1 and steps.pop() > 0, (chart, ticks)  # whole, evenly spaced
    turn_ticks = [t["content"] for t in page.charts["turns"]["text"]
                  if "y-tick" in t.get("class", "")]
    assert turn_ticks[-1] == "5" or turn_ticks == ["0", "1", "2", "3", "4", "5"], turn_ticks

    alone = [c for c in page.charts["compaction"]["circle"] if c.get("data-alone") == "1"]
    assert {c["data-series"] for c in alone} == {"1.4.0", "1.5.0"}  # one day each
    assert all(float(c["r"]) >= 5 for c in alone), alone
    assert any("single" in ln.get("class", "") for ln in page.charts["compaction"]["line"])

    for chart, marks in page.charts.items():
        if chart.endswith("_by_version"):
            continue  # x = client versions
        labels = {t.get("data-day"): t["content"] for t in marks["text"]
                  if "x-tick" in t.get("class", "")}
        assert labels.get(today()) == "today", (chart, labels)
    svg = _Svg()
    svg.feed(dom.stdout)
    assert any(r.get("data-x") == today() for r in svg.charts["turns"]["rect"])  # today's bar

    shot = tmp / "first-operator.png"
    result = subprocess.run(chromium_args(chromium, tmp / "profile2", f"--screenshot={shot}",
                                          "--window-size=1280,1800", receiver.url + "/"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    if keep := os.environ.get("METRICSD_KEEP_SCREENSHOT"):
        shutil.copy(shot, keep)
