import pytest

from cases.models import CaseParty, PartyRole
from testing.factories import CaseFactory, MaracFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_it_shows_a_perpetrators_links_to_other_families_at_the_same_marac(client_for, coordinator, marac):
    perpetrator = PersonFactory(marac=marac, given_name="Madeup", family_name="Villainson")
    case = CaseFactory(marac=marac)
    other_family = CaseFactory(marac=marac)
    same_family_again = CaseFactory(marac=marac, victim=case.victim)
    for each in (case, other_family, same_family_again):
        CaseParty.objects.create(case=each, person=perpetrator, role=PartyRole.PERPETRATOR)
    elsewhere = CaseFactory(marac=MaracFactory())
    page = client_for(coordinator).get(f"/cases/{case.pk}/").content.decode()
    assert "Also a perpetrator in another family" in page
    assert other_family.reference in page
    assert same_family_again.reference not in page
    assert elsewhere.reference not in page
