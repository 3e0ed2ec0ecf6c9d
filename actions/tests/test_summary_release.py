"""The summary of actions follows the case list's rule (BD MARAC List; BD Completion of Actions): a representative
gets a 404 until the meeting's case list has been released, and nobody is shown an empty "summary" of a meeting that
has not been held: the page says the summary comes after the meeting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Listing, MeetingState, MeetingStatus

pytestmark = pytest.mark.django_db
NOT_READY = "This meeting has not been held yet. The summary of actions is available after the meeting"


def _urls(meeting):
    return [reverse(f"actions:{name}", args=[meeting.pk]) for name in ("summary", "summary_docx", "summary_pdf")]


def _coming(marac, *, released=False, status=MeetingStatus.SCHEDULED):
    meeting = meeting_at(marac, starts_at=timezone.now() + timedelta(days=14))
    MeetingState.objects.create(
        meeting=meeting, status=status, case_list_released_at=timezone.now() if released else None
    )
    Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-08001"))
    return meeting


def test_a_representative_gets_404_before_the_case_list_is_released(client_for, marac, police_rep, idva):
    meeting = _coming(marac)
    for user in (police_rep, idva):
        for url in _urls(meeting):
            assert client_for(user).get(url).status_code == 404, url


def test_after_release_a_representative_is_told_the_summary_comes_after_the_meeting(client_for, marac, police_rep):
    meeting = _coming(marac, released=True)
    client = client_for(police_rep)
    page = client.get(reverse("actions:summary", args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert NOT_READY in text
    assert "NB-08001" not in text
    assert "Outcome: Not recorded" not in text and "No actions were agreed" not in text
    assert reverse("actions:summary_pdf", args=[meeting.pk]) not in text
    for url in _urls(meeting)[1:]:
        assert client.get(url).status_code == 404, url


def test_the_coordinator_and_chair_keep_the_page_before_release_and_learn_it_comes_later(
    client_for, marac, coordinator, chair
):
    meeting = _coming(marac)
    for user in (coordinator, chair):
        page = client_for(user).get(reverse("actions:summary", args=[meeting.pk]))
        assert page.status_code == 200
        assert NOT_READY in page.content.decode()
        assert "Circulate the action summary" not in page.content.decode()


def test_a_meeting_started_early_has_its_summary(client_for, marac, police_rep, coordinator):
    meeting = _coming(marac, released=True, status=MeetingStatus.IN_PROGRESS)
    action_for(meeting.listings.get(), police_rep.agency, coordinator, description="Flag the address for urgent calls")
    page = client_for(police_rep).get(reverse("actions:summary", args=[meeting.pk])).content.decode()
    assert NOT_READY not in page
    assert "NB-08001" in page and "Flag the address for urgent calls" in page


def test_a_held_meeting_s_summary_shows_each_case_and_its_downloads(client_for, marac, police_rep, coordinator):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-08002"))
    action_for(listing, police_rep.agency, coordinator, description="Visit the victim")
    client = client_for(police_rep)
    page = client.get(reverse("actions:summary", args=[meeting.pk])).content.decode()
    assert "NB-08002" in page and "Visit the victim" in page and NOT_READY not in page
    for url in _urls(meeting)[1:]:
        assert client.get(url).status_code == 200, url


def test_a_past_meeting_whose_list_never_went_out_stays_404_to_representatives(
    client_for, marac, police_rep, coordinator
):
    # A meeting cannot start before its list is released; one never released and never held shows nothing.
    meeting = meeting_at(marac)
    Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-08003"))
    assert client_for(police_rep).get(reverse("actions:summary", args=[meeting.pk])).status_code == 404
    assert "NB-08003" in client_for(coordinator).get(reverse("actions:summary", args=[meeting.pk])).content.decode()


def test_the_outsider_gets_404(client_for, marac, outsider):
    meeting = _coming(marac, released=True)
    for url in _urls(meeting):
        assert client_for(outsider).get(url).status_code == 404, url


def test_the_meeting_page_offers_the_summary_only_once_the_list_is_released(client_for, marac, police_rep):
    meeting = _coming(marac)
    link = reverse("actions:summary", args=[meeting.pk])
    detail = reverse("meetings_agenda:detail", args=[meeting.pk])
    assert link not in client_for(police_rep).get(detail).content.decode()
    MeetingState.objects.filter(meeting=meeting).update(case_list_released_at=timezone.now())
    assert link in client_for(police_rep).get(detail).content.decode()
