import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from cases.models import CaseParty, CaseRestriction, PartyRole
from cases.restriction import REASON_LIFETIME, reason_given, reasons_from, remember_reason
from cases.restriction_services import case_restrict, case_unrestrict
from cases.selectors import RESTRICTED_VIEW_SUMMARY, cases_at_marac, cases_visible_to
from meetings.agenda_services import get_listing_for_user
from meetings.models import Listing, Meeting
from referrals.models import Referral, ReferralStatus
from testing.factories import CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_idva(marac):
    return grant(UserFactory(full_name="Nadia Named"), marac, Role.IDVA)


@pytest.fixture
def restricted_case(marac, coordinator, named_idva):
    return case_restrict(case=CaseFactory(marac=marac), named_users=[named_idva], by=coordinator)


def _give_reason(client, case, reason="Preparing for Thursday's meeting"):
    return client.post(f"/cases/{case.pk}/reason/", {"reason": reason, "next": f"/cases/{case.pk}/"})


def test_it_hides_a_restricted_case_from_an_outsider(client_for, outsider, restricted_case):
    assert client_for(outsider).get(f"/cases/{restricted_case.pk}/").status_code == 404
    assert client_for(outsider).get(f"/cases/{restricted_case.pk}/reason/").status_code == 404


def test_it_hides_a_restricted_case_from_a_coordinator_not_named_on_it(client_for, marac, chair, restricted_case):
    other_coordinator = grant(UserFactory(), marac, Role.COORDINATOR)
    open_case = CaseFactory(marac=marac)
    for user in (other_coordinator, chair):
        client = client_for(user)
        assert client.get(f"/cases/{restricted_case.pk}/").status_code == 404
        assert client.get(f"/cases/{restricted_case.pk}/reason/").status_code == 404
        listed = client.get("/cases/").content.decode()
        assert open_case.reference in listed
        assert restricted_case.reference not in listed
        assert restricted_case not in cases_visible_to(user=user)
        assert restricted_case not in cases_at_marac(user=user, marac_id=marac.pk)


def test_it_leaves_a_restricted_case_out_of_a_perpetrators_links_for_those_not_named(
    client_for, marac, chair, police_rep, restricted_case
):
    perpetrator = PersonFactory(marac=marac)
    open_case = CaseFactory(marac=marac)
    for each in (open_case, restricted_case):
        CaseParty.objects.create(case=each, person=perpetrator, role=PartyRole.PERPETRATOR)
    page = client_for(police_rep).get(f"/cases/{open_case.pk}/").content.decode()
    assert restricted_case.reference not in page


def test_it_hides_the_people_in_a_restricted_case_even_when_they_are_in_an_open_one(
    client_for, marac, police_rep, restricted_case
):
    victim = restricted_case.victim
    CaseParty.objects.create(case=CaseFactory(marac=marac), person=victim, role=PartyRole.HOUSEHOLD_MEMBER)
    assert client_for(police_rep).get(f"/people/{victim.pk}/").status_code == 404


def test_it_asks_a_named_user_why_before_opening_the_case(client_for, named_idva, restricted_case):
    response = client_for(named_idva).get(f"/cases/{restricted_case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{restricted_case.pk}/reason/?next=%2Fcases%2F{restricted_case.pk}%2F"
    page = client_for(named_idva).get(response["Location"]).content.decode()
    assert "Why are you opening this restricted case?" in page


def test_it_shows_the_case_once_a_reason_is_given_and_audits_the_reason(client_for, named_idva, restricted_case):
    client = client_for(named_idva)
    response = _give_reason(client, restricted_case)
    assert response["Location"] == f"/cases/{restricted_case.pk}/"
    assert client.get(f"/cases/{restricted_case.pk}/").status_code == 200
    assert client.get(f"/cases/{restricted_case.pk}/").status_code == 200  # the reason holds for the session
    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(restricted_case.pk), actor=named_idva
    )
    assert views.count() == 2
    assert {event.summary for event in views} == {RESTRICTED_VIEW_SUMMARY}
    assert {event.changes["reason"] for event in views} == {"Preparing for Thursday's meeting"}


def test_it_asks_for_the_reason_again_after_thirty_minutes(client_for, named_idva, restricted_case):
    client = client_for(named_idva)
    _give_reason(client, restricted_case)
    with reasons_from(client.session):
        assert reason_given(restricted_case.pk) == "Preparing for Thursday's meeting"
        later = timezone.now() + REASON_LIFETIME + datetime.timedelta(seconds=1)
        assert reason_given(restricted_case.pk, now=later) is None


def test_it_keeps_a_reason_for_one_case_only(client, marac, coordinator, named_idva, restricted_case):
    other = case_restrict(case=CaseFactory(marac=marac), named_users=[named_idva], by=coordinator)
    session = client.session
    remember_reason(session, restricted_case.pk, "For the meeting")
    with reasons_from(session):
        assert reason_given(other.pk) is None


def test_it_refuses_a_blank_reason(client_for, named_idva, restricted_case):
    response = _give_reason(client_for(named_idva), restricted_case, reason="   ")
    assert response.status_code == 200
    assert "Say why you are opening this restricted case" in response.content.decode()


def test_it_never_sends_a_named_user_to_another_site_after_the_reason(client_for, named_idva, restricted_case):
    client = client_for(named_idva)
    for elsewhere in ("https://example.com/", "//example.com/", "/\\example.com"):
        response = client.post(f"/cases/{restricted_case.pk}/reason/", {"reason": "Meeting", "next": elsewhere})
        assert response["Location"] == f"/cases/{restricted_case.pk}/"


