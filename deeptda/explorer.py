"""One self-contained HTML page to explore a map of windows in a browser.

:func:`explore` writes a single file that opens offline in any browser: no server,
nothing fetched from the network (BokehJS and every byte of data are inline). The
page links

* the 2-D map (one panel per embedding, drawn with WebGL; the panels share one
  data source, so a selection in one is a selection in all), coloured by cluster,
  label, recording or time of day, switchable in the page;
* a trace panel: hovering a point draws that window (all channels) and names its
  recording, start time and cluster; a box or lasso selection draws the selected
  windows' mean and 10-90 % band per channel;
* a timeline (ethogram) per recording, coloured by cluster, with the selected
  windows marked above it, and the selection's count, total time and bout lengths;
* a checkbox legend that hides and shows clusters, and a per-cluster table (time
  budget, bouts) with each cluster's representative window.

Bokeh is the rendering library (``pip install deeptda[explore]``): its linked
``ColumnDataSource`` selections and ``CustomJS`` callbacks run in a static page,
its WebGL backend draws 100,000 points, and its JavaScript is embedded in the file
(``docs/user_guide.md`` says why it was chosen over the alternatives).

Traces are stored compactly: each window is averaged down to at most
``max_trace_points`` points per channel (fewer when ``n_windows x n_channels``
would exceed ``max_trace_bytes``) and quantised to 8 bits per channel range,
which keeps a 100,000-window page within tens of megabytes.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ._explore_data import (
    NOISE_COLOUR,
    as_categories,
    as_panels,
    as_windows,
    category_palette,
    cluster_runs,
    cluster_table,
    colour_modes,
    quantised_traces,
    selection_summary,
    window_times,
)
from ._page import JS_COLOUR, JS_HOVER, JS_READY, JS_SELECT, JS_SHOW, render

__all__ = ["explore", "selection_summary"]

MAX_REPRESENTATIVES = 12
#: Windows drawn on the maps by default (``explore(max_windows=...)``): the largest size the explore
#: benchmark opens in headless Chromium (``docs/tables/explore.md``).
MAX_WINDOWS = 100_000


def _import_bokeh():
    try:
        import bokeh  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("deeptda.explore needs Bokeh; install the extra: pip install 'deeptda[explore]'.") from exc


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------


def _build(X, panels, clusters, labels, recs, start, end, timed, title, channel_names, max_points, max_bytes, shown):
    """The page's document. ``X`` and ``panels`` hold the windows drawn (``shown``, their indices, or
    None: every window); the other arrays hold every window, and the timeline and the cluster table
    count them all."""
    from bokeh.document import Document
    from bokeh.events import DocumentReady
    from bokeh.layouts import column, row
    from bokeh.models import (
        BooleanFilter,
        BoxSelectTool,
        CDSView,
        CheckboxGroup,
        ColumnDataSource,
        CustomJS,
        DataTable,
        Div,
        HoverTool,
        LassoSelectTool,
        LinearColorMapper,
        Select,
        TableColumn,
    )
    from bokeh.plotting import figure

    n_all, (n, C, _) = len(start), X.shape
    ids = np.arange(n_all) if shown is None else shown
    rec_codes = np.zeros(n_all, np.int64) if recs is None else recs[0]
    rec_names = ["recording"] if recs is None else recs[1]
    q, lo, step, centres = quantised_traces(X, max_points, max_bytes)
    P = q.shape[2]
    duration = float(np.median(end - start))
    t_axis = centres * duration if (timed or duration != 1.0) else centres * X.shape[2]

    def drawn(cat):
        return None if cat is None else (cat[0][ids], cat[1])

    modes = colour_modes(drawn(clusters), drawn(labels), drawn(recs), start[ids], timed, n)
    first_mode = next(iter(modes))
    cluster_codes = clusters[0] if clusters is not None else np.zeros(n_all, np.int64)
    cluster_names = clusters[1] if clusters is not None else ["all"]
    noise = cluster_names.index("-1") if "-1" in cluster_names else -1
    cluster_code_col = np.where(cluster_codes == noise, -1, cluster_codes) if noise >= 0 else cluster_codes

    data = {
        "c": modes[first_mode]["values"],
        "window": ids.astype(np.int32),
        "cluster_code": cluster_code_col[ids].astype(np.int32),
        "rec_code": rec_codes[ids].astype(np.int32),
        "start": start[ids],
        "end": end[ids],
    }
    for key, mode in modes.items():
        data[f"c_{key}"] = mode["values"]
    names = list(panels)
    for k, Y in enumerate(panels.values()):
        data[f"x{k}"] = Y[:, 0].astype(np.float32)
        data[f"y{k}"] = Y[:, 1].astype(np.float32)
    src = ColumnDataSource(data, name="windows")
    store = ColumnDataSource({"q": q.reshape(-1)}, name="traces")
    meta = {
        "n_channels": C,
        "n_points": P,
        "lo": lo.tolist(),
        "step": step.tolist(),
        "timed": bool(timed),
        "recording_names": rec_names,
        "cluster_names": cluster_names,
        "sampled": shown is not None,
    }
    mode_meta = {k: {key: v for key, v in m.items() if key != "values"} for k, m in modes.items()}

    mapper = LinearColorMapper(
        palette=modes[first_mode]["palette"], low=modes[first_mode]["low"], high=modes[first_mode]["high"]
    )
    view_filter = BooleanFilter(booleans=None)  # None: every window shown
    size = float(np.clip(7.0 - np.log10(n), 2.0, 6.0))

    hover_src = ColumnDataSource(
        {"t": t_axis.tolist(), **{f"ch{c}": [float("nan")] * P for c in range(C)}}, name="hover_trace"
    )
    band_src = ColumnDataSource(
        {"t": [], **{f"{s}{c}": [] for c in range(C) for s in ("mean", "lo", "hi")}}, name="selection_trace"
    )
    mark_src = ColumnDataSource({"left": [], "right": [], "bottom": [], "top": []}, name="selection_marks")
    chan_colours = category_palette(max(C, 1))
    chan_names = channel_names or [f"channel {c}" for c in range(C)]
    t_pad = 0.02 * float(t_axis[-1] - t_axis[0] or 1.0)
    y_lo, y_hi = float(lo.min()), float((lo + 254.0 * step).max())
    y_pad = 0.05 * ((y_hi - y_lo) or 1.0)
    trace_fig = figure(
        height=260,
        sizing_mode="stretch_width",
        title="hover a point to see its window",
        x_range=(float(t_axis[0]) - t_pad, float(t_axis[-1]) + t_pad),
        y_range=(y_lo - y_pad, y_hi + y_pad),
        x_axis_label="seconds into the window" if (timed or duration != 1.0) else "sample",
        tools="pan,wheel_zoom,reset,save",
        name="trace_panel",
    )
    for c in range(C):
        trace_fig.varea("t", f"lo{c}", f"hi{c}", source=band_src, fill_color=chan_colours[c], fill_alpha=0.2)
        trace_fig.line(
            "t", f"mean{c}", source=band_src, line_color=chan_colours[c], line_width=2, legend_label=chan_names[c]
        )
        trace_fig.line("t", f"ch{c}", source=hover_src, line_color=chan_colours[c], line_dash="dashed")
    trace_fig.legend.location = "top_left"
    trace_fig.legend.label_text_font_size = "8pt"
    stats = Div(
        text="Select windows on a map (box or lasso) to see them here.",
        name="selection_stats",
        sizing_mode="stretch_width",
    )

    common = {"src": src, "store": store, "meta": meta, "hover_src": hover_src, "trace_fig": trace_fig}
    hover_cb = CustomJS(args=common, code=JS_HOVER)
    maps = []
    for k, name in enumerate(names):
        fig = figure(
            title=name,
            output_backend="webgl",
            height=440,
            sizing_mode="stretch_width",
            tools="pan,wheel_zoom,reset,save",
            match_aspect=True,
            name=f"map_{k}",
        )
        fig.add_tools(BoxSelectTool(), LassoSelectTool(), HoverTool(tooltips=None, callback=hover_cb))
        fig.scatter(
            f"x{k}",
            f"y{k}",
            source=src,
            view=CDSView(filter=view_filter),
            size=size,
            line_color=None,
            fill_color={"field": "c", "transform": mapper},
            fill_alpha=0.8,
            selection_fill_alpha=1.0,
            nonselection_fill_alpha=0.08,
        )
        fig.xaxis.visible = fig.yaxis.visible = False
        fig.grid.visible = False
        maps.append(fig)

    # timeline: runs of one cluster per recording, selected bouts marked above each row
    scale = 1000.0 if timed else 1.0
    rr, rs, re_, rc = cluster_runs(cluster_codes, rec_codes, start, end)
    run_palette = [
        NOISE_COLOUR if name == "-1" else col for name, col in zip(cluster_names, category_palette(len(cluster_names)))
    ]
    run_mapper = LinearColorMapper(palette=run_palette, low=-0.5, high=len(cluster_names) - 0.5)
    run_src = ColumnDataSource(
        {
            "left": rs * scale,
            "right": re_ * scale,
            "bottom": (rr - 0.3).astype(np.float32),
            "top": (rr + 0.3).astype(np.float32),
            "code": rc.astype(np.float32),
        },
        name="timeline_runs",
    )
    timeline = figure(
        height=max(140, 40 + 28 * len(rec_names)),
        sizing_mode="stretch_width",
        output_backend="webgl",
        x_axis_type="datetime" if timed else "linear",
        title="timeline (ethogram): clusters, and the selected windows marked above each recording",
        tools="xpan,xwheel_zoom,reset,save",
        name="timeline",
        y_range=(-0.6, len(rec_names) - 0.4),
    )
    timeline.quad(
        left="left",
        right="right",
        bottom="bottom",
        top="top",
        line_color=None,
        fill_color={"field": "code", "transform": run_mapper},
        source=run_src,
    )
    timeline.quad(
        left="left", right="right", bottom="bottom", top="top", fill_color="black", line_color="black", source=mark_src
    )
    timeline.yaxis.ticker = list(range(len(rec_names)))
    timeline.yaxis.major_label_overrides = {i: name for i, name in enumerate(rec_names)}
    timeline.ygrid.visible = False

    select_cb = CustomJS(args={**common, "band_src": band_src, "mark_src": mark_src, "stats": stats}, code=JS_SELECT)
    src.selected.js_on_change("indices", select_cb)

    legend = Div(text="", name="colour_legend", width=200)
    select = Select(title="colour by", value=first_mode, options=list(modes), name="colour_by", width=200)
    colour_cb = CustomJS(
        args={"src": src, "select": select, "modes": mode_meta, "mapper": mapper, "legend": legend}, code=JS_COLOUR
    )
    select.js_on_change("value", colour_cb)

    counts = np.bincount(cluster_codes, minlength=len(cluster_names))
    box_labels = [
        f"cluster {name} ({counts[k]:,})" if name != "-1" else f"noise ({counts[k]:,})"
        for k, name in enumerate(cluster_names)
    ]
    checks = CheckboxGroup(labels=box_labels, active=list(range(len(cluster_names))), name="cluster_toggles")
    checks.js_on_change(
        "active",
        CustomJS(args={"src": src, "checks": checks, "view_filter": view_filter, "noise_box": noise}, code=JS_SHOW),
    )

    table_rows = cluster_table(cluster_codes, cluster_names, rec_codes, start, end)
    table_src = ColumnDataSource({key: [r[key] for r in table_rows] for key in table_rows[0]}, name="cluster_table")
    table = DataTable(
        source=table_src,
        height=min(400, 30 + 26 * len(table_rows)),
        sizing_mode="stretch_width",
        index_position=None,
        reorderable=False,
        columns=[
            TableColumn(field=f, title=t)
            for f, t in (
                ("cluster", "cluster"),
                ("windows", "windows"),
                ("time_s", "time (s)"),
                ("share", "share of time"),
                ("bouts", "bouts"),
                ("median_bout_s", "median bout (s)"),
            )
        ],
    )

    reps = _representatives(panels[names[0]], cluster_codes[ids], cluster_names, q, lo, step)
    rep_figs = []
    for name, trace in reps:
        fig = figure(width=170, height=120, title=f"cluster {name}", toolbar_location=None, tools="")
        for c in range(C):
            fig.line(t_axis, trace[c], line_color=chan_colours[c])
        fig.xaxis.visible = fig.yaxis.visible = False
        rep_figs.append(fig)

    sample_note = (
        ""
        if shown is None
        else f" The maps show a seeded random sample of {n:,} of them (<code>max_windows</code>): selections "
        "and their statistics are of the sampled windows; the timeline, the cluster counts and the "
        "cluster table count every window."
    )
    header = Div(
        text=f"<h2 style='margin:4px 0'>{_escape(title)}</h2><p style='margin:0'>{n_all:,} windows of "
        f"{C} channel{'s' if C != 1 else ''}; {len(rec_names)} recording"
        f"{'s' if len(rec_names) != 1 else ''}.{sample_note} Hover a point for its window; box or lasso "
        "select (toolbar) to see the selection below; tick clusters to show or hide them.</p>",
        sizing_mode="stretch_width",
    )
    side = column(select, legend, Div(text="<b>clusters shown</b>"), checks, width=220)
    layout = column(
        header,
        row(*maps, side, sizing_mode="stretch_width"),
        stats,
        row(trace_fig, sizing_mode="stretch_width"),
        timeline,
        Div(text="<b>clusters</b>: time budget and representative window (medoid on the first map)"),
        table,
        row(*rep_figs),
        sizing_mode="stretch_width",
        name="page",
    )
    doc = Document(title=title)
    doc.add_root(layout)
    doc.js_on_event(
        DocumentReady, CustomJS(args={"select": select, "modes": mode_meta, "legend": legend}, code=JS_READY)
    )
    return doc


def _representatives(Y, codes, names, q, lo, step):
    """(name, decoded trace) of the window nearest each cluster's centre on the map, noise skipped."""
    out = []
    for k, name in enumerate(names):
        if name == "-1" or len(out) >= MAX_REPRESENTATIVES:
            continue
        idx = np.flatnonzero(codes == k)
        if len(idx) == 0:
            continue
        centre = np.median(Y[idx], axis=0)
        i = idx[np.argmin(((Y[idx] - centre) ** 2).sum(axis=1))]
        out.append((name, lo[:, None] + (q[i].astype(np.float64) + 127.0) * step[:, None]))
    return out


