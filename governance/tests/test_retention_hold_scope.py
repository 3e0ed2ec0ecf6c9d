"""A legal hold keeps a person's history, not one case: a hold on a victim's case (a domestic homicide review) keeps
her earlier cases, under her record or a record confirmed to be hers, and the perpetrator's cases with other
partners; the retention page says which case's hold keeps each one. A child's other cases are not kept by it."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from cases.models import CaseParty, LegalHold, PartyRole
from cases.restriction_services import case_restrict
from governance.tests.test_retention import family, names
from meetings.models import Listing
from people.models import Person, PersonLink
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

REPORT = "/governance/retention/"
APPLY = "/governance/retention/apply/"


@pytest.fixture
def earlier(marac, coordinator):
    """Alexa's case heard in 2019, long due to be anonymised; Brutus the perpetrator, Kiddo her child."""
    return family(marac, coordinator, reference="NB-2019-0001")


def later_case(marac, *, victim, reference, perpetrator=None):
    case = CaseFactory(marac=marac, victim=victim, reference=reference, referred_on=date(2026, 9, 1))
    if perpetrator is not None:
        CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    return case


def hold(case, by):
    return LegalHold.objects.create(case=case, reason="dhr", note="DHR 2026/1", placed_by=by)


def held_rows(page):
    """The report's "Under legal hold" table, as text."""
    return (
        page.split("Under legal hold</caption>")[1].split("</table>")[0] if "Under legal hold</caption>" in page else ""
    )


def test_a_hold_on_her_later_case_keeps_her_earlier_case_and_says_why(client_for, marac, coordinator, earlier):
    victim = Person.objects.get(pk=earlier.victim_id)
    hold(later_case(marac, victim=victim, reference="NB-2026-0007"), coordinator)
    client = client_for(coordinator)

    page = client.get(REPORT).content.decode()
    assert "NB-2019-0001" in held_rows(page)
    assert "Held with case NB-2026-0007&#x27;s legal hold" in held_rows(page)
    assert "Apply retention</a>" not in page  # nothing is due

    client.post(APPLY, {"case": [earlier.pk]})  # even sent by its number, it is left alone
    assert names(earlier.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_a_hold_on_a_record_confirmed_to_be_her_keeps_her_earlier_case(client_for, marac, coordinator, earlier):
    second_record = PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary")
    low, high = sorted([earlier.victim_id, second_record.pk])
    PersonLink.objects.create(
        marac=marac,
        person_a_id=low,
        person_b_id=high,
        decision=PersonLink.Decision.CONFIRMED,
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    hold(later_case(marac, victim=second_record, reference="NB-2026-0007"), coordinator)
    client = client_for(coordinator)

    assert "Held with case NB-2026-0007&#x27;s legal hold" in held_rows(client.get(REPORT).content.decode())
    client.post(APPLY, {"case": [earlier.pk]})
    assert names(earlier.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_a_hold_keeps_the_perpetrators_case_with_another_partner(client_for, marac, coordinator, earlier):
    brutus = Person.objects.get(given_name="Brutus")
    another_partner = PersonFactory(marac=marac, given_name="Dora", family_name="Notreal")
    hold(later_case(marac, victim=another_partner, perpetrator=brutus, reference="NB-2026-0008"), coordinator)
    client = client_for(coordinator)

    assert "Held with case NB-2026-0008&#x27;s legal hold" in held_rows(client.get(REPORT).content.decode())
    client.post(APPLY, {"case": [earlier.pk]})
    assert names(earlier.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_a_hold_on_her_childs_later_case_does_not_keep_hers(client_for, marac, coordinator, earlier):
    kiddo = Person.objects.get(given_name="Kiddo")
    hold(later_case(marac, victim=kiddo, reference="NB-2026-0009"), coordinator)
    client = client_for(coordinator)

    assert "NB-2019-0001" not in held_rows(client.get(REPORT).content.decode())
    client.post(APPLY, {"case": [earlier.pk]})
    assert names(earlier.pk) == ["Anonymised", "Anonymised", "Kiddo"]  # Kiddo is kept for his own held case


def test_a_lifted_hold_keeps_nothing(client_for, marac, coordinator, earlier):
    victim = Person.objects.get(pk=earlier.victim_id)
    lifted = hold(later_case(marac, victim=victim, reference="NB-2026-0007"), coordinator)
    lifted.lifted_by, lifted.lifted_at = coordinator, datetime(2026, 10, 1, tzinfo=UTC)
    lifted.save()

    client_for(coordinator).post(APPLY, {"case": [earlier.pk]})
    assert names(earlier.pk) == ["Alexa", "Anonymised", "Anonymised"]  # Alexa is kept for her later case
    assert Listing.objects.get(case=earlier).risks_minute == ""


def test_a_hold_on_a_restricted_case_keeps_hers_without_naming_it(
    client_for, marac, coordinator, chair, police_rep, earlier
):
    """The hold is on a restricted case the coordinator is not named on: her earlier case is still kept, and the
    page does not give the restricted case's reference."""
    victim = Person.objects.get(pk=earlier.victim_id)
    hidden = later_case(marac, victim=victim, reference="NB-2026-0010")
    case_restrict(case=hidden, named_users=[police_rep], by=chair)
    hold(hidden, chair)
    client = client_for(coordinator)

    page = client.get(REPORT).content.decode()
    assert "NB-2026-0010" not in page
    assert "Held with a legal hold on another case" in held_rows(page)
    client.post(APPLY, {"case": [earlier.pk]})
    assert names(earlier.pk) == ["Alexa", "Brutus", "Kiddo"]
