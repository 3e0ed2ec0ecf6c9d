"""The coordinator's matching pages: the model's versions and training it, the possible duplicates to confirm
or reject, and the person page listing the cases of records confirmed to be the same person."""

import datetime

import pytest

from audit.models import AuditEvent
from cases.models import CaseParty, CaseRestriction, PartyRole
from people import linkage
from people.models import MatchModel, PersonLink, PossibleDuplicate
from people.tests.matching_fixtures import match_model, save_model, trained_model
from people.tests.test_linkage import hold_people
from testing.factories import AddressFactory, CaseFactory, PersonFactory

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

NAME_WORDS = "Given name the same (Fictoria); family name spelt nearly the same (Fakesbey, Fakesby)"
PAGES = ["/people/matching/", "/people/matching/duplicates/"]


def twins(marac, model):
    """Two records of one fictional woman, with the family name spelt two ways, found by the model."""
    first = PersonFactory(
        marac=marac,
        given_name="Fictoria",
        family_name="Fakesby",
        date_of_birth=datetime.date(1985, 3, 7),
        gender="female",
    )
    second = PersonFactory(
        marac=marac,
        given_name="Fictoria",
        family_name="Fakesbey",
        date_of_birth=datetime.date(1985, 3, 7),
        gender="female",
    )
    for person in (first, second):
        AddressFactory(person=person, postcode="NB1 2AB")
    duplicate = PossibleDuplicate.objects.create(
        match_model=model, person_a=first, person_b=second, probability=0.981,
        comparisons=[{"field": "Name", "agreed": True, "words": NAME_WORDS}],
    )  # fmt: skip
    return first, second, duplicate


def test_the_matching_page_lists_the_versions_when_trained_and_on_how_many_people(
    client_for, coordinator, marac, trained_model
):
    save_model(marac, trained_model, version=1)
    save_model(marac, trained_model, version=2)

    page = client_for(coordinator).get("/people/matching/").content.decode()

    assert page.count("2 Nov 2026 09:00") == 2
    assert "Weekly schedule" in page and "In use" in page and "Replaced" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">72</td>' in page
    assert AuditEvent.objects.filter(summary="Viewed the matching model's versions", marac_id=marac.pk).exists()


def test_the_coordinator_trains_the_model_from_the_page(client_for, coordinator, marac):
    hold_people(marac, 12)
    desk = client_for(coordinator)
    assert "The model has not been trained yet" in desk.get("/people/matching/").content.decode()

    page = desk.post("/people/matching/train/", follow=True).content.decode()

    assert "Training has started" in page
    trained = MatchModel.objects.get(marac=marac)
    assert trained.trained_by == coordinator and trained.record_count == 12 and trained.is_current
    assert "Cora Ordinator</td>" in page
    assert AuditEvent.objects.filter(summary="Asked for the matching model to be trained", actor=coordinator).exists()


def test_training_with_too_few_people_says_how_many_are_needed(client_for, coordinator, marac):
    hold_people(marac, 3)
    desk = client_for(coordinator)

    page = desk.post("/people/matching/train/", follow=True).content.decode()

    assert "The model needs at least 10 people held here to learn from" in page
    assert not MatchModel.objects.exists()


def test_the_coordinator_confirms_a_possible_duplicate_and_it_leaves_the_list(
    client_for, coordinator, marac, match_model
):
    first, second, duplicate = twins(marac, match_model)
    desk = client_for(coordinator)
    page = desk.get("/people/matching/duplicates/").content.decode()
    assert "98% likely to be the same person" in page
    assert "family name spelt nearly the same (Fakesbey, Fakesby)" in page

    page = desk.post(
        "/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"}, follow=True
    ).content.decode()

    assert "Recorded as the same person" in page
    assert "There are no possible duplicates to review" in page
    link = PersonLink.objects.get()
    assert (link.person_a, link.person_b, link.decision, link.probability) == (first, second, "confirmed", 0.981)


def test_a_rejected_duplicate_is_not_suggested_again_by_a_later_version(
    client_for, coordinator, marac, match_model, trained_model
):
    first, second, duplicate = twins(marac, match_model)
    desk = client_for(coordinator)
    desk.post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "rejected"})

    later = save_model(marac, trained_model, version=2)
    PossibleDuplicate.objects.create(match_model=later, person_a=first, person_b=second, probability=0.99)

    assert "There are no possible duplicates to review" in desk.get("/people/matching/duplicates/").content.decode()
    assert PersonLink.objects.get().decision == "rejected"


