"""The IDVA panel of a case transferred to another MARAC says so: the clock stopped at the transfer, not at a closure,
and the panel shows neither a time the IDVA is still due by nor feedback this MARAC's IDVA still has to give."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus
from referrals.models import IdvaAllocation, Referral
from referrals.tests.test_referral_pages import _complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client_for, referrer, coordinator):
    """A case accepted through the pages, so it has an IDVA clock, with nobody allocated."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    IdvaAllocation.objects.filter(case=referral.case).update(due_by=timezone.now() - datetime.timedelta(days=3))
    return referral.case


def _clock_and_panel(client, case):
    page = client.get(f"/cases/{case.pk}/").content.decode()
    panel = page[page.index('id="idva"') : page.index('data-testid="idva-case-finished"')]
    return page, panel


def test_a_transferred_case_without_an_idva_says_it_was_transferred_not_closed(client_for, coordinator, idva, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.TRANSFERRED)
    for user in (coordinator, idva):
        page, panel = _clock_and_panel(client_for(user), case)
        assert "No IDVA was allocated here before the case was transferred to another MARAC" in panel
        assert "closed" not in panel
        assert "IDVA due by" not in panel
        assert "The IDVA gives the victim feedback after the meeting" not in panel
        assert "For the MARAC the case was transferred to, which now leads" in panel
        assert "Overdue" not in page
        assert "This case is transferred to another MARAC, so it is no longer worked here" in page


def test_a_closed_case_without_an_idva_still_says_closed_with_its_due_time(client_for, coordinator, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    page, panel = _clock_and_panel(client_for(coordinator), case)
    assert "No IDVA was allocated before the case was closed" in panel
    assert "transferred" not in panel
    assert "IDVA due by" in panel
    assert "Overdue" not in page
