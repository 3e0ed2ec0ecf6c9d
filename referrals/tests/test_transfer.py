"""Transfer to another MARAC: to one in this installation (it receives its own referral), or, when the victim's new
MARAC does not use OpenMARAC here, recorded by that MARAC's name, so the coordinator is never at a dead end."""

import pytest

from audit.models import AuditEvent
from marac.models import Marac
from referrals.models import Referral, ReferralStatus, Transfer
from referrals.tests.test_decision_matching import submitted_referral

pytestmark = pytest.mark.django_db

REASON = "The victim has moved permanently to the area"


def test_with_no_other_marac_here_only_the_name_is_asked_for(client_for, referrer, coordinator):
    assert Marac.objects.count() == 1
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/transfer/").content.decode()

    assert 'name="to_marac"' not in page and "Select an option" not in page
    assert "The name of the MARAC where the victim now normally lives" in page
    assert "No other MARAC uses OpenMARAC here" in page


def test_a_transfer_to_a_marac_outside_openmarac_is_recorded_by_its_name(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)

    response = client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/",
        {"to_marac_name": "  Eastvale   MARAC ", "reason": REASON},
        follow=True,
    )

    page = response.content.decode()
    assert "Referral recorded as transferred to Eastvale MARAC" in page
    assert "send the referral to it by its usual secure route" in page
    assert "Transferred to Eastvale MARAC on" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED and referral.decided_by == coordinator
    transfer = Transfer.objects.get(from_referral=referral)
    assert (transfer.to_marac, transfer.to_marac_name, transfer.to_referral) == (None, "Eastvale MARAC", None)
    assert Referral.objects.count() == 1  # nothing is created for a MARAC that is not here
    audit = AuditEvent.objects.filter(object_id=str(referral.pk), summary__startswith="Transferred to").get()
    assert "outside this installation" in audit.summary and "Eastvale" not in audit.summary


def test_without_a_name_the_error_says_what_to_enter(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)
    client = client_for(coordinator)
    url = f"/referrals/{referral.pk}/decision/transfer/"

    empty = client.post(url, {"to_marac_name": " ", "reason": REASON}).content.decode()
    itself = client.post(url, {"to_marac_name": "northbrook marac", "reason": REASON}).content.decode()

    assert "Enter the name of the MARAC to transfer to" in empty
    assert "That is this MARAC: enter the MARAC the victim has moved to" in itself
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED and not Transfer.objects.exists()


def test_with_other_maracs_here_the_list_says_choose_a_marac(client_for, referrer, coordinator, other_marac):
    referral = submitted_referral(client_for, referrer)
    client = client_for(coordinator)
    url = f"/referrals/{referral.pk}/decision/transfer/"

    page = client.get(url).content.decode()
    neither = client.post(url, {"reason": REASON}).content.decode()
    both = client.post(url, {"to_marac": other_marac.pk, "to_marac_name": "Eastvale MARAC", "reason": REASON})
    listed_by_name = client.post(url, {"to_marac_name": "SOUTHMERE marac", "reason": REASON})

    assert "Choose a MARAC" in page and "Select an option" not in page and "Southmere MARAC" in page
    assert "If it is not in the list, the name of the MARAC" in page
    assert "Choose the MARAC to transfer to, or enter its name if it is not in the list" in neither
    assert "Choose a MARAC from the list or enter the name of one, not both" in both.content.decode()
    assert "Southmere MARAC uses OpenMARAC here: choose it from the list instead" in listed_by_name.content.decode()
    assert not Transfer.objects.exists()


def test_a_transfer_within_the_installation_still_gives_the_other_marac_its_own_referral(
    client_for, referrer, coordinator, other_marac
):
    referral = submitted_referral(client_for, referrer)

    response = client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/", {"to_marac": other_marac.pk, "reason": REASON}, follow=True
    )

    assert "Referral transferred to Southmere MARAC" in response.content.decode()
    transfer = Transfer.objects.get(from_referral=referral)
    assert transfer.to_marac == other_marac and transfer.to_marac_name == ""
    received = transfer.to_referral
    assert received.marac == other_marac and received.status == ReferralStatus.SUBMITTED


def test_only_the_coordinator_of_the_marac_may_transfer(client_for, referrer, outsider, idva):
    referral = submitted_referral(client_for, referrer)
    url = f"/referrals/{referral.pk}/decision/transfer/"
    for user in (outsider, idva, referrer):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"to_marac_name": "Eastvale MARAC", "reason": REASON}).status_code == 404
    assert not Transfer.objects.exists()
