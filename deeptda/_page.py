"""The page's JavaScript callbacks and its HTML: one file, Bokeh inline, model ids in a fixed order."""

from __future__ import annotations

import html
import json

JS_COMMON = """
function decodeTrace(i) {
  // one window's channels from the int8 store: value = lo[c] + (q + 127) * step[c]
  const q = store.data.q, C = meta.n_channels, P = meta.n_points, out = [];
  for (let c = 0; c < C; c++) {
    const row = new Float64Array(P), base = (i * C + c) * P;
    for (let p = 0; p < P; p++) row[p] = meta.lo[c] + (q[base + p] + 127) * meta.step[c];
    out.push(row);
  }
  return out;
}
function fmtTime(t) {
  if (!meta.timed) return t.toFixed(2) + ' s';
  return new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', '').slice(0, 23);
}
function fmtDuration(s) {
  if (s < 120) return s.toFixed(1) + ' s';
  if (s < 7200) return (s / 60).toFixed(1) + ' min';
  return (s / 3600).toFixed(2) + ' h';
}
"""

JS_HOVER = (
    JS_COMMON
    + """
const idx = cb_data.index.indices;
if (idx.length === 0) return;
const i = idx[0], tr = decodeTrace(i), d = {t: hover_src.data.t};
for (let c = 0; c < meta.n_channels; c++) d['ch' + c] = Array.from(tr[c]);
hover_src.data = d;
const cl = src.data.cluster_code[i];
trace_fig.title.text = 'window ' + src.data.window[i] + ' | recording ' + meta.recording_names[src.data.rec_code[i]]
  + ' | start ' + fmtTime(src.data.start[i]) + ' | cluster ' + (cl >= 0 ? meta.cluster_names[cl] : '-');
"""
)

JS_SELECT = (
    JS_COMMON
    + """
const sel = src.selected.indices, C = meta.n_channels, P = meta.n_points;
const band = {t: hover_src.data.t};
const marks = {left: [], right: [], bottom: [], top: []};
if (sel.length === 0) {
  for (let c = 0; c < C; c++) { band['mean' + c] = []; band['lo' + c] = []; band['hi' + c] = []; }
  band.t = [];
  band_src.data = band; mark_src.data = marks;
  stats.text = 'Select windows on a map (box or lasso) to see them here.';
  window.deeptdaSelection = {count: 0, total_s: 0, bouts: 0, median_bout_s: 0, longest_bout_s: 0};
  return;
}
// mean and 10-90 % band per channel over (at most 2,000 evenly spaced) selected windows
const stride = Math.max(1, Math.floor(sel.length / 2000)), use = [];
for (let k = 0; k < sel.length; k += stride) use.push(sel[k]);
const vals = [];
for (let c = 0; c < C; c++) { vals.push([]); for (let p = 0; p < P; p++) vals[c].push(new Float64Array(use.length)); }
use.forEach(function (i, j) {
  const tr = decodeTrace(i);
  for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) vals[c][p][j] = tr[c][p];
});
for (let c = 0; c < C; c++) {
  const m = [], lo = [], hi = [];
  for (let p = 0; p < P; p++) {
    const v = vals[c][p].slice().sort();
    let s = 0; for (let j = 0; j < v.length; j++) s += v[j];
    m.push(s / v.length);
    lo.push(v[Math.floor(0.1 * (v.length - 1))]); hi.push(v[Math.ceil(0.9 * (v.length - 1))]);
  }
  band['mean' + c] = m; band['lo' + c] = lo; band['hi' + c] = hi;
}
band_src.data = band;
// bouts: windows of one recording that overlap or touch are one bout
const order = Array.from(sel).sort(function (a, b) {
  const r = src.data.rec_code[a] - src.data.rec_code[b];
  return r !== 0 ? r : src.data.start[a] - src.data.start[b];
});
const bouts = [];
for (const i of order) {
  const r = src.data.rec_code[i], s = src.data.start[i], e = src.data.end[i], last = bouts[bouts.length - 1];
  if (last && last.r === r && s <= last.e) last.e = Math.max(last.e, e);
  else bouts.push({r: r, s: s, e: e});
}
const scale = meta.timed ? 1000 : 1, lengths = [];
let total = 0;
for (const b of bouts) {
  marks.left.push(b.s * scale); marks.right.push(b.e * scale);
  marks.bottom.push(b.r + 0.36); marks.top.push(b.r + 0.48);
  lengths.push(b.e - b.s); total += b.e - b.s;
}
mark_src.data = marks;
lengths.sort(function (a, b) { return a - b; });
const median = lengths.length % 2 ? lengths[(lengths.length - 1) / 2]
  : (lengths[lengths.length / 2 - 1] + lengths[lengths.length / 2]) / 2;
const longest = lengths[lengths.length - 1];
window.deeptdaSelection = {count: sel.length, total_s: total, bouts: bouts.length,
                           median_bout_s: median, longest_bout_s: longest};
stats.text = '<b>' + sel.length.toLocaleString('en') + (meta.sampled ? ' sampled' : '') + ' windows selected</b>: '
  + fmtDuration(total)
  + ' in ' + bouts.length + ' bouts (median ' + fmtDuration(median) + ', longest ' + fmtDuration(longest) + ')';
"""
)

