"""Headless Chromium for the tests of the HTML pages: Debian's chromium and chromedriver,
driven by selenium, which never downloads a browser of its own.

``start_browser()`` starts one; the ``browser`` fixture (tests/conftest.py) shares one among
the tests, and skips them with one line saying why when none starts (fails them under CI).
"""

import json
import shutil
import tempfile
import time
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--window-size=1400,1000"
).split()


def start_browser():
    """Headless Chromium driven by chromedriver, logging the console and every request."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tinygrad-xent-chromium-")  # a fresh profile each time
    options.add_argument("--user-data-dir=" + profile)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.profile = profile  # removed by stop_browser
    return driver


def stop_browser(driver) -> None:
    """Quit the browser and remove its profile (again after a moment if Chromium was still
    writing to it as it quit)."""
    driver.quit()
    shutil.rmtree(driver.profile, ignore_errors=True)
    if Path(driver.profile).exists():
        time.sleep(0.5)
        shutil.rmtree(driver.profile, ignore_errors=True)


class Page:
    """A page opened from disk: keys, buttons, what the panel shows, what was logged."""

    def __init__(self, driver, path: Path):
        self.driver = driver
        driver.get_log("browser")  # drop what earlier pages logged
        driver.get_log("performance")
        self.uri = path.resolve().as_uri()
        driver.get(self.uri)

    def js(self, script: str):
        return self.driver.execute_script(script)

    def key(self, name: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.driver.find_element(By.TAG_NAME, "body").send_keys(getattr(Keys, name))

    def click(self, button: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.ID, button).click()

    def panel(self) -> str:
        return self.js("return document.getElementById('panel').innerText")

    def counter(self) -> str:
        return self.js("return document.getElementById('counter').textContent")

    def state(self) -> tuple:
        """Everything a step changes: the panel, the counter, each box's classes."""
        return (
            self.panel(),
            self.counter(),
            self.js("return [...document.querySelectorAll('.box')].map(b => b.className.baseVal)"),
        )

    def check_clean(self) -> None:
        """No console message at all, and no request but the page itself.

        Chromium's own pages (its new tab page, chrome://...) load beside it when it starts;
        what the page asked for is what names it as the document, and nothing may go out to
        the network whoever asked."""
        assert self.driver.get_log("browser") == []
        urls, documents = [], []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
                documents.append(message["params"].get("documentURL"))
        assert [url for url, doc in zip(urls, documents) if doc == self.uri] == [self.uri]
        assert not [url for url in urls if url.split(":")[0] in ("http", "https", "ws", "wss")]


def skip_or_fail_without_browser():
    """Start the browser, or skip (fail, when the CI variable is set) with one line why."""
    import os

    import pytest

    try:
        return start_browser()
    except Exception as err:  # no selenium, no chromium, or it would not start
        first = (str(err).strip().splitlines() or [""])[0][:150]
        reason = f"no headless Chromium to open the pages in ({type(err).__name__}: {first})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
