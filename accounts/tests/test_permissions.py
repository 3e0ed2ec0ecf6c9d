"""Who sees what: need-to-know at the MARAC where a role is held, 404 everywhere else."""

import re

import pytest

from accounts.models import Role
from accounts.permissions import PERMISSIONS, markdown_table
from cases.selectors import cases_visible_to
from testing.factories import CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


@pytest.mark.parametrize("persona", ["coordinator", "chair", "police_rep", "idva"])
def test_it_shows_a_case_to_every_case_role_at_its_marac(request, client_for, case, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert case.reference in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "board_viewer", "administrator", "referrer", "no_role_user"])
def test_it_answers_404_to_everyone_else(request, client_for, case, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(f"/cases/{case.pk}/").status_code == 404


def test_a_missing_case_and_a_forbidden_case_look_the_same(client_for, outsider, case):
    client = client_for(outsider)
    forbidden = client.get(f"/cases/{case.pk}/")
    missing = client.get("/cases/999999/")
    assert forbidden.status_code == missing.status_code == 404

    def without_csrf_token(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert without_csrf_token(forbidden) == without_csrf_token(missing)


def test_a_referrer_sees_the_status_of_their_own_referral_and_nothing_more(client_for, referrer, marac):
    own = CaseFactory(marac=marac, referred_by=referrer)
    someone_elses = CaseFactory(marac=marac)
    client = client_for(referrer)
    page = client.get(f"/cases/{own.pk}/").content.decode()
    assert "Your referral" in page
    assert own.victim.given_name not in page  # status only, no personal details
    assert client.get(f"/cases/{someone_elses.pk}/").status_code == 404
    assert list(cases_visible_to(user=referrer)) == [own]


def test_a_referrer_lists_their_referrals_on_their_landing_page(client_for, referrer, marac):
    own = CaseFactory(marac=marac, referred_by=referrer)
    other = CaseFactory(marac=marac)
    page = client_for(referrer).get("/").content.decode()
    assert own.reference in page
    assert other.reference not in page


def test_an_administrator_sees_no_case_unless_also_given_a_case_role(client_for, administrator, marac, case):
    assert client_for(administrator).get(f"/cases/{case.pk}/").status_code == 404
    grant(administrator, marac, Role.CHAIR)
    assert client_for(administrator).get(f"/cases/{case.pk}/").status_code == 200


def test_a_role_at_one_marac_gives_nothing_at_another(client_for, marac, other_marac):
    rep = grant(UserFactory(), other_marac, Role.AGENCY_REPRESENTATIVE)
    case = CaseFactory(marac=marac)
    assert client_for(rep).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(rep).get(f"/people/{case.victim.pk}/").status_code == 404
    assert case not in cases_visible_to(user=rep)


def test_the_case_list_shows_only_the_current_marac(client_for, coordinator, marac, other_marac):
    here = CaseFactory(marac=marac)
    there = CaseFactory(marac=other_marac)
    page = client_for(coordinator).get("/cases/").content.decode()
    assert here.reference in page
    assert there.reference not in page


def test_a_confidential_address_is_shown_to_the_idva_but_not_the_police_representative(
    client_for, idva, police_rep, marac
):
    from testing.factories import AddressFactory

    person = PersonFactory(marac=marac)
    AddressFactory(person=person, line_1="7 Refuge Lane", confidential=True)
    assert "7 Refuge Lane" in client_for(idva).get(f"/people/{person.pk}/").content.decode()
    page = client_for(police_rep).get(f"/people/{person.pk}/").content.decode()
    assert "7 Refuge Lane" not in page
    assert "A confidential address is held" in page


def test_a_board_viewer_sees_aggregates_with_small_numbers_suppressed_and_no_one_named(client_for, board_viewer, marac):
    from django.utils import timezone

    cases = [
        CaseFactory(marac=marac, heard_on=timezone.localdate(), referred_on=timezone.localdate()) for _ in range(3)
    ]
    response = client_for(board_viewer).get("/performance/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/reports/")
    assert "&lt;6" in page
    for case in cases:
        assert case.reference not in page
        assert case.victim.given_name not in page


def test_the_permissions_document_lists_every_permission():
    table = markdown_table()
    for permission in PERMISSIONS:
        assert f"`{permission.name}`" in table
