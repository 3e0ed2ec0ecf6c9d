"""A referrer deletes a draft they no longer need (asked first); a submitted referral is never theirs to delete."""

import pytest

from audit.models import AuditEvent
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_referral_pages import VICTIM, _complete, _post

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _post(client, referral, "victim", VICTIM)
    referral.refresh_from_db()
    return referral


def test_the_referrer_deletes_a_draft_after_being_asked(client_for, referrer, referral):
    client = client_for(referrer)
    overview = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'href="/referrals/{referral.pk}/delete/"' in overview
    asked = client.get(f"/referrals/{referral.pk}/delete/").content.decode()
    assert "Are you sure you want to delete this draft?" in asked
    assert Referral.objects.filter(pk=referral.pk).exists()  # asking deletes nothing
    response = client.post(f"/referrals/{referral.pk}/delete/", {"version": referral.version}, follow=True)
    assert f"Draft referral {referral.pk} deleted" in response.content.decode()
    assert not Referral.objects.filter(pk=referral.pk).exists()
    event = AuditEvent.objects.get(object_type="referrals.referral", object_id=str(referral.pk), action="delete")
    assert event.summary == f"Deleted draft referral {referral.pk}, never submitted"
    assert VICTIM["given_name"] not in event.summary


def test_a_draft_saved_elsewhere_since_is_not_deleted(client_for, referrer, referral):
    client = client_for(referrer)
    stale = referral.version
    _post(client, referral, "victim", {**VICTIM, "town": "Elsewhereton"})  # another tab saves
    response = client.post(f"/referrals/{referral.pk}/delete/", {"version": stale}, follow=True)
    text = response.content.decode()
    assert (
        "This draft was changed in another window since you opened this page. "
        "Nothing was deleted: check it, then delete it again if you still want to."
    ) in text
    # Not the section pages' wording, which speaks of answers below and saving again.
    assert "Nothing here has been saved yet" not in text and "then save again" not in text
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_a_submitted_referral_cannot_be_deleted(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert client.get(f"/referrals/{referral.pk}/delete/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/delete/", {"version": referral.version}).status_code == 404
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_a_returned_referral_was_submitted_and_cannot_be_deleted(client_for, referrer, referral):
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.RETURNED, submitted_at="2026-11-02T10:00Z")
    client = client_for(referrer)
    assert f'href="/referrals/{referral.pk}/delete/"' not in client.get(f"/referrals/{referral.pk}/").content.decode()
    assert client.post(f"/referrals/{referral.pk}/delete/", {"version": referral.version}).status_code == 404


def test_nobody_else_can_delete_it(client_for, referral, coordinator, outsider):
    for user in (coordinator, outsider):
        assert (
            client_for(user).post(f"/referrals/{referral.pk}/delete/", {"version": referral.version}).status_code == 404
        )
    assert Referral.objects.filter(pk=referral.pk).exists()