def test_it_asks_a_named_user_for_a_reason_before_a_person_in_the_case(client_for, named_idva, restricted_case):
    client = client_for(named_idva)
    person_page = f"/people/{restricted_case.victim.pk}/"
    assert client.get(person_page)["Location"].startswith(f"/cases/{restricted_case.pk}/reason/")
    _give_reason(client, restricted_case)
    assert client.get(person_page).status_code == 200
    event = AuditEvent.objects.filter(object_type="people.person", actor=named_idva).get()
    assert event.changes["reason"] == "Preparing for Thursday's meeting"


def test_it_lists_a_restricted_case_with_a_tag_for_those_named(client_for, coordinator, restricted_case):
    page = client_for(coordinator).get("/cases/").content.decode()
    assert restricted_case.reference in page
    assert "Restricted" in page


def test_it_hides_a_restricted_case_listing_from_those_not_named(marac, chair, coordinator, restricted_case):
    listing = Listing.objects.create(
        meeting=Meeting.objects.create(marac=marac, starts_at=timezone.now()), case=restricted_case
    )
    with pytest.raises(Http404):
        get_listing_for_user(
            user=chair, meeting_pk=listing.meeting_id, listing_pk=listing.pk, permission="meetings.view_agenda"
        )


def test_the_api_tells_a_named_user_to_give_a_reason_in_the_web_application(
    client_for, marac, coordinator, restricted_case
):
    referral = Referral.objects.create(
        marac=marac,
        referrer=UserFactory(),
        referring_agency=restricted_case.referring_agency,
        status=ReferralStatus.ACCEPTED,
        case=restricted_case,
    )
    response = client_for(coordinator).get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == 403
    assert "restricted" in response.json()["error"]


def test_it_restricts_a_case_to_named_users_with_an_audit_entry(marac, chair, named_idva):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[named_idva], by=chair)
    assert case.restricted
    assert set(CaseRestriction.objects.filter(case=case).values_list("user_id", flat=True)) == {
        chair.pk,
        named_idva.pk,
    }
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="cases.case", object_id=str(case.pk))
    assert event.actor == chair
    assert event.changes == {"restricted": True, "named_user_ids": sorted([chair.pk, named_idva.pk])}


def test_it_lifts_a_restriction_with_an_audit_entry(coordinator, chair, restricted_case):
    case = case_unrestrict(case=restricted_case, by=coordinator)
    assert not case.restricted
    assert not CaseRestriction.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(object_id=str(case.pk), changes={"restricted": False}).exists()


def test_it_refuses_to_restrict_for_a_representative_or_someone_not_named(marac, police_rep, chair, restricted_case):
    with pytest.raises(ValidationError):
        case_restrict(case=CaseFactory(marac=marac), named_users=[], by=police_rep)
    with pytest.raises(ValidationError):
        case_unrestrict(case=restricted_case, by=chair)


def test_it_refuses_to_name_someone_without_a_case_role_at_the_marac(marac, coordinator, outsider, board_viewer):
    for unsuitable in (outsider, board_viewer):
        with pytest.raises(ValidationError):
            case_restrict(case=CaseFactory(marac=marac), named_users=[unsuitable], by=coordinator)


def test_the_restriction_page_restricts_and_lifts(client_for, marac, chair, named_idva, police_rep, outsider):
    case = CaseFactory(marac=marac)
    assert client_for(police_rep).get(f"/cases/{case.pk}/restriction/").status_code == 404
    assert client_for(outsider).get(f"/cases/{case.pk}/restriction/").status_code == 404
    client = client_for(chair)
    assert client.get(f"/cases/{case.pk}/restriction/").status_code == 200
    response = client.post(f"/cases/{case.pk}/restriction/", {"named_users": [named_idva.pk], "restricted": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.restricted
    _give_reason(client, case)
    client.post(f"/cases/{case.pk}/restriction/", {"restricted": "no"})
    case.refresh_from_db()
    assert not case.restricted


def test_a_restricted_case_is_left_off_the_agenda_grid_and_action_lists_of_those_not_named(
    client_for, marac, chair, coordinator, restricted_case
):
    import datetime

    from django.utils import timezone

    from actions.models import Action
    from meetings.models import Listing, Meeting, MeetingState
    from testing.factories import CaseFactory

    # Held two days ago (the summary of actions is there once a meeting has been held), its case list out.
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() - datetime.timedelta(days=2))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - datetime.timedelta(days=7))
    open_case = CaseFactory(marac=marac)
    for case in (restricted_case, open_case):
        listing = Listing.objects.create(meeting=meeting, case=case)
        Action.objects.create(
            listing=listing, case=case, owner_agency=coordinator.agency, description=f"Check {case.reference}",
            for_whom="victim", due_on=timezone.localdate(), created_by=coordinator,
        )  # fmt: skip
    client = client_for(chair)
    for path in (f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/research-grid/", "/actions/",
                 f"/actions/meetings/{meeting.pk}/summary/"):  # fmt: skip
        page = client.get(path).content.decode()
        assert open_case.reference in page, path
        assert restricted_case.reference not in page, path


def test_a_same_person_match_in_a_restricted_case_shows_no_details_to_those_not_named(
    client_for, marac, chair, coordinator, restricted_case
):
    from referrals.models import Referral, ReferralStatus
    from referrals.tests.test_referral_pages import VICTIM

    victim = restricted_case.victim
    referral = Referral.objects.create(
        marac=marac, referrer=chair, referring_agency=chair.agency, status=ReferralStatus.SUBMITTED,
        content={"victim": {**VICTIM, "given_name": victim.given_name, "family_name": victim.family_name,
                            "date_of_birth": victim.date_of_birth.isoformat()}},
    )  # fmt: skip
    other_coordinator = grant(UserFactory(), marac, Role.COORDINATOR)
    page = client_for(other_coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "A possible match is held in a restricted case you are not named on" in page
    assert f"/people/{victim.pk}/" not in page
