"""Meetings, the agenda and the case list through the real pages."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from cases.models import Case, CaseParty, PartyRole
from meetings.models import CaseListReceipt, Listing, ListingKind, Meeting, Outcome
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _meeting(marac, *, days_ahead, emergency=False):
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    starts_at = datetime.datetime.combine(day, datetime.time(14, 15), tzinfo=timezone.get_current_timezone())
    return Meeting.objects.create(marac=marac, starts_at=starts_at, is_emergency=emergency)


def _listed(meeting, *, reference, children=0, pregnant=False, victim="Fictiona"):
    marac = meeting.marac
    case = CaseFactory(
        marac=marac,
        reference=reference,
        victim_pregnant=pregnant,
        victim=PersonFactory(marac=marac, given_name=victim, family_name="Testworth"),
    )
    for number in range(children):
        child = PersonFactory(marac=marac, given_name=f"Tiny{number}", date_of_birth=datetime.date(2019, 6, 1))
        CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    return Listing.objects.create(meeting=meeting, case=case)


@pytest.fixture
def soon(marac):
    """A meeting tomorrow: its case list could go out five working days ago."""
    return _meeting(marac, days_ahead=1)


@pytest.fixture
def later(marac):
    """A meeting six weeks away: too early for its case list."""
    return _meeting(marac, days_ahead=42)


def _agenda_page(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_the_marac_meetings_ahead(client_for, coordinator, soon):
    response = client_for(coordinator).get("/meetings/")
    assert response.status_code == 200
    assert len(response.context["upcoming"]) > 2  # the series, generated ahead
    assert soon in response.context["upcoming"]
    assert ("Meetings", "/meetings/") in response.context["nav_links"]


def test_the_coordinator_calls_an_emergency_meeting(client_for, coordinator, marac):
    # A working day, which needs no confirmation (a weekend or bank holiday asks first: test_emergency_holiday).
    day = add_working_days(timezone.localdate(), 3, calendar=WorkingCalendar())
    response = client_for(coordinator).post("/meetings/emergency/new/", {"day": day.isoformat(), "at": "16:00"})
    meeting = Meeting.objects.get(marac=marac, is_emergency=True)
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert AuditEvent.objects.filter(object_id=str(meeting.pk), summary="Called an emergency MARAC").exists()


def test_an_emergency_meeting_must_be_in_the_future(client_for, coordinator, marac):
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(coordinator).post("/meetings/emergency/new/", {"day": day.isoformat(), "at": "16:00"})
    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not Meeting.objects.filter(is_emergency=True).exists()


def test_it_shows_cases_with_children_first_with_slot_times(client_for, coordinator, soon):
    _listed(soon, reference="NM-2026-0001")
    _listed(soon, reference="NM-2026-0002", children=1)
    _listed(soon, reference="NM-2026-0003", pregnant=True)
    page = _agenda_page(client_for(coordinator), soon)
    assert page.index("NM-2026-0002") < page.index("NM-2026-0003") < page.index("NM-2026-0001")
    assert "14:15 to 14:30" in page
    assert "14:45 to 15:00" in page
    assert 'data-testid="predicted-finish">15:00<' in page


def test_the_chair_brings_a_case_forward(client_for, chair, soon):
    _listed(soon, reference="NM-2026-0010", children=1)
    plain = _listed(soon, reference="NM-2026-0011")
    client = client_for(chair)
    response = client.post(f"/meetings/{soon.pk}/listings/{plain.pk}/bring-forward/")
    assert response.status_code == 302
    page = _agenda_page(client, soon)
    assert page.index("NM-2026-0011") < page.index("NM-2026-0010")
    plain.refresh_from_db()
    assert plain.brought_forward and plain.position == 1


def _propose(client, listing, **changes):
    data = {
        "referrer_view": "Spoke to the referring officer, who agrees.",
        "referrer_agrees": "yes",
        "vulnerable_adult": "no",
        "specific_actions_requested": "no",
        **changes,
    }
    return client.post(f"/meetings/{listing.meeting_id}/listings/{listing.pk}/information-only/", data)


def test_information_only_is_refused_with_reasons(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0020", children=1, pregnant=True)
    response = _propose(client_for(coordinator), listing, referrer_agrees="no")
    page = response.content.decode()
    assert response.status_code == 200
    assert "This case cannot be listed for information only" in page
    assert "The case involves a child not in permanent care." in page
    assert "The victim is pregnant." in page
    assert "The referrer does not agree with listing the case for information only." in page
    listing.refresh_from_db()
    assert listing.kind == ListingKind.FULL
    assert listing.information_only_decided_by_coordinator is None
    assert listing.referrer_disagrees  # the referrer's view is kept either way


def test_the_agenda_says_why_a_case_cannot_be_information_only(client_for, chair, soon):
    _listed(soon, reference="NM-2026-0021", children=2)
    page = _agenda_page(client_for(chair), soon)
    assert "Cannot be information only: The case involves 2 children not in permanent care." in page


def test_information_only_needs_the_chair_and_the_coordinator(client_for, coordinator, chair, soon):
    listing = _listed(soon, reference="NM-2026-0030")
    response = _propose(client_for(coordinator), listing)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.information_only_decided_by_coordinator == coordinator
    assert listing.kind == ListingKind.FULL  # not until the chair agrees too
    assert listing.referrer_view == "Spoke to the referring officer, who agrees."
    assert "the coordinator has agreed; waiting for the chair" in _agenda_page(client_for(chair), soon)

    response = client_for(chair).post(f"/meetings/{soon.pk}/listings/{listing.pk}/information-only/agree/")
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.information_only_decided_by_chair == chair
    assert listing.kind == ListingKind.INFORMATION_ONLY
    assert Case.objects.get(pk=listing.case_id).information_only


def test_the_coordinator_cannot_agree_twice(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0031")
    client = client_for(coordinator)
    _propose(client, listing)
    response = client.post(f"/meetings/{soon.pk}/listings/{listing.pk}/information-only/agree/", follow=True)
    assert "You have already agreed" in response.content.decode()
    listing.refresh_from_db()
    assert listing.kind == ListingKind.FULL


def test_a_case_found_to_have_children_moves_back_to_a_full_case(client_for, coordinator, chair, soon):
    listing = _listed(soon, reference="NM-2026-0040")
    _propose(client_for(coordinator), listing)
    client_for(chair).post(f"/meetings/{soon.pk}/listings/{listing.pk}/information-only/agree/")
    child = PersonFactory(marac=soon.marac, given_name="Foundlater")
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)

    response = client_for(chair).post(f"/meetings/{soon.pk}/listings/{listing.pk}/recheck/", follow=True)
    assert "moved back to a full case" in response.content.decode()
    listing.refresh_from_db()
    assert listing.kind == ListingKind.FULL
    assert listing.information_only_decided_by_chair is None
    assert not Case.objects.get(pk=listing.case_id).information_only
    event = AuditEvent.objects.get(object_id=str(listing.pk), summary__startswith="Moved back to a full case")
    assert event.changes["refusals"] == ["The case involves a child not in permanent care."]


def test_hold_over_keeps_the_reason(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0050")
    response = client_for(coordinator).post(
        f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/", {"reason": "Police research not complete"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.outcome == Outcome.HELD_OVER
    held = Listing.objects.get(case=listing.case, held_over_from=soon)
    assert held.meeting.starts_at > soon.starts_at
    assert not held.meeting.is_emergency
    assert held.held_over_reason == "Police research not complete"
    later_page = _agenda_page(client_for(coordinator), held.meeting)
    assert "Police research not complete" in later_page
    soon_page = _agenda_page(client_for(coordinator), soon)
    assert "Held over to a later meeting" in soon_page
    assert 'data-testid="agenda-row"' not in soon_page  # no longer heard here


def test_hold_over_needs_a_reason(client_for, coordinator, soon):
    listing = _listed(soon, reference="NM-2026-0051")
    response = client_for(coordinator).post(f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/", {"reason": ""})
    assert response.status_code == 200
    assert "Say why the case is held over" in response.content.decode()


def test_release_is_refused_before_its_time(client_for, coordinator, later):
    _listed(later, reference="NM-2026-0060")
    response = client_for(coordinator).post(f"/meetings/{later.pk}/case-list/release/", follow=True)
    assert "The case list cannot be released before 12:00 on" in response.content.decode()
    assert not CaseListReceipt.objects.exists()
    assert mail.outbox == []


def test_an_emergency_meetings_list_goes_whenever_ready(
    client_for, coordinator, marac, django_capture_on_commit_callbacks
):
    emergency = _meeting(marac, days_ahead=42, emergency=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(f"/meetings/{emergency.pk}/case-list/release/")
    assert CaseListReceipt.objects.filter(meeting=emergency).exists()


def test_release_sends_to_this_marac_representatives_without_names(
    client_for, coordinator, chair, police_rep, idva, referrer, outsider, soon, django_capture_on_commit_callbacks
):
    _listed(soon, reference="NM-2026-0070", victim="Unmistakable")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"/meetings/{soon.pk}/case-list/release/")
    assert response.status_code == 302
    received = set(CaseListReceipt.objects.filter(meeting=soon).values_list("user__email", flat=True))
    assert received == {coordinator.email, chair.email, police_rep.email, idva.email}
    assert sorted(recipient for message in mail.outbox for recipient in message.to) == sorted(received)
    day = timezone.localdate() + datetime.timedelta(days=1)
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Unmistakable" not in text and "Testworth" not in text and "NM-2026-0070" not in text
        assert f"The case list for the MARAC meeting on {day:%A} {day.day} {day:%B %Y} is ready" in text
        assert f"/meetings/{soon.pk}/case-list/" in text
    assert soon.state.case_list_released_at is not None


def test_representatives_see_the_list_only_once_released(client_for, coordinator, police_rep, soon):
    _listed(soon, reference="NM-2026-0080")
    rep = client_for(police_rep)
    assert "NM-2026-0080" not in _agenda_page(rep, soon)
    assert rep.get(f"/meetings/{soon.pk}/case-list/").status_code == 404
    client_for(coordinator).post(f"/meetings/{soon.pk}/case-list/release/")
    assert "NM-2026-0080" in _agenda_page(rep, soon)


def test_opening_the_list_is_recorded_once(client_for, coordinator, chair, police_rep, soon):
    _listed(soon, reference="NM-2026-0090")
    client_for(coordinator).post(f"/meetings/{soon.pk}/case-list/release/")
    rep = client_for(police_rep)
    response = rep.get(f"/meetings/{soon.pk}/case-list/")
    assert response.status_code == 200
    assert "NM-2026-0090" in response.content.decode()
    assert "receipts" not in response.context  # only the coordinator sees who opened it
    receipt = CaseListReceipt.objects.get(meeting=soon, user=police_rep)
    first = receipt.opened_at
    assert first is not None
    rep.get(f"/meetings/{soon.pk}/case-list/")
    receipt.refresh_from_db()
    assert receipt.opened_at == first

    page = client_for(coordinator).get(f"/meetings/{soon.pk}/case-list/").content.decode()
    assert "Who received the case list" in page
    assert "Pat Police-Rep" in page
    assert "Not opened" in page  # the chair has not


def test_the_word_download_is_audited_as_an_export(client_for, coordinator, soon):
    _listed(soon, reference="NM-2026-0100")
    response = client_for(coordinator).get(f"/meetings/{soon.pk}/case-list.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(soon.pk)).exists()


def test_a_representative_cannot_change_the_agenda(client_for, police_rep, soon):
    listing = _listed(soon, reference="NM-2026-0110")
    client = client_for(police_rep)
    for url in (
        f"/meetings/{soon.pk}/listings/{listing.pk}/bring-forward/",
        f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/",
        f"/meetings/{soon.pk}/case-list/release/",
    ):
        assert client.post(url).status_code == 404


def test_the_outsider_sees_nothing(client_for, outsider, soon):
    listing = _listed(soon, reference="NM-2026-0120")
    client = client_for(outsider)
    for url in (
        f"/meetings/{soon.pk}/",
        f"/meetings/{soon.pk}/case-list/",
        f"/meetings/{soon.pk}/case-list.docx",
        f"/meetings/{soon.pk}/listings/{listing.pk}/information-only/",
        f"/meetings/{soon.pk}/listings/{listing.pk}/hold-over/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/meetings/{soon.pk}/case-list/release/",
        f"/meetings/{soon.pk}/listings/{listing.pk}/bring-forward/",
        f"/meetings/{soon.pk}/listings/{listing.pk}/information-only/agree/",
    ):
        assert client.post(url).status_code == 404, url
    assert soon not in client.get("/meetings/").context["upcoming"]
    assert not CaseListReceipt.objects.exists()


def test_a_referrer_who_changes_their_mind_undoes_the_agreement(client_for, coordinator, chair, soon):
    listing = _listed(soon, reference="NM-2026-0032")
    _propose(client_for(coordinator), listing)
    response = _propose(
        client_for(chair), listing, referrer_agrees="no", referrer_view="Officer now wants a discussion"
    )
    assert "The referrer does not agree" in response.content.decode()
    listing.refresh_from_db()
    assert listing.information_only_decided_by_coordinator is None
    assert listing.kind == ListingKind.FULL
    assert listing.referrer_view == "Officer now wants a discussion"


def test_the_case_list_shows_each_case_in_hearing_order_with_names_escaped(client_for, coordinator, soon):
    without_children = _listed(soon, reference="NM-2026-0110", victim="Plain")
    with_children = _listed(soon, reference="NM-2026-0111", children=2, victim="<b>Angle</b> & Co")
    page = client_for(coordinator).get(f"/meetings/{soon.pk}/case-list/").content.decode()
    rows = page.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0].split("</tr>")
    first, second = rows[0], rows[1]
    # Cases with children are heard first.
    assert with_children.case.reference in first and without_children.case.reference in second
    assert "&lt;b&gt;Angle&lt;/b&gt; &amp; Co Testworth" in first and "<b>Angle</b>" not in page
    assert first.count("<br>") == 2 and "Tiny0" in first and "Tiny1" in first
    assert '<td class="govuk-table__cell">None recorded</td>' in second  # no perpetrator
    assert '<td class="govuk-table__cell">None</td>' in second  # no children
    assert '<td class="govuk-table__cell">14:15</td>' in first  # the first slot starts with the meeting
