"""A case's actions on its page say what the open-actions list says of them (overdue, chased, with the chair), and
what an agency said it did when it marked one done (BD Completion of Actions: agencies "provide confirmation that
actions have been completed to the MARAC Coordinator"): the coordinator and the chair read every agency's, as the form
promises, and a representative its own agency's, the only actions the page shows them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions import tracking
from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Listing

pytestmark = pytest.mark.django_db

POLICE_NOTE = "Marker added to the control room system"
IDVA_NOTE = "Referral accepted by the school nurse team"


@pytest.fixture
def case(marac, coordinator, police_rep, idva):
    case = case_at(marac, reference="NB-0951")
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case)
    today = timezone.localdate()
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")
    overdue = action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence",
                         due_on=today - timedelta(days=3))  # fmt: skip
    tracking.actions_mark_chased(actions=[overdue], marac=marac, now=timezone.now() - timedelta(days=1))
    late = action_for(listing, idva.agency, coordinator, description="Offer a safety plan review",
                      due_on=today - timedelta(days=10))  # fmt: skip
    tracking.actions_mark_escalated(actions=[late], marac=marac, now=timezone.now())
    police_done = action_for(listing, police_rep.agency, coordinator, description="Visit the victim")
    tracking.action_complete(action=police_done, note=POLICE_NOTE, based_on_version=1, by=police_rep)
    nurse = action_for(listing, idva.agency, coordinator, description="Refer the children to the school nurse")
    tracking.action_complete(action=nurse, note=IDVA_NOTE, based_on_version=1, by=idva)
    return case


def _page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_words_each_status_as_the_open_actions_list_does(client_for, coordinator, case):
    page = _page(client_for(coordinator), case)
    chased = date_format(timezone.localdate() - timedelta(days=1), "j M Y")
    overdue = '<strong class="govuk-tag govuk-tag--orange">Overdue</strong><br><span class="govuk-body-s">Chased'

    assert f"{overdue} {chased}" in page
    assert '<strong class="govuk-tag govuk-tag--red">With the chair</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in page
    assert page.count('<strong class="govuk-tag govuk-tag--green">Done</strong>') == 2


def test_the_coordinator_and_the_chair_read_what_each_agency_said_it_did(client_for, coordinator, chair, case):
    for user in (coordinator, chair):
        page = _page(client_for(user), case)
        assert f"What was done:</strong> {POLICE_NOTE}" in page, user
        assert f"What was done:</strong> {IDVA_NOTE}" in page, user


def test_a_representative_reads_its_own_agency_s_note_only(client_for, police_rep, idva, outsider, case):
    police = _page(client_for(police_rep), case)
    advocate = _page(client_for(idva), case)

    assert POLICE_NOTE in police and IDVA_NOTE not in police
    assert IDVA_NOTE in advocate and POLICE_NOTE not in advocate
    assert '<strong class="govuk-tag govuk-tag--red">With the chair</strong>' in advocate
    assert client_for(outsider).get(reverse("cases:detail", args=[case.pk])).status_code == 404
