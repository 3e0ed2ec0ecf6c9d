"""An address that only looks like another MARAC's user's is refused without saying it looks like anyone's: the
administrators of this MARAC learn nothing about users they cannot see. One that looks like a user of this MARAC is
refused saying so, for them to check it."""

import pytest

from accounts.models import Role, User
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

ADD = "/you/users/new/"
LOOKS_THE_SAME = "looks the same as another user&#x27;s"


def _add(client, marac, email):
    agency = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=agency)
    response = client.post(ADD, {"full_name": "Someone New", "email": email, "agency": agency.pk})
    assert response.status_code == 200
    return response.content.decode()


def _says_nothing_of(page, person):
    assert "You cannot add a user with this email address" in page
    assert LOOKS_THE_SAME not in page and "already" not in page
    for detail in (person.full_name, person.email, "Southmere", f"/you/users/{person.pk}/"):
        assert detail not in page
    assert not User.objects.filter(full_name="Someone New").exists()


def test_an_address_like_another_marac_s_user_s_is_refused_without_saying_so(
    client_for, administrator, outsider, marac
):
    assert outsider.email == "otto@example.invalid"
    _says_nothing_of(_add(client_for(administrator), marac, "0tto@example.invalid"), outsider)


def test_an_address_like_another_marac_s_leaver_s_is_refused_without_saying_so(
    client_for, administrator, marac, other_marac
):
    southmere = AgencyFactory(name="Southmere Housing")
    MaracAgency.objects.create(marac=other_marac, agency=southmere)
    leaver = UserFactory(full_name="Lew Leaver", email="lew@southmere.example", agency=southmere)  # no role now
    _says_nothing_of(_add(client_for(administrator), marac, "1ew@southmere.example"), leaver)


def test_an_address_like_a_user_here_still_says_so(client_for, administrator, coordinator, outsider, marac):
    grant(outsider, marac, Role.IDVA)  # Otto works here too now
    for lookalike in ("c0ra@example.invalid", "0tto@example.invalid"):
        page = _add(client_for(administrator), marac, lookalike)
        assert LOOKS_THE_SAME in page


def test_an_outsider_cannot_add_users_here(client_for, outsider, coordinator):
    response = client_for(outsider).post(ADD, {"full_name": "Someone New", "email": "c0ra@example.invalid"})
    assert response.status_code == 404
    assert not User.objects.filter(full_name="Someone New").exists()
