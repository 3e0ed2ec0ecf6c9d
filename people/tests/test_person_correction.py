"""Correcting a person's record (UK GDPR Art. 16): the coordinator of the person's MARAC corrects names, other names,
date of birth, gender and ethnicity, and manages addresses, through the real pages (/people/<id>/correct/)."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from cases.restriction_services import case_restrict
from people import corrections
from people.models import Alias, Ethnicity, Gender
from testing.factories import AddressFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(marac):
    case = CaseFactory(marac=marac)
    person = case.victim
    person.given_name, person.family_name = "Imogen", "Testperson"
    person.save()
    Alias.objects.create(person=person, given_name="Immy", family_name="Oldname")
    return person


@pytest.fixture
def address(victim):
    return AddressFactory(person=victim, lived_from=datetime.date(2024, 3, 3))


def _url(person, rest=""):
    return f"/people/{person.pk}/correct/{rest}"


def _version(page, prefix=""):
    name = f"{prefix}-version" if prefix else "version"
    return re.search(rf'name="{name}" value="(\d+)"', page.content.decode()).group(1)


def _details(page, **changes):
    """What the details form sends as shown on `page`, with `changes`."""
    data = {
        "version": _version(page),
        "given_name": "Imogen",
        "family_name": "Testperson",
        "description": "",
        "date_of_birth": "1990-05-17",
        "gender": Gender.FEMALE,
        "is_transgender": "not_known",
        "ethnicity": Ethnicity.NOT_KNOWN,
        "other_given_0": "Immy",
        "other_family_0": "Oldname",
        "other_given_1": "",
        "other_family_1": "",
        "other_given_2": "",
        "other_family_2": "",
    }
    return data | changes


def test_it_links_the_correction_page_for_the_coordinator_only(client_for, coordinator, police_rep, idva, victim):
    assert 'data-testid="correct-link"' in client_for(coordinator).get(f"/people/{victim.pk}/").content.decode()
    for user in (police_rep, idva):
        assert 'data-testid="correct-link"' not in client_for(user).get(f"/people/{victim.pk}/").content.decode()


def test_it_refuses_everyone_but_a_coordinator_of_the_persons_marac(
    client_for, chair, police_rep, idva, referrer, board_viewer, administrator, outsider, victim, address
):
    for user in (chair, police_rep, idva, referrer, board_viewer, administrator, outsider):
        client = client_for(user)
        assert client.get(_url(victim)).status_code == 404
        assert client.post(_url(victim), {"version": "1", "given_name": "Changed"}).status_code == 404
        assert client.post(_url(victim, f"addresses/{address.pk}/confidential/"), {"version": "1"}).status_code == 404
    victim.refresh_from_db()
    assert victim.given_name == "Imogen"


def test_it_corrects_names_other_names_birth_gender_and_ethnicity_and_audits_field_names_only(
    client_for, coordinator, victim
):
    client = client_for(coordinator)
    page = client.get(_url(victim))
    assert page.status_code == 200
    sent = _details(
        page,
        given_name="Imogene",
        family_name="Testperson-Jones",
        date_of_birth="1991-06-18",
        gender=Gender.NON_BINARY,
        is_transgender="yes",
        ethnicity=Ethnicity.MIXED,
        other_given_0="",
        other_family_0="",  # removed
        other_given_1="Gene",
        other_family_1="Testperson",  # added
    )
    response = client.post(_url(victim), sent, follow=True)

    assert "Person&#x27;s details corrected" in response.content.decode()
    victim.refresh_from_db()
    assert (victim.given_name, victim.family_name) == ("Imogene", "Testperson-Jones")
    assert victim.date_of_birth == datetime.date(1991, 6, 18)
    assert (victim.gender, victim.is_transgender, victim.ethnicity) == (Gender.NON_BINARY, True, Ethnicity.MIXED)
    assert list(victim.aliases.values_list("given_name", "family_name")) == [("Gene", "Testperson")]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="people.person", object_id=str(victim.pk))
    assert event.actor == coordinator
    assert set(event.changes) >= {"given_name", "family_name", "date_of_birth", "gender", "ethnicity", "other_names"}
    written = f"{event.summary} {event.changes}"
    for personal in ("Imogene", "Testperson", "Gene", "1991"):
        assert personal not in written


def test_it_gives_specific_errors_and_saves_nothing_for_bad_details(client_for, coordinator, victim):
    client = client_for(coordinator)
    page = client.get(_url(victim))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(_url(victim), _details(page, given_name="", family_name="", date_of_birth=tomorrow))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a given name, a family name, or a description of how they are known" in html
    assert "Date of birth must be today or in the past" in html
    victim.refresh_from_db()
    assert victim.given_name == "Imogen"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="people.person").exists()


def test_a_correction_from_an_older_page_never_overwrites_the_one_saved_meanwhile(
    client_for, marac, coordinator, victim
):
    second = grant(UserFactory(full_name="Cole Second"), marac, Role.COORDINATOR)
    a, b = client_for(coordinator), client_for(second)
    page_a, page_b = a.get(_url(victim)), b.get(_url(victim))
    assert a.post(_url(victim), _details(page_a, family_name="Marriedname")).status_code == 302

    refused = b.post(_url(victim), _details(page_b, given_name="Imogenne"))

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else changed this person&#x27;s record while you had this page open" in html
    assert "Marriedname" in re.search(r'data-testid="saved-now">(.*?)</dl>', html, re.S).group(1)
    assert 'value="Imogenne"' in html  # what they typed is still in the form
    victim.refresh_from_db()
    assert (victim.given_name, victim.family_name) == ("Imogen", "Marriedname")
    # Saved again from the conflict page, with both on screen: a deliberate choice, so it goes through.
    again = b.post(_url(victim), _details(refused, given_name="Imogenne", family_name="Marriedname"))
    assert again.status_code == 302
    victim.refresh_from_db()
    assert (victim.given_name, victim.family_name) == ("Imogenne", "Marriedname")


def test_it_marks_an_address_confidential_so_that_a_representative_no_longer_sees_it(
    client_for, coordinator, police_rep, victim, address
):
    assert "1 Imaginary Row" in client_for(police_rep).get(f"/people/{victim.pk}/").content.decode()
    client = client_for(coordinator)
    page = client.get(_url(victim))

    response = client.post(
        _url(victim, f"addresses/{address.pk}/confidential/"), {"version": _version(page), "confidential": "yes"}
    )

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.confidential
    shown = client_for(police_rep).get(f"/people/{victim.pk}/").content.decode()
    assert "1 Imaginary Row" not in shown
    assert "A confidential address is held" in shown
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="people.person")
    assert event.changes == {"address": address.pk, "confidential": True}


def test_it_ends_an_address_and_refuses_an_end_before_they_moved_in(client_for, coordinator, victim, address):
    client = client_for(coordinator)
    page = client.get(_url(victim))
    prefix = f"end-{address.pk}"
    end = _url(victim, f"addresses/{address.pk}/end/")

    too_early = client.post(end, {f"{prefix}-version": _version(page, prefix), f"{prefix}-lived_to": "2024-03-02"})
    assert too_early.status_code == 400
    assert "The date they moved away must be on or after the date they moved in, 3 March 2024" in (
        too_early.content.decode()
    )
    missing = client.post(end, {f"{prefix}-version": _version(page, prefix), f"{prefix}-lived_to": ""})
    assert "Enter the date they moved away" in missing.content.decode()
    address.refresh_from_db()
    assert address.lived_to is None

    ended = client.post(end, {f"{prefix}-version": _version(page, prefix), f"{prefix}-lived_to": "2026-01-02"})
    assert ended.status_code == 302
    address.refresh_from_db()
    assert address.lived_to == datetime.date(2026, 1, 2)
    assert "(past)" in client.get(_url(victim)).content.decode()


def test_it_adds_a_new_current_address_and_checks_the_postcode(client_for, coordinator, victim, address):
    client = client_for(coordinator)
    page = client.get(_url(victim))
    sent = {
        "new-version": _version(page, "new"),
        "new-line_1": "2 Pretend Lane",
        "new-town": "Nowhereton",
        "new-postcode": "not a postcode",
        "new-lived_from": "2026-01-03",
        "new-safe_to_post": "no",
        "new-confidential": "on",
    }
    bad = client.post(_url(victim, "addresses/new/"), sent)
    assert bad.status_code == 400
    assert "Enter a real postcode, like AA1 1AA" in bad.content.decode()
    no_line = client.post(_url(victim, "addresses/new/"), sent | {"new-line_1": "", "new-postcode": "zz99 2bb"})
    assert "Enter the address line 1" in no_line.content.decode()
    assert victim.addresses.count() == 1

    added = client.post(_url(victim, "addresses/new/"), sent | {"new-postcode": "zz99 2bb"})

    assert added.status_code == 302
    new = victim.addresses.exclude(pk=address.pk).get()
    assert (new.line_1, new.postcode, new.lived_to, new.confidential, new.safe_to_post) == (
        "2 Pretend Lane",
        "ZZ99 2BB",
        None,
        True,
        False,
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="people.person")
    assert "Pretend" not in f"{event.summary} {event.changes}"


def test_an_address_change_from_an_older_page_is_refused(client_for, marac, coordinator, victim, address):
    second = grant(UserFactory(full_name="Cole Second"), marac, Role.COORDINATOR)
    old_page = client_for(second).get(_url(victim))
    client = client_for(coordinator)
    client.post(_url(victim), _details(client.get(_url(victim)), family_name="Marriedname"))

    refused = client_for(second).post(
        _url(victim, f"addresses/{address.pk}/confidential/"), {"version": _version(old_page), "confidential": "yes"}
    )
    prefix = f"end-{address.pk}"
    refused_end = client_for(second).post(
        _url(victim, f"addresses/{address.pk}/end/"),
        {f"{prefix}-version": _version(old_page, prefix), f"{prefix}-lived_to": "2026-01-02"},
    )

    assert refused.status_code == 409
    assert "Someone else changed this person&#x27;s record" in refused.content.decode()
    assert refused_end.status_code == 409
    assert 'value="2026-01-02"' in refused_end.content.decode()  # the date typed is kept
    address.refresh_from_db()
    assert not address.confidential and address.lived_to is None


def test_a_person_in_a_restricted_case_the_coordinator_is_not_named_on_stays_hidden(
    client_for, marac, coordinator, idva, victim
):
    case = victim.cases_as_victim.get()
    restricter = grant(UserFactory(), marac, Role.COORDINATOR)
    case_restrict(case=case, named_users=[idva], by=restricter)

    assert client_for(coordinator).get(_url(victim)).status_code == 404
    assert client_for(coordinator).post(_url(victim), {"version": "1"}).status_code == 404
    # A coordinator named on it says why first, as for any page of the case.
    assert client_for(restricter).get(_url(victim))["Location"].startswith(f"/cases/{case.pk}/reason/")


def test_it_refuses_an_address_that_is_not_the_persons(client_for, marac, coordinator, victim):
    elsewhere = AddressFactory(person=CaseFactory(marac=marac).victim)
    page = client_for(coordinator).get(_url(victim))
    response = client_for(coordinator).post(
        _url(victim, f"addresses/{elsewhere.pk}/confidential/"), {"version": _version(page), "confidential": "yes"}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert not elsewhere.confidential


def test_a_correction_checked_against_an_old_version_under_the_lock_is_refused(coordinator, victim):
    """The page's version is checked again once the person is locked: a save that overtook the page's check wins."""
    details = {name: getattr(victim, name) for name in corrections.DETAIL_FIELDS} | {"given_name": "Late"}
    with pytest.raises(corrections.StalePerson):
        corrections.person_correct(
            person=victim, details=details, other_names=[], based_on_version=victim.version - 1, by=coordinator
        )
    victim.refresh_from_db()
    assert victim.given_name == "Imogen"
