"""Once a case has gone to another MARAC (BD Referrals to other MARACs, Jurisdiction), this MARAC stops chasing its
notification to children's services: the case leaves the coordinator's list, the case page says it is not chased
here, and the daily chase neither stamps it nor emails about it. The receiving MARAC does not take over the sending
MARAC's notification: when it accepts the referral it received, it notifies its own children's services, and chases
that one as any other."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import CaseStatus
from cases.tests.test_case_transfer import _heard, _refer
from meetings.models import Outcome
from referrals import followup
from referrals.models import ChildrenNotification, Referral, ReferralStatus, Transfer
from referrals.tasks import chase_children_notifications
from referrals.tests.test_followup import case
from referrals.tests.test_referral_pages import _complete
from testing.factories import CaseFactory

__all__ = ["case"]  # the fixture: a case accepted through the pages with a child, and so a notification

pytestmark = pytest.mark.django_db

LIST = "/referrals/children-notifications/"
OVERDUE = datetime.timedelta(days=3)


def _overdue(of):
    ChildrenNotification.objects.filter(case=of).update(chase_due_on=timezone.localdate() - OVERDUE)


@pytest.fixture
def sent_case(client_for, coordinator, case, other_marac, django_capture_on_commit_callbacks):
    """Heard with its notification unconfirmed and overdue, then referred to Southmere MARAC through the case page."""
    _overdue(case)
    _refer(client_for(coordinator), _heard(case), {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED
    return case


def test_a_case_sent_to_another_marac_is_no_longer_chased_here(client_for, coordinator, sent_case, marac):
    still_here = CaseFactory(marac=marac, reference="NB-STILL-HERE")
    ChildrenNotification.objects.create(
        case=still_here, sent_at=timezone.now(), chase_due_on=timezone.localdate() - OVERDUE
    )
    client = client_for(coordinator)
    mail.outbox.clear()

    listed = client.get(LIST).content.decode()
    page = client.get(f"/cases/{sent_case.pk}/").content.decode()
    chased = chase_children_notifications.enqueue()

    assert "NB-STILL-HERE" in listed and sent_case.reference not in listed
    assert "Chase now" not in page and "Not chased here" in page
    assert "went to Southmere MARAC, which tells and chases its own children's services" in page
    assert chased.return_value == 1
    assert ChildrenNotification.objects.get(case=sent_case).chased_at is None
    assert ChildrenNotification.objects.get(case=still_here).chased_at is not None
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert "1 notification to children's services needs chasing" in mail.outbox[0].body


def test_a_case_the_meeting_said_was_transferred_is_no_longer_chased_before_the_referral_is_made(
    client_for,
    coordinator,
    case,
):
    _overdue(case)
    _heard(case, Outcome.TRANSFERRED)
    mail.outbox.clear()

    page = client_for(coordinator).get(f"/cases/{case.pk}/").content.decode()

    assert chase_children_notifications.enqueue().return_value == 0 and not mail.outbox
    assert case.reference not in client_for(coordinator).get(LIST).content.decode()
    assert "Not chased here" in page and "went to another MARAC" in page


def test_children_s_social_care_may_still_confirm_a_notification_of_a_case_sent_away(
    client_for, coordinator, sent_case
):
    client_for(coordinator).post(f"/referrals/children-notifications/{sent_case.pk}/confirm/")

    assert ChildrenNotification.objects.get(case=sent_case).confirmed_at is not None
    assert "Confirmed" in client_for(coordinator).get(f"/cases/{sent_case.pk}/").content.decode()


def test_the_receiving_marac_chases_its_own_notification_from_its_acceptance_not_the_sending_one(
    client_for, outsider, coordinator, sent_case, other_marac
):
    received = Transfer.objects.get(from_referral__case=sent_case).to_referral
    receiving = client_for(outsider)  # Southmere's coordinator
    assert sent_case.reference not in receiving.get(LIST).content.decode()

    receiving.post(f"/referrals/{received.pk}/decision/accept/")
    received.refresh_from_db()
    assert received.status == ReferralStatus.ACCEPTED and received.case.marac == other_marac
    theirs = ChildrenNotification.objects.get(case=received.case)
    assert theirs.confirmed_at is None and timezone.localdate() <= theirs.chase_due_on
    assert received.case.reference in receiving.get(LIST).content.decode()
    _overdue(received.case)
    mail.outbox.clear()

    chase_children_notifications.enqueue()

    assert [message.to for message in mail.outbox] == [[outsider.email]]
    assert "at Southmere MARAC" in mail.outbox[0].body
    assert ChildrenNotification.objects.get(case=sent_case).chased_at is None
    assert sent_case.reference not in receiving.get(LIST).content.decode()
    assert "Chase now" in receiving.get(f"/cases/{received.case.pk}/").content.decode()


def test_a_referral_transferred_before_it_became_a_case_leaves_nothing_to_chase_at_the_sending_marac(
    client_for, referrer, coordinator, other_marac
):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})

    client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/", {"to_marac": other_marac.pk, "reason": "Moved for good"}
    )

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED and referral.case is None
    assert not ChildrenNotification.objects.exists()


# The chase, whatever the mix: it stamps exactly the notifications unconfirmed, past their chase day and of a case
# still this MARAC's (not transferred by a meeting's outcome, not referred on), and counts them by MARAC.
notification_facts = st.lists(
    st.tuples(
        st.sampled_from(list(CaseStatus)),  # the case's status
        st.booleans(),  # a MARAC-to-MARAC referral made of it
        st.booleans(),  # confirmed
        st.integers(min_value=-3, max_value=3),  # chase day, in days from today
        st.booleans(),  # at the other MARAC
    ),
    max_size=8,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(facts=notification_facts)
def test_the_chase_stamps_exactly_the_notifications_still_this_marac_s_to_chase(marac, other_marac, coordinator, facts):
    today = timezone.localdate()
    with transaction.atomic():
        expected: dict[int, int] = {}
        made = []
        for status, referred_on, confirmed, offset, elsewhere in facts:
            at = other_marac if elsewhere else marac
            case = CaseFactory(marac=at, status=status)
            if referred_on:
                sent = Referral.objects.create(
                    marac=at,
                    referrer=coordinator,
                    referring_agency=case.referring_agency,
                    status=ReferralStatus.ACCEPTED,
                    case=case,
                )
                receiving = marac if elsewhere else other_marac
                Transfer.objects.create(
                    from_referral=sent, to_marac=receiving, reason="Moved for good", transferred_by=coordinator
                )
            notification = ChildrenNotification.objects.create(
                case=case,
                sent_at=timezone.now(),
                chase_due_on=today + datetime.timedelta(days=offset),
                confirmed_at=timezone.now() if confirmed else None,
            )
            due = not confirmed and offset < 0 and status != CaseStatus.TRANSFERRED and not referred_on
            assert due == followup.children_chase_is_due(
                chase_due_on=notification.chase_due_on,
                confirmed=confirmed,
                today=today,
                sent_away=status == CaseStatus.TRANSFERRED or referred_on,
            )
            if due:
                expected[at.pk] = expected.get(at.pk, 0) + 1
            made.append((notification.pk, due))

        counts = followup.children_notifications_mark_chased(today=today)

        stamped = dict(ChildrenNotification.objects.values_list("pk", "chased_at"))
        transaction.set_rollback(True)
    assert counts == expected
    assert all((stamped[pk] is not None) == due for pk, due in made)
