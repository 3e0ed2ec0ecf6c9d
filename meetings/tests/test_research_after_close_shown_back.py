"""Research or the victim's voice sent after the meeting closed is refused and not saved, but what was typed is shown
back, read only, with the reason: the representative can still give it to the coordinator another way."""

import pytest
from django.urls import reverse

from accounts.models import Role
from cases.models import CaseParty, PartyRole
from marac.models import AgencyType, MaracAgency
from meetings.models import Research, VictimVoice
from meetings.research_services import MEETING_CLOSED_MESSAGE
from meetings.tests.test_research_after_close import _unchanged, listing, meeting
from testing.factories import AgencyFactory, PersonFactory, UserFactory, grant

__all__ = ["listing", "meeting"]

pytestmark = pytest.mark.django_db

NOT_SAVED = "What you sent, which was not saved"
REFUSED = MEETING_CLOSED_MESSAGE.replace("'", "&#x27;")


def test_research_sent_after_the_close_is_shown_back_and_not_saved(client_for, police_rep, listing):
    response = client_for(police_rep).post(
        reverse("meetings_research:research", args=[listing.pk]),
        {"known_to_agency": "yes", "about_victim": "Arrested the perpetrator\non Sunday night", "version": 1},
    )

    page = response.content.decode()
    assert REFUSED in page and NOT_SAVED in page
    assert "Arrested the perpetrator<br>on Sunday night" in page
    assert "Yes, we hold information" in page
    assert 'name="about_victim"' not in page  # read only: nothing to send again
    _unchanged(listing)


def test_a_childrens_social_care_rep_sees_their_child_notes_back(client_for, marac, listing):
    agency = AgencyFactory(name="Northbrook Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    csc_rep = grant(UserFactory(full_name="Cass Carer", agency=agency), marac, Role.AGENCY_REPRESENTATIVE)
    child = PersonFactory(marac=marac, given_name="Tinny", family_name="Madeupchild")
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)

    page = (
        client_for(csc_rep)
        .post(
            reverse("meetings_research:research", args=[listing.pk]),
            {
                "known_to_agency": "yes",
                "proceedings": "Private law hearing next week",
                f"child-{child.pk}-status": "child_in_need",
                f"child-{child.pk}-notes": "Allocated a social worker",
                "version": 0,
            },
        )
        .content.decode()
    )

    assert NOT_SAVED in page and "Private law hearing next week" in page
    assert "Child in need<br>Allocated a social worker" in page
    assert not Research.objects.filter(agency=agency).exists()


def test_the_victims_voice_sent_after_the_close_is_shown_back_and_not_saved(client_for, idva, listing):
    page = (
        client_for(idva)
        .post(
            reverse("meetings_research:victim_voice", args=[listing.pk]),
            {"victim_views": "Now wants a move to a refuge", "child_voice": "", "version": 1},
        )
        .content.decode()
    )

    assert REFUSED in page and NOT_SAVED in page and "Now wants a move to a refuge" in page
    assert 'name="victim_views"' not in page
    assert VictimVoice.objects.get(listing=listing).victim_views == "Wants to stay at home"


def test_opening_the_closed_page_shows_nothing_as_not_saved(client_for, police_rep, listing):
    page = client_for(police_rep).get(reverse("meetings_research:research", args=[listing.pk])).content.decode()
    assert NOT_SAVED not in page
