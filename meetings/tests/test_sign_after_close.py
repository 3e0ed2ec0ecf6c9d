"""Signing a meeting's confidentiality agreement after the meeting has closed, to read its minutes: the signature is
recorded and audited and lets them read, and the register and the attendance figures stay as the meeting left them.
Before and during the meeting, signing still puts the person on the register as present."""

import datetime
import re
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from marac.models import AgencyType, MaracAgency
from meetings import live_services as live
from meetings.confidentiality import has_signed
from meetings.models import AgreementAfterClose, Attendance, Listing, Meeting, MeetingState, MeetingStatus
from reports.cohorts import Scope
from reports.indicators import INDICATORS_BY_KEY
from reports.periods import PeriodKind, period_containing
from testing.documents import word_texts
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

REFERENCE = "NB-2026-0901"


@pytest.fixture
def social_care_rep(marac):
    """The representative of children's social care, a core agency, who was not at the meeting."""
    agency = AgencyFactory(name="Northbrook Children's Social Care", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    user = UserFactory(full_name="Cass Carewell", email="cass@example.invalid", agency=agency)
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True, representative=user)
    return grant(user, marac, Role.AGENCY_REPRESENTATIVE)


def _meeting(marac, *signers):
    # Started an hour ago, so it counts as held for the figures.
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() - datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    for user in signers:
        live.confidentiality_sign(meeting=meeting, user=user)
    return meeting


def _heard_and_closed(meeting, by):
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=meeting.marac, reference=REFERENCE))
    live.meeting_start(meeting=meeting, by=by, other_day_confirmed=True)
    live.listing_open(listing=listing, by=by)
    live.minute_save(
        listing=listing,
        risks_minute="Threats made by text.",
        decisions_minute="Review at the next meeting.",
        based_on_version=Listing.objects.get(pk=listing.pk).version,
        by=by,
    )
    live.outcome_record(listing=listing, outcome="review", by=by)
    live.meeting_close(meeting=meeting, by=by)
    return Listing.objects.get(pk=listing.pk)


@pytest.fixture
def closed(marac, chair, coordinator, police_rep, social_care_rep):
    """A meeting the chair, the coordinator and the police representative attended (the police a core agency) and
    children's social care, also core, did not; heard and closed."""
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    return _heard_and_closed(_meeting(marac, chair, coordinator, police_rep), chair)


def _case_url(listing):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/"


def _sign_url(listing):
    return f"/meetings/{listing.meeting_id}/sign/"


def _register(client, meeting):
    """What the coordinator's register page says: its table of agencies (without the forms' one-time tokens) and
    the warning of core agencies with no one there."""
    page = client.get(f"/meetings/{meeting.pk}/register/").content.decode()
    table = page.split('data-testid="register"')[1].split("</table>")[0]
    table = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", table)
    warning = page.split('data-testid="core-agency-warning"')[1].split("</div>")[0] if "core-agency" in page else ""
    return table, warning


def _figures(meeting):
    """The attendance indicators over the quarter the meeting was held in: (numerator, denominator) of each."""
    period = period_containing(PeriodKind.QUARTER, timezone.localdate(meeting.starts_at))
    scope = Scope((meeting.marac_id,), period)
    return {
        key: (figure.numerator, figure.denominator)
        for key in ("core_attendance", "csc_attendance")
        for figure in [INDICATORS_BY_KEY[key].compute(scope)]
    }


def test_signing_after_the_close_lets_them_read_and_leaves_the_register_and_figures_alone(
    client_for, coordinator, social_care_rep, closed
):
    meeting = closed.meeting
    register_before = _register(client_for(coordinator), meeting)
    figures_before = _figures(meeting)
    # Worked out by hand: one of the two core agencies there (police), social care not.
    assert figures_before == {"core_attendance": (1, 2), "csc_attendance": (0, 1)}
    assert "Northbrook Children&#x27;s Social Care" in register_before[1]
    client = client_for(social_care_rep)

    asked = client.get(_case_url(closed))
    assert asked.status_code == 302 and asked["Location"].startswith(_sign_url(closed))
    page = client.get(asked["Location"]).content.decode()
    assert "This meeting has closed. Sign to read its minutes; this does not add you to its register." in page
    signed = client.post(_sign_url(closed), {"next": _case_url(closed)}, follow=True)
    read = signed.content.decode()

    assert signed.redirect_chain[-1][0] == _case_url(closed) and signed.status_code == 200
    assert REFERENCE in read and "Threats made by text." in read
    assert "you have not been added to its register" in read
    assert _register(client_for(coordinator), meeting) == register_before
    assert _figures(meeting) == figures_before
    assert not Attendance.objects.filter(meeting=meeting, user=social_care_rep).exists()
    agreement = AgreementAfterClose.objects.get(meeting=meeting, user=social_care_rep)
    assert AuditEvent.objects.filter(
        actor=social_care_rep,
        action=AuditAction.CREATE,
        object_type="meetings.agreementafterclose",
        object_id=str(agreement.pk),
        marac_id=meeting.marac_id,
    ).exists()
    # The coordinator sees who signed to read, apart from the register.
    page = client_for(coordinator).get(f"/meetings/{meeting.pk}/register/").content.decode()
    table = page.split('data-testid="signed-after-close"')[1].split("</table>")[0]
    assert "Cass Carewell" in table
    assert 'aria-labelledby="signed-after-close-heading"' in table and "<caption" not in table  # named once
    signed = timezone.localtime(agreement.signed_at)
    assert f"{signed.day} {signed:%b %Y %H:%M}" in table  # as the service writes dates in a table
    assert "Cass Carewell" not in register_before[0]


