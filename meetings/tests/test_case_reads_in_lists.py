"""Every read of a case is audited, reads among other cases too: the agenda, the case list (page, Word document and
API) and the summary of actions each put an entry in the trail of every case they show, so the case's own "who has
seen this case" page lists them. A case the reader is not shown gets no entry."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import verify_chain
from cases.models import CaseRestriction
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(marac, coordinator):
    """A meeting tomorrow with its case list released: two open cases and one restricted to the coordinator."""
    starts_at = timezone.now() + datetime.timedelta(days=1)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    MeetingState.objects.create(meeting=meeting, status=MeetingStatus.SCHEDULED, case_list_released_at=timezone.now())
    cases = []
    for number, name in enumerate(("Quillbury", "Fennimore", "Hushwater"), start=1):
        victim = PersonFactory(marac=marac, family_name=name)
        case = CaseFactory(marac=marac, reference=f"NB-2026-09{number:02d}", victim=victim)
        Listing.objects.create(meeting=meeting, case=case)
        cases.append(case)
    hidden = cases[2]
    hidden.restricted = True
    hidden.save(update_fields=["restricted"])
    CaseRestriction.objects.create(case=hidden, user=coordinator, added_by=coordinator)
    return meeting, cases


def _seen_by(case, user):
    return list(
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), actor=user).values_list(
            "summary", flat=True
        )
    )


@pytest.mark.parametrize(
    ("path", "summary"),
    [
        ("case-list/", "Opened the case list of meeting"),
        ("case-list.docx", "Downloaded the case list as a Word document of meeting"),
        ("", "Seen on the agenda of meeting"),
    ],
)
def test_a_representative_reading_the_list_is_in_each_shown_case_s_trail(
    client_for, police_rep, coordinator, released, path, summary
):
    meeting, (first, second, hidden) = released
    response = client_for(police_rep).get(f"/meetings/{meeting.pk}/{path}")

    assert response.status_code == 200
    for case in (first, second):
        assert _seen_by(case, police_rep) == [f"{summary} {meeting.pk}"]
    assert _seen_by(hidden, police_rep) == []  # not shown to them, so not read by them
    access = client_for(coordinator).get(reverse("audit:case_access", args=[first.pk])).content.decode()
    assert police_rep.email in access
    assert verify_chain()[1] is None  # the entries written together keep the chain whole


def test_the_api_agenda_is_in_each_shown_case_s_trail(client_for, police_rep, released):
    meeting, (first, second, hidden) = released
    response = client_for(police_rep).get(f"/api/v1/meetings/{meeting.pk}/agenda")

    assert response.status_code == 200
    assert len(response.json()["listings"]) == 2
    assert [_seen_by(case, police_rep) != [] for case in (first, second, hidden)] == [True, True, False]


def test_the_summary_of_actions_downloads_are_in_each_case_s_trail(client_for, coordinator, released):
    meeting, cases = released
    meeting.starts_at = timezone.now() - datetime.timedelta(days=2)
    meeting.save(update_fields=["starts_at"])
    MeetingState.objects.filter(meeting=meeting).update(status=MeetingStatus.CLOSED)
    client = client_for(coordinator)
    client.post(reverse("cases:reason", args=[cases[2].pk]), {"reason": "Preparing the summary of actions"})

    for kind in ("pdf", "docx"):
        assert client.get(reverse(f"actions:summary_{kind}", args=[meeting.pk])).status_code == 200

    for case in cases[:2]:
        summaries = _seen_by(case, coordinator)
        assert f"Summary of actions for meeting {meeting.pk} downloaded as pdf" in summaries
        assert f"Summary of actions for meeting {meeting.pk} downloaded as docx" in summaries
