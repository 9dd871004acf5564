"""Headless Chromium for automated checks of a page written by :func:`deeptda.explore`, and screenshots.

Needs Selenium (``pip install 'deeptda[explore]'``) and a Chromium with its ChromeDriver
(Debian: ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "headless_browser", "open_page", "screenshot"]

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--hide-scrollbars",
)


def find_chromium():
    """Paths of a Chromium (or Chrome) browser and its ChromeDriver, or None where either is missing.

    ``DEEPTDA_CHROMIUM`` and ``DEEPTDA_CHROMEDRIVER`` override the search of ``PATH``
    (``chromium``, ``chromium-browser``, ``google-chrome``; ``chromedriver``).
    """
    import shutil

    browser = os.environ.get("DEEPTDA_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    driver = os.environ.get("DEEPTDA_CHROMEDRIVER") or shutil.which("chromedriver")
    if browser and driver and os.path.exists(browser) and os.path.exists(driver):
        return browser, driver
    return None


class headless_browser:
    """A headless Chromium driven by Selenium, as a context manager yielding the driver.

    The browser starts with a new empty profile and no background networking, so
    it makes no request of its own; console messages are recorded (read them with
    ``driver.get_log("browser")``).

    Parameters
    ----------
    width, height : int, default=1400, 1800
        Window size in pixels (the size of a screenshot).
    """

    def __init__(self, width=1400, height=1800):
        self.width, self.height = int(width), int(height)

    def __enter__(self):
        import tempfile

        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError as exc:
            raise ImportError(
                "driving a browser needs Selenium; install the extra: pip install 'deeptda[explore]'."
            ) from exc
        found = find_chromium()
        if found is None:
            raise FileNotFoundError(
                "no Chromium and ChromeDriver found; install them (Debian: apt-get install "
                "chromium chromium-driver) or set DEEPTDA_CHROMIUM and DEEPTDA_CHROMEDRIVER."
            )
        self._profile = tempfile.TemporaryDirectory(prefix="deeptda-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = found[0]
        for flag in (
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self._profile.name}",
            f"--window-size={self.width},{self.height}",
        ):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(found[1]), options=options)
        return self.driver

    def __exit__(self, *exc):
        try:
            self.driver.quit()
        finally:
            self._profile.cleanup()
        return False


def open_page(driver, path, timeout=60.0):
    """Open a page written by :func:`explore` and wait until it is interactive.

    Returns
    -------
    float
        Milliseconds from navigation start until the page's document was ready
        (every view built and drawn, callbacks attached).
    """
    import time

    driver.get(Path(path).resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.deeptdaReady || null")
        if ready:
            return float(ready)
        time.sleep(0.02)
    raise TimeoutError(f"{path} did not become interactive within {timeout:g} s.")


def screenshot(page, png, *, select=None, width=1400, height=1800):
    """Render a page written by :func:`~deeptda.explore` in headless Chromium and save a PNG (atomically).

    ``select`` (window indices) makes that selection first, so the picture shows its
    traces, its bouts on the timeline and its statistics.
    """
    import time

    from ._io import atomic_path

    with headless_browser(width, height) as driver:
        open_page(driver, page)
        if select is not None and len(select):
            driver.execute_script(
                "window.deeptdaSelection = null; Bokeh.documents[0]"
                ".get_model_by_name('windows').selected.indices = arguments[0];",
                [int(i) for i in select],
            )
            deadline = time.monotonic() + 30
            while not driver.execute_script("return window.deeptdaSelection") and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # let every panel repaint
        with atomic_path(png) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(driver.get_screenshot_as_png())
    return Path(png)
