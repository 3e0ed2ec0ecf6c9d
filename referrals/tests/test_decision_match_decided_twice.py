"""Two coordinators on one referral's same-person check: a colleague's "Not the same person" for a person on the
referral and someone held is not silently reversed by "Same person" from the decision page. It says who decided
what and when, changes nothing, and the other answer is a deliberate, audited change. The same answer again is
silent."""

import datetime

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from people import linkage
from people.models import PersonLink
from people.tests.matching_fixtures import match_model, trained_model
from referrals.calendar import format_when
from referrals.models import MatchDecision
from referrals.tests.test_decision_matching import hold, misspelt, submitted_referral
from testing.factories import UserFactory, grant

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(marac):
    user = UserFactory(full_name="Colm Ordinate", email="colm@example.invalid")
    return grant(user, marac, Role.COORDINATOR)


@pytest.fixture
def rejected_by_colleague(client_for, referrer, colleague, marac, match_model):
    """The colleague recorded that the victim is not the misspelt record held here."""
    known = misspelt(marac)
    referral = submitted_referral(client_for, referrer)
    client_for(colleague).post(
        f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": known.pk, "decision": "rejected"}
    )
    return referral, known


def confirm(client, referral, person, **extra):
    data = {"party": "victim", "person": person.pk, "decision": "confirmed", **extra}
    return client.post(f"/referrals/{referral.pk}/decision/match/", data, follow=True)


def test_confirming_does_not_reverse_a_colleagues_not_the_same_person(
    client_for, coordinator, colleague, rejected_by_colleague
):
    referral, known = rejected_by_colleague
    response = confirm(client_for(coordinator), referral, known)

    page = response.content.decode()
    assert response.status_code == 409
    assert "This was already decided: nothing was changed" in page
    standing = MatchDecision.objects.get()
    assert "Colm Ordinate recorded <strong>“Not the same person”</strong> for them on " in page
    assert f"for them on {format_when(standing.decided_at)}." in page
    assert "Same-person check recorded" not in page
    assert (standing.decision, standing.decided_by) == ("rejected", colleague)


def test_the_coordinator_may_then_change_it_deliberately_and_it_is_audited(
    client_for, coordinator, rejected_by_colleague
):
    referral, known = rejected_by_colleague
    desk = client_for(coordinator)
    page = confirm(desk, referral, known).content.decode()
    assert "Change the decision to “same person”" in page
    replacing = MatchDecision.objects.get().decided_at.isoformat()
    assert f'name="replacing" value="{replacing}"' in page

    changed = confirm(desk, referral, known, replacing=replacing).content.decode()

    assert "Same-person check changed" in changed
    assert "Confirmed: same person" in changed
    standing = MatchDecision.objects.get()
    assert (standing.decision, standing.decided_by) == ("confirmed", coordinator)
    audit = AuditEvent.objects.filter(object_id=str(referral.pk), actor=coordinator)
    assert audit.filter(summary__startswith="Shown the same-person check already made for victim").exists()
    changed_summary = f"Same-person check for victim: person {known.pk} confirmed (changed from rejected)"
    assert audit.filter(summary=changed_summary).exists()
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.case.victim == known


def test_a_change_from_a_page_older_than_the_decision_is_refused_again(
    client_for, coordinator, colleague, rejected_by_colleague
):
    referral, known = rejected_by_colleague
    desk = client_for(coordinator)
    confirm(desk, referral, known)
    stale = MatchDecision.objects.get().decided_at.isoformat()
    client_for(colleague).post(  # the colleague records it once more after the change page was shown
        f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": known.pk, "decision": "rejected"}
    )

    assert confirm(desk, referral, known, replacing=stale).status_code == 409
    assert MatchDecision.objects.get().decision == "rejected"


def test_the_same_answer_again_is_silent(client_for, coordinator, rejected_by_colleague):
    referral, known = rejected_by_colleague
    data = {"party": "victim", "person": known.pk, "decision": "rejected"}
    response = client_for(coordinator).post(f"/referrals/{referral.pk}/decision/match/", data, follow=True)

    assert response.status_code == 200
    assert "Same-person check recorded" in response.content.decode()
    assert MatchDecision.objects.get().decision == "rejected"


def test_an_outsider_cannot_see_or_change_the_decision(client_for, outsider, rejected_by_colleague):
    referral, known = rejected_by_colleague
    assert confirm(client_for(outsider), referral, known).status_code in (403, 404)
    assert MatchDecision.objects.get().decision == "rejected"


@pytest.mark.parametrize("colleagues_link", ["rejected", "confirmed"])
def test_accepting_leaves_a_colleagues_decision_on_two_held_records_as_it_was(
    client_for, referrer, coordinator, colleague, marac, match_model, colleagues_link
):
    same = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    other = misspelt(marac)
    linkage.person_link_decide(person=same, other=other, decision=colleagues_link, by=colleague)
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    for person, decision in ((other, "rejected"), (same, "confirmed")):
        desk.post(
            f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": person.pk, "decision": decision}
        )
    desk.post(f"/referrals/{referral.pk}/decision/accept/")

    referral.refresh_from_db()
    assert referral.case.victim == same
    link = PersonLink.objects.get()
    assert (link.decision, link.decided_by) == (colleagues_link, colleague)
