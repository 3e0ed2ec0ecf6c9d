"""A victim heard twice in 12 months with the same perpetrator, recorded under two person records: when a coordinator
later confirms the two records are the same person (possible duplicates), the later case becomes a repeat; when
they find they are not the same person after all, it is not one again. The referrer is never told either way."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseParty, PartyRole
from people.models import PossibleDuplicate
from people.tests.matching_fixtures import match_model, trained_model
from referrals.tests.test_accept_confidential_address import PERPETRATOR, VICTIM, accept, refer
from testing.factories import CaseFactory, PersonFactory

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

BORN = datetime.date(1988, 1, 9)
VICTIM_BORN = datetime.date(1991, 4, 3)
REPEAT = "A repeat: this MARAC heard this victim with the same perpetrator"


@pytest.fixture
def heard_before(marac):
    """Her earlier case, heard two months ago, under a record with her given name spelt differently."""
    earlier_her = PersonFactory(marac=marac, given_name="Fiktiona", family_name="Testworth", date_of_birth=VICTIM_BORN)
    him = PersonFactory(marac=marac, given_name="Madeup", family_name="Villainson", date_of_birth=BORN, gender="male")
    two_months_ago = timezone.localdate() - datetime.timedelta(days=60)
    case = CaseFactory(marac=marac, victim=earlier_her, referred_on=two_months_ago, heard_on=two_months_ago)
    CaseParty.objects.create(case=case, person=him, role=PartyRole.PERPETRATOR)
    return earlier_her, him


@pytest.fixture
def second_case(client_for, referrer, coordinator, heard_before):
    """Referred again; the coordinator confirms the perpetrator is the one held and accepts. Her earlier record is
    only a weak match (same family name and initial), so a new record is made for her: not a repeat, yet."""
    _, him = heard_before
    perpetrator = {**PERPETRATOR, "date_of_birth": BORN.isoformat()}
    referral = refer(client_for, referrer, {**VICTIM, "perpetrator_knows_address": "yes"}, perpetrator=perpetrator)
    data = {"party": "perpetrators.0", "person": him.pk, "decision": "confirmed"}
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/match/", data)
    case = accept(client_for, coordinator, referral)
    assert not case.is_repeat
    return referral, case


def repeat_shown(client_for, coordinator, referral):
    return REPEAT in client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()


def test_confirming_the_two_records_the_same_person_makes_the_later_case_a_repeat_and_unlinking_undoes_it(
    client_for, coordinator, referrer, marac, match_model, heard_before, second_case
):
    earlier_her, _ = heard_before
    referral, case = second_case
    low, high = sorted((earlier_her, case.victim), key=lambda person: person.pk)
    duplicate = PossibleDuplicate.objects.create(match_model=match_model, person_a=low, person_b=high, probability=0.97)
    desk = client_for(coordinator)
    assert not repeat_shown(client_for, coordinator, referral)

    desk.post("/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"})

    case.refresh_from_db()
    assert case.is_repeat and repeat_shown(client_for, coordinator, referral)
    assert AuditEvent.objects.filter(object_id=str(case.pk), summary__startswith="Now a repeat").exists()
    told = client_for(referrer).get(f"/referrals/{referral.pk}/")
    assert told.status_code == 200 and "Accepted" in told.content.decode()
    assert "repeat" not in told.content.decode().lower()

    desk.post(f"/people/{low.pk}/not-the-same/", {"other": high.pk})

    case.refresh_from_db()
    assert not case.is_repeat and not repeat_shown(client_for, coordinator, referral)
    assert AuditEvent.objects.filter(object_id=str(case.pk), summary__startswith="No longer a repeat").exists()


def test_an_imported_case_keeps_the_repeat_answer_it_came_with(
    client_for, coordinator, marac, match_model, heard_before
):
    earlier_her, him = heard_before
    imported_her = PersonFactory(marac=marac, given_name="Fictiona", family_name="Testworth", date_of_birth=VICTIM_BORN)
    imported = CaseFactory(marac=marac, victim=imported_her, referred_on=timezone.localdate(), is_repeat=False)
    CaseParty.objects.create(case=imported, person=him, role=PartyRole.PERPETRATOR)
    low, high = sorted((earlier_her, imported_her), key=lambda person: person.pk)
    duplicate = PossibleDuplicate.objects.create(match_model=match_model, person_a=low, person_b=high, probability=0.97)

    client_for(coordinator).post(
        "/people/matching/duplicates/decide/", {"duplicate": duplicate.pk, "decision": "confirmed"}
    )

    imported.refresh_from_db()
    assert not imported.is_repeat
