"""Two coordinators on the possible duplicates at once: a page opened before a colleague decided on a pair does not
silently reverse that decision. It says who decided what and when, changes nothing, and the other decision is a
deliberate, audited change."""

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from people.models import PersonLink
from people.tests.matching_fixtures import match_model, trained_model
from people.tests.test_matching_pages import twins
from referrals.calendar import format_when
from testing.factories import UserFactory, grant

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

DECIDE = "/people/matching/duplicates/decide/"


@pytest.fixture
def colleague(marac):
    user = UserFactory(full_name="Colm Ordinate", email="colm@example.invalid")
    return grant(user, marac, Role.COORDINATOR)


def test_a_stale_page_does_not_reverse_a_colleagues_decision(client_for, coordinator, colleague, marac, match_model):
    *_, duplicate = twins(marac, match_model)
    first_window, stale_window = client_for(coordinator), client_for(colleague)
    assert "Fictoria" in stale_window.get("/people/matching/duplicates/").content.decode()  # opened before

    first_window.post(DECIDE, {"duplicate": duplicate.pk, "decision": "confirmed"})
    response = stale_window.post(DECIDE, {"duplicate": duplicate.pk, "decision": "rejected"})

    page = response.content.decode()
    assert response.status_code == 409
    assert "This was already decided: nothing was changed" in page
    assert "Cora Ordinator recorded <strong>“Same person”</strong> for them on " in page
    assert "Recorded as not the same person" not in page
    link = PersonLink.objects.get()
    assert f"for them on {format_when(link.decided_at)}." in page
    assert (link.decision, link.decided_by) == ("confirmed", coordinator)


def test_the_colleague_may_then_change_the_decision_deliberately(
    client_for, coordinator, colleague, marac, match_model
):
    *_, duplicate = twins(marac, match_model)
    client_for(coordinator).post(DECIDE, {"duplicate": duplicate.pk, "decision": "confirmed"})
    stale_window = client_for(colleague)
    page = stale_window.post(DECIDE, {"duplicate": duplicate.pk, "decision": "rejected"}).content.decode()
    assert "Change the decision to “not the same person”" in page
    replacing = PersonLink.objects.get().decided_at.isoformat()
    assert f'name="replacing" value="{replacing}"' in page

    changed = stale_window.post(
        DECIDE, {"duplicate": duplicate.pk, "decision": "rejected", "replacing": replacing}, follow=True
    ).content.decode()

    assert "Decision changed. Recorded as not the same person" in changed
    link = PersonLink.objects.get()
    assert (link.decision, link.decided_by) == ("rejected", colleague)
    assert AuditEvent.objects.filter(
        actor=colleague, summary__endswith="decision changed from same person to not the same person"
    ).exists()


def test_a_change_asked_for_from_a_decision_since_replaced_is_refused_too(
    client_for, coordinator, colleague, marac, match_model
):
    *_, duplicate = twins(marac, match_model)
    desk = client_for(coordinator)
    desk.post(DECIDE, {"duplicate": duplicate.pk, "decision": "confirmed"})
    shown = PersonLink.objects.get().decided_at.isoformat()
    desk.post(DECIDE, {"duplicate": duplicate.pk, "decision": "rejected", "replacing": shown})  # Cora changes it

    response = client_for(colleague).post(
        DECIDE, {"duplicate": duplicate.pk, "decision": "rejected", "replacing": shown}
    )

    assert response.status_code == 409
    assert "recorded <strong>“Not the same person”</strong> for them" in response.content.decode()
    assert "Change the decision" not in response.content.decode()  # it is already what the colleague asked
    assert PersonLink.objects.get().decided_by == coordinator


def test_the_same_decision_twice_says_it_was_already_made(client_for, coordinator, colleague, marac, match_model):
    *_, duplicate = twins(marac, match_model)
    client_for(coordinator).post(DECIDE, {"duplicate": duplicate.pk, "decision": "rejected"})
    response = client_for(colleague).post(DECIDE, {"duplicate": duplicate.pk, "decision": "rejected"})

    assert response.status_code == 409
    assert "Cora Ordinator recorded <strong>“Not the same person”</strong> for them" in response.content.decode()
    assert PersonLink.objects.get().decided_by == coordinator


def test_an_outsider_cannot_change_a_decision(client_for, coordinator, outsider, marac, match_model):
    *_, duplicate = twins(marac, match_model)
    client_for(coordinator).post(DECIDE, {"duplicate": duplicate.pk, "decision": "confirmed"})
    replacing = PersonLink.objects.get().decided_at.isoformat()
    response = client_for(outsider).post(
        DECIDE, {"duplicate": duplicate.pk, "decision": "rejected", "replacing": replacing}
    )
    assert response.status_code == 404
    assert PersonLink.objects.get().decision == "confirmed"
