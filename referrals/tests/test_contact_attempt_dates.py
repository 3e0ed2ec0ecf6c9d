"""An IDVA's attempt to contact the victim is dated on or after the referral, and not in the future."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from referrals import followup
from referrals.models import ContactAttempt, Referral
from referrals.tests.test_followup import case

__all__ = ["case"]

REFERRED = datetime.date(2026, 11, 24)

# --- The rule ---------------------------------------------------------------------------------------------------------


def test_an_attempt_on_the_referral_date_or_after_and_by_today_is_fine():
    for day in (REFERRED, datetime.date(2026, 11, 26)):
        assert followup.contact_attempt_date_problem(attempted_on=day, referral_date=REFERRED, today=day) is None


def test_an_attempt_before_the_referral_is_refused():
    problem = followup.contact_attempt_date_problem(
        attempted_on=datetime.date(2026, 11, 1), referral_date=REFERRED, today=REFERRED
    )
    assert problem == "The date of the attempt must be on or after the referral date"


def test_an_attempt_in_the_future_is_refused():
    problem = followup.contact_attempt_date_problem(
        attempted_on=datetime.date(2026, 11, 25), referral_date=REFERRED, today=REFERRED
    )
    assert problem == "The date of the attempt must be today or in the past"


@given(
    referral_date=st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 1, 1)),
    days_open=st.integers(0, 400),
    attempted_on=st.dates(datetime.date(2019, 1, 1), datetime.date(2031, 12, 31)),
)
def test_an_attempt_is_accepted_exactly_when_it_falls_between_the_referral_and_today(
    referral_date, days_open, attempted_on
):
    today = referral_date + datetime.timedelta(days=days_open)
    problem = followup.contact_attempt_date_problem(attempted_on=attempted_on, referral_date=referral_date, today=today)
    assert (problem is None) == (referral_date <= attempted_on <= today)


# --- Through the page, as the IDVA ------------------------------------------------------------------------------------


def _attempt(client, case, when):
    return client.post(
        f"/referrals/idva/{case.pk}/contact/",
        {"contact-attempted_at": when, "contact-method": "phone", "contact-succeeded": "no"},
    )


@pytest.mark.django_db
def test_an_attempt_dated_before_the_referral_is_refused_on_the_page(client_for, idva, case):
    before = timezone.localdate() - datetime.timedelta(days=23)
    response = _attempt(client_for(idva), case, f"{before:%Y-%m-%d}T10:15")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date of the attempt must be on or after the referral date" in page
    assert 'href="#id_contact-attempted_at"' in page
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_an_attempt_dated_tomorrow_is_refused_on_the_page(client_for, idva, case):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = _attempt(client_for(idva), case, f"{tomorrow:%Y-%m-%d}T09:00").content.decode()
    assert "The date of the attempt must be today or in the past" in page
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_an_attempt_after_submission_but_before_acceptance_is_accepted(client_for, idva, case):
    """The referral date is the day it was submitted, when that was before the coordinator accepted it."""
    submitted = timezone.now() - datetime.timedelta(days=2)
    Referral.objects.filter(case=case).update(submitted_at=submitted)
    response = _attempt(client_for(idva), case, f"{timezone.localtime(submitted):%Y-%m-%dT%H:%M}")
    assert response.status_code == 302
    assert ContactAttempt.objects.count() == 1
