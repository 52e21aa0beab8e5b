"""Browser tests: the app served on a real port, Debian's Chromium driven by Playwright.

Every page a test reaches through `Browsing.goto`/`Browsing.submit` is checked by axe-core
(no serious or critical violations), and every page the tab loaded must have been checked.
`WireMeter` counts the bytes and requests a page costs on the wire, by default with the cache
disabled (a first visit), or with the browser's cache (a visit after that).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    message = "Chromium not found at /usr/bin/chromium or $CHROMIUM_PATH (apt install chromium)"
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs the browser tests: {message}")
    skip = pytest.mark.skip(reason=message)
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class Browsing:
    """A tab that audits accessibility on every page it reaches."""

    page: object
    base_url: str
    loaded: list[str] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("load", lambda: self.loaded.append(self._path(self.page.url)))

    def _path(self, url: str) -> str:
        return url.removeprefix(self.base_url).split("#", 1)[0]

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.audit()
        return response

    def submit(self, selector: str) -> None:
        """Click something that loads a new page, wait for it, audit it."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.audit()

    def act(self, selector: str) -> None:
        """Click something that updates this page in place (htmx or live.js, no new page),
        wait for the server's answer and the update, audit."""
        with self.page.expect_response(lambda response: response.request.method == "POST"):
            self.page.click(selector)
        expect(self.page.locator("form[data-sending], .htmx-request")).to_have_count(0)
        self.audit()

    def audit(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page.wait_for_load_state("load")
        results = Axe().run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert serious == [], f"axe on {self.page.url}:\n" + "\n".join(serious)
        self.audited.add(self._path(self.page.url))

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def check_everything_audited(self) -> None:
        missed = [url for url in self.loaded if url not in self.audited]
        assert missed == [], f"pages loaded but never checked by axe: {missed}"


SCREENS = {
    "laptop": {"viewport": {"width": 1440, "height": 900}},
    "board": {"viewport": {"width": 1920, "height": 1080}},
}


def _tab_opener(browser, base_url: str, playwright_instance):
    """open_tab("phone"), open_tab("laptop") or open_tab("board"): a fresh browser context
    each; every page a tab loaded must have been audited when the test ends."""
    contexts, tabs = [], []

    def _open(kind: str = "laptop", locale: str = "en-GB") -> Browsing:
        options = dict(playwright_instance.devices["Pixel 7"]) if kind == "phone" else SCREENS[kind]
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = Browsing(context.new_page(), base_url)
        tabs.append(tab)
        return tab

    yield _open
    try:
        for tab in tabs:
            tab.check_everything_audited()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def open_tab(browser, live_server, playwright_instance):
    """Tabs on the test's in-process server."""
    yield from _tab_opener(browser, live_server, playwright_instance)


@pytest.fixture
def room_server(database_url):
    """The app as `make run` serves it (gunicorn, two workers) on the test database."""
    from tests.live.servers import AppServer

    server = AppServer(database_url, workers=2)
    yield server.url
    server.stop()


@pytest.fixture
def open_room_tab(browser, room_server, playwright_instance):
    """Tabs on two real gunicorn workers: every screen may be served by either."""
    yield from _tab_opener(browser, room_server, playwright_instance)


@dataclass
class WireMeter:
    """Bytes (headers and bodies, as transferred) and requests; with the cache disabled unless
    `cache` (then what the browser's cache answered by itself is neither a request nor a byte)."""

    requests: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    from_cache: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page, cache: bool = False) -> WireMeter:
        meter = cls()
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
        urls: dict[str, str] = {}
        served: set[str] = set()

        def sent(event):
            urls[event["requestId"]] = event["request"]["url"]
            meter.requests.append(event["request"]["url"])
            redirect = event.get("redirectResponse")
            if redirect:  # the 303 after a form post, counted with its own bytes
                key = f"{event['requestId']}-redirect-{len(meter.requests)}"
                meter.sizes[key] = int(redirect.get("encodedDataLength", 0))

        def served_from_cache(event):  # the browser answered it itself: nothing on the wire
            url = urls[event["requestId"]]
            meter.requests.remove(url)
            meter.from_cache.append(url)
            served.add(event["requestId"])

        def finished(event):
            if event["requestId"] not in served:
                meter.sizes[event["requestId"]] = int(event["encodedDataLength"])

        session.on("Network.requestWillBeSent", sent)
        session.on("Network.requestServedFromCache", served_from_cache)
        session.on("Network.loadingFinished", finished)
        meter._session = session
        return meter

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes.values())


@pytest.fixture
def wire_meter():
    return WireMeter.attach
