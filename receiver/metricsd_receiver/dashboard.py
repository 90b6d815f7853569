"""The dashboard page: server-rendered layout and tables, charts drawn by static/charts.js.

The page embeds the (already k-folded) summary as JSON; ``charts.js`` (no dependencies,
served from this package, no CDN) draws every chart as inline SVG from it.  The tables are
rendered here, so the numbers are readable without scripts too.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any, Final

#: (chart id, title, what it shows) in page order; charts.js knows how to draw each id.
CHARTS: Final = (
    ("turns", "Turns per day", "Turns ended, by client version."),
    ("finish_reason", "How turns end", "Share of turns by finish reason."),
    ("provider_error", "Provider errors per 1,000 turns", "Failed model-provider calls by "
     "class."),
    ("cache_hit", "Prompt-cache hit distribution", "Share of model calls by percent of "
     "prompt tokens served from cache."),
    ("tool_error", "Tool errors per 1,000 turns", "Failed tool calls by class."),
    ("compaction", "Compactions per turn", "Context compactions divided by turns, by client "
     "version."),
    ("empty_final", "Empty final answers per 1,000 turns", "Turns whose final assistant "
     "message came back empty, by client version."),
    ("finish_reason_by_version", "How turns end, by client version", "Share of turns by "
     "finish reason, over the whole range."),
    ("cache_hit_by_version", "Prompt-cache hits, by client version", "Share of model calls "
     "by cache-hit bucket, over the whole range."),
    ("health", "Daemon health", "Events the daemons rejected or did not know, and batches "
     "they dropped before delivery."),
)


def json_script(data: Any) -> str:
    """JSON that is safe inside a <script> element."""
    return (json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))


def _n(value: int) -> str:
    return f"{value:,}"


def _per_k(part: int, turns: int) -> str:
    return f"{1000 * part / turns:.1f}" if turns else "-"


def _table(data: dict[str, Any]) -> str:
    rows = []
    for cell in [*data["by_version"], {**data["total"], "version": "all shown"}]:
        turns = cell["turns"]
        provider = sum(cell["provider_error"].values())
        tool = sum(cell["tool_error"].values())
        health = cell["health"]
        cls = ' class="total"' if cell["version"] == "all shown" else ""
        rows.append(
            f'<tr{cls} data-version="{escape(cell["version"])}">'
            f'<th scope="row">{escape(cell["version"])}</th>'
            f'<td data-field="batches">{_n(cell["batches"])}</td>'
            f'<td data-field="turns">{_n(turns)}</td>'
            f'<td data-field="empty_final">{_n(cell["empty_final"])}</td>'
            f'<td data-field="compaction">{_n(cell["compaction"])}</td>'
            f'<td data-field="provider_error">{_n(provider)}</td>'
            f'<td>{_per_k(provider, turns)}</td>'
            f'<td data-field="tool_error">{_n(tool)}</td>'
            f'<td>{_per_k(tool, turns)}</td>'
            f'<td data-field="invalid_events">{_n(health["invalid_events"])}</td>'
            f'<td data-field="unknown_events">{_n(health["unknown_events"])}</td>'
            f'<td data-field="dropped_batches">{_n(health["dropped_batches"])}</td>'
            "</tr>")
    if not data["by_version"]:
        rows.insert(0, '<tr><td colspan="12" class="empty">No batches in this range.</td></tr>')
    return (
        '<table class="numbers" id="by-version"><thead><tr><th>client version</th>'
        "<th>batches</th><th>turns</th><th>empty finals</th><th>compactions</th>"
        "<th>provider errors</th><th>per 1k turns</th><th>tool errors</th>"
        "<th>per 1k turns</th><th>invalid events</th><th>unknown events</th>"
        "<th>dropped batches</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _labels_table(data: dict[str, Any]) -> str:
    total = data["total"]
    parts = []
    for counter, labels in data["counters"].items():
        values = total[counter]
        cells = "".join(
            f'<tr><td><code>{escape(label)}</code></td>'
            f'<td data-counter="{escape(counter)}" data-label="{escape(label)}">'
            f"{_n(values.get(label, 0))}</td></tr>" for label in labels)
        parts.append(f'<table class="labels"><caption><code>{escape(counter)}</code></caption>'
                     f"<tbody>{cells}</tbody></table>")
    return '<div class="label-tables">' + "".join(parts) + "</div>"


def render_page(data: dict[str, Any], version: str) -> str:
    selected = data["version"] or ""
    options = ['<option value="">all versions</option>'] + [
        f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(v)}'
        "</option>" for v in data["versions"]]
    total = data["total"]
    cards = [("batches", total["batches"]), ("turns", total["turns"]),
             ("client versions shown", len(data["by_version"])),
             ("days", len(data["days"]))]
    card_html = "".join(f'<div class="card"><div class="value" data-card="{escape(name)}">'
                        f'{_n(value)}</div><div class="name">{escape(name)}</div></div>'
                        for name, value in cards)
    charts = "".join(
        f'<section class="chart" id="chart-{cid}"><h2>{escape(title)}</h2>'
        f'<p class="note">{escape(note)}</p><div class="plot" data-chart="{cid}"></div>'
        "</section>" for cid, title, note in CHARTS)
    filtered_note = ""
    if data["filtered"] and data["version"] is None:
        filtered_note = ('<p class="warn">That version has no group of '
                         f'{data["k"]} batches in this range; nothing to show.</p>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>metricsd — {escape(data["from"])} to {escape(data["to"])}</title>
<link rel="stylesheet" href="/static/dashboard.css">
</head><body>
<header><h1>metricsd</h1><span class="sub">agent metrics from opted-in desktops</span>
<form method="get" action="/" class="filters">
<label>from <input type="date" name="from" value="{escape(data["from"])}"></label>
<label>to <input type="date" name="to" value="{escape(data["to"])}"></label>
<label>version <select name="version">{"".join(options)}</select></label>
<button type="submit">Show</button></form></header>
<main>
<div class="cards">{card_html}</div>
{filtered_note}
<p class="privacy">A client version with fewer than {data["k"]} batches on a day is shown
only inside <code>other</code> for that day, so a rare version cannot single out one
installation. A batch counts on the last day of its period.</p>
<div class="grid">{charts}</div>
<section class="tables"><h2>Per client version</h2>{_table(data)}
<h2>Labels, all shown versions</h2>{_labels_table(data)}</section>
</main>
<footer>metricsd-receiver {escape(version)} · read-only</footer>
<script type="application/json" id="summary">{json_script(data)}</script>
<script src="/static/charts.js"></script>
</body></html>
"""
