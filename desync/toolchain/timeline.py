"""``desync trace trace.json --html out.html``: draw a recorded timeline.

Reads a Trace Event Format file (the one ``DESYNC_TRACE`` writes; other producers'
complete events are drawn too) and draws one lane per thread or worker process,
the calling thread first: tasks as bars labelled with the call and the body's
line, the calling thread's waits hatched, cache hits and failures marked.

Two outputs from one layout: a standalone SVG (for documentation pictures) and
a self-contained HTML page (the SVG inline, its own CSS and a few lines of JS for
the details on hover: no network, no CDN).
"""
from __future__ import annotations

import html
import json
import math
import os

ROW = 20          # height of one bar row, px
GAP = 8           # space between lanes
LABEL = 210       # width of the lane names
AXIS = 28         # height of the time axis

# Fill colours per kind of bar.
COLORS = {
    "call": "#546e7a",      # a desync call as a whole
    "task": "#1e88e5",      # a call run as a task
    "expression": "#90caf9",
    "effect": "#f9a825",    # an effect, retired in program order
    "hit": "#43a047",       # answered by the cache
    "failed": "#e53935",
    "wait": "#bdbdbd",
    "other": "#8e24aa",
}
LEGEND = [("call", "desync call"), ("task", "task (a call)"), ("effect", "effect, in order"),
          ("hit", "cache hit"), ("failed", "failed"), ("wait", "calling thread waits")]


class Bar:
    __slots__ = ("index", "start", "end", "depth", "kind", "label", "title", "args", "name")

    def __init__(self, index, start, end, kind, name, label, title, args):
        self.index = index
        self.start = start
        self.end = end
        self.depth = 0
        self.kind = kind
        self.name = name
        self.label = label
        self.title = title
        self.args = args


class Lane:
    def __init__(self, key, name):
        self.key = key
        self.name = name
        self.bars: list[Bar] = []
        self.depth = 1
        self.sort = None


