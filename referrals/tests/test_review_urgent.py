"""A referral marked urgent ("it cannot wait for the next meeting") is flagged to the coordinator: tagged "Urgent"
and listed first in the inbox, and its decision page opens with a warning quoting the referrer's reason. The reason
is the referrer's words about the case: on the coordinator's page, never in an email or a URL."""

from datetime import datetime, timedelta

import lxml.html
import pytest
from django.core import mail
from hypothesis import assume, given
from hypothesis import strategies as st

from referrals.calendar import LONDON
from referrals.models import Referral
from referrals.sections import urgency_reason
from referrals.tests.test_review_answers import CRITERIA, URGENCY, submitted

pytestmark = pytest.mark.django_db

NOT_URGENT = {key: value for key, value in CRITERIA.items() if key not in {"urgent", "urgency_reason"}}
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)


def inbox_rows(page):
    """Each referral in the inbox table: its link text and whether it carries the Urgent tag."""
    tree = lxml.html.fromstring(page)
    return [
        (row.find(".//a").text_content().strip(), bool(row.find_class("govuk-tag--red")))
        for row in tree.find_class("govuk-table__body")[0].findall("tr")
    ]


@pytest.fixture
def three_referrals(client_for, referrer):
    """Submitted in turn: an ordinary one, an urgent one, another ordinary one."""
    client = client_for(referrer)
    referrals = [
        submitted(client, criteria=NOT_URGENT),
        submitted(client, criteria=CRITERIA),
        submitted(client, criteria=NOT_URGENT),
    ]
    for day, referral in enumerate(referrals):
        Referral.objects.filter(pk=referral.pk).update(submitted_at=MONDAY + timedelta(days=day))
    return referrals


def test_the_inbox_lists_urgent_referrals_first_with_a_tag_then_oldest_first(client_for, coordinator, three_referrals):
    older, urgent, newer = three_referrals

    page = client_for(coordinator).get("/referrals/inbox/").content.decode()

    assert inbox_rows(page) == [
        (f"Referral {urgent.pk}", True),
        (f"Referral {older.pk}", False),
        (f"Referral {newer.pk}", False),
    ]
    assert "Submitted referrals: those marked urgent first, then oldest first" in page
    assert '<strong class="govuk-tag govuk-tag--red" data-testid="urgent">Urgent</strong>' in page
    assert URGENCY not in page  # the reason is for the referral's own page


def test_the_decision_page_opens_with_the_referrers_reason_for_urgency(client_for, coordinator, three_referrals):
    _older, urgent, newer = three_referrals
    client = client_for(coordinator)

    page = client.get(f"/referrals/{urgent.pk}/decision/").content.decode()
    ordinary = client.get(f"/referrals/{newer.pk}/decision/").content.decode()

    banner = lxml.html.fromstring(page).xpath('//*[@data-testid="urgent"]')[0].text_content()
    assert "The referrer marked this referral urgent: it cannot wait for the next meeting" in banner
    assert URGENCY in banner
    assert page.index('data-testid="urgent"') < page.index("<h2")  # at the top, before anything else
    assert 'data-testid="urgent"' not in ordinary


def test_the_reason_goes_in_no_email_or_url(client_for, coordinator, three_referrals):
    _older, urgent, _newer = three_referrals
    client = client_for(coordinator)

    accepted = client.post(f"/referrals/{urgent.pk}/decision/accept/")

    assert accepted.status_code == 302 and URGENCY not in accepted["Location"]
    for message in mail.outbox:
        assert URGENCY not in message.subject + message.body
        assert all(URGENCY not in str(content) for content, _type in getattr(message, "alternatives", []))


def test_nobody_outside_the_marac_coordinators_sees_the_urgent_referral(
    client_for, three_referrals, police_rep, outsider
):
    _older, urgent, _newer = three_referrals

    assert client_for(police_rep).get("/referrals/inbox/").status_code == 404
    assert client_for(police_rep).get(f"/referrals/{urgent.pk}/decision/").status_code == 404
    elsewhere = client_for(outsider).get("/referrals/inbox/").content.decode()  # another MARAC's coordinator
    assert f"Referral {urgent.pk}" not in elsewhere and "Urgent" not in elsewhere
    assert client_for(outsider).get(f"/referrals/{urgent.pk}/decision/").status_code == 404


@given(
    ticked=st.sampled_from(["on", "true", True]),
    reason=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=500),
)
def test_a_ticked_box_with_a_reason_is_urgent_for_that_reason(ticked, reason):
    assume(reason.strip())

    assert urgency_reason({"urgent": ticked, "urgency_reason": reason}) == reason.strip()


@given(unticked=st.sampled_from([None, "", "false", False]), reason=st.text(max_size=50))
def test_without_the_box_ticked_it_is_never_urgent_whatever_the_reason(unticked, reason):
    criteria = {"urgency_reason": reason} if unticked is None else {"urgent": unticked, "urgency_reason": reason}

    assert urgency_reason(criteria) == ""
    assert urgency_reason(None) == ""
