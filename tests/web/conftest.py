"""Browser tests: the console and the chat page in a real headless Chromium (the system's, driven by
Playwright), against the API's server on a loopback port in front of a real worker on the dev server.

Without a browser (or without Playwright) the tests are skipped, or fail when CI=true: `make test`
installs Chromium with apt when it runs as root. TANDEM_CHROMIUM names another Chromium binary.
Screenshots of every page a test visits are kept in test-output/web/<test>/ (git-ignored)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.api.conftest import api  # noqa: F401  (the API's server, for these tests too)
from tests.conftest import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

OUTPUT = PROJECT_ROOT / "test-output" / "web"
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`, or set TANDEM_CHROMIUM to a "
    "Chromium binary) and Playwright (`pip install -e '.[test]'`); `make test` does both when run as root"
)


def chromium_path() -> str | None:
    named = os.environ.get("TANDEM_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def _missing(what: str) -> None:
    message = f"browser tests need {what}: {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("Playwright")
    path = chromium_path()
    if path is None:
        _missing("a Chromium browser")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=path, headless=True)
        yield launched
        await launched.close()


def page_errors(page: Page) -> list[str]:
    """What goes wrong in the page as it runs: script errors, and errors it logs (htmx logs a failed
    request or a broken event stream; the browser logs a blocked script or style, CSP)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None,
    )
    return errors


class Shots:
    """Numbered full-page screenshots of the pages a test visits, in its own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def take(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        await page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    folder = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(folder)