def load(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if isinstance(data, list):   # the JSON Array Format is a valid trace too
        data = {"traceEvents": data}
    if not isinstance(data, dict) or not isinstance(data.get("traceEvents"), list):
        raise ValueError(f"{path}: not a Trace Event Format file (no traceEvents list)")
    return data


def _kind(event) -> str:
    cat = str(event.get("cat", ""))
    args = event.get("args") or {}
    if "desync.failed" in cat or str(args.get("outcome", "")).startswith("failed"):
        return "failed"
    if "desync.cache-hit" in cat:
        return "hit"
    if cat.startswith("desync.call"):
        return "call"
    if cat.startswith("desync.wait"):
        return "wait"
    if cat.startswith("desync.effect"):
        return "effect"
    if cat.startswith("desync.task"):
        return "expression" if args.get("kind") == "expression" else "task"
    return "other"


def _label(event, kind) -> str:
    args = event.get("args") or {}
    name = str(event.get("name", "?"))
    line = args.get("line")
    if kind == "wait":
        return "waits" + (f" :{line}" if line else "")
    if kind == "call":
        return name
    mark = {"hit": "$ ", "failed": "\u2717 "}.get(kind, "")
    return f"{mark}{name}" + (f" :{line}" if line else "")


def _title(event, kind, label) -> str:
    args = event.get("args") or {}
    dur = float(event.get("dur", 0))
    head = str(event.get("name", "?")) if kind in ("wait", "call") else label
    lines = [f"{head} ({_duration(dur)})"]
    where = args.get("file")
    if where and args.get("line"):
        lines.append(f"{os.path.basename(str(where))}:{args['line']}  {args.get('source', '')}"
                     .rstrip())
    for key in ("function", "on", "kind", "cache", "queued_ms", "outcome", "raised", "times"):
        if key in args and not (key == "kind" and kind == "wait"):
            value = args[key]
            if key == "queued_ms":
                key, value = "queued", _duration(float(value) * 1000)
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _duration(us: float) -> str:
    if us == 0:
        return "0"
    if us >= 1e6:
        return f"{us / 1e6:.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} \u00b5s"


def lanes_of(document: dict) -> list[Lane]:
    """The lanes to draw, in order, with their bars stacked by nesting."""
    names, sorts = {}, {}
    lanes: dict = {}
    events = document.get("traceEvents", [])
    for event in events:
        if event.get("ph") == "M":
            key = (event.get("pid"), event.get("tid"))
            if event.get("name") == "thread_name":
                names[key] = str((event.get("args") or {}).get("name", ""))
            elif event.get("name") == "thread_sort_index":
                sorts[key] = (event.get("args") or {}).get("sort_index", 0)
    for index, event in enumerate(events):
        if event.get("ph") != "X":
            continue
        try:
            start = float(event["ts"])
            end = start + float(event.get("dur", 0))
        except (KeyError, TypeError, ValueError):
            continue
        key = (event.get("pid"), event.get("tid"))
        lane = lanes.get(key)
        if lane is None:
            lane = lanes[key] = Lane(key, names.get(key) or f"thread {key[1]} (process {key[0]})")
            lane.sort = sorts.get(key)
        kind = _kind(event)
        label = _label(event, kind)
        lane.bars.append(Bar(index, start, end, kind, str(event.get("name", "")), label,
                             _title(event, kind, label), event.get("args") or {}))
    ordered = sorted(lanes.values(), key=lambda lane: (
        lane.sort is None, lane.sort if lane.sort is not None else 0,
        min((b.start for b in lane.bars), default=0)))
    for lane in ordered:
        lane.bars.sort(key=lambda b: (b.start, -(b.end - b.start)))
        stack: list[float] = []
        for bar in lane.bars:
            while stack and stack[-1] <= bar.start + 1e-3:
                stack.pop()
            bar.depth = len(stack)
            stack.append(max(bar.end, bar.start))
            lane.depth = max(lane.depth, bar.depth + 1)
    return ordered


def _ticks(span_us: float, width: float):
    """(step in µs, formatter): about one tick per 110 px."""
    if span_us <= 0:
        return 1.0, _duration
    rough = span_us / max(1.0, width / 110)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return step, _duration


def render_svg(document: dict, width: int = 1200, title: str | None = None,
               standalone: bool = True) -> str:
    """The timeline as SVG (``standalone``: a file of its own, else inline in HTML)."""
    lanes = lanes_of(document)
    bars = [b for lane in lanes for b in lane.bars]
    t0 = min((b.start for b in bars), default=0.0)
    t1 = max((b.end for b in bars), default=1.0)
    span = max(t1 - t0, 1e-6)
    plot = max(200, width - LABEL - 10)
    scale = plot / span
    top = (24 if title else 0) + AXIS
    height = top + sum(lane.depth * ROW + GAP for lane in lanes) + 34
    out = []
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out.append(f'<svg{namespace} class="desync-timeline" width="{width}" height="{height}" '
               f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
               'font-size="11">')
    out.append("<defs><pattern id=\"desync-hatch\" width=\"6\" height=\"6\" "
               "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
               f"<rect width=\"6\" height=\"6\" fill=\"{COLORS['wait']}\" opacity=\"0.35\"/>"
               "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9e9e9e\" "
               "stroke-width=\"2\"/></pattern></defs>")
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    if title:
        out.append(f'<text x="8" y="17" font-size="14" font-weight="bold">{_esc(title)}</text>')
    # The time axis.
    step, fmt = _ticks(span, plot)
    axis_y = top - 8
    out.append(f'<line x1="{LABEL}" y1="{axis_y}" x2="{LABEL + plot}" y2="{axis_y}" '
               'stroke="#9e9e9e"/>')
    tick = 0.0
    while tick <= span + 1e-9:
        x = LABEL + tick * scale
        out.append(f'<line x1="{x:.1f}" y1="{axis_y - 4}" x2="{x:.1f}" y2="{height - 34}" '
                   'stroke="#eeeeee"/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y - 7}" text-anchor="middle" '
                   f'fill="#616161">{_esc(fmt(tick))}</text>')
        tick += step
    # The lanes.
    y = top
    for number, lane in enumerate(lanes):
        lane_height = lane.depth * ROW
        if number % 2:
            out.append(f'<rect x="0" y="{y - GAP / 2}" width="{width}" '
                       f'height="{lane_height + GAP}" fill="#fafafa"/>')
        name = lane.name if len(lane.name) <= 32 else lane.name[:31] + "\u2026"
        out.append(f'<text x="8" y="{y + 14}" fill="#212121">{_esc(name)}'
                   f'<title>{_esc(lane.name)}</title></text>')
        # Where the next bar of the same row starts: a label that does not fit in a
        # narrow bar goes after it when there is room.
        following: dict = {}
        rows: dict = {}
        for bar in lane.bars:
            rows.setdefault(bar.depth, []).append(bar)
        for row in rows.values():
            for current, nxt in zip(row, row[1:] + [None]):
                following[id(current)] = (LABEL + (nxt.start - t0) * scale if nxt is not None
                                          else width - 4)
        for bar in lane.bars:
            x = LABEL + (bar.start - t0) * scale
            w = max(1.0, (bar.end - bar.start) * scale)
            by = y + bar.depth * ROW + 2
            h = ROW - 4
            if bar.kind == "call":
                h = 6
                by += ROW - 10
            fill = "url(#desync-hatch)" if bar.kind == "wait" else COLORS[bar.kind]
            stroke = ' stroke="#b71c1c" stroke-width="1.5"' if bar.kind == "failed" else ""
            out.append(f'<g class="bar {bar.kind}" data-i="{bar.index}">'
                       f'<title>{_esc(bar.title)}</title>'
                       f'<rect x="{x:.2f}" y="{by:.1f}" width="{w:.2f}" height="{h}" rx="2" '
                       f'fill="{fill}"{stroke}/>')
            if bar.kind == "call":
                label_y = by - 2
                color = "#37474f"
            else:
                label_y = by + h - 4
                color = "#212121" if bar.kind in ("wait", "expression", "effect") else "#ffffff"
            room = int((w - 6) / 6.2)
            if room >= 3 or (bar.kind == "call" and room >= 1):
                text = bar.label if len(bar.label) <= room else bar.label[:room - 1] + "\u2026"
                out.append(f'<text x="{x + 3:.2f}" y="{label_y:.1f}" fill="{color}">'
                           f'{_esc(text)}</text>')
            elif bar.kind != "call" and x + w + 3 + 6.2 * len(bar.label) < following[id(bar)]:
                out.append(f'<text x="{x + w + 3:.2f}" y="{label_y:.1f}" fill="#212121">'
                           f'{_esc(bar.label)}</text>')
            out.append("</g>")
        y += lane_height + GAP
    # The legend.
    x = LABEL
    legend_y = height - 16
    for kind, text in LEGEND:
        fill = "url(#desync-hatch)" if kind == "wait" else COLORS[kind]
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="14" height="10" rx="2" '
                   f'fill="{fill}"/><text x="{x + 18}" y="{legend_y}" fill="#424242">'
                   f'{_esc(text)}</text>')
        x += 26 + 6.2 * len(text)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def summary(document: dict) -> list[str]:
    """A few lines: per desync call, its wall time, how much ran at once, and waits."""
    events = [e for e in document.get("traceEvents", []) if e.get("ph") == "X"]
    calls = [e for e in events if str(e.get("cat", "")).startswith("desync.call")]
    out = []
    for call in calls[:50]:
        ident = (call.get("args") or {}).get("call")
        mine = [e for e in events if (e.get("args") or {}).get("call") == ident
                and e is not call]
        steps = [e for e in mine if not str(e.get("cat", "")).startswith(("desync.wait",
                                                                           "desync.call"))]
        tasks = [e for e in steps if str(e.get("cat", "")).startswith("desync.task")]
        effects = [e for e in steps if str(e.get("cat", "")).startswith("desync.effect")]
        waits = [e for e in mine if str(e.get("cat", "")).startswith("desync.wait")]
        busy = sum(float(e.get("dur", 0)) for e in tasks)
        wall = float(call.get("dur", 0)) or 1e-9
        hits = sum(1 for e in steps if "cache-hit" in str(e.get("cat", "")))
        failed = sum(1 for e in steps if "failed" in str(e.get("cat", "")))
        threads = len({(e.get("pid"), e.get("tid")) for e in tasks})
        text = (f"{ident}: {_duration(wall)}, {len(tasks)} task(s) on {threads} thread(s) "
                f"({busy / wall:.1f}x the wall time in tasks), {len(effects)} effect(s) in "
                "order, the calling thread waited "
                f"{_duration(sum(float(e.get('dur', 0)) for e in waits))}")
        if hits:
            text += f", {hits} cache hit(s)"
        if failed:
            text += f", {failed} failed"
        out.append(text)
    if len(calls) > 50:
        out.append(f"... and {len(calls) - 50} more desync calls")
    return out


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 16px; color: #212121; }
h1 { font-size: 18px; margin: 0 0 6px 0; }
p.meta { color: #616161; margin: 0 0 10px 0; font-size: 13px; }
ul.summary { font-size: 13px; margin: 0 0 12px 0; padding-left: 18px; }
#chart { overflow-x: auto; border: 1px solid #e0e0e0; }
#chart g.bar:hover rect { stroke: #000000; stroke-width: 1.5; }
#details { position: fixed; right: 16px; bottom: 16px; max-width: 480px; background: #ffffff;
           border: 1px solid #9e9e9e; box-shadow: 0 2px 8px rgba(0,0,0,.2); padding: 8px 10px;
           font-size: 12px; display: none; white-space: pre-wrap; font-family: monospace; }
