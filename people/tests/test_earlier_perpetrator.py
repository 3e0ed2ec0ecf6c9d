"""A repeat referral naming the victim's earlier perpetrator by name alone (no date of birth, no address): on the
demo's common invented names the model scored him 0.013 and no one was offered, so the case was not counted as a
repeat. The perpetrator of an earlier case of the victim's likely match is weighed from even odds instead
(people.linkage.EARLIER_PERPETRATOR_PRIOR), and offered with that reason; a namesake who is not is not."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseParty, PartyRole
from people.linkage import EARLIER_PERPETRATOR_WORDS
from people.linkage_model import weighed_from
from people.tests.matching_fixtures import save_model, trained_model
from referrals.tests.test_decision_matching import hold, submitted_referral
from testing.factories import CaseFactory

__all__ = ["trained_model"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def sceptical_model(marac, trained_model):
    """A model for which a name alone says little, as the demo's was for its common invented names: its prior
    (one pair in a hundred million) leaves a pair agreeing on the name alone far below the suggestion threshold,
    while a victim agreeing on name, date of birth and postcode is still found."""
    return save_model(marac, {**trained_model, "probability_two_random_records_match": 1e-8})


@pytest.fixture
def earlier_case(marac):
    """The victim (as the referral gives her) heard two months ago with Madeup Villainson, and a namesake of his."""
    victim = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    perpetrator = hold(marac, "Madeup", "Villainson", datetime.date(1980, 2, 2), postcode="NB9 9ZZ", gender="male")
    namesake = hold(marac, "Madeup", "Villainson", datetime.date(1969, 9, 9), postcode="NB3 3CC", gender="male")
    case = CaseFactory(marac=marac, victim=victim, heard_on=timezone.localdate() - datetime.timedelta(days=60))
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    return victim, perpetrator, namesake


def test_the_victims_earlier_perpetrator_is_offered_and_makes_the_case_a_repeat(
    client_for, referrer, coordinator, sceptical_model, earlier_case
):
    victim, perpetrator, namesake = earlier_case
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()

    perpetrators = page.split("Perpetrator", 1)[1]
    assert f'href="/people/{perpetrator.pk}/"' in perpetrators
    assert EARLIER_PERPETRATOR_WORDS in perpetrators
    assert f'href="/people/{victim.pk}/"' in page
    assert f'href="/people/{namesake.pk}/"' not in page  # the same name, no link to this victim: not offered
    for party, person in (("victim", victim), ("perpetrators.0", perpetrator)):
        desk.post(
            f"/referrals/{referral.pk}/decision/match/", {"party": party, "person": person.pk, "decision": "confirmed"}
        )
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.case.is_repeat


def test_weighing_from_another_prior_keeps_the_evidence_and_changes_only_the_start():
    # The demo's pair: 0.013 from a prior of one in ten thousand is evidence of about 132 to 1 for.
    assert weighed_from(0.013, prior=0.0001, new_prior=0.5) == pytest.approx(0.9925, abs=0.0005)
    assert weighed_from(0.013, prior=0.0001, new_prior=0.0001) == pytest.approx(0.013)
    assert weighed_from(0.00009, prior=0.0001, new_prior=0.5) < 0.5  # evidence against stays against
    with pytest.raises(ValueError, match="strictly between"):
        weighed_from(0.5, prior=0.0, new_prior=0.5)
