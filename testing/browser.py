"""Fixtures and helpers for the browser tests: one headless Chromium for the module, a fresh context per test.

The root conftest.py registers this module as a pytest plugin, so every test may ask for its fixtures by name; a
test module imports only its helpers (sign_in, assert_accessible...).
"""

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"  # noqa: S105 - the password testing.factories gives every user
TIMEOUT_MS = 10_000
TOTP_PERIOD_SECONDS = 30
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, launched once for the module of browser tests (which is once per run while the
    journeys live in one module) and closed when its last test has run.

    Playwright's sync API runs an asyncio event loop in the test's own thread for as long as it is started, and
    Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation), although the tests call
    the ORM synchronously, between browser steps, never from a coroutine. DJANGO_ALLOW_ASYNC_UNSAFE lifts that
    check; the live server answers the browser from its own threads, which have no loop, so only the test thread
    needs it. Both the loop and the variable are kept to these tests: set at import time, or kept open for the
    whole session, they would reach the rest of the suite, where the variable fails the deployment check that
    config/tests/test_settings.py runs in a subprocess, and the loop would break async_to_sync in later tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def base_url(live_server: Any, clear_cache: None) -> str:
    """The live server, addressed as localhost (which ALLOWED_HOSTS names) rather than 127.0.0.1."""
    parts = urlsplit(live_server.url)
    return urlunsplit(parts._replace(netloc=f"localhost:{parts.port}"))


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    """A page in a context with JavaScript switched off, as some users of assistive technology browse."""
    context = new_context(browser, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def clear_cache() -> None:
    """allauth keeps rate limits and used authenticator codes in Django's cache (the live server runs in threads of
    the test process). Emptied before each test that uses the live server (base_url asks for it), nothing leaks
    between them."""
    cache.clear()


def totp_code(secret: str) -> str:
    """The authenticator app's code for now: the current time step (the middle of allauth's counters).

    If the step ends in under two seconds the code could expire before the server checks it, so wait it out."""
    remaining = TOTP_PERIOD_SECONDS - time.time() % TOTP_PERIOD_SECONDS
    if remaining < 2:
        time.sleep(remaining + 0.05)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def submit_password(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page: Page, base_url: str, email: str, password: str, secret: str) -> None:
    """Sign in through the real forms: email and password, then the code from the authenticator app."""
    submit_password(page, base_url, email, password)
    if not page.url.endswith("/accounts/2fa/authenticate/"):
        pytest.fail(f"Signing in as {email} did not ask for an authenticator code: at {page.url}", pytrace=False)
    page.locator("input[name=code]").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    if "/accounts/" in page.url:
        pytest.fail(f"Signing in as {email} stopped at {page.url}", pytrace=False)


def _axe_results(page: Page) -> dict[str, Any]:
    """axe-core's results for the page once it has loaded.

    A click that starts a navigation returns before the new document exists; axe injected then lands in the page
    being torn down ("Execution context was destroyed", "Cannot read properties of null"). Then it waits for the
    new page to load and runs again, a few times at most.
    """
    for _ in range(2):
        try:
            return _run_axe(page)
        except PlaywrightError as error:
            if not _navigated_during(error):
                raise
    return _run_axe(page)


def _run_axe(page: Page) -> dict[str, Any]:
    page.wait_for_load_state("load")
    page.add_script_tag(url="/static/axe/axe.min.js")
    return page.evaluate(  # type: ignore[no-any-return]
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )


def _navigated_during(error: Exception) -> bool:
    message = str(error)
    return "context was destroyed" in message or "reading 'appendChild'" in message or "navigat" in message


def assert_accessible(page: Page) -> None:
    """Run axe-core against the page for WCAG 2.2 A and AA; fail listing every rule broken and where."""
    results = _axe_results(page)
    violations = results["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            more = len(violation["nodes"]) - len(targets)
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]\n"
                f"    at {'; '.join(targets)}{f' and {more} more' if more > 0 else ''}"
            )
        pytest.fail("\n".join(lines), pytrace=False)