def test_a_duplicate_with_someone_in_a_restricted_case_is_not_shown_to_those_not_named(
    client_for, coordinator, chair, marac, match_model
):
    first, _, duplicate = twins(marac, match_model)
    case = CaseFactory(marac=marac, victim=first, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    desk = client_for(coordinator)

    assert "Fakesby" not in desk.get("/people/matching/duplicates/").content.decode()
    response = desk.post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"})
    assert response.status_code == 404
    assert not PersonLink.objects.exists()


def test_a_duplicate_of_an_older_version_or_another_marac_cannot_be_decided(
    client_for, coordinator, outsider, marac, match_model, trained_model
):
    *_, duplicate = twins(marac, match_model)
    assert (
        client_for(outsider)
        .post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"})
        .status_code
        == 404
    )
    save_model(marac, trained_model, version=2)
    assert (
        client_for(coordinator)
        .post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"})
        .status_code
        == 404
    )
    assert not PersonLink.objects.exists()


@pytest.mark.parametrize("persona", ["chair", "police_rep", "idva", "referrer", "board_viewer", "administrator"])
def test_only_the_marac_coordinator_reaches_the_matching_pages(client_for, marac, match_model, persona, request):
    *_, duplicate = twins(marac, match_model)
    client = client_for(request.getfixturevalue(persona))

    assert all(client.get(url).status_code == 404 for url in PAGES)
    assert client.post("/people/matching/train/").status_code == 404
    decide = client.post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"})
    assert decide.status_code == 404
    assert not PersonLink.objects.exists() and MatchModel.objects.count() == 1


def test_a_coordinator_elsewhere_sees_and_trains_only_their_own_marac(client_for, outsider, marac, match_model):
    twins(marac, match_model)
    hold_people(marac, 12)
    client = client_for(outsider)

    page = client.get("/people/matching/duplicates/").content.decode()
    assert "Southmere MARAC" in page and "Fakesby" not in page
    assert "The matching model has not been trained yet" in page
    assert "The model has not been trained yet" in client.get("/people/matching/").content.decode()
    client.post("/people/matching/train/")
    assert list(MatchModel.objects.values_list("marac_id", "version")) == [(marac.pk, 1)]


def test_the_person_page_lists_the_cases_of_records_confirmed_to_be_the_same_person(
    client_for, coordinator, chair, police_rep, marac
):
    person = PersonFactory(marac=marac, given_name="Fictor", family_name="Madeupson")
    same = PersonFactory(marac=marac, given_name="Fictor", family_name="Madupson")
    hidden_same = PersonFactory(marac=marac, given_name="Fictor", family_name="Madeupsen")
    seen = CaseFactory(marac=marac, reference="NB-2026-0007")
    CaseParty.objects.create(case=seen, person=same, role=PartyRole.PERPETRATOR)
    restricted = CaseFactory(marac=marac, reference="NB-2026-0008", restricted=True)
    CaseParty.objects.create(case=restricted, person=hidden_same, role=PartyRole.PERPETRATOR)
    CaseRestriction.objects.create(case=restricted, user=chair, added_by=chair)
    for other in (same, hidden_same):
        linkage.person_link_decide(person=person, other=other, decision="confirmed", by=coordinator)

    page = client_for(police_rep).get(f"/people/{person.pk}/").content.decode()

    assert "Also recorded as" in page
    assert f'href="/people/{same.pk}/">Fictor Madupson</a>' in page
    assert "NB-2026-0007</a> as perpetrator, recorded as person record" in page
    assert "NB-2026-0008" not in page and "Madeupsen" not in page
    assert AuditEvent.objects.filter(summary__startswith=f"Listed the cases of people {same.pk},").exists()


def test_a_perpetrators_links_to_other_families_include_a_record_confirmed_to_be_the_same_person(
    client_for, coordinator, police_rep, marac
):
    perpetrator = PersonFactory(marac=marac, given_name="Fictor", family_name="Madeupson", gender="male")
    same = PersonFactory(marac=marac, given_name="Fictor", family_name="Madupson", gender="male")
    case = CaseFactory(marac=marac, reference="NB-2026-0011")
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    other_family = CaseFactory(marac=marac, reference="NB-2026-0012")
    CaseParty.objects.create(case=other_family, person=same, role=PartyRole.PERPETRATOR)
    client = client_for(police_rep)
    assert "NB-2026-0012" not in client.get(f"/cases/{case.pk}/").content.decode()

    linkage.person_link_decide(person=perpetrator, other=same, decision="confirmed", by=coordinator)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert (
        "Also a perpetrator in another family&#x27;s case" in page
        or "Also a perpetrator in another family's case" in page
    )
    assert f'href="/cases/{other_family.pk}/">NB-2026-0012</a>' in page


def test_a_link_confirmed_in_error_is_undone_from_the_person_page(client_for, coordinator, police_rep, marac):
    person = PersonFactory(marac=marac, given_name="Fictor", family_name="Madeupson")
    same = PersonFactory(marac=marac, given_name="Fictor", family_name="Madupson")
    linkage.person_link_decide(person=person, other=same, decision="confirmed", by=coordinator)
    assert "Not the same person after all" not in client_for(police_rep).get(f"/people/{person.pk}/").content.decode()
    assert client_for(police_rep).post(f"/people/{person.pk}/not-the-same/", {"other": same.pk}).status_code == 404

    page = client_for(coordinator).post(f"/people/{person.pk}/not-the-same/", {"other": same.pk}, follow=True)

    assert "Recorded as not the same person" in page.content.decode()
    assert "Also recorded as" not in page.content.decode()
    assert PersonLink.objects.get().decision == "rejected"
    assert client_for(coordinator).post(f"/people/{person.pk}/not-the-same/", {"other": "x"}).status_code == 404
