"""A transfer as each person sees it: the referrer is emailed (the referral's number and a link, nothing else) and
their page names the receiving MARAC; the receiving coordinator sees which MARAC sent it, when and why; and a
referral transferred from a MARAC that does not use OpenMARAC here can be recorded as one, with that MARAC's name;
and the coordinator can download a referral as a Word document to send to such a MARAC."""

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_decision_matching import ABOUT, RISK, submitted_referral
from referrals.tests.test_referral_pages import CONSENT, PERPETRATOR, VICTIM
from testing.documents import word_texts
from web.documents import DOCX_CONTENT_TYPE

pytestmark = pytest.mark.django_db

REASON = "The victim has moved permanently to the area"


def _transfer(client_for, coordinator, referral, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(f"/referrals/{referral.pk}/decision/transfer/", {**data, "reason": REASON})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED


def test_the_referrer_is_emailed_the_number_and_a_link_and_their_page_names_the_receiving_marac(
    client_for, referrer, coordinator, other_marac, django_capture_on_commit_callbacks
):
    referral = submitted_referral(client_for, referrer)
    mail.outbox.clear()

    _transfer(client_for, coordinator, referral, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [referrer.email]
    assert email.subject == f"OpenMARAC: referral {referral.pk} has been transferred to another MARAC"
    assert f"/referrals/{referral.pk}/" in email.body
    for private in ("Southmere", "Fictiona", "Testworth", REASON):
        assert private not in email.subject + email.body
    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()
    today = timezone.localdate()
    assert f"Transferred to Southmere MARAC on {today.day} {today:%B %Y}" in page


def test_a_transfer_outside_openmarac_names_that_marac_on_the_referrers_page(
    client_for, referrer, coordinator, django_capture_on_commit_callbacks
):
    referral = submitted_referral(client_for, referrer)
    mail.outbox.clear()

    _transfer(
        client_for, coordinator, referral, {"to_marac_name": "Eastvale MARAC"}, django_capture_on_commit_callbacks
    )

    assert len(mail.outbox) == 1 and "Eastvale" not in mail.outbox[0].body + mail.outbox[0].subject
    assert "Transferred to Eastvale MARAC on" in client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()


def test_the_receiving_coordinator_sees_which_marac_sent_it_when_and_why(
    client_for, referrer, coordinator, other_marac, outsider, django_capture_on_commit_callbacks
):
    referral = submitted_referral(client_for, referrer)
    _transfer(client_for, coordinator, referral, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)
    received = Referral.objects.get(marac=other_marac)

    page = client_for(outsider).get(f"/referrals/{received.pk}/decision/").content.decode()

    today = timezone.localdate()
    assert f"Transferred from Northbrook MARAC on {today.day} {today:%B %Y}: {REASON}" in page
    # The sending MARAC's own record stays its own.
    assert client_for(outsider).get(f"/referrals/{referral.pk}/decision/").status_code == 404


def test_a_referral_not_transferred_says_nothing_of_a_transfer(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "Transferred from" not in page and 'data-testid="transferred-from"' not in page


def _refer_from(client, referrer, about):
    client.post("/referrals/start/")
    referral = Referral.objects.filter(referrer=referrer).latest("pk")
    for slug, data, new in (
        ("victim", VICTIM, False), ("perpetrators", PERPETRATOR, True), ("risk", RISK, False),
        ("consent", CONSENT, False),
    ):  # fmt: skip
        referral.refresh_from_db()
        client.post(
            f"/referrals/{referral.pk}/{slug}/" + ("new/" if new else ""), {**data, "version": referral.version}
        )
    referral.refresh_from_db()
    response = client.post(f"/referrals/{referral.pk}/about/", {**about, "version": referral.version}, follow=True)
    return referral, response.content.decode()


def test_a_referral_from_a_marac_outside_openmarac_needs_that_maracs_name(client_for, referrer):
    client = client_for(referrer)

    referral, page = _refer_from(client, referrer, {**ABOUT, "how_arose": "other_marac"})

    assert "Another MARAC transferred it here" in page
    assert "Enter the name of the MARAC that transferred it" in page
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT  # not submitted without the name


def test_a_referral_from_a_marac_outside_openmarac_is_recorded_as_one(client_for, referrer, coordinator):
    client = client_for(referrer)
    referral, _ = _refer_from(
        client, referrer, {**ABOUT, "how_arose": "other_marac", "sending_marac": "Westmoor MARAC"}
    )
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "Transferred from Westmoor MARAC, a MARAC that does not use OpenMARAC here." in page
    assert "Another MARAC transferred it here" in page


def test_the_coordinator_downloads_the_referral_as_word_to_send_outside_and_the_download_is_audited(
    client_for, referrer, coordinator, django_capture_on_commit_callbacks
):
    referral = submitted_referral(client_for, referrer)
    outside = {"to_marac_name": "Eastvale MARAC"}
    _transfer(client_for, coordinator, referral, outside, django_capture_on_commit_callbacks)
    desk = client_for(coordinator)
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert f'href="/referrals/{referral.pk}/decision/referral.docx"' in page

    response = desk.get(f"/referrals/{referral.pk}/decision/referral.docx")

    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="referral-{referral.pk}.docx"'
    texts = word_texts(response.content)
    assert f"Referral {referral.pk} to Northbrook MARAC" in texts
    assert any(text.startswith("Transferred to Eastvale MARAC on ") for text in texts)
    for words in ("Fictiona", "3 April 1991", "Madeup", "Long history of controlling behaviour.", "Reggie Referrer"):
        assert any(words in text for text in texts), words
    assert "1991-04-03" not in texts
    export = AuditEvent.objects.get(object_id=str(referral.pk), action="export")
    assert export.actor == coordinator and "Fictiona" not in export.summary


def test_only_the_coordinator_gets_the_word_copy(client_for, referrer, coordinator, outsider, police_rep):
    referral = submitted_referral(client_for, referrer)
    url = f"/referrals/{referral.pk}/decision/referral.docx"

    for user in (referrer, police_rep, outsider):
        assert client_for(user).get(url).status_code == 404
    assert not AuditEvent.objects.filter(object_id=str(referral.pk), action="export").exists()
