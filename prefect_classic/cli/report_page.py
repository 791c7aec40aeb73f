"""The page of the HTML run report: inline styles and script, no external resources.

The report's data is embedded as JSON (`<script type="application/json" id="report-data">`); the
script builds the summary, the timeline, the graph, the table and the failures from it with DOM
calls (text is always set as text, never parsed as HTML).
"""

__all__ = ["PAGE_TEMPLATE"]

_STYLE = """
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 4px; font-size: 20px; }
main { padding: 8px 24px 40px; }
section { margin-top: 24px; }
h2 { font-size: 16px; margin: 0 0 8px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600;
         font-size: 12px; vertical-align: middle; }
.muted { color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin-top: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; font-size: 12px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px;
                       background: var(--c); border-radius: 2px; vertical-align: -1px; }
.scroll { overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
#timeline .scroll { max-height: 560px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
.graph-node text { font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-bottom: 8px; }
.filters input[type=search] { width: 260px; padding: 4px 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); position: sticky; top: 0; }
td.name { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.msg { white-space: pre-wrap; word-break: break-word; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
details { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; background: #fff; }
details summary { padding: 6px 10px; cursor: pointer; font-weight: 600; }
details pre { margin: 0; padding: 8px 12px; overflow: auto; background: #fff5f5; border-top: 1px solid var(--line); }
.note { font-size: 12px; color: var(--muted); margin: 4px 0; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_TIMELINE_ROWS = 5000;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in (attrs || {})) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in (attrs || {})) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function color(state) { return data.colors[state] || "#9e9e9e"; }
  function secs(x) {
    if (x === null || x === undefined) return "";
    if (x < 1) return (x * 1000).toFixed(x < 0.01 ? 2 : 1) + " ms";
    if (x < 120) return x.toFixed(2) + " s";
    return Math.floor(x / 60) + " min " + Math.round(x % 60) + " s";
  }
  function legend(states) {
    var box = el("div", {"class": "legend"});
    states.forEach(function (s) {
      var item = el("span", {style: "--c:" + color(s)}, s);
      box.appendChild(item);
    });
    return box;
  }

  // --- summary ---------------------------------------------------------------------------------
  var flow = data.flow;
  document.getElementById("flow-name").textContent = flow.name;
  var badge = document.getElementById("flow-state");
  badge.textContent = flow.state;
  badge.style.background = flow.successful ? "#28a745" : "#eb0000";
  var facts = document.getElementById("facts");
  [["started", flow.start], ["duration", secs(flow.duration)], ["task runs", flow.task_runs],
   ["failed", flow.failed_runs], ["executor", flow.executor || "-"],
   ["parameters", JSON.stringify(flow.parameters)], ["prefect_classic", flow.prefect_classic_version]]
    .forEach(function (f) {
      var span = el("span");
      span.appendChild(el("span", {"class": "muted"}, f[0] + ": "));
      span.appendChild(document.createTextNode(String(f[1])));
      facts.appendChild(span);
    });
  if (flow.message) facts.appendChild(el("span", {"class": "muted"}, flow.message));

  // --- timeline (one row per task run) -------------------------------------------------------------
  (function timeline() {
    var runs = data.runs.slice(0, MAX_TIMELINE_ROWS);
    var host = document.getElementById("timeline-chart");
    if (data.runs.length > runs.length) {
      document.getElementById("timeline-note").textContent =
        "Showing the first " + runs.length + " of " + data.runs.length + " task runs.";
    }
    var span = Math.max(flow.duration || 0, 1e-6);
    runs.forEach(function (r) { if (r.offset !== null) span = Math.max(span, r.offset + (r.duration || 0)); });
    var labelW = 220, width = 1100, rowH = 18, top = 24;
    var plotW = width - labelW - 50;
    var chart = svg("svg", {width: width, height: top + rowH * runs.length + 8, id: "timeline-svg"});
    for (var i = 0; i <= 4; i++) {
      var x = labelW + plotW * i / 4;
      chart.appendChild(svg("line", {x1: x, x2: x, y1: 16, y2: top + rowH * runs.length, stroke: "#eaeef2"}));
      chart.appendChild(svg("text", {x: x, y: 12, "text-anchor": "middle", "class": "axis"}, secs(span * i / 4)));
    }
    runs.forEach(function (r, i) {
      var y = top + i * rowH;
      var g = svg("g", {"class": "gantt-row", "data-label": r.label, "data-state": r.state});
      g.appendChild(svg("text", {x: labelW - 8, y: y + 13, "text-anchor": "end"}, r.label));
      var x0 = labelW + plotW * (r.offset || 0) / span;
      var w = Math.max(2, plotW * (r.duration || 0) / span);
      var bar = svg("rect", {x: x0, y: y + 3, width: w, height: rowH - 6, rx: 2, fill: color(r.state),
                             "class": "gantt-bar"});
      bar.appendChild(svg("title", {}, r.label + ": " + r.state + " in " + secs(r.duration) +
                                    (r.message ? "\n" + r.message : "")));
      g.appendChild(bar);
      chart.appendChild(g);
    });
    host.appendChild(chart);
    var states = [];
    runs.forEach(function (r) { if (states.indexOf(r.state) < 0) states.push(r.state); });
    host.parentNode.insertBefore(legend(states), host);
  })();

  // --- graph (tasks by depth, coloured by state; mapped tasks as stacks) -----------------------------
  (function graph() {
    var host = document.getElementById("graph-chart");
    var nodeW = 190, nodeH = 46, gapX = 70, gapY = 22, pad = 20;
    var bySlug = {}, layers = 0, rows = 0;
    data.tasks.forEach(function (t) {
      bySlug[t.slug] = t;
      layers = Math.max(layers, t.layer + 1);
      rows = Math.max(rows, t.position + 1);
    });
    var width = pad * 2 + layers * nodeW + Math.max(0, layers - 1) * gapX;
    var height = pad * 2 + rows * (nodeH + gapY);
    var chart = svg("svg", {width: width, height: height, id: "graph-svg"});
    var defs = svg("defs");
    var marker = svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7,
                                markerHeight: 7, orient: "auto-start-reverse"});
    marker.appendChild(svg("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#8c959f"}));
    defs.appendChild(marker);
    chart.appendChild(defs);
    function pos(t) { return {x: pad + t.layer * (nodeW + gapX), y: pad + t.position * (nodeH + gapY)}; }
    data.edges.forEach(function (e) {
      var a = bySlug[e.from], b = bySlug[e.to];
      if (!a || !b) return;
      var p = pos(a), q = pos(b);
      var x1 = p.x + nodeW, y1 = p.y + nodeH / 2, x2 = q.x - (b.mapped ? 0 : 2), y2 = q.y + nodeH / 2;
      var mid = (x1 + x2) / 2;
      var path = svg("path", {d: "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2,
                              fill: "none", stroke: "#8c959f", "stroke-width": 1.4, "marker-end": "url(#arrow)",
                              "class": "graph-edge" + (e.mapped ? " mapped" : "")});
      if (e.mapped) path.setAttribute("stroke-dasharray", "5 4");
      path.appendChild(svg("title", {}, (e.key || "") + (e.mapped ? " (mapped)" : "")));
      chart.appendChild(path);
    });
    data.tasks.forEach(function (t) {
      var p = pos(t);
      var g = svg("g", {"class": "graph-node" + (t.mapped ? " mapped" : ""), "data-task": t.name,
                        "data-state": t.state || "", transform: "translate(" + p.x + "," + p.y + ")"});
      var fill = t.state ? color(t.state) : "#d0d7de";
      if (t.mapped) {
        g.appendChild(svg("rect", {x: 8, y: -8, width: nodeW - 8, height: nodeH, rx: 6, fill: fill, opacity: 0.35}));
        g.appendChild(svg("rect", {x: 4, y: -4, width: nodeW - 4, height: nodeH, rx: 6, fill: fill, opacity: 0.6}));
      }
      g.appendChild(svg("rect", {x: 0, y: 0, width: nodeW, height: nodeH, rx: 6, fill: "#fff", stroke: fill,
                                 "stroke-width": 3}));
      var label = t.name + (t.mapped ? " <map>" : "");
      g.appendChild(svg("text", {x: 10, y: 19}, label.length > 26 ? label.slice(0, 25) + "…" : label));
      var sub = t.state || "not run";
      if (t.n_children !== null) sub = t.n_children + " mapped runs";
      g.appendChild(svg("text", {x: 10, y: 36, "class": "muted", fill: "#656d76"}, sub));
      if (t.n_children) {  // the children's states as a stacked strip
        var x = 0, total = t.n_children;
        Object.keys(t.children).sort().forEach(function (s) {
          var w = nodeW * t.children[s] / total;
          var seg = svg("rect", {x: x, y: nodeH - 5, width: w, height: 5, fill: color(s), "class": "child-states"});
          seg.appendChild(svg("title", {}, t.children[s] + " " + s));
          g.appendChild(seg);
          x += w;
        });
      }
      var tip = t.name + ": " + (t.state || "no state") + (t.message ? "\n" + t.message : "");
      g.appendChild(svg("title", {}, tip));
      chart.appendChild(g);
    });
    host.appendChild(chart);
    var states = [];
    data.tasks.forEach(function (t) {
      if (t.state && states.indexOf(t.state) < 0) states.push(t.state);
      Object.keys(t.children).forEach(function (s) { if (states.indexOf(s) < 0) states.push(s); });
    });
    host.parentNode.insertBefore(legend(states), host);
  })();

  // --- table with filters ------------------------------------------------------------------------------
  (function table() {
    var body = document.getElementById("runs-body");
    var stateSelect = document.getElementById("filter-state");
    var text = document.getElementById("filter-text");
    var failedOnly = document.getElementById("filter-failed");
    var shown = document.getElementById("runs-shown");
    var states = [];
    data.runs.forEach(function (r) { if (states.indexOf(r.state) < 0) states.push(r.state); });
    states.sort().forEach(function (s) { stateSelect.appendChild(el("option", {value: s}, s)); });
    var rows = data.runs.map(function (r) {
      var tr = el("tr", {"class": "run-row", "data-state": r.state, "data-failed": r.failed ? "1" : "0"});
      var name = el("td", {"class": "name"});
      var dot = el("span", {"class": "dot"});
      dot.style.background = color(r.state);
      name.appendChild(dot);
      name.appendChild(document.createTextNode(r.label));
      tr.appendChild(name);
      tr.appendChild(el("td", {}, r.state));
      tr.appendChild(el("td", {"class": "num"}, r.offset === null ? "" : "+" + secs(r.offset)));
      tr.appendChild(el("td", {"class": "num"}, secs(r.duration)));
      tr.appendChild(el("td", {"class": "num"}, r.run_count));
      tr.appendChild(el("td", {}, r.target_hit ? "target" : (r.cached ? "cache" : "")));
      var msg = r.message || "";
      if (r.result && !r.failed) msg = msg ? msg + "\n→ " + r.result : "→ " + r.result;
      tr.appendChild(el("td", {"class": "msg"}, msg));
      tr._search = (r.label + " " + r.state + " " + msg).toLowerCase();
      body.appendChild(tr);
      return tr;
    });
    function apply() {
      var want = stateSelect.value, needle = text.value.toLowerCase(), onlyFailed = failedOnly.checked, n = 0;
      rows.forEach(function (tr) {
        var ok = (!want || tr.getAttribute("data-state") === want) &&
                 (!onlyFailed || tr.getAttribute("data-failed") === "1") &&
                 (!needle || tr._search.indexOf(needle) >= 0);
        tr.style.display = ok ? "" : "none";
        if (ok) n++;
      });
      shown.textContent = n + " of " + rows.length + " task runs";
    }
    // the filters live in the address too (report.html#state=Failed&failed=1&q=load): links keep them
    function save() {
      var parts = [];
      if (stateSelect.value) parts.push("state=" + encodeURIComponent(stateSelect.value));
      if (failedOnly.checked) parts.push("failed=1");
      if (text.value) parts.push("q=" + encodeURIComponent(text.value));
      if (window.history && history.replaceState) history.replaceState(null, "", "#" + parts.join("&"));
    }
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      if (k === "state") stateSelect.value = v;
      if (k === "failed") failedOnly.checked = v === "1";
      if (k === "q") text.value = v;
    });
    [stateSelect, text, failedOnly].forEach(function (c) {
      c.addEventListener("input", function () { apply(); save(); });
      c.addEventListener("change", function () { apply(); save(); });
    });
    apply();
  })();

  // --- failures ---------------------------------------------------------------------------------------------
  (function failures() {
    var host = document.getElementById("failures-list");
    var failed = data.runs.filter(function (r) { return r.failed; });
    if (!failed.length) { host.appendChild(el("p", {"class": "muted"}, "No task run failed.")); return; }
    failed.slice(0, 200).forEach(function (r, i) {
      var d = el("details", {"class": "failure"});
      if (i < 5) d.setAttribute("open", "");
      d.appendChild(el("summary", {}, r.label + " — " + r.state + ": " + (r.message || "")));
      d.appendChild(el("pre", {}, r.traceback || r.message || "(no traceback)"));
      host.appendChild(d);
    });
    if (failed.length > 200) host.appendChild(el("p", {"class": "note"}, (failed.length - 200) + " more failed task runs are in the table."));
  })();
  document.body.setAttribute("data-rendered", "1");
})();
"""

