"""The dashboard in a real browser: headless Chromium on the page the app (in this process)
serves, data from real daemons' reports."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import uuid
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from metricsd_receiver import release
from metricsd_receiver.app import Settings
from metricsd_receiver.dashboard import CHARTS as CHART_LIST

from tests.conftest import DaemonFactory
from tests.receiver.conftest import Database, InProcess, in_process
from tests.receiver.desktops import Session, add_bodies, count, homes

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


@pytest.fixture
def noiseless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases without noise: these tests check how the page draws released numbers
    (the noise itself is checked in test_releases)."""
    monkeypatch.setattr(release, "_noise", lambda group, values: list(values))


def _page_file(r: InProcess, tmp: Path, name: str) -> str:
    """The dashboard page served by the app in this process, with its script and style
    inlined, as a file:// URL Chromium can open without a server."""
    html = r.get("/").text
    static = Path(release.__file__).parent / "static"
    html = html.replace('<script src="/static/charts.js"></script>',
                        "<script>" + (static / "charts.js").read_text() + "</script>")
    html = html.replace('<link rel="stylesheet" href="/static/dashboard.css">',
                        "<style>" + (static / "dashboard.css").read_text() + "</style>")
    path = tmp / name
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


def _dump_dom(chromium: str, tmp: Path, url: str) -> str:
    dom = subprocess.run(chromium_args(chromium, tmp / "profile", "--dump-dom", url),
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


@pytest.mark.long
def test_dashboard_renders_in_chromium(chromium: str, sqlite_database: Database,
                                       daemons: DaemonFactory, tmp: Path,
                                       noiseless: None) -> None:
    bodies = []
    with homes(2) as hs:
        for i, home in enumerate(hs):
            _, shown = count(daemons, home, [Session("1.4.0", turns=8, seed=i),
                                             Session("1.5.0-rc.1", turns=5, seed=10 + i)])
            bodies += shown
    for b in bodies:  # what the next upload sends gets its batch_id then
        b["batch_id"] = b["batch_id"] or str(uuid.uuid4())
    days = sorted({b["period"]["to"] for b in bodies})
    last = datetime.date.fromisoformat(days[-1])
    with in_process(sqlite_database.url, Settings(local_only=True, k=1),
                    today=(last + datetime.timedelta(days=1)).isoformat()) as r:
        for b in bodies:
            assert r.post(b).status_code == 202
        r.clock.at((last + datetime.timedelta(days=2)).isoformat(), hour=0)
        assert len(r.release()) == len(days)
        url = _page_file(r, tmp, "page.html")
        # the page draws what was released (here without noise, but clipped per report
        # for publishing: the numbers a reader gets)
        sent = r.summary(**{"from": days[0], "to": days[-1]})["total"]
    assert sent["turns"] == add_bodies(bodies)["turns"]  # under the bounds: unclipped
    dom = _dump_dom(chromium, tmp, url)
    parsed = _Svg()
    parsed.feed(dom)
    assert parsed.root.get("data-charts-rendered") == str(len(CHARTS)), dom[:500]
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
    assert re.search(r'<td data-field="turns">' + f"{sent['turns']:,}" + " <span", dom)

    shot = tmp / "dashboard.png"
    result = subprocess.run(chromium_args(chromium, tmp / "profile2", f"--screenshot={shot}",
                                          "--window-size=1280,1600", url),
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
                                            tmp: Path, noiseless: None) -> None:
    """One test daemon's first reports under the local testing mode: the banner says so,
    counts get whole-number ticks, a health chart of zeros shows zeros, a single day's line
    is a visible mark with its value inside the chart, every client version is named, and
    the newest day (today) has its label."""
    from tests.receiver.bodies import body, today

    with in_process(sqlite_database.url, Settings(local_only=True, k=1),
                    today=today(-2)) as r:
        for turns in (3, 2):  # two installs, one day: three turns is the tallest bar
            assert r.post(body("1.4.0", day=today(-3), turns=turns, compaction=1,
                               health={"invalid_events": 0})).status_code == 202
        r.clock.at(today(-1))
        # one compaction per turn: the top of its chart
        assert r.post(body("1.5.0", day=today(-2), turns=1, compaction=1, empty_final=0,
                           health={"invalid_events": 0})).status_code == 202
        r.clock.at(today(), hour=0)
        assert len(r.release()) == 2
        r.clock.at(today())
        summary = r.summary()
        assert summary["to"] == today() and summary["k"] == 1
        url = _page_file(r, tmp, "first.html")
    dom = _dump_dom(chromium, tmp, url)
    page = _Marks()
    page.feed(dom)
    assert "testing-mode" in page.ids and "LOCAL TESTING MODE" in dom
    assert "<title>LOCAL TESTING (k = 1) — metricsd" in dom  # in the tab too

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
    # a value label at the top of the chart stays inside it (font-size 11)
    labelled = [t for t in page.charts["compaction"]["text"]
                if "point-value" in t.get("class", "")]
    assert labelled and all(float(t["y"]) >= 11 for t in labelled), labelled

    for chart, marks in page.charts.items():
        labels = {t.get("data-day"): t["content"] for t in marks["text"]
                  if "x-tick" in t.get("class", "")}
        if chart.endswith("_by_version"):  # x = client versions: every one named
            assert sorted(labels.values()) == ["1.4.0", "1.5.0"], (chart, labels)
            continue
        assert labels.get(today()) == "today", (chart, labels)

    shot = tmp / "first-operator.png"
    result = subprocess.run(chromium_args(chromium, tmp / "profile2", f"--screenshot={shot}",
                                          "--window-size=1280,1800", url),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    if keep := os.environ.get("METRICSD_KEEP_SCREENSHOT"):
        shutil.copy(shot, keep)
