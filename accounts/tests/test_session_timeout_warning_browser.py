"""The warning before the idle timeout, in a browser (WCAG 2.2.1 Timing adjustable): about two minutes before the
session ends a dialog says so, with the focus on "Stay signed in"; staying keeps the session, and when the time is up
the sign-in page says why, keeping what was typed in a form."""

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from referrals.models import Referral
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

IDLE_SECONDS = 130  # the warning comes 2 minutes (and a few seconds' margin) before: a few seconds after a page loads
KEPT = "If you are signed out, what you have typed on this page will be kept"
TYPED = "Threats made by text message on Tuesday evening"


@pytest.fixture(autouse=True)
def _short_idle_time(settings):  # type: ignore[no-untyped-def]
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS


def _dialog(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("dialog", name="You will be signed out soon")


def _expiry() -> object:
    return Session.objects.get(expire_date__gt=timezone.now()).expire_date


def _seconds_left_says(page: Page, seconds: int) -> Callable[[], None]:
    """Answers the page's question "how long is left?" with `seconds`, whatever the server would; sent on otherwise.
    Returns how to stop: the server answers again."""

    def answer(route: Route) -> None:
        if route.request.method == "GET":
            route.fulfill(status=200, content_type="application/json", body=json.dumps({"seconds_left": seconds}))
        else:
            route.continue_()

    page.route("**/you/session/", answer)
    return lambda: page.unroute("**/you/session/", answer)


def test_the_warning_opens_focused_passes_the_checks_and_staying_keeps_the_session(page, base_url, coordinator):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    dialog = _dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(
        "You will be signed out in 2 minutes because you have not used OpenMARAC for a while."
    )
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(dialog.get_by_text(KEPT)).to_be_hidden()  # nothing was typed
    assert_accessible(page)

    before = _expiry()
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert _expiry() > before  # the session's idle time started again
    with page.expect_navigation():
        page.get_by_role("link", name="Your account").click()
    assert "/accounts/login/" not in page.url  # still signed in: the page works as before


def test_escape_is_stay_signed_in(page, base_url, coordinator):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    expect(_dialog(page)).to_be_visible()
    before = _expiry()
    page.keyboard.press("Escape")
    expect(_dialog(page)).to_be_hidden()
    assert _expiry() > before


def test_the_countdown_is_read_out_politely_at_the_minute(page, base_url, coordinator):
    _seconds_left_says(page, 66)  # the page signs out 5 seconds before the server would: a minute is a second away
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    live = _dialog(page).locator("[aria-live=polite]")
    expect(live).to_have_text("You will be signed out in 1 minute.")


def test_when_the_time_is_up_the_sign_in_page_says_why(page, base_url, coordinator):
    _seconds_left_says(page, 6)
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.wait_for_url("**/accounts/login/?next=%2F")  # coming back here once signed in again
    assert "You were signed out because you were inactive for 2 minutes. Sign in again." in page.content()
    live = Session.objects.filter(expire_date__gt=timezone.now())
    assert not any("_auth_user_id" in session.get_decoded() for session in live)  # signed out, not just sent away


def test_what_was_typed_is_kept_when_the_time_is_up(page, base_url, referrer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/referrals/{referral.pk}/about/")
    page.locator("textarea[name=current_risk]").fill(TYPED)  # before the warning, a few seconds after the page loads
    stop = _seconds_left_says(page, 6)  # then the time is up...
    expect(_dialog(page).get_by_text(KEPT)).to_be_visible()
    page.wait_for_timeout(2000)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # ...and the session has ended
    stop()
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    assert "Sign in again: what you had typed has been kept." in page.content()
    referral.refresh_from_db()
    assert "about" not in referral.content  # kept, not saved
