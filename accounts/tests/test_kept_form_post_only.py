"""A form that posts to a POST-only URL (the live meeting's minute, actions, outcome...) is kept at the idle timeout
or a CSRF failure like any other, and shown again on the page the form was on: never an empty 405."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.browser import totp_code
from testing.factories import TEST_TOTP_SECRET, CaseFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' test password
TYPED = "Threats to kill made on Tuesday; refuge place sought"


@pytest.fixture
def listing(marac, chair, police_rep):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing


def _live_url(listing: Listing, step: str = "") -> str:
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def _time_out(client: Client) -> None:
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def _save_minute(client: Client, listing: Listing, **headers: str) -> object:
    return client.post(
        _live_url(listing, "minutes/"),
        {"risks_minute": TYPED, "decisions_minute": "", "version": listing.version},
        headers=headers,
    )


def _sign_in(client: Client, email: str) -> object:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})


def test_a_minute_typed_at_the_timeout_is_shown_on_the_live_case_page_after_signing_in(client_for, chair, listing):
    client = client_for(chair)
    assert client.get(_live_url(listing)).status_code == 200
    _time_out(client)
    refused = _save_minute(client, listing, referer=f"http://localhost{_live_url(listing)}")
    assert refused["Location"].startswith("/accounts/login/")
    assert "what you had typed has been kept" in client.get(refused["Location"]).content.decode()

    back = _sign_in(client, chair.email)
    assert back["Location"] == _live_url(listing)  # the page the form was on, not the POST-only URL
    page = client.get(back["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "What you had typed" in text and TYPED in text
    assert f'href="{_live_url(listing)}"' in text
    listing.refresh_from_db()
    assert listing.risks_minute != TYPED  # shown, not saved
    # Shown once; then the live case page itself.
    assert TYPED not in client.get(_live_url(listing)).content.decode()


def test_without_a_referer_the_post_only_url_shows_what_was_typed_instead_of_a_405(client_for, chair, listing):
    client = client_for(chair)
    _time_out(client)
    _save_minute(client, listing)  # no Referer (a browser or proxy that strips it)
    back = _sign_in(client, chair.email)
    assert back["Location"] == _live_url(listing, "minutes/")
    page = client.get(back["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "What you had typed" in text and TYPED in text
    assert f'href="{_live_url(listing, "minutes/")}"' not in text  # no link to a URL that only takes a POST
    again = client.get(_live_url(listing, "minutes/"))
    assert again.status_code == 405 and TYPED not in again.content.decode()


def test_the_hidden_fields_a_page_sends_are_not_shown_as_typed(client_for, chair, listing):
    client = client_for(chair)
    _time_out(client)
    client.post(
        _live_url(listing, "minutes/"),
        {
            "risks_minute": TYPED,
            "version": listing.version,
            "risks_seen": "8a4597c0ffee",
            "decisions_seen": "0d8598c0ffee",
            "minute_seen": "c0ffee",
        },
    )
    text = client.get(_sign_in(client, chair.email)["Location"]).content.decode()
    assert TYPED in text
    assert "c0ffee" not in text and "Risks seen" not in text and "Decisions seen" not in text


@pytest.mark.parametrize(
    "referer",
    [
        "https://elsewhere.example/meetings/1/live/1/",
        "http://localhost.elsewhere.example/meetings/1/live/1/",
        "https://localhost/accounts/login/",  # another scheme than the request's
        "http://localhost/accounts/login/",  # a sign-in page is never where it is shown
        "not a url at all",
    ],
)
def test_a_referer_from_elsewhere_is_ignored(client_for, chair, listing, referer):
    client = client_for(chair)
    _time_out(client)
    _save_minute(client, listing, referer=referer)
    assert _sign_in(client, chair.email)["Location"] == _live_url(listing, "minutes/")


def test_the_live_action_form_is_kept_for_its_page_too(client_for, chair, listing, police_rep):
    client = client_for(chair)
    _time_out(client)
    client.post(
        _live_url(listing, "actions/"),
        {"owner_agency": police_rep.agency.pk, "description": TYPED, "for_whom": "victim"},
        headers={"referer": f"http://localhost{_live_url(listing)}"},
    )
    back = _sign_in(client, chair.email)
    assert back["Location"] == _live_url(listing)
    assert TYPED in client.get(back["Location"]).content.decode()


def _token_in(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_minute_refused_by_the_csrf_check_links_to_the_live_case_page(chair, listing):
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    client.force_login(chair)
    old_token = _token_in(client.get(_live_url(listing)).content.decode())
    # Signed out and in again in another tab, through the real forms.
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": _token_in(client.get("/").content.decode())})
    token = _token_in(client.get("/accounts/login/").content.decode())
    client.post("/accounts/login/", {"csrfmiddlewaretoken": token, "login": chair.email, "password": PASSWORD})
    token = _token_in(client.get("/accounts/2fa/authenticate/").content.decode())
    done = client.post(
        "/accounts/2fa/authenticate/", {"csrfmiddlewaretoken": token, "code": totp_code(TEST_TOTP_SECRET)}
    )
    assert done.status_code == 302 and not done["Location"].startswith("/accounts/")

    refused = client.post(
        _live_url(listing, "minutes/"),
        {"csrfmiddlewaretoken": old_token, "risks_minute": TYPED, "version": listing.version},
        headers={"referer": f"http://localhost{_live_url(listing)}"},
    )
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "We kept what you had typed." in page and TYPED not in page
    assert f'href="{_live_url(listing)}"' in page
    shown = client.get(_live_url(listing)).content.decode()
    assert "What you had typed" in shown and TYPED in shown


def test_signing_in_from_the_timeout_page_with_its_next_goes_to_the_live_case_page(client_for, chair, listing):
    """The timeout sends the browser to /accounts/login/?next=<the path posted to>: signing in there follows the
    kept form to the page it was on, not to the POST-only URL."""
    client = client_for(chair)
    _time_out(client)
    refused = _save_minute(client, listing, referer=f"http://localhost{_live_url(listing)}")
    assert "next=" in refused["Location"]

    signed_in = client.post(refused["Location"], {"login": chair.email, "password": PASSWORD})
    assert signed_in["Location"].startswith("/accounts/2fa/authenticate/")
    back = client.post(signed_in["Location"], {"code": totp_code(TEST_TOTP_SECRET)})

    assert back["Location"] == _live_url(listing)
    text = client.get(back["Location"]).content.decode()
    assert "What you had typed" in text and TYPED in text
    assert "Go to your home page" not in text
    assert f'href="{_live_url(listing)}"' in text


def test_a_next_other_than_the_kept_forms_is_followed(client_for, chair, listing):
    client = client_for(chair)
    _time_out(client)
    _save_minute(client, listing, referer=f"http://localhost{_live_url(listing)}")

    signed_in = client.post("/accounts/login/?next=/meetings/", {"login": chair.email, "password": PASSWORD})
    back = client.post(signed_in["Location"], {"code": totp_code(TEST_TOTP_SECRET)})

    assert back["Location"] == "/meetings/"
