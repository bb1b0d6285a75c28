"""Shared test settings: hypothesis kept quick and deterministic enough for CI."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every test that opens a page (tests/browser.py)."""
    from browser import skip_or_fail_without_browser, stop_browser

    driver = skip_or_fail_without_browser()
    yield driver
    stop_browser(driver)
