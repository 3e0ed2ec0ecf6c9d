"""Tokens and error locations: worked examples and properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Role
from api.core import validation_errors
from api.models import ApiCredential
from api.services import TOKEN_START, credential_for_token


def test_error_locations_read_as_json_paths():
    errors = validation_errors(
        [
            {"loc": ("query", "limit"), "msg": "Too big"},
            {"loc": ("body", "children", 0, "given_name"), "msg": "Enter the given name"},
            {"loc": ("body", "children", 0, "given_name"), "msg": "Too long"},
        ]
    )
    assert errors == {"query.limit": ["Too big"], "body.children[0].given_name": ["Enter the given name", "Too long"]}


@pytest.mark.django_db
def test_a_token_is_found_by_its_prefix_and_only_with_its_whole_secret(coordinator_token):
    credential = ApiCredential.objects.get()
    assert credential_for_token(coordinator_token) == credential
    assert coordinator_token.startswith(f"{TOKEN_START}{credential.prefix}_")
    assert credential_for_token(coordinator_token + "x") is None
    assert credential_for_token(coordinator_token[:-1]) is None
    assert set(credential.service_user.role_grants.values_list("role", flat=True)) == {Role.COORDINATOR}


@pytest.mark.django_db
@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=80))
def test_no_made_up_token_is_ever_accepted(text):
    assert credential_for_token(text) is None
    assert credential_for_token(TOKEN_START + text) is None
