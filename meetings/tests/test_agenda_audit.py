"""The meeting's page names every listed case's victim and children, so each reading of it is in the audit trail,
as the case list's is; it is not the case list a representative was sent, so it leaves their receipt alone."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from cases.models import CaseParty, PartyRole
from meetings.models import CaseListReceipt, Listing, Meeting
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon(marac):
    """A meeting tomorrow, with one case whose victim and child the agenda names."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    starts_at = datetime.datetime.combine(day, datetime.time(14, 15), tzinfo=timezone.get_current_timezone())
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    victim = PersonFactory(marac=marac, given_name="Zelphine", family_name="Quarterwhistle")
    case = CaseFactory(marac=marac, reference="NM-2026-0500", victim=victim)
    child = PersonFactory(marac=marac, given_name="Pipkin", date_of_birth=datetime.date(2019, 6, 1))
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    Listing.objects.create(meeting=meeting, case=case)
    return meeting


def _agenda_readings(meeting, user):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="meetings.meeting", object_id=str(meeting.pk), actor=user
    )


def test_it_records_the_coordinator_reading_the_agenda(client_for, coordinator, soon):
    page = client_for(coordinator).get(f"/meetings/{soon.pk}/")

    assert page.status_code == 200
    assert "Quarterwhistle" in page.content.decode()
    entry = _agenda_readings(soon, coordinator).get()
    assert entry.summary == "Viewed the agenda"
    assert entry.marac_id == soon.marac_id
    assert "Quarterwhistle" not in entry.summary + str(entry.changes)


def test_it_records_each_reading(client_for, chair, soon):
    client = client_for(chair)
    client.get(f"/meetings/{soon.pk}/")
    client.get(f"/meetings/{soon.pk}/")
    assert _agenda_readings(soon, chair).count() == 2


def test_it_records_a_representative_reading_the_released_agenda_without_opening_their_receipt(
    client_for, coordinator, police_rep, soon
):
    client_for(coordinator).post(f"/meetings/{soon.pk}/case-list/release/")
    page = client_for(police_rep).get(f"/meetings/{soon.pk}/")

    assert "Quarterwhistle" in page.content.decode()
    assert _agenda_readings(soon, police_rep).get().summary == "Viewed the agenda"
    # The receipt says whether they opened the case list they were sent, which is another page.
    assert CaseListReceipt.objects.get(meeting=soon, user=police_rep).opened_at is None
    assert CaseListReceipt.objects.get(meeting=soon, user=coordinator).opened_at is None


def test_it_records_nothing_while_the_page_shows_no_case(client_for, police_rep, soon):
    page = client_for(police_rep).get(f"/meetings/{soon.pk}/")  # before the case list is released

    assert page.status_code == 200
    assert "Quarterwhistle" not in page.content.decode()
    assert not _agenda_readings(soon, police_rep).exists()


def test_the_outsider_gets_a_404_and_no_entry(client_for, outsider, soon):
    assert client_for(outsider).get(f"/meetings/{soon.pk}/").status_code == 404
    assert not _agenda_readings(soon, outsider).exists()
