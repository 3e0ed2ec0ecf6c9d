"""Postcodes on a referral follow the one UK postcode rule the import uses (web/postcodes.py): upper case with one
space, or the GOV.UK error "Enter a real postcode, like AA1 1AA", on the pages and through the API alike."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.rules import CellError, parse_postcode
from referrals.models import Referral
from referrals.tests.test_referral_pages import PERPETRATOR, VICTIM, _complete
from web.postcodes import normalise_postcode

# --- The rule: worked examples ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("nb12xy", "NB1 2XY"),
        ("NB1 2XY", "NB1 2XY"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("W1A0AX", "W1A 0AX"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_real_postcode_is_written_as_royal_mail_writes_it(typed, kept):
    assert normalise_postcode(typed) == kept


@pytest.mark.parametrize("typed", ["NOT A POSTCODE", "12345", "NB1", "NB1 2X", "NB1 2XYZ", "1NB 2XY", "NB12 XY9"])
def test_anything_else_is_not_a_postcode(typed):
    assert normalise_postcode(typed) is None


def test_the_import_also_takes_a_district_on_its_own_and_uses_the_same_rule():
    assert parse_postcode("nb1") == "NB1"
    assert parse_postcode("nb12xy") == "NB1 2XY"
    with pytest.raises(CellError, match="NOT A POSTCODE is not a UK postcode"):
        parse_postcode("NOT A POSTCODE")


# --- The rule: properties ---------------------------------------------------------------------------------------------

letters = st.sampled_from("ABCDEFGHIJKLMNOPRSTUWYZ")
digits = st.sampled_from("0123456789")
outward = st.one_of(
    st.builds(lambda a, d: a + d, letters, digits),
    st.builds(lambda a, b, d: a + b + d, letters, letters, digits),
    st.builds(lambda a, b, d, e: a + b + d + e, letters, letters, digits, st.one_of(letters, digits)),
)
inward = st.builds(lambda d, a, b: d + a + b, digits, letters, letters)


@given(outward=outward, inward=inward, spaces=st.sampled_from(["", " ", "  "]), lower=st.booleans())
def test_any_real_postcode_however_typed_comes_out_the_same(outward, inward, spaces, lower):
    typed = f"{outward}{spaces}{inward}"
    assert normalise_postcode(typed.lower() if lower else typed) == f"{outward} {inward}"


@given(st.text(max_size=12))
def test_whatever_is_typed_the_result_is_empty_none_or_one_spaced_upper_case(typed):
    result = normalise_postcode(typed)
    if result:
        assert result == result.upper() and result.count(" ") == 1
        # Normalising again changes nothing, and the district (what the reports count by) is the first half.
        assert normalise_postcode(result) == result
        assert 2 <= len(result.split(" ")[0]) <= 4


# --- Through the pages and the API ------------------------------------------------------------------------------------


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _post(client, referral, url, data):
    referral.refresh_from_db()
    return client.post(url, {**data, "version": referral.version, "action": "continue"})


@pytest.mark.django_db
def test_a_victim_postcode_that_is_not_one_is_refused_and_blocks_submission(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral)

    response = _post(client, referral, f"/referrals/{referral.pk}/victim/", {**VICTIM, "postcode": "NOT A POSTCODE"})

    page = response.content.decode()
    assert "Enter a real postcode, like AA1 1AA" in page and 'href="#id_postcode"' in page
    assert "Enter the postcode of the victim" not in page  # one error, the specific one
    referral.refresh_from_db()
    assert referral.content["victim"]["postcode"] == "NOT A POSTCODE"  # the draft is kept as typed
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "draft"
    overview = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Correct the errors in: the victim" in overview


@pytest.mark.django_db
def test_a_perpetrator_postcode_is_checked_when_given(client_for, referrer, referral):
    client = client_for(referrer)
    url = f"/referrals/{referral.pk}/perpetrators/new/"
    response = _post(client, referral, url, {**PERPETRATOR, "postcode": "12345"})
    detail = client.get(response["Location"]).content.decode()
    assert "Enter a real postcode, like AA1 1AA" in detail
    _post(client, referral, f"/referrals/{referral.pk}/perpetrators/0/", {**PERPETRATOR, "postcode": ""})
    assert "Enter a real postcode" not in client.get(f"/referrals/{referral.pk}/perpetrators/0/").content.decode()


@pytest.mark.django_db
def test_an_accepted_case_holds_the_postcode_upper_case_with_one_space(client_for, referrer, coordinator, referral):
    from people.models import Address

    client = client_for(referrer)
    _complete(client, referral)  # typed as "nb12xy"
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    address = Address.objects.get(person=referral.case.victim)
    assert (address.postcode, address.postcode_district) == ("NB1 2XY", "NB1")


@pytest.mark.django_db
def test_the_api_refuses_the_same_postcode_with_the_same_words(client_for, referrer):
    api = client_for(referrer)
    created = api.post(
        "/api/v1/referrals", json.dumps({"victim": {**VICTIM, "postcode": "NOT A POSTCODE"}}), "application/json"
    ).json()
    assert created["errors"]["victim.postcode"] == ["Enter a real postcode, like AA1 1AA"]
    assert created["problems"]["victim"] == ["Correct the errors in: the victim"]
    fixed = api.put(
        f"/api/v1/referrals/{created['id']}/sections/victim",
        json.dumps({**VICTIM, "postcode": "sw1a1aa"}),
        content_type="application/json",
        headers={"If-Match": f'"{created["version"]}"'},
    ).json()
    assert "victim.postcode" not in fixed["errors"]
