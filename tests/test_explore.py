"""The explore page: inputs, the compact trace store, determinism, and the page itself in headless Chromium."""

import os
import re
import time

import numpy as np
import pytest

pytest.importorskip("bokeh", reason="the explore page needs the extra deeptda[explore] (Bokeh)")

from deeptda.browser import find_chromium, headless_browser, open_page  # noqa: E402
from deeptda._explore_data import quantised_traces  # noqa: E402
from deeptda.explorer import explore, selection_summary  # noqa: E402


@pytest.fixture(scope="module")
def collar():
    from deeptda import datasets

    w = datasets.make_collar_windows(duration=900, random_state=2)
    codes = np.unique(w.y, return_inverse=True)[1]
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(len(w.X), 2)) + 4.0 * np.c_[np.cos(codes), np.sin(codes)]
    rec = np.where(np.arange(len(w.X)) < len(w.X) // 2, "cow-a", "cow-b")
    return w, codes, Y, rec


def _page(collar, path, **kwargs):
    w, codes, Y, rec = collar
    args = dict(
        clusters=codes, labels=w.y, recordings=rec, times=w.start, ends=w.end, channel_names=["x", "y", "z"], out=path
    )
    args.update(kwargs)
    return explore(w.X, {"DeepTDA": Y, "mirror": Y[:, ::-1], "negated": -Y}, **args)


# --- pure parts -------------------------------------------------------------------------------


def test_selection_summary_exact():
    start = np.array([0.0, 1.0, 2.0, 10.0, 0.0])
    end = start + 2.0
    rec = np.array([0, 0, 0, 0, 1])
    s = selection_summary([0, 1, 2, 3, 4], rec, start, end)
    # bouts: [0, 4] and [10, 12] in recording 0, [0, 2] in recording 1
    assert s == {"count": 5, "total_s": 8.0, "bouts": 3, "median_bout_s": 2.0, "longest_bout_s": 4.0}
    assert selection_summary([], rec, start, end)["bouts"] == 0


def test_trace_store_roundtrip_and_budget():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3, 100)) * np.array([1.0, 10.0, 0.01])[None, :, None]
    q, lo, step, centres = quantised_traces(X, max_points=50, max_bytes=10**9)
    assert q.dtype == np.int8 and q.shape == (40, 3, 50)
    pooled = X.reshape(40, 3, 50, 2).mean(axis=3)
    decoded = lo[None, :, None] + (q.astype(float) + 127) * step[None, :, None]
    assert np.all(np.abs(decoded - pooled) <= step[None, :, None] / 2 + 1e-12)  # 8 bits per channel range
    np.testing.assert_allclose(centres * 100, np.arange(50) * 2 + 0.5)
    q_small = quantised_traces(X, max_points=50, max_bytes=40 * 3 * 10)[0]
    assert q_small.shape == (40, 3, 10)  # the byte budget wins over max_points


def test_page_is_self_contained_and_deterministic(collar, tmp_path):
    a = _page(collar, tmp_path / "a.html").read_text(encoding="utf-8")
    b = _page(collar, tmp_path / "sub" / "b.html").read_text(encoding="utf-8")
    assert a == b, "the same inputs must give the same file, byte for byte"
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import", a)
    # our own markup and data (everything after the inlined library) name no address at all
    ours = a[a.index('<div id="deeptda-root-0"') :]
    assert not re.search(r"https?://", ours)
    assert '"id":"p1' not in a  # Bokeh's process-global ids are renumbered
    assert len(a) < 8_000_000
    assert not list(tmp_path.glob("**/.*.tmp")), "the page is written atomically, no temporary file left"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"embedding": np.zeros((5, 2))}, r"has 5 rows but X has \d+ windows"),
        ({"embedding": np.zeros((10, 3))}, r"needs shape \(n_windows, 2\)"),
        ({"clusters": np.zeros(4)}, r"clusters has shape \(4,\); it needs one value per window"),
        ({"times": np.arange(3.0)}, r"times has shape \(3,\)"),
        ({"labels": np.r_[np.nan, np.ones(9)]}, r"labels contains NaN"),
        ({"ends": np.arange(10.0)}, r"ends needs times"),
        ({"times": np.arange(10.0), "ends": np.arange(10.0) - 1}, r"end before they start"),
        ({"channel_names": ["a"]}, r"channel_names has 1 names for 2 channels"),
    ],
)
def test_bad_inputs_are_named(tmp_path, kwargs, message):
    X = np.random.default_rng(0).normal(size=(10, 2, 16))
    args = {"embedding": np.zeros((10, 2)), "out": tmp_path / "p.html", **kwargs}
    with pytest.raises(ValueError, match=message):
        explore(X, **args)
    assert not (tmp_path / "p.html").exists()