PAGE_TEMPLATE = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flow run report: __TITLE__</title>
<style>"""
    + _STYLE
    + """</style>
</head>
<body>
<header>
  <h1><span id="flow-name"></span> <span id="flow-state" class="badge"></span></h1>
  <div id="facts" class="facts"></div>
</header>
<main>
  <section id="timeline"><h2>Timeline</h2><div id="timeline-note" class="note"></div>
    <div id="timeline-chart" class="scroll"></div></section>
  <section id="graph"><h2>Flow graph</h2><div id="graph-chart" class="scroll"></div></section>
  <section id="runs"><h2>Task runs</h2>
    <div class="filters">
      <input id="filter-text" type="search" placeholder="Filter by name or message">
      <label>State <select id="filter-state"><option value="">all</option></select></label>
      <label><input id="filter-failed" type="checkbox"> failed only</label>
      <span id="runs-shown" class="muted"></span>
    </div>
    <div class="scroll"><table id="runs-table">
      <thead><tr><th>Task run</th><th>State</th><th>Start</th><th>Duration</th><th>Runs</th><th>From</th>
      <th>Message / result</th></tr></thead>
      <tbody id="runs-body"></tbody>
    </table></div></section>
  <section id="failures"><h2>Failures</h2><div id="failures-list"></div></section>
</main>
<script type="application/json" id="report-data">__DATA__</script>
<script>"""
    + _SCRIPT
    + """</script>
</body>
</html>
"""
)
