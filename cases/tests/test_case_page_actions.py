"""A case's actions on its page (BD Completion of Actions): each person sees the actions the open-actions lists show
them, with a link to update, resolve or reopen one only where that page would let them through, and every link says
for screen readers which action it is about."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions import tracking
from actions.models import ActionStatus
from actions.tests.tracking_data import action_for, case_at, meeting_at
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.agenda_services import working_calendar
from meetings.models import Listing
from referrals.calendar import add_working_days

pytestmark = pytest.mark.django_db

FLAG = "Flag the address for urgent response"
SAFETY_PLAN = "Offer a safety plan review"
FIREARMS = "Check the firearms licence"
SCHOOL_NURSE = "Refer the children to the school nurse"
# A link to one action's page, its words and the words only screen readers hear.
LINK = re.compile(
    r'<a class="govuk-link" href="(?P<href>/actions/\d+/[a-z]+/\?from=case)">(?P<text>[^<]+)'
    r'<span class="govuk-visually-hidden">(?P<hidden>[^<]+)</span></a>'
)


@pytest.fixture
def case(marac, coordinator, police_rep, idva):
    return case_with_four_actions(marac, coordinator, police_rep, idva)


def case_with_four_actions(marac, coordinator, police_rep, idva):
    """Open actions of the police and the IDVA service, one the police cannot complete, one the IDVA service did."""
    # Both agencies are the MARAC's, so an action may be passed from one to the other.
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency)
    MaracAgency.objects.create(marac=marac, agency=idva.agency)
    case = case_at(marac, reference="NB-0740")
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case)
    action_for(listing, police_rep.agency, coordinator, description=FLAG)
    action_for(listing, idva.agency, coordinator, description=SAFETY_PLAN)
    firearms = action_for(listing, police_rep.agency, coordinator, description=FIREARMS)
    tracking.action_cannot_complete(action=firearms, reason="Outside our force", based_on_version=1, by=police_rep)
    nurse = action_for(listing, idva.agency, coordinator, description=SCHOOL_NURSE)
    tracking.action_complete(action=nurse, note="Referred", based_on_version=1, by=idva)
    return case


def _page(client, case):
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _links(page):
    """(what the link says, the action it names) for each link to an action's page."""
    return [(match["text"], match["hidden"]) for match in LINK.finditer(page)]


def _hrefs(page):
    return [match["href"] for match in LINK.finditer(page)]


def _action_pk(case, description):
    return case.actions.get(description=description).pk


def _link(case, name, description):
    return f"{reverse(f'actions:{name}', args=[_action_pk(case, description)])}?from=case"


def test_the_coordinator_may_update_resolve_and_reopen_from_the_case_page(client_for, coordinator, case):
    page = _page(client_for(coordinator), case)

    assert all(description in page for description in (FLAG, SAFETY_PLAN, FIREARMS, SCHOOL_NURSE))
    assert set(_hrefs(page)) == {
        _link(case, "done", FLAG),
        _link(case, "cannot", FLAG),
        _link(case, "done", SAFETY_PLAN),  # an update the IDVA service sent in
        _link(case, "cannot", SAFETY_PLAN),
        _link(case, "resolve", FIREARMS),
        _link(case, "reopen_done", SCHOOL_NURSE),
    }


def test_the_chair_may_only_resolve(client_for, chair, case):
    page = _page(client_for(chair), case)

    assert all(description in page for description in (FLAG, SAFETY_PLAN, FIREARMS, SCHOOL_NURSE))
    assert _hrefs(page) == [_link(case, "resolve", FIREARMS)]