def test_before_the_close_the_page_says_nothing_of_it(client_for, police_rep, marac):
    meeting = _meeting(marac)
    page = client_for(police_rep).get(f"/meetings/{meeting.pk}/sign/").content.decode()
    assert "I agree" in page and "This meeting has closed" not in page


def test_signing_again_after_the_close_changes_nothing(social_care_rep, closed):
    live.confidentiality_sign(meeting=closed.meeting, user=social_care_rep)
    first = AgreementAfterClose.objects.get(user=social_care_rep)
    live.confidentiality_sign(meeting=closed.meeting, user=social_care_rep)
    assert list(AgreementAfterClose.objects.filter(user=social_care_rep)) == [first]
    assert AuditEvent.objects.filter(object_type="meetings.agreementafterclose").count() == 1


def test_someone_who_signed_at_the_meeting_is_left_as_they_were(police_rep, closed):
    row = Attendance.objects.get(meeting=closed.meeting, user=police_rep)
    live.confidentiality_sign(meeting=closed.meeting, user=police_rep)
    assert Attendance.objects.get(pk=row.pk).confidentiality_signed_at == row.confidentiality_signed_at
    assert not AgreementAfterClose.objects.exists()


def test_apologies_on_the_register_stay_apologies_when_they_sign_to_read(
    client_for, coordinator, social_care_rep, marac
):
    meeting = _meeting(marac, coordinator)
    agency, capacity = social_care_rep.agency, "representative"
    apologies = live.attendance_record(
        meeting=meeting, agency=agency, user=social_care_rep, capacity=capacity, present=False, by=coordinator
    )
    listing = _heard_and_closed(meeting, coordinator)
    figures_before = _figures(meeting)

    client_for(social_care_rep).post(_sign_url(listing), {"next": _case_url(listing)})

    row = Attendance.objects.get(pk=apologies.pk)
    assert not row.present and row.confidentiality_signed_at is None
    assert _figures(meeting) == figures_before
    assert client_for(social_care_rep).get(_case_url(listing)).status_code == 200


def test_the_coordinator_can_still_put_them_on_the_register_after_the_close(
    client_for, coordinator, social_care_rep, closed
):
    meeting = closed.meeting
    client_for(social_care_rep).post(_sign_url(closed), {"next": _case_url(closed)})

    line = {"agency": social_care_rep.agency.pk, "user": social_care_rep.pk, "capacity": "representative"}
    added = client_for(coordinator).post(f"/meetings/{meeting.pk}/register/", line | {"present": "yes"})

    assert added.status_code == 302
    row = Attendance.objects.get(meeting=meeting, user=social_care_rep)
    assert row.present
    assert _figures(meeting) == {"core_attendance": (2, 2), "csc_attendance": (1, 1)}
    table, warning = _register(client_for(coordinator), meeting)
    assert "Cass Carewell" in table and warning == ""
    assert client_for(social_care_rep).get(_case_url(closed)).status_code == 200


def test_a_chair_who_was_not_there_signs_to_amend_the_minutes_without_joining_the_register(client_for, marac, closed):
    other_chair = grant(UserFactory(full_name="Clem Chairwell", email="clem@example.invalid"), marac, Role.CHAIR)
    client = client_for(other_chair)
    amend = f"{_case_url(closed)}minutes/amend/"

    asked = client.get(amend)
    assert asked.status_code == 302 and asked["Location"].startswith(_sign_url(closed))
    client.post(_sign_url(closed), {"next": amend})

    assert client.get(amend).status_code == 200
    assert not Attendance.objects.filter(meeting=closed.meeting, user=other_chair).exists()


def test_outsiders_cannot_sign_a_closed_meeting(client_for, outsider, closed):
    assert client_for(outsider).post(_sign_url(closed), {"next": _case_url(closed)}).status_code == 404
    assert not AgreementAfterClose.objects.exists()
    assert not has_signed(user=outsider, meeting=closed.meeting)