def test_nan_coordinates_and_windows_are_refused(tmp_path):
    X = np.zeros((10, 2, 16))
    Y = np.zeros((10, 2))
    Y[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite coordinates in 1 rows"):
        explore(X, Y, out=tmp_path / "p.html")
    X[2, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"X contains NaN or infinite"):
        explore(X, np.zeros((10, 2)), out=tmp_path / "p.html")


def test_plain_rows_and_no_times(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 8))
    page = explore(X, X[:, :2], out=tmp_path / "rows.html")
    assert page.stat().st_size > 0


def test_max_windows_draws_a_seeded_sample_and_counts_every_window(collar, tmp_path):
    w, codes, Y, rec = collar
    n = len(w.X)
    with pytest.warns(UserWarning, match=rf"explore: {n:,} windows are more than max_windows=60; .*sample of 60"):
        page = _page(collar, tmp_path / "s.html", max_windows=60).read_text(encoding="utf-8")
    with pytest.warns(UserWarning, match="max_windows"):
        again = _page(collar, tmp_path / "t.html", max_windows=60).read_text(encoding="utf-8")
    assert page == again, "the sample is seeded"
    assert f"{n:,} windows of 3 channels; 2 recordings. The maps show a seeded random sample of 60" in page
    full = _page(collar, tmp_path / "full.html").read_text(encoding="utf-8")
    assert "seeded random sample" not in full
    # the cluster counts next to the checkboxes are of every window, in both pages
    for k in np.unique(codes):
        assert f"cluster {k} ({int((codes == k).sum()):,})" in page
    assert len(page) < len(full)
    with pytest.raises(ValueError, match=r"max_windows must be None or a positive number"):
        _page(collar, tmp_path / "bad.html", max_windows=0)


def test_cli_explore_max_windows(tmp_path, capsys):
    from deeptda import datasets
    from deeptda.cli import main

    stream = datasets.make_collar_stream(duration=240, random_state=1).drop(columns=["event", "behaviour"])
    csv = tmp_path / "cow.csv"
    stream.to_csv(csv, index_label="timestamp")
    args = ["explore", str(csv), "--timestamp", "timestamp", "--window", "2.56s", "--epochs", "2", "--quiet"]
    assert main(args + ["--max-windows", "50", "--out", str(tmp_path / "s.html")]) == 0
    assert "deeptda: warning: explore: " in capsys.readouterr().err
    assert "seeded random sample of 50 of them" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert main(args + ["--max-windows", "0", "--out", str(tmp_path / "all.html")]) == 0
    assert "seeded random sample" not in (tmp_path / "all.html").read_text(encoding="utf-8")


# --- in a real browser ------------------------------------------------------------------------


def _browser_or_skip():
    if find_chromium() is None:
        if os.environ.get("DEEPTDA_REQUIRE_BROWSER"):
            pytest.fail("DEEPTDA_REQUIRE_BROWSER is set but no Chromium and ChromeDriver were found")
        pytest.skip(
            "no Chromium and ChromeDriver on this machine (Debian: apt-get install chromium "
            "chromium-driver); the page was not opened in a browser"
        )
    pytest.importorskip("selenium", reason="driving the browser needs the extra deeptda[explore] (Selenium)")


