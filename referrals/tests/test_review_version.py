"""The referral's edit lock cannot be skipped: a save, removal, deletion or submission whose page sent no version,
or one that is not a number, is refused with a clear message and nothing is changed. Every page of the referral
sends its version."""

import lxml.html
import pytest

from referrals.models import Referral, ReferralStatus
from referrals.tests.test_review_answers import PERPETRATOR, complete, save, start

pytestmark = pytest.mark.django_db

OUT_OF_DATE = "The page was out of date"
BAD_VERSIONS = [None, "", "abc", "1.0", " 1", "-1", "\u0661"]  # None: not sent at all; the last, an Arabic-Indic 1


def sent(data, version):
    return data if version is None else {**data, "version": version}


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_a_section_saved_without_a_proper_version_is_refused_and_the_typing_kept(client_for, referrer, version):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "victim", {"given_name": "Fictiona"}, "draft")
    referral.refresh_from_db()
    before = referral.version

    response = client.post(
        f"/referrals/{referral.pk}/victim/", sent({"given_name": "Other", "action": "draft"}, version)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{OUT_OF_DATE}: check the referral and save again" in page and 'value="Other"' in page
    referral.refresh_from_db()
    assert referral.version == before and referral.content["victim"]["given_name"] == "Fictiona"


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_a_submission_without_a_proper_version_is_refused(client_for, referrer, version):
    client = client_for(referrer)
    referral = start(client)
    complete(client, referral, score=16)

    response = client.post(f"/referrals/{referral.pk}/submit/", sent({}, version), follow=True)

    assert OUT_OF_DATE in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_removing_an_item_without_a_proper_version_is_refused(client_for, referrer, version):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "perpetrators/new", PERPETRATOR)

    response = client.post(f"/referrals/{referral.pk}/perpetrators/0/remove/", sent({}, version), follow=True)

    assert OUT_OF_DATE in response.content.decode()
    referral.refresh_from_db()
    assert len(referral.content["perpetrators"]) == 1


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_deleting_a_draft_without_a_proper_version_is_refused(client_for, referrer, version):
    client = client_for(referrer)
    referral = start(client)

    response = client.post(f"/referrals/{referral.pk}/delete/", sent({}, version), follow=True)

    assert f"{OUT_OF_DATE}: nothing was deleted" in response.content.decode()
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_every_form_that_changes_the_referral_sends_its_version(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "perpetrators/new", PERPETRATOR)
    referral.refresh_from_db()
    pages = [
        f"/referrals/{referral.pk}/",
        f"/referrals/{referral.pk}/victim/",
        f"/referrals/{referral.pk}/risk/",
        f"/referrals/{referral.pk}/perpetrators/new/",
        f"/referrals/{referral.pk}/perpetrators/0/",
        f"/referrals/{referral.pk}/perpetrators/0/remove/",
        f"/referrals/{referral.pk}/delete/",
    ]
    for url in pages:
        forms = lxml.html.fromstring(client.get(url).content).xpath("//form[@method='post']")
        mine = f"/referrals/{referral.pk}/"  # its own forms post here, or to the page itself; not signing out
        changing = [form for form in forms if (form.get("action") or mine).startswith(mine)]
        assert changing, url
        for form in changing:
            assert form.xpath(f".//input[@name='version' and @value='{referral.version}']"), url


def test_with_the_version_the_page_sent_the_save_goes_through(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)

    response = save(client, referral, "victim", {"given_name": "Fictiona"}, "draft")

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.content["victim"]["given_name"] == "Fictiona"
