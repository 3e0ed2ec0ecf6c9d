"""A case kept by another case's legal hold (a hold keeps every case of its victim and perpetrator) says so on its own
page: naming the holding case to those who may see it, and to anyone else only as another case."""

from datetime import UTC, date, datetime

import pytest

from cases.models import CaseParty, LegalHold, PartyRole
from cases.restriction_services import case_restrict
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

KEPT_BY = "Kept by"


@pytest.fixture
def alexa(marac):
    return PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary")


@pytest.fixture
def earlier(marac, alexa):
    """Alexa's case from 2019, with Brutus the perpetrator and Kiddo her child."""
    case = CaseFactory(marac=marac, victim=alexa, reference="NB-2019-0001", referred_on=date(2019, 5, 1))
    brutus = PersonFactory(marac=marac, given_name="Brutus", family_name="Fakename")
    kiddo = PersonFactory(marac=marac, given_name="Kiddo", family_name="Imaginary")
    CaseParty.objects.create(case=case, person=brutus, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=kiddo, role=PartyRole.CHILD)
    return case


def _later(marac, victim, reference):
    return CaseFactory(marac=marac, victim=victim, reference=reference, referred_on=date(2026, 9, 1))


def _hold(case, by):
    return LegalHold.objects.create(case=case, reason="dhr", note="DHR 2026/1", placed_by=by)


def _page(client, case):
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_case_whose_hold_keeps_this_one(client_for, marac, chair, police_rep, alexa, earlier):
    later = _later(marac, alexa, "NB-2026-0007")
    _hold(later, chair)

    for viewer in (chair, police_rep):  # who may place holds, and who may not
        page = _page(client_for(viewer), earlier)
        assert "Kept by the legal hold on case" in page
        assert f'href="/cases/{later.pk}/#legal-hold">NB-2026-0007</a>' in page
        assert "Kept by a legal hold on another case" not in page
    assert KEPT_BY not in _page(client_for(chair), later)  # its own hold is listed as its own


def test_it_keeps_quiet_about_a_holding_case_the_viewer_cannot_see(
    client_for, marac, chair, coordinator, police_rep, alexa, earlier
):
    hidden = _later(marac, alexa, "NB-2026-0010")
    case_restrict(case=hidden, named_users=[police_rep], by=chair)
    _hold(hidden, chair)

    page = _page(client_for(coordinator), earlier)
    assert "Kept by a legal hold on another case" in page
    assert "NB-2026-0010" not in page
    assert f"/cases/{hidden.pk}/" not in page
    # Someone named on the restricted case is told which.
    assert "NB-2026-0010</a>" in _page(client_for(police_rep), earlier)


def test_a_hold_on_her_childs_case_or_a_lifted_hold_keeps_nothing_here(client_for, marac, chair, earlier):
    kiddo = earlier.parties.get(role=PartyRole.CHILD).person
    _hold(_later(marac, kiddo, "NB-2026-0009"), chair)
    lifted = _hold(_later(marac, earlier.victim, "NB-2026-0011"), chair)
    lifted.lifted_by, lifted.lifted_at = chair, datetime(2026, 10, 1, tzinfo=UTC)
    lifted.save()

    assert KEPT_BY not in _page(client_for(chair), earlier)


def test_an_outsider_gets_no_page(client_for, marac, chair, outsider, alexa, earlier):
    _hold(_later(marac, alexa, "NB-2026-0007"), chair)
    assert client_for(outsider).get(f"/cases/{earlier.pk}/").status_code == 404