def test_a_representative_sees_and_updates_only_its_own_agency_s_actions(client_for, police_rep, idva, case):
    police = _page(client_for(police_rep), case)
    assert "Your agency&#x27;s actions" in police
    assert FLAG in police and FIREARMS in police
    assert SAFETY_PLAN not in police and SCHOOL_NURSE not in police
    assert _hrefs(police) == [_link(case, "done", FLAG), _link(case, "cannot", FLAG)]  # no resolving its own

    advocate = _page(client_for(idva), case)
    assert SAFETY_PLAN in advocate and SCHOOL_NURSE in advocate and FLAG not in advocate
    assert _hrefs(advocate) == [_link(case, "done", SAFETY_PLAN), _link(case, "cannot", SAFETY_PLAN)]


def test_every_link_on_the_case_page_opens_for_whoever_is_shown_it(
    client_for, coordinator, chair, police_rep, idva, outsider, case
):
    for user in (coordinator, chair, police_rep, idva):
        client = client_for(user)
        hrefs = _hrefs(_page(client, case))
        assert hrefs, user
        for href in hrefs:
            assert client.get(href).status_code == 200, (user, href)
    assert client_for(outsider).get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_each_link_names_its_action_for_screen_readers(client_for, coordinator, case):
    links = _links(_page(client_for(coordinator), case))
    due = date_format(case.actions.get(description=FIREARMS).due_on, "j M Y")

    assert len(links) == 6 and len(set(links)) == 6  # no two links read alike
    assert ("Mark done", f": {FLAG} (Northbrook Constabulary, due {due})") in links
    assert ("Record how it was resolved", f": {FIREARMS} (Northbrook Constabulary, due {due})") in links


def test_acting_from_the_case_page_comes_back_to_it(client_for, coordinator, police_rep, case, marac):
    client = client_for(coordinator)
    case_url = reverse("cases:detail", args=[case.pk])
    due = add_working_days(timezone.localdate(), 5, calendar=working_calendar(marac))

    update = client.get(_link(case, "done", FLAG)).content.decode()
    assert f'<a class="govuk-link" href="{case_url}">Back to case NB-0740</a>' in update
    done = client.post(_link(case, "done", FLAG), {"completion_note": "Flag added", "version": 1})
    resolved = client.post(
        _link(case, "resolve", FIREARMS),
        {"outcome": "reopen", "due_on": due.isoformat(), "reason": "Inspector agreed cover", "version": 2},
    )
    reopened = client.post(_link(case, "reopen_done", SCHOOL_NURSE), {"reason": "Wrong action ticked", "version": 2})

    assert [response["Location"] for response in (done, resolved, reopened)] == [case_url] * 3
    assert set(case.actions.values_list("status", flat=True)) == {ActionStatus.OPEN, ActionStatus.DONE}
    assert "Inspector agreed cover" in _page(client_for(police_rep), case)


def test_only_the_coordinator_and_chair_see_what_the_agency_had_said(client_for, chair, coordinator, idva, case):
    firearms = case.actions.get(description=FIREARMS)
    due = add_working_days(timezone.localdate(), 5, calendar=working_calendar(case.marac))
    tracking.action_reassign(action=firearms, owner_agency=idva.agency, due_on=due, reason="The IDVA service will ask",
                             referred_to_vawg=False, based_on_version=2, by=chair)  # fmt: skip

    assert "Northbrook Constabulary had said: Outside our force" in _page(client_for(coordinator), case)
    advocate = _page(client_for(idva), case)
    assert "The IDVA service will ask" in advocate and "Passed to another agency" in advocate
    assert "Outside our force" not in advocate


def test_on_a_restricted_case_the_links_open_for_those_named(client_for, coordinator, police_rep, idva, case):
    case_restrict(case=case, named_users=[police_rep], by=coordinator)
    client = client_for(police_rep)
    client.post(f"/cases/{case.pk}/reason/", {"reason": "Updating our action", "next": "/"})

    hrefs = _hrefs(_page(client, case))

    assert hrefs == [_link(case, "done", FLAG), _link(case, "cannot", FLAG)]
    assert all(client.get(href).status_code == 200 for href in hrefs)
    assert client_for(idva).get(reverse("cases:detail", args=[case.pk])).status_code == 404
