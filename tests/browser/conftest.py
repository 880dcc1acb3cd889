"""Browser journeys: Debian's Chromium, driven by Playwright, against the real app
served on loopback with the demo catalogue.

* ``live_server``: the base URL of one app for the whole run, on a fresh migrated
  SQLite file with the tariffs and demo data loaded, served by werkzeug in a thread; the
  payment simulator's signed notifications go to this server's own webhook.
* ``browser``: Chromium launched once. ``CHROMIUM`` names another binary. If it is
  missing the tests fail rather than skip, so CI cannot pass without running them.
* ``page``: a fresh context (cookies, storage) per test; the test fails afterwards if
  the server answered 5xx, a page raised a JavaScript error, or the browser refused
  anything under the Content-Security-Policy (every response carries it) meanwhile.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from sales_service import create_app, migrate
from sales_service.config import PROJECT_ROOT
from sales_service.demo import seed_demo
from sales_service.orm import make_engine
from sales_service.pnbp.services import load_tariff_dir

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No sandbox: CI runs as root, where Chromium's sandbox refuses to start. The rest keep
# a headless run from reaching for the network (downloads are blocked there anyway).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# Reports every Content-Security-Policy violation to the console, where ``_page`` listens.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  "Content Security Policy violation: " + event.violatedDirective + " blocked " + event.blockedURI));
"""
TIMEOUT_MS = 10_000  # generous for a loaded CI machine; a passing step takes milliseconds


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'browser.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(url, connection=connection)
    with Session(engine) as session:
        load_tariff_dir(session, PROJECT_ROOT / "tariffs", loaded_by="test")
        seed_demo(session)
        session.commit()
    engine.dispose()

    app = create_app({
        "TESTING": False,  # errors become 500 pages, as a buyer would see them
        "SECRET_KEY": "browser-test-secret",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder / "instance"),
        "SESSION_COOKIE_SECURE": False,  # plain http on loopback
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "DEFAULT_LANGUAGE": "id",
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"  # what the PDFs print
    # The payment simulator's signed notifications go to this very server, as `make run` sets it up;
    # the gateway reads the address from the config at each payment.
    app.config["WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/webhooks/payments"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["sales_db"]["engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `bash .ci/install-chromium` "
                    "(or set CHROMIUM to a Chromium binary)", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    yield from _page(browser, live_server, java_script_enabled=True)


@pytest.fixture
def page_without_js(browser, live_server) -> Iterator[Page]:
    """A browser with JavaScript off: every form must still work as a plain form."""
    yield from _page(browser, live_server, java_script_enabled=False)


def _page(browser: Browser, base_url: str, *, java_script_enabled: bool) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="id-ID",
                                  java_script_enabled=java_script_enabled)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems: list[str] = []
    page.problems = problems  # a test that causes a violation on purpose clears its own

    def on_response(response) -> None:
        if response.status >= 500:
            problems.append(f"{response.status} from {response.request.method} {response.url}")

    def on_console(message) -> None:
        # Chromium logs every refusal ("Refused to apply inline style because it violates the
        # following Content Security Policy directive ..."); the listener below adds the event.
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"CSP violation on {page.url}: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    try:
        yield page
    finally:
        context.close()
    assert not problems, "during the journey: " + "; ".join(problems)


def pytest_collection_modifyitems(items):
    # The test server (werkzeug's) streams static files to sockets the browser may close early (a
    # favicon abandoned by the next navigation); the open file is then closed by the garbage
    # collector, which Python reports as an unraisable ResourceWarning in whichever test is running.
    # That is the development server's, not the service's (production serves static files through
    # gunicorn), so only that report is let through; every other warning stays an error.
    static_file = pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO name='.*/static/:pytest.PytestUnraisableExceptionWarning")
    for item in items:
        item.add_marker(static_file)
