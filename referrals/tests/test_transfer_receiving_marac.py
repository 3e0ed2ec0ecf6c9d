"""A referral transferred to another MARAC in this installation, as the receiving MARAC sees it: judged by that
MARAC's own criteria (not the sending MARAC's), with the referrer's own submission time kept, and its coordinators
told by email (the MARAC's name and a link only). The sending coordinator is warned not to write the victim's new
address in the reason, which both coordinators see."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cases.models import Case
from marac.tests.test_configuration import _settings_form
from referrals.calendar import format_when
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import MaracFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

REASON = "The victim has moved permanently to the area"


def _receiving_dash_threshold(client_for, other_marac, threshold):
    """The receiving MARAC's administrator sets its DASH threshold on its settings page."""
    administrator = grant(UserFactory(full_name="Sam Settings"), other_marac, Role.ADMINISTRATOR)
    form = _settings_form(other_marac, dash_threshold=str(threshold), reference_prefix="SM")
    assert client_for(administrator).post("/settings/edit/", form).status_code == 302
    other_marac.refresh_from_db()
    assert other_marac.dash_threshold == threshold


def _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            f"/referrals/{referral.pk}/decision/transfer/", {"to_marac": other_marac.pk, "reason": REASON}, follow=True
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED
    return Referral.objects.get(marac=other_marac), response.content.decode()


def test_a_transferred_referral_is_judged_by_the_receiving_maracs_threshold_and_not_accepted_below_it(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    _receiving_dash_threshold(client_for, other_marac, 20)
    referral = submitted_referral(client_for, referrer)  # score 16: over Northbrook's threshold of 14

    received, sent_page = _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks)

    assert "It does not meet that MARAC&#x27;s criteria as it stands" in sent_page
    desk = client_for(outsider)  # Southmere's coordinator
    page = desk.get(f"/referrals/{received.pk}/decision/").content.decode()
    assert "The risk checklist score is 16, below this MARAC&#x27;s threshold of 20." in page
    assert "threshold of 14" not in page
    assert "This referral does not meet the MARAC criteria" in page
    assert "cannot be accepted as it stands" in page
    assert "Accept and list" not in page
    assert "Transfer to another MARAC" in page

    response = desk.post(f"/referrals/{received.pk}/decision/accept/", follow=True)

    assert "cannot be accepted as it stands" in response.content.decode()
    received.refresh_from_db()
    assert received.status == ReferralStatus.SUBMITTED and received.case is None
    assert not Case.objects.exists()


def test_a_transferred_referral_that_meets_the_receiving_maracs_own_threshold_says_so_and_is_accepted(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    _receiving_dash_threshold(client_for, other_marac, 15)
    referral = submitted_referral(client_for, referrer)

    received, _ = _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks)

    desk = client_for(outsider)
    page = desk.get(f"/referrals/{received.pk}/decision/").content.decode()
    assert "The risk checklist score is 16, at or above this MARAC&#x27;s threshold of 15." in page
    assert "threshold of 14" not in page
    assert "Accept and list" in page
    desk.post(f"/referrals/{received.pk}/decision/accept/")
    received.refresh_from_db()
    assert received.status == ReferralStatus.ACCEPTED and received.case.marac == other_marac


def test_the_receiving_and_referrers_pages_keep_the_referrers_own_submission_time(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    referral = submitted_referral(client_for, referrer)
    submitted = timezone.now() - datetime.timedelta(days=3, hours=2)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=submitted)  # submitted three days before the transfer

    received, _ = _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks)

    today = timezone.localdate()
    decision_page = client_for(outsider).get(f"/referrals/{received.pk}/decision/").content.decode()
    assert f"submitted on {format_when(submitted)}" in decision_page
    assert f"submitted on {format_when(received.submitted_at)}" not in decision_page
    assert f"Transferred from Northbrook MARAC on {today.day} {today:%B %Y}" in decision_page
    referrers_page = client_for(referrer).get(f"/referrals/{received.pk}/").content.decode()
    assert format_when(submitted) in referrers_page
    assert format_when(received.submitted_at) not in referrers_page
    assert f"Transferred from Northbrook MARAC on {today.day} {today:%B %Y}" in referrers_page


def test_a_referral_transferred_twice_still_shows_the_referrers_own_submission_time(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    third = MaracFactory(name="Westvale MARAC")
    grant(UserFactory(full_name="Wendy Westvale"), third, Role.COORDINATOR)
    referral = submitted_referral(client_for, referrer)
    submitted = timezone.now() - datetime.timedelta(days=6)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=submitted)
    received, _ = _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks)
    Referral.objects.filter(pk=received.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))

    again, _ = _transfer(client_for, outsider, received, third, django_capture_on_commit_callbacks)

    referrers_page = client_for(referrer).get(f"/referrals/{again.pk}/").content.decode()
    assert format_when(submitted) in referrers_page
    assert "Transferred from Southmere MARAC on" in referrers_page


def test_the_receiving_coordinators_are_emailed_the_maracs_name_and_a_link_only(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    deputy = grant(UserFactory(full_name="Dee Deputy", email="dee@example.invalid"), other_marac, Role.COORDINATOR)
    grant(UserFactory(full_name="Ivor Southmere", email="ivor@example.invalid"), other_marac, Role.IDVA)
    referral = submitted_referral(client_for, referrer)
    mail.outbox.clear()

    received, _ = _transfer(client_for, coordinator, referral, other_marac, django_capture_on_commit_callbacks)

    to_coordinators = [email for email in mail.outbox if email.to != [referrer.email]]
    assert sorted(address for email in to_coordinators for address in email.to) == sorted(
        [outsider.email, deputy.email]
    )
    for email in to_coordinators:
        assert len(email.to) == 1  # one each: coordinators do not see one another's addresses
        assert email.subject == "OpenMARAC: a referral has been transferred to Southmere MARAC"
        assert f"/referrals/{received.pk}/decision/" in email.body
        text = email.subject + email.body
        for private in ("Fictiona", "Testworth", "Villainson", "Reggie", REASON, "Northbrook"):
            assert private not in text, private


def test_the_transfer_reason_asks_not_to_write_the_victims_new_address(client_for, referrer, coordinator, other_marac):
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/transfer/").content.decode()

    assert "Both MARACs&#x27; coordinators see this. Do not write the victim&#x27;s new address" in page


def test_a_transferred_referral_is_not_returned_to_a_referrer_who_could_not_correct_it_here(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    """Returned, it would go back to Northbrook's referrer, who makes no referrals at Southmere and so could neither
    correct it nor send it again: it would be stranded."""
    received, _ = _transfer(
        client_for,
        coordinator,
        submitted_referral(client_for, referrer),
        other_marac,
        django_capture_on_commit_callbacks,
    )
    desk = client_for(outsider)  # Southmere's coordinator
    page = desk.get(f"/referrals/{received.pk}/decision/").content.decode()
    assert "Return as incomplete" not in page
    assert "its referrer does not make referrals at this MARAC" in page

    refused = desk.post(f"/referrals/{received.pk}/decision/return/", {"reasons": "Say more"}, follow=True)
    assert "This referral cannot be returned" in refused.content.decode()
    received.refresh_from_db()
    assert received.status == ReferralStatus.SUBMITTED

    # Once the referrer also refers at Southmere, it can go back to them.
    grant(referrer, other_marac, Role.REFERRER)
    assert "Return as incomplete" in desk.get(f"/referrals/{received.pk}/decision/").content.decode()
