"""The same create form sent several times at the same moment (before the first has saved, so before the session
knows the token) still creates once: the token is claimed in the shared cache first (web/once.py). The ones that
lose go back to the form's page saying "This was already sent: it is being saved"."""

import datetime
import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from actions.models import Action, ForWhom
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import AgencyFactory, CaseFactory
from web import once

ALREADY = "This was already saved"
BEING_SAVED = "This was already sent: it is being saved"


@pytest.fixture
def live_listing(marac, chair, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    housing = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=housing)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing, housing


def _page_and_action(client, listing, housing):
    """The listing's page, and an "add action" form filled in from it (with the page's one-time token)."""
    page = f"/meetings/{listing.meeting.pk}/live/{listing.pk}/"
    html = client.get(page).content.decode()
    form = re.search(r'<form[^>]*action="[^"]*actions/"[^>]*>(.*?)</form>', html, re.S).group(1)
    data = {
        "owner_agency": housing.pk,
        "description": "Assess for a management transfer.",
        "for_whom": ForWhom.VICTIM,
        "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "once": re.search(rf'name="{once.FIELD}" value="([^"]+)"', form).group(1),
    }
    return page, data


def _actions(listing):
    return Action.objects.filter(listing=listing, is_standard=False).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_sends_of_the_add_action_form_record_one_action(client_for, chair, live_listing):
    listing, housing = live_listing
    signed_in = client_for(chair)
    page, data = _page_and_action(signed_in, listing, housing)
    start = threading.Barrier(3)
    responses: list[tuple[int, str, str]] = []

    def send() -> None:
        client = Client(HTTP_HOST="localhost")
        client.cookies = signed_in.cookies  # the same person, the same session: one browser sending three times
        try:
            start.wait()
            response = client.post(f"{page}actions/", data, HTTP_REFERER=f"http://localhost{page}")
            followed = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
            responses.append((response.status_code, response["Location"], followed))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert _actions(listing) == 1
    assert [(status, location) for status, location, _ in responses] == [(302, page)] * 3
    said = sorted(
        "saved" if "Action recorded" in html else "already" if ALREADY in html else "being" for _, _, html in responses
    )
    assert said[0] in {"already", "being"} and said[1] in {"already", "being"} and said[2] == "saved"
    # Sent again later, it goes where the first went and creates nothing.
    again = signed_in.post(f"{page}actions/", data)
    assert again["Location"] == page and ALREADY in signed_in.get(page).content.decode()
    assert _actions(listing) == 1


def _claim_in_flight(user, token, value=""):
    """Another request of this person's is saving this token at this moment (it claimed it and has not finished)."""
    cache.add(f"{once._CACHE_PREFIX}:u{user.pk}:{token}", value, 60)


@pytest.mark.django_db
def test_a_send_while_the_same_form_is_being_saved_goes_back_to_the_form_and_creates_nothing(
    client_for, chair, live_listing
):
    listing, housing = live_listing
    client = client_for(chair)
    page, data = _page_and_action(client, listing, housing)
    _claim_in_flight(chair, data["once"])

    response = client.post(f"{page}actions/", data, HTTP_REFERER=f"http://localhost{page}")

    assert response.status_code == 302 and response["Location"] == page
    assert BEING_SAVED in client.get(page).content.decode()
    assert _actions(listing) == 0


@pytest.mark.django_db
def test_without_a_referer_or_with_another_sites_it_goes_to_the_home_page(client_for, chair, live_listing):
    listing, housing = live_listing
    client = client_for(chair)
    page, data = _page_and_action(client, listing, housing)
    _claim_in_flight(chair, data["once"])

    assert client.post(f"{page}actions/", data)["Location"] == "/"
    elsewhere = client.post(f"{page}actions/", data, HTTP_REFERER=f"https://elsewhere.example{page}")
    assert elsewhere["Location"] == "/"
    assert _actions(listing) == 0


@pytest.mark.django_db
def test_once_the_first_has_saved_the_others_go_where_it_went(client_for, chair, live_listing):
    listing, housing = live_listing
    client = client_for(chair)
    page, data = _page_and_action(client, listing, housing)
    # The first send saved and went to the listing's page, but this session did not keep the token (two requests
    # writing one session at once: the last to finish wins).
    _claim_in_flight(chair, data["once"], value=page)

    response = client.post(f"{page}actions/", data)

    assert response["Location"] == page and ALREADY in client.get(page).content.decode()
    assert _actions(listing) == 0


@pytest.mark.django_db
def test_a_form_with_an_error_releases_its_claim_so_the_corrected_one_is_saved_once(client_for, chair, live_listing):
    listing, housing = live_listing
    client = client_for(chair)
    page, data = _page_and_action(client, listing, housing)

    wrong = client.post(f"{page}actions/", {**data, "description": ""})
    assert wrong.status_code == 200 and _actions(listing) == 0
    first = client.post(f"{page}actions/", data)
    second = client.post(f"{page}actions/", data)

    assert first["Location"] == second["Location"] == page
    assert _actions(listing) == 1