def _model(driver, name):
    return f"Bokeh.documents[0].get_model_by_name('{name}')"


def _wait(driver, script, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def _panels(driver):
    """Pixels of each map panel, cut from a screenshot by the panel's position on the page."""
    import io

    from PIL import Image

    shot = np.asarray(Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L"))
    rects = driver.execute_script(
        "const doc = Bokeh.documents[0], out = [];"
        "for (let k = 0; doc.get_model_by_name('map_' + k); k++) {"
        "  const r = Bokeh.index.find_one(doc.get_model_by_name('map_' + k)).el.getBoundingClientRect();"
        "  out.push([r.x, r.y, r.width, r.height]); }"
        "return [out, window.devicePixelRatio];"
    )
    boxes, ratio = rects
    return [shot[int(y * ratio) : int((y + h) * ratio), int(x * ratio) : int((x + w) * ratio)] for x, y, w, h in boxes]


def test_page_in_headless_chromium(collar, tmp_path):
    _browser_or_skip()
    w, codes, Y, rec = collar
    page = _page(collar, tmp_path / "collar.html")
    n = len(w.X)
    with headless_browser() as driver:
        ready_ms = open_page(driver, page)
        assert ready_ms > 0
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
        # nothing was fetched: the only resource is the page itself
        fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert fetched == []
        assert driver.execute_script(f"return {_model(driver, 'windows')}.data.x0.length") == n
        assert driver.execute_script(f"return {_model(driver, 'windows')}.data.x1.length") == n

        # a scripted selection: every map panel repaints; trace panel, timeline marks and statistics follow
        before = _panels(driver)
        chosen = np.flatnonzero(codes == codes[0])[:40].tolist() + [n - 1]
        driver.execute_script(f"{_model(driver, 'windows')}.selected.indices = arguments[0];", chosen)
        got = _wait(
            driver, "return window.deeptdaSelection && window.deeptdaSelection.count ? window.deeptdaSelection : null"
        )
        time.sleep(1.0)
        after = _panels(driver)
        changed = [float(np.abs(a.astype(int) - b.astype(int)).mean()) for a, b in zip(before, after)]
        assert len(changed) == 3 and min(changed) > 0.5, f"a map panel did not repaint the selection: {changed}"
        rec_codes = np.unique(rec, return_inverse=True)[1]
        start_s = w.start.astype("datetime64[ns]").astype(np.int64) / 1e9
        end_s = w.end.astype("datetime64[ns]").astype(np.int64) / 1e9
        want = selection_summary(chosen, rec_codes, start_s, end_s)
        assert got["count"] == want["count"] == len(chosen)
        assert got["bouts"] == want["bouts"]
        for key in ("total_s", "median_bout_s", "longest_bout_s"):
            assert got[key] == pytest.approx(want[key], abs=1e-3)
        band = driver.execute_script(f"return {_model(driver, 'selection_trace')}.data")
        assert len(band["mean0"]) == len(band["t"]) > 0 and len(band["hi2"]) == len(band["t"])
        assert all(lo <= m <= hi for lo, m, hi in zip(band["lo1"], band["mean1"], band["hi1"]))
        marks = driver.execute_script(f"return {_model(driver, 'selection_marks')}.data")
        assert len(marks["left"]) == want["bouts"]
        assert "windows selected" in driver.execute_script(f"return {_model(driver, 'selection_stats')}.text")

        # hovering a point draws its window and names it
        driver.execute_script(
            "const doc = Bokeh.documents[0], src = doc.get_model_by_name('windows');"
            "const tool = doc.get_model_by_name('map_0').toolbar.tools.find(t => t.type === 'HoverTool'"
            " || t.constructor.name === 'HoverTool');"
            "tool.callback.execute(tool, {index: {indices: [arguments[0]]}});",
            chosen[0],
        )
        title = driver.execute_script(f"return {_model(driver, 'trace_panel')}.title.text")
        assert title.startswith(f"window {chosen[0]} | recording cow-") and "| cluster " in title
        hover = driver.execute_script(f"return {_model(driver, 'hover_trace')}.data.ch0")
        assert all(np.isfinite(hover))

        # colour switch and hiding a cluster
        driver.execute_script(f"{_model(driver, 'colour_by')}.value = 'recording';")
        assert "cow-b" in _wait(
            driver,
            f"return {_model(driver, 'colour_legend')}.text.includes('cow-b') ? "
            f"{_model(driver, 'colour_legend')}.text : null",
        )
        driver.execute_script(f"{_model(driver, 'cluster_toggles')}.active = [0];")
        shown = driver.execute_script(
            "const f = Bokeh.documents[0].get_model_by_name('map_0').renderers[0].view.filter.booleans;"
            "return f.filter(Boolean).length;"
        )
        assert shown == int((codes == 0).sum())
        driver.save_screenshot(str(tmp_path / "collar.png"))
    assert (tmp_path / "collar.png").stat().st_size > 10_000


def test_sampled_page_in_headless_chromium(collar, tmp_path):
    _browser_or_skip()
    w, codes, Y, rec = collar
    with pytest.warns(UserWarning, match="max_windows"):
        page = _page(collar, tmp_path / "sampled.html", max_windows=50)
    # the timeline of every window: the same runs as a page that draws them all
    _page(collar, tmp_path / "full.html", max_windows=None)
    with headless_browser() as driver:
        open_page(driver, tmp_path / "full.html")
        full_runs = driver.execute_script(f"return {_model(driver, 'timeline_runs')}.data.left.length")
        full_table = driver.execute_script(f"return {_model(driver, 'cluster_table')}.data.windows")
        open_page(driver, page)
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        ids = driver.execute_script(f"return Array.from({_model(driver, 'windows')}.data.window)")
        assert len(ids) == 50 and ids == sorted(set(ids)) and max(ids) < len(w.X)
        assert driver.execute_script(f"return {_model(driver, 'timeline_runs')}.data.left.length") == full_runs
        assert driver.execute_script(f"return {_model(driver, 'cluster_table')}.data.windows") == full_table
        # hovering the k-th drawn point names the window by its index in the data
        driver.execute_script(
            "const doc = Bokeh.documents[0];"
            "const tool = doc.get_model_by_name('map_0').toolbar.tools.find(t => t.type === 'HoverTool'"
            " || t.constructor.name === 'HoverTool');"
            "tool.callback.execute(tool, {index: {indices: [3]}});"
        )
        title = driver.execute_script(f"return {_model(driver, 'trace_panel')}.title.text")
        assert title.startswith(f"window {ids[3]} | recording ")
        driver.execute_script(f"{_model(driver, 'windows')}.selected.indices = [0, 1, 2];")
        _wait(driver, "return window.deeptdaSelection && window.deeptdaSelection.count === 3")
        assert "3 sampled windows selected" in driver.execute_script(f"return {_model(driver, 'selection_stats')}.text")


def test_cli_explore_end_to_end(tmp_path):
    _browser_or_skip()
    from deeptda import datasets
    from deeptda.cli import main

    paths = []
    for seed in (1, 2):
        stream = datasets.make_collar_stream(duration=240, random_state=seed).drop(columns=["event"])
        path = tmp_path / f"animal{seed}.csv"
        stream.to_csv(path, index_label="timestamp")
        paths.append(str(path))
    out = tmp_path / "page" / "map.html"
    code = main(
        [
            "explore",
            *paths,
            "--timestamp",
            "timestamp",
            "--window",
            "2.56s",
            "--stride",
            "1.28s",
            "--label",
            "behaviour",
            "--epochs",
            "3",
            "--out",
            str(out),
            "--screenshot",
            str(tmp_path / "map.png"),
            "--quiet",
        ]
    )
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "animal1" in html and "animal2" in html
    assert (tmp_path / "map.png").stat().st_size > 10_000
