"""A form posted on a restricted case after the person's 30-minute reason ran out is not saved, and what they typed
is not lost: it is kept, they give their reason, and they are taken back to the page the form was on, where it is
shown to them again (web/access.py redirect_to_restricted_case_reason, accounts/kept_form.py)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django.utils.html import escape

from cases.models import CaseRestriction
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import CaseFactory
from web.access import RESTRICTED_REASON_KEPT_MESSAGE, RESTRICTED_REASON_NOT_KEPT_MESSAGE

pytestmark = pytest.mark.django_db
TYPED = "Threats to kill made on Tuesday; a refuge place is being sought"


@pytest.fixture
def listing(marac, chair, police_rep):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    case = CaseFactory(marac=marac, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    listing = Listing.objects.create(meeting=meeting, case=case)
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing


def _page(listing):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/"


def _reason_given_then_run_out(client, listing):
    client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Chairing the meeting"})
    assert client.get(_page(listing)).status_code == 200
    session = client.session
    session.pop("openmarac_restricted_case_reasons")  # as if thirty minutes had passed
    session.save()


def _save_minute(client, listing, text):
    return client.post(
        f"{_page(listing)}minutes/",
        {"risks_minute": text, "decisions_minute": "", "version": listing.version},
        headers={"Referer": f"http://localhost{_page(listing)}"},
    )


def test_the_typed_minute_comes_back_after_the_reason_is_given_again(client_for, chair, listing):
    client = client_for(chair)
    _reason_given_then_run_out(client, listing)

    refused = _save_minute(client, listing, TYPED)

    assert refused.status_code == 302
    where = urlsplit(refused["Location"])
    assert where.path == f"/cases/{listing.case_id}/reason/"
    assert parse_qs(where.query)["next"] == [_page(listing)]
    assert Listing.objects.get(pk=listing.pk).risks_minute == ""  # nothing saved
    reason_page = client.get(refused["Location"]).content.decode()
    assert escape(RESTRICTED_REASON_KEPT_MESSAGE) in reason_page
    assert TYPED not in refused["Location"] + reason_page  # never in a URL, nor shown before the reason

    back = client.post(refused["Location"], {"reason": "Chairing the meeting", "next": _page(listing)})
    assert back["Location"] == _page(listing)
    shown = client.get(_page(listing)).content.decode()
    assert TYPED in shown
    assert Listing.objects.get(pk=listing.pk).risks_minute == ""  # shown again to check, not saved


def test_text_too_long_to_keep_is_not_kept_and_the_person_is_told(client_for, chair, listing):
    client = client_for(chair)
    _reason_given_then_run_out(client, listing)

    refused = _save_minute(client, listing, "x" * 300_000)

    assert "next=" not in refused["Location"]
    assert escape(RESTRICTED_REASON_NOT_KEPT_MESSAGE) in client.get(refused["Location"]).content.decode()


def test_nobody_else_signing_in_in_that_browser_sees_the_kept_text(client_for, chair, coordinator, listing):
    client = client_for(chair)
    _reason_given_then_run_out(client, listing)
    _save_minute(client, listing, TYPED)
    CaseRestriction.objects.create(case=listing.case, user=coordinator, added_by=chair)
    client.force_login(coordinator)
    client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Coordinating"})
    confidentiality_sign(meeting=listing.meeting, user=coordinator)
    assert TYPED not in client.get(_page(listing)).content.decode()
