"""A referral through the real pages: drafts kept as typed, specific errors, submission with the criteria,
and the coordinator's decision."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseParty
from people.models import Person
from referrals.calendar import WorkingCalendar, is_working_day
from referrals.models import ChildrenNotification, IdvaAllocation, MatchDecision, Referral, ReferralStatus
from testing.factories import MaracFactory, PersonFactory
from web.dates import spoken

pytestmark = pytest.mark.django_db

VICTIM = {
    "given_name": "Fictiona", "family_name": "Testworth", "date_of_birth": "1991-04-03", "gender": "female",
    "ethnicity": "white", "sexuality": "not_known", "has_disability": "no", "needs_interpreter": "no",
    "pregnant": "no", "address_line_1": "12 Imaginary Row", "town": "Nowhereton", "postcode": "nb12xy",
    "safe_to_post": "no", "safe_contact": "Text first on the work mobile, weekdays only",
}  # fmt: skip
PERPETRATOR = {"given_name": "Madeup", "family_name": "Villainson", "gender": "male", "has_disability": "not_known",
               "relationship": "ex_partner", "ethnicity": "not_known"}  # fmt: skip
CHILD = {"given_name": "Tiny", "family_name": "Testworth", "date_of_birth": "2019-06-01", "gender": "female",
         "school_or_setting": "Nowhereton Primary", "in_permanent_care": "no"}  # fmt: skip
CONSENT = {"information_sharing": "not_asked_unsafe", "information_sharing_reason": "Perpetrator was present",
           "idva_referral": "given", "victim_told": "no_unsafe"}  # fmt: skip
ABOUT = {
    "how_arose": "police_notification",
    "background": "Long history of controlling behaviour.",
    "current_risk": "Threats to kill last week.",
    "outcomes_sought": "Safety planning and a refuge place.",
}


def _risk(yes: int) -> dict[str, str]:
    return {f"q{number}": "yes" if number <= yes else "no" for number in range(1, 25)}


def _post(client, referral, slug, data, *, index=None):
    referral.refresh_from_db()
    url = f"/referrals/{referral.pk}/{slug}/" + ("new/" if index == "new" else "")
    return client.post(url, {**data, "version": referral.version, "action": "continue"})


def _complete(client, referral, *, score=16, children=True):
    _post(client, referral, "victim", VICTIM)
    _post(client, referral, "perpetrators", PERPETRATOR, index="new")
    if children:
        _post(client, referral, "children", CHILD, index="new")
    _post(client, referral, "risk", _risk(score))
    _post(client, referral, "consent", CONSENT)
    _post(client, referral, "about", ABOUT)


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def test_a_draft_keeps_what_was_typed_even_when_it_has_errors(client_for, referrer, referral):
    client = client_for(referrer)
    response = _post(client, referral, "victim", {**VICTIM, "date_of_birth": "2099-01-01", "postcode": ""})
    page = response.content.decode()
    assert "Date of birth must be today or in the past" in page
    assert "Enter the postcode of the victim" in page
    assert 'href="#id_date_of_birth"' in page
    referral.refresh_from_db()
    assert referral.content["victim"]["given_name"] == "Fictiona"
    assert referral.content["victim"]["date_of_birth"] == "2099-01-01"
    # Coming back later shows the answers and what still needs correcting.
    again = client.get(f"/referrals/{referral.pk}/victim/").content.decode()
    assert 'value="Fictiona"' in again and "Date of birth must be today or in the past" in again


def test_markup_in_free_text_is_shown_escaped(client_for, referrer, referral):
    client = client_for(referrer)
    _post(client, referral, "about", {**ABOUT, "background": "<script>alert('x')</script>"})
    page = client.get(f"/referrals/{referral.pk}/about/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_oversized_text_gets_a_clear_error_and_is_still_kept(client_for, referrer, referral):
    client = client_for(referrer)
    page = _post(client, referral, "about", {**ABOUT, "background": "x" * 5001}).content.decode()
    assert "This must be 5,000 characters or fewer" in page
    referral.refresh_from_db()
    assert len(referral.content["about"]["background"]) == 5001


def test_a_perpetrator_needs_a_name_or_a_description(client_for, referrer, referral):
    client = client_for(referrer)
    nameless = {**PERPETRATOR, "given_name": "", "family_name": ""}
    first = _post(client, referral, "perpetrators", nameless, index="new")
    page = client.get(first["Location"]).content.decode()  # the draft kept, and shown as that perpetrator
    assert "Enter the perpetrator&#x27;s name, or describe them if their name is not known" in page
    described = {**nameless, "description": "Ex-partner known as Jay, drives a blue van"}
    response = _post(client, referral, "perpetrators/0", described)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert [item["description"] for item in referral.content["perpetrators"]] == [described["description"]]


def test_a_victim_under_16_is_refused_with_a_pointer_to_child_safeguarding(client_for, referrer, referral):
    client = client_for(referrer)
    young = (timezone.localdate() - datetime.timedelta(days=365 * 15)).isoformat()
    _complete(client, referral)
    _post(client, referral, "victim", {**VICTIM, "date_of_birth": young})
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "follow your child safeguarding procedures" in page
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_a_referral_below_the_criteria_is_not_submitted_and_the_referrer_is_told_why(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral, score=11)
    referral.refresh_from_db()
    response = client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version}, follow=True)
    page = response.content.decode()
    assert "11" in page and "14" in page  # the score and the threshold, in words the referrer reads
    assert "IDVA" in page  # a score of 10 or more still goes to the IDVA service
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_it_submits_a_complete_referral_with_every_criterion_and_its_reason(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral, score=16)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.instrument.code == "dash_ric"
    assert referral.criteria_result["met"] is True
    assert referral.criteria_result["dash_score"] == 16
    assert {result["criterion"] for result in referral.criteria_result["results"]} >= {
        "visible_high_risk",
        "professional_judgement",
    }
    # No longer editable: the section page sends its referrer to the read-only copy of what they submitted.
    assert client.get(f"/referrals/{referral.pk}/victim/")["Location"] == f"/referrals/{referral.pk}/#section-victim"
    assert client.post(f"/referrals/{referral.pk}/victim/", {**VICTIM, "version": referral.version}).status_code == 404


def test_a_stale_save_is_refused_and_shows_the_typing_back(client_for, referrer, referral):
    client = client_for(referrer)
    stale = referral.version
    _post(client, referral, "victim", VICTIM)
    response = client.post(f"/referrals/{referral.pk}/victim/", {**VICTIM, "given_name": "Changed", "version": stale})
    page = response.content.decode()
    assert "saved somewhere else" in page
    assert 'value="Changed"' in page
    referral.refresh_from_db()
    assert referral.content["victim"]["given_name"] == "Fictiona"


def test_the_coordinator_confirms_a_known_person_accepts_and_sees_the_listing(
    client_for, referrer, coordinator, referral, marac, django_capture_on_commit_callbacks
):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    known = PersonFactory(
        marac=marac, given_name="Fictiona", family_name="Testworth", date_of_birth=datetime.date(1991, 4, 3)
    )
    PersonFactory(
        marac=MaracFactory(), given_name="Fictiona", family_name="Testworth", date_of_birth=datetime.date(1991, 4, 3)
    )
    desk = client_for(coordinator)
    assert f"Referral {referral.pk}" in desk.get("/referrals/inbox/").content.decode()
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "Same name and date of birth" in page
    assert page.count("Possible match") == 1  # the namesake at another MARAC is not shown
    desk.post(
        f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": known.pk, "decision": "confirmed"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    case = referral.case
    assert case.victim == known
    assert CaseParty.objects.filter(case=case).count() == 3
    assert referral.meeting is not None and referral.meeting.starts_at.date() > referral.submitted_at.date()
    assert IdvaAllocation.objects.get(case=case).due_by == referral.submitted_at + datetime.timedelta(hours=48)
    assert ChildrenNotification.objects.filter(case=case).exists()
    assert MatchDecision.objects.get(referral=referral).decision == "confirmed"
    status = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "To be heard at" in status
    assert len(mail.outbox) == 1 and "Fictiona" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(object_type="cases.case", action="create").exists()


def test_the_coordinator_returns_a_referral_and_the_referrer_can_correct_it(
    client_for, referrer, coordinator, referral
):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/return/", {"reasons": "Add the child's school"})
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Add the child&#x27;s school" in page
    assert client.get(f"/referrals/{referral.pk}/children/").status_code == 200


def test_a_transfer_gives_the_receiving_marac_its_own_referral_and_the_sender_keeps_theirs(
    client_for, referrer, coordinator, referral, other_marac, outsider
):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/", {"to_marac": other_marac.pk, "reason": "Permanent move"}
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED
    received = Referral.objects.get(marac=other_marac)
    assert received.status == ReferralStatus.SUBMITTED and received.content == referral.content
    receiving = client_for(outsider)
    assert f"Referral {received.pk}" in receiving.get("/referrals/inbox/").content.decode()
    assert receiving.get(f"/referrals/{referral.pk}/decision/").status_code == 404
    assert client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").status_code == 200


def test_nobody_else_sees_a_draft(client_for, referral, coordinator, outsider):
    for user in (coordinator, outsider):
        assert client_for(user).get(f"/referrals/{referral.pk}/").status_code == 404
    assert not Case.objects.exists() and not Person.objects.exists()


def test_the_coordinator_lists_an_urgent_case_at_an_emergency_marac(client_for, referrer, coordinator, referral):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    past = desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": "2020-01-01", "at": "14:00"})
    assert "The emergency MARAC must be in the future" in past.content.decode()
    ahead = [timezone.localdate() + datetime.timedelta(days=offset) for offset in range(1, 15)]
    working_day = next(day for day in ahead if is_working_day(day, WorkingCalendar())).isoformat()
    desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": working_day, "at": "14:00"})
    referral.refresh_from_db()
    assert referral.meeting.is_emergency
    assert referral.meeting.starts_at.date().isoformat() == working_day
    assert "emergency MARAC" in client.get(f"/referrals/{referral.pk}/").content.decode()

    # A Sunday is named, and nothing moves until the coordinator confirms it, as when calling one from the agenda.
    sunday = next(day for day in ahead if day.weekday() == 6)
    asked = desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": sunday.isoformat(), "at": "10:00"})
    assert f"{spoken(sunday)} is a Sunday." in asked.content.decode()
    assert "List at the emergency MARAC anyway" in asked.content.decode()
    referral.refresh_from_db()
    assert referral.meeting.starts_at.date().isoformat() == working_day
    desk.post(
        f"/referrals/{referral.pk}/decision/emergency/",
        {"day": sunday.isoformat(), "at": "10:00", "confirmed_day": sunday.isoformat()},
    )
    referral.refresh_from_db()
    assert timezone.localtime(referral.meeting.starts_at).date() == sunday


def test_listing_at_an_emergency_marac_never_loses_research_recorded_at_the_meeting_ahead(
    client_for, referrer, coordinator, police_rep, referral
):
    from meetings.models import Listing, Research

    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    listed = Listing.objects.get(case=referral.case, meeting=referral.meeting)
    Research.objects.create(listing=listed, agency=police_rep.agency, author=police_rep, about_victim="Known to us.")
    ahead = [timezone.localdate() + datetime.timedelta(days=offset) for offset in range(1, 15)]
    day = next(day for day in ahead if is_working_day(day, WorkingCalendar()) and day < listed.meeting.starts_at.date())

    refused = desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"})

    assert refused.status_code == 200
    assert "agencies have recorded research" in refused.content.decode()
    assert Research.objects.filter(listing=listed).exists()
    referral.refresh_from_db()
    assert referral.meeting_id == listed.meeting_id
    assert not referral.case.listings.filter(meeting__is_emergency=True).exists()

    # With the research gone (say, moved by hand), the case moves to the emergency MARAC.
    Research.objects.filter(listing=listed).delete()
    desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"})
    referral.refresh_from_db()
    assert referral.meeting.is_emergency
    assert not Listing.objects.filter(pk=listed.pk).exists()


def test_an_accepted_referral_is_on_its_meetings_agenda(client_for, referrer, coordinator, referral):
    from meetings.models import Listing

    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    listing = Listing.objects.get(case=referral.case)
    assert listing.meeting == referral.meeting
    assert listing.kind == "full"
