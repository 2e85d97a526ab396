"""Headless Debian Chromium (`/usr/bin/chromium`, installed by `make test`) driven by Playwright
against pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def server(django_db_setup, live_server):
    """The live server, set up after (so stopped before) the test database: on PostgreSQL the
    server thread's connection would otherwise block dropping the test database."""
    return live_server


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; Django's ORM (used by fixtures
    # and assertions here) refuses to run in a thread with a running loop unless allowed.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
