"""After submitting, the referrer can read back what they sent, read only, while they hold a role at the MARAC: their
own answers only, never what others add later (research, minutes, the coordinator's checks), and each read is in
the audit trail."""

import pytest

from accounts.models import Role, RoleGrant
from audit.models import AuditEvent
from meetings.models import Listing, Research
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import grant

pytestmark = pytest.mark.django_db

READ = "Read the referral as submitted"


def test_the_referrer_reads_every_section_as_submitted_and_the_read_is_audited(client_for, referrer):
    referral = submitted_referral(client_for, referrer)

    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()

    assert "What you submitted" in page
    for words in ("Fictiona", "Testworth", "3 April 1991", "Madeup", "Long history of controlling behaviour.",
                  "A police notification", "Text first on the work mobile, weekdays only"):  # fmt: skip
        assert words in page
    assert 'id="section-victim"' in page and 'id="section-about"' in page
    assert "Submit the referral" not in page and "/victim/" not in page  # read only: no way to change it
    read = AuditEvent.objects.get(object_id=str(referral.pk), action="view", summary=READ)
    assert read.actor == referrer


def test_a_section_page_of_a_submitted_referral_opens_the_read_only_copy(client_for, referrer):
    referral = submitted_referral(client_for, referrer)
    client = client_for(referrer)

    response = client.get(f"/referrals/{referral.pk}/perpetrators/", follow=True)

    assert response.redirect_chain == [(f"/referrals/{referral.pk}/#section-perpetrators", 302)]
    assert "Madeup" in response.content.decode()
    assert client.get(f"/referrals/{referral.pk}/perpetrators/new/").status_code == 404


def test_nothing_added_later_by_others_is_shown_to_the_referrer(client_for, referrer, coordinator, police_rep):
    referral = submitted_referral(client_for, referrer)
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    listing = Listing.objects.get(case=referral.case)
    Research.objects.create(
        listing=listing, agency=police_rep.agency, author=police_rep, about_victim="Zephyrine research note"
    )
    Listing.objects.filter(pk=listing.pk).update(risks_minute="Quillon minute of the risks")

    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()

    assert "What you submitted" in page and "Fictiona" in page
    assert "Zephyrine" not in page and "Quillon" not in page
    assert referral.case.reference not in page  # the case it became is the MARAC's, not the referrer's


def test_without_a_role_at_the_marac_any_more_the_referrer_sees_the_progress_only(
    client_for, referrer, marac, other_marac
):
    referral = submitted_referral(client_for, referrer)
    RoleGrant.objects.filter(user=referrer, marac=marac).delete()
    grant(referrer, other_marac, Role.REFERRER)  # still refers elsewhere

    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()

    assert f"Referral {referral.pk}" in page
    assert "What you submitted" not in page and "Fictiona" not in page
    assert not AuditEvent.objects.filter(object_id=str(referral.pk), summary=READ).exists()
    assert client_for(referrer).get(f"/referrals/{referral.pk}/victim/").status_code == 404


def test_the_coordinator_and_others_do_not_get_the_referrers_copy(client_for, referrer, coordinator, outsider):
    referral = submitted_referral(client_for, referrer)

    coordinators = client_for(coordinator).get(f"/referrals/{referral.pk}/").content.decode()

    assert "What you submitted" not in coordinators  # the coordinator reads it on the decision page
    assert client_for(outsider).get(f"/referrals/{referral.pk}/").status_code == 404
    assert client_for(outsider).get(f"/referrals/{referral.pk}/victim/").status_code == 404