@pytest.mark.parametrize("status", [MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS])
def test_before_or_during_the_meeting_signing_still_puts_them_on_the_register_as_present(
    social_care_rep, marac, status
):
    meeting = _meeting(marac)
    MeetingState.objects.filter(meeting=meeting).update(status=status)
    live.confidentiality_sign(meeting=meeting, user=social_care_rep)
    row = Attendance.objects.get(meeting=meeting, user=social_care_rep)
    assert row.present and row.confidentiality_signed_at is not None
    assert not AgreementAfterClose.objects.exists()
    assert has_signed(user=social_care_rep, meeting=meeting)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_a_signature_made_as_the_meeting_closes_lands_on_one_side_of_the_close(marac, chair, social_care_rep):
    meeting = _meeting(marac, chair)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    live.meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    live.listing_open(listing=listing, by=chair)
    live.outcome_record(listing=listing, outcome="review", by=chair)
    closing = threading.Event()

    def sign():
        closing.wait()
        try:
            live.confidentiality_sign(meeting=meeting, user=social_care_rep)
        finally:
            connections.close_all()

    signer = threading.Thread(target=sign)
    signer.start()
    with transaction.atomic():
        MeetingState.objects.select_for_update().get(meeting=meeting)  # the close holds the meeting's lock
        closing.set()
        signer.join(timeout=0.5)  # the signature waits for the lock
        live.meeting_close(meeting=meeting, by=chair)
    signer.join()

    # Signed after the close committed: kept apart, not on the register.
    assert not Attendance.objects.filter(meeting=meeting, user=social_care_rep).exists()
    assert AgreementAfterClose.objects.filter(meeting=meeting, user=social_care_rep).exists()


def _family_record(client, listing):
    """The case's Word meeting record, as the coordinator downloads it: every paragraph and table cell."""
    response = client.get(reverse("actions:family_record", args=[listing.case_id]))
    assert response.status_code == 200
    return word_texts(response.content)


def test_a_line_added_after_the_close_shows_the_signature_after_the_close_and_it_never_counts_as_attending(
    client_for, coordinator, social_care_rep, closed
):
    meeting = closed.meeting
    client_for(social_care_rep).post(_sign_url(closed), {"next": _case_url(closed)})
    agreement = AgreementAfterClose.objects.get(meeting=meeting, user=social_care_rep)
    record_before = _family_record(client_for(coordinator), closed)
    figures_before = _figures(meeting)

    # The coordinator puts them on the register after the close, as having sent apologies.
    line = {"agency": social_care_rep.agency.pk, "user": social_care_rep.pk, "capacity": "representative"}
    assert (
        client_for(coordinator).post(f"/meetings/{meeting.pk}/register/", line | {"present": "no"}).status_code == 302
    )

    table, _ = _register(client_for(coordinator), meeting)
    row = next(row for row in table.split("<tr")[1:] if "Cass Carewell" in row)
    signed = timezone.localtime(agreement.signed_at)
    assert f"Signed after the meeting closed, {signed.day} {signed:%b %Y %H:%M}" in row
    assert "Not signed" not in row and "Apologies" in row
    # Those who signed at the meeting still read as they did.
    chairs = next(row for row in table.split("<tr")[1:] if "Chad Chairington" in row)
    assert "Signed " in chairs and "after the meeting closed" not in chairs
    # It stays a signature after the close: not on the register's line, not attendance, not in the Word record.
    assert Attendance.objects.get(meeting=meeting, user=social_care_rep).confidentiality_signed_at is None
    assert _figures(meeting) == figures_before == {"core_attendance": (1, 2), "csc_attendance": (0, 1)}
    record = _family_record(client_for(coordinator), closed)
    assert "Representative (apologies)" in record
    assert not any("Signed" in text or "after the meeting closed" in text for text in record)
    at = record.index("Cass Carewell")  # their line of the Word record's register: name, agency, capacity
    assert record[at : at + 3] == ["Cass Carewell", "Northbrook Children's Social Care", "Representative (apologies)"]
    assert "Cass Carewell" not in record_before


def test_a_line_for_someone_who_has_not_signed_at_all_still_says_not_signed(
    client_for, coordinator, social_care_rep, closed
):
    line = {"agency": social_care_rep.agency.pk, "user": social_care_rep.pk, "capacity": "representative"}
    client_for(coordinator).post(f"/meetings/{closed.meeting_id}/register/", line | {"present": "no"})

    table, _ = _register(client_for(coordinator), closed.meeting)

    row = next(row for row in table.split("<tr")[1:] if "Cass Carewell" in row)
    assert "Not signed" in row and "after the meeting closed" not in row


def test_a_signature_after_another_meetings_close_is_not_shown_on_this_register(
    client_for, coordinator, social_care_rep, closed, marac
):
    other = _meeting(marac)
    MeetingState.objects.filter(meeting=other).update(status=MeetingStatus.CLOSED)
    live.confidentiality_sign(meeting=other, user=social_care_rep)
    assert AgreementAfterClose.objects.filter(meeting=other, user=social_care_rep).exists()
    line = {"agency": social_care_rep.agency.pk, "user": social_care_rep.pk, "capacity": "representative"}
    client_for(coordinator).post(f"/meetings/{closed.meeting_id}/register/", line | {"present": "no"})

    table, _ = _register(client_for(coordinator), closed.meeting)

    row = next(row for row in table.split("<tr")[1:] if "Cass Carewell" in row)
    assert "Not signed" in row and "after the meeting closed" not in row
