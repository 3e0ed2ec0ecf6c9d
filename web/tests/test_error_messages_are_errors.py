"""An error after an action (an error-level message, shown on the next page) is shown as an error (WCAG 3.3.1,
4.1.3): GOV.UK's error summary, announced (role="alert"), with the page's title starting "Error: " once; notices
and successes stay banners."""

import lxml.html
import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.template import Context, Template

from referrals.models import ReferralStatus
from referrals.tests.test_accept_rules import accept, submitted

pytestmark = pytest.mark.django_db

ALREADY_DECIDED = "This referral has already been decided"
SERVICE = " \N{EN DASH} OpenMARAC"  # what base.html adds to each title


def test_accepting_a_referral_decided_in_another_tab_shows_an_announced_error(client_for, referrer, coordinator):
    referral = accept(client_for, coordinator, submitted(client_for, referrer))
    desk = client_for(coordinator)

    page = desk.post(f"/referrals/{referral.pk}/decision/accept/", follow=True).content.decode()

    tree = lxml.html.fromstring(page)
    assert tree.findtext("head/title").startswith("Error: Referral ")
    [summary] = tree.find_class("govuk-error-summary")
    assert ALREADY_DECIDED in summary.xpath("string(.//*[@role='alert'])")
    assert summary.findtext(".//h2") == "There is a problem"
    banners = " ".join(banner.text_content() for banner in tree.find_class("govuk-notification-banner"))
    assert ALREADY_DECIDED not in banners and "Important" not in banners
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def _page(title: str, *levels: int) -> str:
    """templates/base.html with a page's own title and a message at each level given."""
    shown = [Message(level, f"Message at level {level}") for level in levels]
    page = Template('{% extends "base.html" %}{% block title %}' + title + "{% endblock %}")
    return page.render(Context({"messages": shown, "layout": {}}))


def test_the_title_says_error_once_whether_the_page_or_a_message_has_the_error():
    assert f"<title>Error: Cases{SERVICE}</title>" in _page("Cases", messages.ERROR, messages.ERROR)
    assert f"<title>Error: Cases{SERVICE}</title>" in _page("Error: Cases", messages.ERROR)
    assert f"<title>Error: Cases{SERVICE}</title>" in _page("Error: Cases")
    assert f"<title>Cases{SERVICE}</title>" in _page("Cases", messages.SUCCESS, messages.WARNING, messages.INFO)


def test_successes_and_notices_stay_banners_and_errors_share_one_summary():
    tree = lxml.html.fromstring(_page("Cases", messages.SUCCESS, messages.ERROR, messages.INFO, messages.ERROR))

    [summary] = tree.find_class("govuk-error-summary")
    assert [item.text_content() for item in summary.findall(".//li")] == ["Message at level 40"] * 2
    banners = tree.find_class("govuk-notification-banner")
    assert [(banner.get("role"), banner.findtext(".//h2")) for banner in banners] == [
        ("alert", "Success"),
        ("region", "Important"),
    ]