def _escape(text):
    import html

    return html.escape(str(text))


def explore(
    X,
    embedding,
    *,
    clusters=None,
    labels=None,
    recordings=None,
    times=None,
    ends=None,
    channel_names=None,
    title="deeptda map",
    out="explore.html",
    max_trace_points=64,
    max_trace_bytes=16_000_000,
    max_windows=MAX_WINDOWS,
    random_state=0,
):
    """Write one self-contained HTML page that links a map, its windows and their timeline.

    The page needs no server and fetches nothing: open it in any browser, offline.
    See the module docstring for what it shows.

    Parameters
    ----------
    X : array-like of shape (n_windows, n_channels, n_timepoints) or (n_samples, n_features)
        The windows (rows are shown as a one-channel profile).
    embedding : array-like of shape (n_windows, 2), or dict of {name: array}
        The map; a dict draws one linked panel per entry (e.g. DeepTDA, t-SNE, UMAP), up to 4.
    clusters : array-like of shape (n_windows,), default=None
        Cluster of each window (``-1`` is noise, drawn grey); drives the timeline, the
        show/hide checkboxes and the per-cluster table.
    labels : array-like of shape (n_windows,), default=None
        Known labels, offered as a colouring.
    recordings : array-like of shape (n_windows,), default=None
        Recording (animal, session) of each window: one timeline row each.
    times : array-like of shape (n_windows,), default=None
        Window starts: datetimes (coloured by time of day; time zones shown as local wall
        time) or numbers of seconds. None: the window index.
    ends : array-like of shape (n_windows,), default=None
        Window ends, of the same kind as ``times``. None: start plus the median step
        between consecutive starts of a recording.
    channel_names : list of str, default=None
        Names shown in the trace panel's legend.
    title : str, default="deeptda map"
    out : str or path-like, default="explore.html"
        Where to write the page (atomically: a temporary name, then a rename).
    max_trace_points : int, default=64
        Points per channel kept of each window for the trace panels.
    max_trace_bytes : int, default=16_000_000
        Upper bound on the trace store (one byte per point); long windows of large
        collections are averaged down further to stay within it.
    max_windows : int or None, default=100_000
        More windows than this are drawn as a seeded random sample of ``max_windows`` of
        them, with a warning and a note on the page (a page of millions of points is too
        large for a browser to open); the timeline, the cluster counts and the cluster
        table still count every window. ``None``: draw every window.
    random_state : int, default=0
        Seeds that sample.

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3, 32)); Y = rng.normal(size=(50, 2))
    >>> path = explore(X, Y, clusters=np.arange(50) % 2, out=os.path.join(tempfile.mkdtemp(), "map.html"))
    >>> path.suffix
    '.html'
    """
    _import_bokeh()
    from ._io import atomic_path

    X = np.asarray(X)
    if X.ndim not in (2, 3):
        as_windows(X)  # names the problem
    n = len(X)
    panels = as_panels(embedding, n)
    if max_windows is not None and int(max_windows) < 1:
        raise ValueError(f"max_windows must be None or a positive number of windows; got {max_windows!r}.")
    shown = None
    if max_windows is not None and n > int(max_windows):
        shown = np.sort(np.random.default_rng(random_state).choice(n, int(max_windows), replace=False))
        warnings.warn(
            f"explore: {n:,} windows are more than max_windows={int(max_windows):,}; the maps draw a seeded "
            f"random sample of {int(max_windows):,} of them (the timeline and the cluster table count every "
            "window). Raise max_windows, or pass None, to draw more.",
            UserWarning,
            stacklevel=2,
        )
        X, panels = X[shown], {name: Y[shown] for name, Y in panels.items()}
    X = as_windows(X)
    if channel_names is not None:
        channel_names = [str(c) for c in channel_names]
        if len(channel_names) != X.shape[1]:
            raise ValueError(f"channel_names has {len(channel_names)} names for {X.shape[1]} channels.")
    if int(max_trace_points) < 4 or int(max_trace_bytes) < 1:
        raise ValueError("max_trace_points must be at least 4 and max_trace_bytes positive.")
    cl = as_categories(clusters, "clusters", n)
    if cl is not None and np.asarray(clusters).dtype.kind in "iu":  # numeric ids keep numeric order
        ids = np.asarray(clusters).astype(np.int64)
        uniq = np.unique(ids)
        cl = (np.searchsorted(uniq, ids), [str(v) for v in uniq])
    lab = as_categories(labels, "labels", n)
    rec = as_categories(recordings, "recordings", n)
    start, end, timed = window_times(times, ends, n, None if rec is None else rec[0])
    doc = _build(
        X,
        panels,
        cl,
        lab,
        rec,
        start,
        end,
        timed,
        title,
        channel_names,
        int(max_trace_points),
        int(max_trace_bytes),
        shown,
    )
    html = render(doc, title)
    out = Path(os.fspath(out))
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(html)
    return out
