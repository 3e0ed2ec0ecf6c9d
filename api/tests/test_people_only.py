"""What only a person can do, and what the API then tells a credential: open a restricted case (named on it, with a
reason given on its page) and record actions at a meeting (having signed its confidentiality agreement)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from actions.models import Action
from api.core import RESTRICTED_CASE_CREDENTIAL_MESSAGE, RESTRICTED_CASE_MESSAGE
from api.models import ApiCredential
from cases.models import CaseRestriction
from cases.restriction_forms import CaseRestrictionForm
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.models import Attendance, AttendanceCapacity, Listing, Meeting, MeetingState, MeetingStatus
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


@pytest.fixture
def police_system(marac, police_rep, issue_token):
    """The police's records system: a representative's credential, as a partner system holds one."""
    return issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency)


def _service_user(token):
    return ApiCredential.objects.get(prefix=token.split("_")[1]).service_user


# --- Restricted cases -----------------------------------------------------------------------------------------------


def test_a_credential_is_not_offered_among_the_people_a_case_may_be_restricted_to(
    client_for, coordinator, police_rep, case, police_system
):
    form = CaseRestrictionForm(case=case, by=coordinator)
    offered = set(form.fields["named_users"].queryset)  # type: ignore[attr-defined]

    assert police_rep in offered
    assert _service_user(police_system) not in offered
    page = client_for(coordinator).get(f"/cases/{case.pk}/restriction/")
    assert page.status_code == 200
    assert police_rep.full_name in page.content.decode()
    assert _service_user(police_system).full_name not in page.content.decode()


def test_a_credential_posted_as_a_name_is_refused_and_nothing_is_restricted(
    client_for, coordinator, case, police_system
):
    service_user = _service_user(police_system)

    page = client_for(coordinator).post(
        f"/cases/{case.pk}/restriction/", {"named_users": [service_user.pk], "version": case.version}
    )

    assert page.status_code == 200  # the form again, with its error
    case.refresh_from_db()
    assert not case.restricted
    assert not CaseRestriction.objects.exists()


def test_the_service_refuses_to_name_a_credential_saying_why(coordinator, police_rep, case, police_system):
    with pytest.raises(ValidationError, match="an API credential cannot open a restricted case"):
        case_restrict(case=case, named_users=[police_rep, _service_user(police_system)], by=coordinator)

    case.refresh_from_db()
    assert not case.restricted
    assert not CaseRestriction.objects.exists()


def _restrict_naming(case, *users, by):
    case.restricted = True
    case.save(update_fields=["restricted"])
    for user in users:
        CaseRestriction.objects.create(case=case, user=user, added_by=by)


def test_a_credential_named_before_this_rule_is_told_a_person_must_open_the_case(
    bearer, coordinator, case, police_system
):
    _restrict_naming(case, coordinator, _service_user(police_system), by=coordinator)

    response = bearer(police_system).get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 403
    assert response.json() == {"error": RESTRICTED_CASE_CREDENTIAL_MESSAGE}
    assert "restricted" in RESTRICTED_CASE_CREDENTIAL_MESSAGE and "a person named on it must" in (
        RESTRICTED_CASE_CREDENTIAL_MESSAGE
    )


def test_research_and_the_victim_s_voice_on_a_restricted_case_say_the_same_to_a_credential(
    bearer, issue_token, coordinator, idva, marac
):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=4))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    token = issue_token(marac, Role.IDVA, agency=idva.agency)
    _restrict_naming(listing.case, coordinator, _service_user(token), by=coordinator)
    base = f"/api/v1/meetings/{meeting.pk}/listings/{listing.pk}"

    for what in ("research", "victim-voice"):
        response = bearer(token).get(f"{base}/{what}")
        assert (response.status_code, response.json()) == (403, {"error": RESTRICTED_CASE_CREDENTIAL_MESSAGE})


def test_a_named_person_using_the_api_gives_the_reason_on_the_page_and_may_then_use_it(
    client_for, coordinator, police_rep, case
):
    _restrict_naming(case, coordinator, police_rep, by=coordinator)
    client = client_for(police_rep)

    before = client.get(f"/api/v1/cases/{case.pk}")
    assert (before.status_code, before.json()) == (403, {"error": RESTRICTED_CASE_MESSAGE})

    client.post(f"/cases/{case.pk}/reason/", {"reason": "Preparing for Thursday's meeting"})
    after = client.get(f"/api/v1/cases/{case.pk}")
    assert after.status_code == 200
    assert after.json()["restricted"] is True


# --- Recording actions at a meeting ---------------------------------------------------------------------------------


@pytest.fixture
def listing(marac, police_rep):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() - datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, status=MeetingStatus.IN_PROGRESS)  # actions are recorded once started
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def _url(listing):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/actions"


def _action(agency_id, **changes):
    due = add_working_days(timezone.localdate(), 10, calendar=WorkingCalendar())
    return (
        {"owner_agency_id": agency_id, "description": "Flag the address", "for_whom": "victim"}
        | {"due_on": due.isoformat()}
        | changes
    )


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _sign(meeting, user):
    Attendance.objects.create(
        meeting=meeting, user=user, capacity=AttendanceCapacity.REPRESENTATIVE, confidentiality_signed_at=timezone.now()
    )


def test_a_credential_cannot_record_an_action_and_is_told_a_person_records_them(
    bearer, issue_token, marac, coordinator, police_rep, listing
):
    token = issue_token(marac, Role.COORDINATOR, agency=coordinator.agency)
    _sign(listing.meeting, _service_user(token))  # even a signature on the register (put there by hand) is no person

    response = _post(bearer(token), _url(listing), _action(police_rep.agency_id))

    assert response.status_code == 403
    assert "an API credential cannot record them" in response.json()["error"]
    assert "confidentiality agreement" not in response.json()["error"].split(":")[1]  # not "sign it", which it cannot
    assert not Action.objects.exists()


def test_a_credential_s_invalid_body_is_422_before_the_403(bearer, issue_token, marac, coordinator, listing):
    token = issue_token(marac, Role.COORDINATOR, agency=coordinator.agency)
    saturday = timezone.localdate() + datetime.timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)

    response = _post(bearer(token), _url(listing), _action(2**40, description="", due_on=saturday.isoformat()))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"body.owner_agency_id", "body.description", "body.due_on"}


def test_an_unsigned_person_s_bad_due_day_or_unknown_agency_is_422_before_the_403(
    client_for, coordinator, police_rep, listing
):
    client = client_for(coordinator)
    past = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()

    bad_day = _post(client, _url(listing), _action(police_rep.agency_id, due_on=past))
    no_agency = _post(client, _url(listing), _action(2**40))

    assert bad_day.status_code == 422 and list(bad_day.json()["errors"]) == ["body.due_on"]
    assert no_agency.status_code == 422 and list(no_agency.json()["errors"]) == ["body.owner_agency_id"]
    assert not Action.objects.exists()


def test_an_agency_elsewhere_is_judged_only_once_the_person_has_signed(client_for, coordinator, other_marac, listing):
    """Whether an agency may own the action depends on the case (its referring agency may come from elsewhere):
    someone who has not signed is told to sign, not told anything about the case."""
    elsewhere = MaracAgency.objects.create(marac=other_marac, agency=AgencyFactory(name="Northmere Housing")).agency
    client = client_for(coordinator)

    unsigned = _post(client, _url(listing), _action(elsewhere.pk))
    _sign(listing.meeting, coordinator)
    signed = _post(client, _url(listing), _action(elsewhere.pk))

    assert unsigned.status_code == 403 and "Sign this meeting's confidentiality agreement" in unsigned.json()["error"]
    assert signed.status_code == 422 and list(signed.json()["errors"]) == ["body.owner_agency_id"]


def test_a_signed_person_records_the_action_through_the_api(client_for, coordinator, police_rep, listing):
    _sign(listing.meeting, coordinator)

    response = _post(client_for(coordinator), _url(listing), _action(police_rep.agency_id))

    assert response.status_code == 201, response.json()
    assert Action.objects.get().created_by == coordinator
