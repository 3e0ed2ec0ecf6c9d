"""Accounts' email addresses are plain ASCII, and a new one may not only look like another user's: otherwise
"coordinator@…" spelt with a dotless i (U+0131), named like a real coordinator, would be indistinguishable from
them in the list of people who may see a restricted case."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.emails import ASCII_MESSAGE, check_ascii, skeleton
from accounts.forms import UserForm
from accounts.models import User
from marac.models import Marac, MaracAgency
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

ADD = "/you/users/new/"


def _add(client, email: str):  # type: ignore[no-untyped-def]
    agency = AgencyFactory()
    MaracAgency.objects.create(marac=Marac.objects.get(name="Northbrook MARAC"), agency=agency)
    return client.post(ADD, {"full_name": "Cora Coordinator", "email": email, "agency": agency.pk})


@pytest.mark.parametrize(
    "lookalike",
    [
        "cora@example.inval\u0131d",  # dotless i
        "cor\u0430@example.invalid",  # Cyrillic a
        "cora@ex\u0430mple.invalid",  # Cyrillic a in the domain (an internationalised domain)
        "cöra@example.invalid",
        "cora\u200b@example.invalid",  # zero-width space
        "\u212aora@example.invalid",  # Kelvin sign, which Python's case-insensitive matching takes for k
    ],
)
def test_an_administrator_cannot_add_an_address_with_letters_outside_a_to_z(client_for, administrator, lookalike):
    response = _add(client_for(administrator), lookalike)
    assert response.status_code == 200
    assert ASCII_MESSAGE in response.content.decode()
    assert not User.objects.filter(email=lookalike.lower()).exists()


def test_an_address_differing_only_by_case_is_refused(client_for, administrator, coordinator):
    User.objects.filter(pk=coordinator.pk).update(email="Cora.Mixed@example.invalid")  # an older, mixed-case record
    page = _add(client_for(administrator), "cora.mixed@EXAMPLE.invalid").content.decode()
    assert "There is already a user with this email address" in page


@pytest.mark.parametrize("lookalike", ["c0ra@example.invalid", "cora@examp1e.invalid", "cora@exarnple.invalid"])
def test_an_ascii_address_that_only_looks_like_another_is_refused(client_for, administrator, coordinator, lookalike):
    assert coordinator.email == "cora@example.invalid"
    page = _add(client_for(administrator), lookalike).content.decode()
    assert "looks the same as another user&#x27;s" in page
    assert not User.objects.filter(email=lookalike).exists()


def test_an_existing_lookalike_record_cannot_be_copied_in_plain_ascii(client_for, administrator, coordinator):
    # A record from before the rule: the plain address that reads the same is refused too.
    User.objects.filter(pk=coordinator.pk).update(email="coord\u0131nator@northbrook.example")
    page = _add(client_for(administrator), "coordinator@northbrook.example").content.decode()
    # PostgreSQL's case-insensitive match already takes the dotless i for an i; SQLite's does not, and the
    # look-alike check refuses it there.
    assert "looks the same as another user&#x27;s" in page or "There is already a user with this email" in page
    assert not User.objects.filter(email="coordinator@northbrook.example").exists()


def test_an_ordinary_address_is_still_accepted(client_for, administrator, coordinator):
    response = _add(client_for(administrator), "o'neill.test+marac@northbrook-police.example")
    assert ASCII_MESSAGE in response.content.decode()  # an apostrophe is outside the allowed symbols
    response = _add(client_for(administrator), "cora.second_marac-team%1@northbrook-police.example")
    assert response.status_code == 302
    assert User.objects.filter(email="cora.second_marac-team%1@northbrook-police.example").exists()


def test_editing_a_user_keeps_their_own_address(coordinator, marac):
    MaracAgency.objects.create(marac=marac, agency=coordinator.agency)
    form = UserForm(
        {"full_name": coordinator.full_name, "email": coordinator.email, "agency": coordinator.agency_id},
        instance=coordinator,
        marac=marac,
    )
    assert form.is_valid(), form.errors


def test_code_that_makes_users_refuses_them_too(db):
    with pytest.raises(ValidationError, match="only letters a to z"):
        User.objects.create_user("coord\u0131nator@northbrook.example", full_name="Testing Person")
    with pytest.raises(ValidationError):
        User.objects.create_superuser("\u0430dmin@northbrook.example", full_name="Testing Person")


def test_a_user_cannot_add_a_lookalike_address_to_their_own_account(client_for, coordinator, police_rep):
    from allauth.account.models import EmailAddress

    client = client_for(police_rep)
    for lookalike in ["cora@example.inval\u0131d", "c0ra@example.invalid"]:
        # Nobody adds an address to their own account: allauth's page for it is closed (config/urls.py).
        assert client.post("/accounts/email/", {"email": lookalike, "action_add": ""}).status_code == 404
    assert not EmailAddress.objects.filter(user=police_rep).exclude(email=police_rep.email).exists()


def test_password_reset_still_accepts_the_address_it_is_for(client, coordinator):
    response = client.post("/accounts/password/reset/", {"email": coordinator.email})
    assert response.status_code == 302


@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=40))
def test_only_the_allowed_ascii_characters_pass(text: str) -> None:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-@")
    try:
        check_ascii(text)
    except ValidationError:
        assert not text or not set(text) <= allowed
    else:
        assert text and set(text) <= allowed


@given(st.emails())
def test_the_skeleton_ignores_case(email: str) -> None:
    assert skeleton(email) == skeleton(email.upper()) == skeleton(email.lower())
