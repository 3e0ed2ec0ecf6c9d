"""Two people on the same live case page: an outcome recorded from an older page never silently replaces the one
recorded meanwhile, and recording an outcome is no conflict for someone saving the minute (through the real pages)."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.models import CaseStatus
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, listing_move_on, listing_open, meeting_start
from meetings.models import Listing, Meeting, MeetingState, Outcome
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, coordinator, chair, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    for user in (coordinator, chair, police_rep):
        confidentiality_sign(meeting=meeting, user=user)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing


def _url(listing, step=""):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def _form(page, step):
    """The hidden inputs of the form that posts to `step`, as the page gave them."""
    html = page.content.decode()
    form = re.search(rf'<form[^>]*action="[^"]*/{step}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, f"no {step} form on the page"
    hidden = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        if 'type="hidden"' in tag and "csrfmiddlewaretoken" not in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            hidden[name] = value.group(1) if value else ""
    return hidden


def test_an_outcome_from_an_older_page_is_refused_and_names_the_one_recorded(client_for, coordinator, chair, listing):
    coordinators_page = client_for(coordinator).get(_url(listing))
    chairs_page = client_for(chair).get(_url(listing))

    first = client_for(coordinator).post(
        _url(listing, "outcome/"), _form(coordinators_page, "outcome/") | {"outcome": Outcome.CLOSED}
    )
    assert first.status_code == 302
    chair_client = client_for(chair)
    second = chair_client.post(_url(listing, "outcome/"), _form(chairs_page, "outcome/") | {"outcome": Outcome.REVIEW})

    assert second.status_code == 302
    listing.refresh_from_db()
    assert listing.outcome == Outcome.CLOSED  # nothing overwritten
    shown = chair_client.get(second["Location"]).content.decode()
    assert "Someone else recorded the outcome" in shown and "Closed" in shown
    assert "Your choice, \u201cReview at a later meeting\u201d, has not been saved" in shown
    assert "Outcome recorded" not in shown
    # From the page as it is now, the chair can change it knowingly.
    again = chair_client.post(
        _url(listing, "outcome/"), _form(chair_client.get(_url(listing)), "outcome/") | {"outcome": Outcome.REVIEW}
    )
    assert again.status_code == 302
    listing.refresh_from_db()
    assert listing.outcome == Outcome.REVIEW


def test_choosing_the_outcome_already_recorded_from_an_older_page_is_no_conflict(
    client_for, coordinator, chair, listing
):
    chairs_page = client_for(chair).get(_url(listing))
    client_for(coordinator).post(
        _url(listing, "outcome/"), _form(client_for(coordinator).get(_url(listing)), "outcome/") | {"outcome": "closed"}
    )
    chair_client = client_for(chair)
    response = chair_client.post(_url(listing, "outcome/"), _form(chairs_page, "outcome/") | {"outcome": "closed"})
    assert "Outcome recorded" in chair_client.get(response["Location"]).content.decode()


def test_recording_an_outcome_is_no_conflict_for_a_minute_saved_from_an_older_page(
    client_for, coordinator, chair, listing
):
    chairs_page = client_for(chair).get(_url(listing))
    client_for(coordinator).post(
        _url(listing, "outcome/"), _form(client_for(coordinator).get(_url(listing)), "outcome/") | {"outcome": "review"}
    )
    response = client_for(chair).post(
        _url(listing, "minutes/"),
        _form(chairs_page, "minutes/") | {"risks_minute": "Threats to kill.", "decisions_minute": "Refuge sought."},
    )
    assert response.status_code == 302  # not the 409 "Someone else saved this minute"
    listing.refresh_from_db()
    assert (listing.risks_minute, listing.outcome) == ("Threats to kill.", Outcome.REVIEW)


def test_a_minute_changed_meanwhile_is_still_a_conflict_after_an_outcome(client_for, coordinator, chair, listing):
    chairs_page = client_for(chair).get(_url(listing))
    coordinator_client = client_for(coordinator)
    coordinator_client.post(
        _url(listing, "minutes/"),
        _form(coordinator_client.get(_url(listing)), "minutes/") | {"risks_minute": "Coordinator's words."},
    )
    coordinator_client.post(
        _url(listing, "outcome/"), _form(coordinator_client.get(_url(listing)), "outcome/") | {"outcome": "closed"}
    )
    response = client_for(chair).post(
        _url(listing, "minutes/"), _form(chairs_page, "minutes/") | {"risks_minute": "Chair's words."}
    )
    assert response.status_code == 409
    listing.refresh_from_db()
    assert listing.risks_minute == "Coordinator's words."


def test_a_stale_outcome_after_the_hearing_leaves_the_case_status_as_recorded(client_for, coordinator, chair, listing):
    chairs_page = client_for(chair).get(_url(listing))
    listing_open(listing=listing, by=coordinator)
    listing_move_on(listing=listing, by=coordinator)  # the hearing is over
    client_for(coordinator).post(
        _url(listing, "outcome/"), _form(client_for(coordinator).get(_url(listing)), "outcome/") | {"outcome": "closed"}
    )
    listing.case.refresh_from_db()
    assert listing.case.status == CaseStatus.CLOSED
    client_for(chair).post(_url(listing, "outcome/"), _form(chairs_page, "outcome/") | {"outcome": "review"})
    listing.refresh_from_db()
    listing.case.refresh_from_db()
    assert (listing.outcome, listing.case.status) == (Outcome.CLOSED, CaseStatus.CLOSED)


def test_someone_outside_the_marac_cannot_record_an_outcome(client_for, outsider, listing):
    response = client_for(outsider).post(
        _url(listing, "outcome/"), {"outcome": "closed", "version": listing.version, "based_on": ""}
    )
    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.outcome == ""


def test_the_live_case_page_gives_every_field_its_own_id(client_for, chair, listing):
    ids = re.findall(r'\sid="([^"]+)"', client_for(chair).get(_url(listing)).content.decode())
    assert len(ids) == len(set(ids)), sorted({name for name in ids if ids.count(name) > 1})