JS_LEGEND = """
function drawLegend(key) {
  const m = modes[key];
  let html = '<b>' + key + '</b><br>';
  if (m.kind === 'categorical') {
    m.names.forEach(function (name, k) {
      html += '<span style="display:inline-block;width:10px;height:10px;background:' + m.palette[k]
        + ';margin-right:4px"></span>' + name + '<br>';
    });
  } else {
    const n = m.palette.length;
    html += '<div style="height:10px;width:160px;background:linear-gradient(to right,'
      + [0, 0.25, 0.5, 0.75, 1].map(function (f) { return m.palette[Math.round(f * (n - 1))]; }).join(',')
      + ')"></div>' + m.names.join(' &middot; ');
  }
  legend.text = html;
}
"""

JS_COLOUR = (
    JS_LEGEND
    + """
const m = modes[select.value];
src.data.c = src.data['c_' + select.value];
mapper.palette = m.palette; mapper.low = m.low; mapper.high = m.high;
src.change.emit();
drawLegend(select.value);
"""
)

JS_READY = (
    JS_LEGEND
    + """
drawLegend(select.value);
window.deeptdaReady = performance.now();
"""
)

JS_SHOW = """
const on = new Set(checks.active), codes = src.data.cluster_code, b = new Array(codes.length);
for (let i = 0; i < codes.length; i++) b[i] = on.has(codes[i] < 0 ? noise_box : codes[i]);
view_filter.booleans = b;
src.change.emit();
"""


def deterministic_json(doc):
    """The document as JSON with model ids renumbered in order of appearance (Bokeh's ids are process-global)."""
    docs_json = doc.to_json(deferred=False)
    own = set()

    def collect(node):  # every model defined in the document: {"type": "object", "id": ...}
        if isinstance(node, dict):
            if node.get("type") == "object" and isinstance(node.get("id"), str):
                own.add(node["id"])
            for value in node.values():
                collect(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                collect(value)

    collect(docs_json)
    mapping = {}

    def walk(node):  # definitions and references ({"id": ...}) alike
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "id" and isinstance(value, str) and value in own:
                    node[key] = mapping.setdefault(value, f"m{len(mapping) + 1}")
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(docs_json)
    root_ids = [mapping[root.id] for root in doc.roots]
    render_items = [
        {
            "docid": "deeptda-doc",
            "roots": {rid: f"deeptda-root-{i}" for i, rid in enumerate(root_ids)},
            "root_ids": root_ids,
        }
    ]
    return {"deeptda-doc": docs_json}, render_items


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 8px 16px; }}</style>
{scripts}
</head>
<body>
{divs}
<script type="application/json" id="deeptda-docs-json">{docs_json}</script>
<script>
(function () {{
  // WebGL only where the browser has a GPU for it: emulated WebGL (no GPU, e.g. headless) is slower than
  // the 2-D canvas, so the page then draws on the canvas instead.
  function hardwareWebGL() {{
    try {{
      const c = document.createElement('canvas'), opts = {{failIfMajorPerformanceCaveat: true}};
      const gl = c.getContext('webgl2', opts) || c.getContext('webgl', opts);
      if (!gl) return false;
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
      window.deeptdaRenderer = renderer;
      return !/swiftshader|llvmpipe|softpipe|software/i.test(renderer);
    }} catch (e) {{ return false; }}
  }}
  function embed() {{
    let docs_json = document.getElementById('deeptda-docs-json').textContent;
    window.deeptdaBackend = hardwareWebGL() ? 'webgl' : 'canvas';
    if (window.deeptdaBackend === 'canvas') {{
      docs_json = docs_json.split('"output_backend":"webgl"').join('"output_backend":"canvas"');
    }}
    Bokeh.embed.embed_items(docs_json, {render_items});
  }}
  if (document.readyState !== 'loading') embed(); else document.addEventListener('DOMContentLoaded', embed);
}})();
</script>
</body>
</html>
"""


def render(doc, title):
    """The page: BokehJS inline, the document as JSON, WebGL swapped for the canvas where WebGL is emulated."""
    from bokeh.resources import INLINE

    docs_json, render_items = deterministic_json(doc)
    scripts = "\n".join(f"<script>\n{js}\n</script>" for js in INLINE.js_raw)
    divs = "\n".join(
        f'<div id="{el}" data-root-id="{rid}" style="display: contents;"></div>'
        for rid, el in render_items[0]["roots"].items()
    )
    payload = json.dumps(docs_json, separators=(",", ":"), sort_keys=False).replace("</", "<\\/")
    return PAGE.format(
        title=html.escape(str(title)),
        scripts=scripts,
        divs=divs,
        docs_json=payload,
        render_items=json.dumps(render_items),
    )