"""

_SCRIPT = """
(function () {
  var details = document.getElementById('details');
  var chart = document.getElementById('chart');
  function show(event) {
    var g = event.target.closest ? event.target.closest('g.bar') : null;
    if (!g) { details.style.display = 'none'; return; }
    var t = g.querySelector('title');
    details.textContent = t ? t.textContent : '';
    details.style.display = 'block';
  }
  chart.addEventListener('mouseover', show);
  chart.addEventListener('click', show);
  chart.addEventListener('mouseleave', function () { details.style.display = 'none'; });
})();
"""


def render_html(document: dict, title: str = "desync timeline", width: int = 1400) -> str:
    """One self-contained page: inline SVG, CSS and JS; nothing loaded from anywhere."""
    other = document.get("otherData") or {}
    argv = " ".join(map(str, other.get("argv", []))) if isinstance(other, dict) else ""
    lines = summary(document)
    items = "".join(f"<li>{_esc(line)}</li>" for line in lines)
    meta = f"Recorded by desync from <code>{_esc(argv)}</code>. " if argv else ""
    meta += ("Hover or click a bar for its details. The trace file itself also opens in "
             "Perfetto and in Chrome's tracing page.")
    svg = render_svg(document, width=width, standalone=False)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{_esc(title)}</h1>\n<p class=\"meta\">{meta}</p>\n"
            f"<ul class=\"summary\">{items}</ul>\n<div id=\"chart\">\n{svg}</div>\n"
            f"<div id=\"details\"></div>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)
