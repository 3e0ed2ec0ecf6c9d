"""The Django side of person matching: records read from the database, training and versions, the command and
the task, and the coordinator's links."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from people import linkage, linkage_model
from people.models import Alias, MatchModel, PersonLink
from people.tests.matching_fixtures import trained_model
from testing.factories import AddressFactory, MaracFactory, PersonFactory

__all__ = ["trained_model"]

pytestmark = pytest.mark.django_db

FAMILIES = ["Fakesby", "Testworth", "Madeupson", "Inventa", "Notrealton", "Pretendle", "Mockridge", "Samplewood"]
GIVEN = ["Fictoria", "Imagina", "Pretendra", "Dummelia", "Mockelle", "Samplina", "Fabrica", "Inventia"]


def hold_people(marac, count):
    people = []
    for number in range(count):
        person = PersonFactory(
            marac=marac,
            given_name=GIVEN[number % len(GIVEN)],
            family_name=FAMILIES[(number * 3) % len(FAMILIES)],
            date_of_birth=datetime.date(1970 + number, 1 + number % 12, 1 + number % 27),
            gender="female",
        )
        AddressFactory(person=person, postcode=f"NB{1 + number % 9} {1 + number % 9}AB")
        people.append(person)
    return people


def test_it_reads_names_aliases_and_decrypted_postcodes_current_address_first(marac):
    person = PersonFactory(marac=marac, given_name="Fictoria", family_name="Fakesby", gender="female")
    Alias.objects.create(person=person, given_name="Fictoria", family_name="Mockridge")
    AddressFactory(
        person=person, postcode="NB1 1AA", lived_from=datetime.date(2020, 1, 1), lived_to=datetime.date(2022, 1, 1)
    )
    AddressFactory(person=person, postcode="NB7 7ZZ", lived_from=datetime.date(2023, 1, 1))
    PersonFactory(marac=marac, given_name="Anonymised", family_name="Anonymised")

    (record,) = linkage.person_records(linkage.held_at([marac.pk]))

    assert record.unique_id == str(person.pk)
    assert record.other_names == (("Fictoria", "Mockridge"),)
    assert record.postcodes == ("NB7 7ZZ", "NB1 1AA")
    assert record.gender == "female" and record.date_of_birth == person.date_of_birth


def test_it_trains_a_new_version_each_time_and_only_the_newest_is_in_use(marac, coordinator):
    people = hold_people(marac, 12)
    twin = PersonFactory(
        marac=marac, given_name=people[0].given_name, family_name=people[0].family_name + "e",
        date_of_birth=people[0].date_of_birth, gender="female",
    )  # fmt: skip
    AddressFactory(person=twin, postcode="NB1 1AB")

    first = linkage.match_model_train(marac=marac, by=coordinator)
    second = linkage.match_model_train(marac=marac, by=None)

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_current and second.is_current
    assert second.record_count == 13 and second.trained_by is None and first.trained_by == coordinator
    assert second.splink_version and second.format_version == linkage_model.MODEL_FORMAT_VERSION
    assert linkage.current_model(marac.pk) == second
    pair = second.duplicates.get()
    assert {pair.person_a_id, pair.person_b_id} == {people[0].pk, twin.pk}
    assert "Fakesby" in " ".join(c["words"] for c in pair.comparisons)  # kept encrypted, read whole
    summaries = list(
        AuditEvent.objects.filter(object_type="people.matchmodel").order_by("id").values_list("summary", flat=True)
    )
    assert summaries == [
        "Trained matching model version 1 on 13 people; possible duplicates found: 1",
        "Trained matching model version 2 on 13 people; possible duplicates found: 1",
    ]


def test_it_refuses_to_train_on_too_few_people(marac):
    hold_people(marac, linkage.MINIMUM_PEOPLE_TO_TRAIN - 1)
    with pytest.raises(linkage.TooFewPeople):
        linkage.match_model_train(marac=marac)
    assert not MatchModel.objects.exists()


def test_the_command_trains_one_marac_or_every_marac(marac, capsys):
    hold_people(marac, 10)
    quiet = MaracFactory(name="Quietvale MARAC")

    call_command("train_match_model", "--marac", str(marac.pk))
    assert linkage.current_model(marac.pk).version == 1
    call_command("train_match_model", "--now")

    output = capsys.readouterr().out
    assert f"Queued the training of MARAC {marac.pk}'s matching model" in output
    assert f"MARAC {marac.pk}: trained matching model version 2 on 10 people" in output
    assert f"MARAC {quiet.pk}: not trained, it holds fewer than 10 people" in output
    assert "Fictoria" not in output


def test_a_command_for_a_marac_that_does_not_exist_says_so(db):
    with pytest.raises(Exception, match="There is no MARAC 999"):
        call_command("train_match_model", "--marac", "999")


def test_a_link_is_kept_lower_id_first_replaced_when_decided_again_and_audited(marac, coordinator):
    first, second = PersonFactory(marac=marac), PersonFactory(marac=marac)

    linkage.person_link_decide(person=second, other=first, decision="rejected", by=coordinator, probability=0.7)
    linkage.person_link_decide(person=first, other=second, decision="confirmed", by=coordinator)

    link = PersonLink.objects.get()
    assert (link.person_a_id, link.person_b_id, link.decision, link.probability) == (
        first.pk, second.pk, "confirmed", None,
    )  # fmt: skip
    summaries = (
        AuditEvent.objects.filter(object_type="people.personlink").order_by("id").values_list("summary", flat=True)
    )
    assert list(summaries) == [
        f"People {first.pk} and {second.pk}: not the same person",
        f"People {first.pk} and {second.pk}: same person",
    ]


def test_a_link_never_joins_people_held_at_different_maracs(marac, other_marac, coordinator):
    with pytest.raises(ValueError, match="same MARAC"):
        linkage.person_link_decide(
            person=PersonFactory(marac=marac), other=PersonFactory(marac=other_marac), decision="confirmed",
            by=coordinator,
        )  # fmt: skip


def test_same_person_follows_confirmed_links_through_others_and_not_rejected_ones(marac, coordinator):
    a, b, c, d = (PersonFactory(marac=marac) for _ in range(4))
    linkage.person_link_decide(person=a, other=b, decision="confirmed", by=coordinator)
    linkage.person_link_decide(person=b, other=c, decision="confirmed", by=coordinator)
    linkage.person_link_decide(person=c, other=d, decision="rejected", by=coordinator)

    groups = linkage.same_person_ids([a.pk, d.pk])

    assert groups[a.pk] == groups[c.pk] == {a.pk, b.pk, c.pk}
    assert groups[d.pk] == {d.pk}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    links=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.booleans()), max_size=12),
    asked=st.sets(st.integers(0, 7), min_size=1),
)
def test_same_person_groups_are_those_of_the_confirmed_links_whatever_the_people_asked_about(
    marac, coordinator, links, asked
):
    people = [PersonFactory(marac=marac) for _ in range(8)]
    decisions = {(min(a, b), max(a, b)): is_confirmed for a, b, is_confirmed in links if a != b}
    for (a, b), is_confirmed in decisions.items():
        decision = "confirmed" if is_confirmed else "rejected"
        PersonLink.objects.create(
            person_a=people[a],
            person_b=people[b],
            decision=decision,
            decided_at=timezone.now(),
            decided_by=coordinator,
            marac=marac,
        )
    confirmed = {frozenset(pair) for pair, is_confirmed in decisions.items() if is_confirmed}

    groups = linkage.same_person_ids([people[n].pk for n in asked])

    for n in asked:  # worked out by hand: everyone reached from n through confirmed links
        reached, frontier = {n}, [n]
        while frontier:
            here = frontier.pop()
            for pair in confirmed:
                if here in pair and not pair <= reached:
                    (other,) = pair - {here}
                    reached.add(other)
                    frontier.append(other)
        assert groups[people[n].pk] == {people[m].pk for m in reached}
    PersonLink.objects.all().delete()


@given(st.floats(min_value=0, max_value=1))
def test_a_probability_is_shown_between_1_and_99_percent(probability):
    shown = linkage.percentage(probability)
    assert shown.endswith("%") and 1 <= int(shown[:-1]) <= 99
    if 0.015 <= probability <= 0.985:
        assert abs(int(shown[:-1]) - probability * 100) <= 0.5 + 1e-9


def test_the_suggestions_of_a_submitted_referral_can_be_worked_out_ahead(client_for, referrer, marac, trained_model):
    from people.models import ReferralSuggestions
    from people.tasks import suggest_for_referral
    from people.tests.matching_fixtures import save_model
    from referrals.tests.test_decision_matching import misspelt, submitted_referral

    save_model(marac, trained_model)
    known = misspelt(marac)
    referral = submitted_referral(client_for, referrer)

    assert suggest_for_referral.enqueue(referral.pk).return_value == 1
    assert ReferralSuggestions.objects.get(referral=referral).by_party["victim"][0]["person"] == known.pk
