// metricsd-receiver dashboard charts: inline SVG from the page's embedded summary.
// No dependencies, no network: everything drawn here comes from <script id="summary">.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
                 "#17becf", "#bcbd22", "#7f7f7f", "#d62728"];
  var W = 600, H = 250, M = { top: 12, right: 12, bottom: 34, left: 52 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { node.setAttribute(k, String(attrs[k])); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(parent, x, y, s, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function niceMax(v) {
    if (!(v > 0)) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(v))), r = v / p;
    var step = r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10;
    return step * p;
  }
  // The y scale: [top, number of intervals].  Counts (and rates per 1,000) get
  // whole-number ticks.
  function scale(max, integer) {
    var top = niceMax(max);
    if (!integer) { return [top, 4]; }
    top = Math.max(1, Math.ceil(top));
    if (top < 4) { return [top, top]; }
    var n = [5, 4, 3, 2].filter(function (k) { return top % k === 0; })[0];
    return n ? [top, n] : [Math.ceil(top / 4) * 4, 4];
  }
  function fmt(v, percent) {
    if (percent) { return Math.round(v) + "%"; }
    if (v >= 1e6) { return (v / 1e6).toFixed(1) + "M"; }
    if (v >= 1e4) { return (v / 1e3).toFixed(0) + "k"; }
    if (v >= 1000) { return (v / 1e3).toFixed(1) + "k"; }
    if (Math.abs(v - Math.round(v)) < 1e-9) { return String(Math.round(v)); }
    return String(parseFloat(v.toFixed(v < 1 ? 3 : 1)));
  }

  // Axes and grid; returns the plot frame.
  function frame(svg, days, ys, percent, yTitle, fullLabels) {
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    var ymax = ys[0], n = ys[1];
    var g = el("g", { "class": "axes" }, svg);
    for (var i = 0; i <= n; i++) {
      var v = ymax * i / n, y = M.top + ph - ph * i / n;
      el("line", { x1: M.left, x2: M.left + pw, y1: y, y2: y, "class": i ? "grid" : "axis" }, g);
      text(g, M.left - 6, y + 4, fmt(v, percent), { "text-anchor": "end", "class": "tick y-tick" });
    }
    el("line", { x1: M.left, x2: M.left, y1: M.top, y2: M.top + ph, "class": "axis" }, g);
    var every = Math.max(1, Math.ceil(days.length / 8));
    var bw = pw / Math.max(1, days.length);
    var last = days.length - 1;
    days.forEach(function (d, i) {
      // The last day (the newest bar) always has its label; a periodic label too close
      // to it gives way.
      // Categories (client versions) are few and each needs its name: all are labelled.
      if (fullLabels || i === last || i % every === 0 && last - i >= Math.max(2, every / 2)) {
        var label = fullLabels ? d : d === TODAY ? "today" : d.slice(5);
        text(g, M.left + bw * (i + 0.5), M.top + ph + 16, label,
             { "text-anchor": "middle", "class": "tick x-tick", "data-day": d });
      }
    });
    text(g, 12, M.top + ph / 2, yTitle, { "class": "axis-title", "text-anchor": "middle",
         transform: "rotate(-90 12 " + (M.top + ph / 2) + ")" });
    return { x: M.left, y: M.top, w: pw, h: ph, bw: bw };
  }

  function legend(container, series) {
    var div = document.createElement("div");
    div.className = "legend";
    series.forEach(function (s) {
      var item = document.createElement("span");
      item.className = "item";
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = s.color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(s.name));
      div.appendChild(item);
    });
    container.appendChild(div);
  }

  function svgFor(container, id, total) {
    var heading = container.parentNode.querySelector("h2");
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "class": "chart-svg",
                          "aria-label": heading ? heading.textContent : id,
                          "data-chart": id, "data-total": total });
    container.appendChild(svg);
    return svg;
  }

  // Stacked bars; series values are per day; percent normalises each day to 100%.
  function bars(container, id, days, series, opts) {
    var totalsPerDay = days.map(function (_, i) {
      return series.reduce(function (a, s) { return a + s.values[i]; }, 0);
    });
    var shown = days.map(function (_, i) {
      return series.map(function (s) {
        if (!opts.percent) { return s.values[i]; }
        return totalsPerDay[i] ? 100 * s.values[i] / totalsPerDay[i] : 0;
      });
    });
    var ys = opts.percent ? [100, 4] : scale(Math.max.apply(null, shown.map(function (v) {
      return v.reduce(function (a, b) { return a + b; }, 0);
    }).concat([0])), opts.integer);
    var ymax = ys[0];
    var svg = svgFor(container, id, opts.total);
    var f = frame(svg, days, ys, opts.percent, opts.yTitle, opts.fullLabels);
    var g = el("g", { "class": "bars" }, svg);
    days.forEach(function (day, i) {
      var y = f.y + f.h;
      series.forEach(function (s, j) {
        var v = shown[i][j];
        if (!(v > 0)) { return; }
        var h = f.h * v / ymax;
        y -= h;
        var r = el("rect", { x: f.x + f.bw * i + f.bw * 0.12, y: y, width: f.bw * 0.76,
                             height: Math.max(h, 0.5), fill: s.color, "data-series": s.name,
                             "data-x": day, "data-value": s.raw ? s.raw[i] : s.values[i] }, g);
        el("title", {}, r).textContent = day + " · " + s.name + ": " +
          fmt(v, opts.percent) + (opts.percent ? " (" + s.values[i] + ")" : "");
      });
    });
    finish(container, svg, series, opts);
  }

  // One line per series; null values leave a gap.  A point with no neighbour (a single
  // day) gets a large marker, a short level mark and its value, so it cannot be missed.
  function lines(container, id, days, series, opts) {
    var max = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v > max) { max = v; } }); });
    var ys = scale(max, false), ymax = ys[0];
    var svg = svgFor(container, id, opts.total);
    var f = frame(svg, days, ys, false, opts.yTitle);
    var g = el("g", { "class": "lines" }, svg);
    series.forEach(function (s) {
      var d = "", pen = false;
      s.values.forEach(function (v, i) {
        if (v === null) { pen = false; return; }
        var x = f.x + f.bw * (i + 0.5), y = f.y + f.h - f.h * v / ymax;
        var alone = !(i > 0 && s.values[i - 1] !== null) &&
                    !(i + 1 < s.values.length && s.values[i + 1] !== null);
        d += (pen ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
        pen = true;
        if (alone) {
          var half = Math.min(18, Math.max(8, f.bw * 0.4));
          el("line", { x1: Math.max(f.x, x - half), x2: Math.min(f.x + f.w, x + half),
                       y1: y, y2: y, stroke: s.color, "stroke-width": 3,
                       "class": "single", "data-series": s.name }, g);
          // above the point, or below it when that would leave the plot at the top
          var ty = y - 9 - 11 < 0 ? y + 18 : y - 9;
          text(g, x - 10, ty, fmt(v, false), { "text-anchor": "end", "class": "point-value", fill: "#1d2433", "font-size": 11 });
        }
        var c = el("circle", { cx: x, cy: y, r: alone ? 5.5 : 3, fill: s.color,
                               stroke: "#fff", "stroke-width": alone ? 1.5 : 0,
                               "data-series": s.name, "data-day": days[i], "data-value": v,
                               "data-alone": alone ? "1" : "0" }, g);
        el("title", {}, c).textContent = days[i] + " · " + s.name + ": " + fmt(v, false);
      });
      if (d) { el("path", { d: d, stroke: s.color, fill: "none", "stroke-width": 2 }, g); }
    });
    finish(container, svg, series, opts);
  }

  // Empty charts say why: no report in the range, or reports that all counted zero.
  function finish(container, svg, series, opts) {
    if (!opts.total) {
      var zeros = REPORTS > 0;
      svg.setAttribute("data-empty", zeros ? "zeros" : "none");
      text(svg, W / 2, H / 2 - 10, zeros ? "0 in every report (" + REPORTS + " reports)"
                                         : "no data in this range",
           { "text-anchor": "middle", "class": zeros ? "empty zeros" : "empty" });
    }
    legend(container, series);
  }

  var TODAY = new Date().toISOString().slice(0, 10);
  var REPORTS = 0;

  function draw(data) {
    var days = data.days, cells = data.cells;
    REPORTS = Math.max(0, data.total.batches || 0);
    var dayIndex = {};
    days.forEach(function (d, i) { dayIndex[d] = i; });
    var versions = data.versions.filter(function (v) {
      return cells.some(function (c) { return c.version === v; });
    });
    function zeros() { return days.map(function () { return 0; }); }
    function perDay(get) {
      var out = zeros();
      cells.forEach(function (c) { out[dayIndex[c.day]] += get(c); });
      return out;
    }
    function sum(a) { return a.reduce(function (x, y) { return x + y; }, 0); }
    // Released numbers carry noise and may be a little below zero: drawn as zero.
    var turns = perDay(function (c) { return Math.max(0, c.turns); });
    function colored(list) {
      return list.map(function (s, i) { s.color = PALETTE[i % PALETTE.length]; return s; });
    }
    function labelSeries(counter, perThousand) {
      return colored(data.counters[counter].map(function (label) {
        var raw = perDay(function (c) { return Math.max(0, c[counter][label] || 0); });
        var values = perThousand ? raw.map(function (n, i) {
          return turns[i] ? 1000 * n / turns[i] : 0;
        }) : raw;
        return { name: label, values: values, raw: raw };
      }));
    }
    function versionLines(get) {
      return colored(versions.map(function (v) {
        var values = days.map(function (d) {
          var c = cells.filter(function (x) { return x.day === d && x.version === v; })[0];
          return c && c.turns > 0 ? Math.max(0, get(c)) : null;
        });
        return { name: v, values: values };
      }));
    }
    function rawTotal(series) {
      return sum(series.map(function (s) { return sum(s.raw || s.values); }));
    }
    // x = client versions (data.by_version is already k-folded and filtered)
    var versionsShown = data.by_version.map(function (c) { return c.version; });
    function versionShares(counter) {
      return colored(data.counters[counter].map(function (label) {
        var raw = data.by_version.map(function (c) { return Math.max(0, c[counter][label] || 0); });
        return { name: label, values: raw, raw: raw };
      }));
    }
    // One drawer per kind; which chart is which (ids, fields, counters) comes from the
    // page's data-* attributes, written from the server's one list of charts.
    var kinds = {
      version_bars: function (node, id, o) {
        var series = colored(versions.map(function (v) {
          return { name: v, values: perDay(function (c) { return c.version === v ? Math.max(0, c[o.field]) : 0; }) };
        }));
        bars(node, id, days, series, { total: sum(perDay(function (c) { return c[o.field]; })),
                                       yTitle: o.yTitle, integer: true });
      },
      label_bars: function (node, id, o) {
        var s = labelSeries(o.counter, o.perThousand === "1");
        bars(node, id, days, s, { percent: o.percent === "1", total: rawTotal(s), yTitle: o.yTitle,
                                  integer: true });
      },
      version_lines: function (node, id, o) {
        var scale = Number(o.scale);
        lines(node, id, days, versionLines(function (c) { return scale * c[o.field] / c.turns; }),
              { total: sum(perDay(function (c) { return c[o.field]; })), yTitle: o.yTitle });
      },
      version_shares: function (node, id, o) {
        var s = versionShares(o.counter);
        bars(node, id, versionsShown, s,
             { percent: true, total: rawTotal(s), yTitle: o.yTitle, fullLabels: true });
      },
      health: function (node, id, o) {
        var s = colored(data.health_counters.map(function (name) {
          return { name: name.replace(/_/g, " "), values: perDay(function (c) { return Math.max(0, c.health[name]); }) };
        }));
        bars(node, id, days, s, { total: rawTotal(s), yTitle: o.yTitle, integer: true });
      }
    };
    var drawn = 0;
    document.querySelectorAll(".plot[data-chart]").forEach(function (node) {
      var f = kinds[node.getAttribute("data-kind")];
      if (f) { f(node, node.getAttribute("data-chart"), node.dataset); drawn++; }
    });
    document.documentElement.setAttribute("data-charts-rendered", String(drawn));
  }

  var source = document.getElementById("summary");
  if (source) { draw(JSON.parse(source.textContent)); }
})();
