"""Question 9 of the risk checklist (pregnant, or a baby in the last 18 months) answered yes, with no such child
listed and no pregnancy recorded: the check page prompts the referrer, with links to add either, and never stops
the referral being submitted."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from referrals.calendar import months_before
from referrals.models import Referral, ReferralStatus
from referrals.risk import BABY_PROMPT, baby_question_prompt
from referrals.tests.test_referral_pages import ABOUT, CHILD, CONSENT, PERPETRATOR, VICTIM, _post, _risk
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

REFERRED = date(2026, 11, 24)

# --- The rule: worked examples ----------------------------------------------------------------------------------------


def _prompt(*, answer="yes", pregnant="no", born=(), on=REFERRED):
    return baby_question_prompt(baby_answer=answer, victim_pregnant=pregnant, children_born=born, referral_date=on)


def test_it_prompts_when_question_9_is_yes_with_no_baby_and_no_pregnancy():
    assert _prompt() == BABY_PROMPT
    assert _prompt(pregnant="not_known") == BABY_PROMPT
    assert _prompt(pregnant=None) == BABY_PROMPT  # the victim's section not started yet
    assert "Question 9" in BABY_PROMPT and "you can still submit" in BABY_PROMPT


def test_it_says_nothing_unless_question_9_is_yes():
    assert _prompt(answer="no") is None
    assert _prompt(answer="not_known") is None
    assert _prompt(answer=None) is None


def test_a_recorded_pregnancy_answers_it():
    assert _prompt(pregnant="yes") is None


def test_a_child_born_in_the_18_months_before_the_referral_answers_it():
    assert _prompt(born=[date(2026, 1, 5)]) is None
    assert _prompt(born=[REFERRED]) is None  # born on the day
    assert _prompt(born=[date(2025, 5, 24)]) is None  # exactly 18 months before


def test_an_older_child_or_one_without_a_date_of_birth_does_not():
    assert _prompt(born=[date(2025, 5, 23)]) == BABY_PROMPT  # 18 months and a day
    assert _prompt(born=[date(2019, 6, 1), None]) == BABY_PROMPT


def test_18_months_back_from_the_end_of_a_month_falls_on_the_month_s_last_day():
    # 31 August 2026 less 18 months is 28 February 2025 (no 31 February).
    assert _prompt(born=[date(2025, 2, 28)], on=date(2026, 8, 31)) is None
    assert _prompt(born=[date(2025, 2, 27)], on=date(2026, 8, 31)) == BABY_PROMPT


# --- The rule: properties ---------------------------------------------------------------------------------------------

answers = st.sampled_from(["yes", "no", "not_known", None])
births = st.lists(st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))))
referral_dates = st.dates(min_value=date(2002, 1, 1), max_value=date(2030, 12, 31))


@given(answer=answers, pregnant=answers, born=births, on=referral_dates)
def test_it_prompts_exactly_when_question_9_is_yes_and_nothing_explains_it(answer, pregnant, born, on):
    earliest = months_before(on, 18)
    explained = pregnant == "yes" or any(day is not None and earliest <= day <= on for day in born)
    assert (_prompt(answer=answer, pregnant=pregnant, born=born, on=on) is not None) == (
        answer == "yes" and not explained
    )


@given(born=births, on=referral_dates, age_in_days=st.integers(min_value=0, max_value=540))
def test_adding_a_baby_under_18_months_always_removes_the_prompt(born, on, age_in_days):
    # 540 days is under 18 calendar months from any day.
    assert _prompt(born=[*born, on - timedelta(days=age_in_days)], on=on) is None


@given(born=births, on=referral_dates)
def test_recording_the_pregnancy_always_removes_the_prompt(born, on):
    assert _prompt(pregnant="yes", born=born, on=on) is None


# --- On the check page ------------------------------------------------------------------------------------------------


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _complete_without_children(client, referral):
    _post(client, referral, "victim", VICTIM)  # pregnant: no
    _post(client, referral, "perpetrators", PERPETRATOR, index="new")
    _post(client, referral, "risk", _risk(16))  # questions 1 to 16 yes: question 9 among them
    _post(client, referral, "consent", CONSENT)
    _post(client, referral, "about", ABOUT)


def _check_page(client, referral) -> str:
    return client.get(f"/referrals/{referral.pk}/").content.decode()


@pytest.mark.django_db
def test_the_check_page_prompts_and_links_to_where_the_baby_or_pregnancy_goes(client_for, referrer, referral):
    client = client_for(referrer)
    _complete_without_children(client, referral)
    page = _check_page(client, referral)
    assert 'data-testid="baby-prompt"' in page
    assert "no child under 18 months is listed and the victim&#x27;s pregnancy is not recorded" in page
    assert f'href="/referrals/{referral.pk}/children/new/">Add a child</a>' in page
    assert f'href="/referrals/{referral.pk}/victim/#id_pregnant_0">record the pregnancy' in page
    victim_page = client.get(f"/referrals/{referral.pk}/victim/").content.decode()
    assert 'id="id_pregnant_0"' in victim_page  # the link lands on the question


@pytest.mark.django_db
def test_the_prompt_goes_once_a_child_born_in_the_last_18_months_is_added(client_for, referrer, referral):
    client = client_for(referrer)
    _complete_without_children(client, referral)
    older = {**CHILD, "date_of_birth": "2019-06-01"}
    _post(client, referral, "children", older, index="new")
    assert 'data-testid="baby-prompt"' in _check_page(client, referral)

    baby_born = months_before(timezone.localdate(), 17).isoformat()
    baby = {**CHILD, "given_name": "Littlest", "date_of_birth": baby_born, "school_or_setting": "none"}
    _post(client, referral, "children", baby, index="new")

    assert 'data-testid="baby-prompt"' not in _check_page(client, referral)


@pytest.mark.django_db
def test_the_prompt_goes_once_the_pregnancy_is_recorded(client_for, referrer, referral):
    client = client_for(referrer)
    _complete_without_children(client, referral)
    _post(client, referral, "victim", {**VICTIM, "pregnant": "yes"})
    assert 'data-testid="baby-prompt"' not in _check_page(client, referral)


@pytest.mark.django_db
def test_there_is_no_prompt_when_question_9_is_no(client_for, referrer, referral):
    client = client_for(referrer)
    _complete_without_children(client, referral)
    _post(client, referral, "risk", {**_risk(16), "q9": "no"})
    assert 'data-testid="baby-prompt"' not in _check_page(client, referral)


@pytest.mark.django_db
def test_the_prompt_never_stops_the_referral_being_submitted(client_for, referrer, referral):
    client = client_for(referrer)
    _complete_without_children(client, referral)
    referral.refresh_from_db()
    response = client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


# --- In a real browser ------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_prompt_is_accessible_and_its_link_opens_the_child_form(page, base_url, client_for, referrer, referral):
    cache.clear()  # allauth's rate limits and used codes (testing.browser.clear_cache)
    _complete_without_children(client_for(referrer), referral)
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/referrals/{referral.pk}/")
    assert page.get_by_test_id("baby-prompt").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a child").click()
    assert page.get_by_label("Given name").is_visible()
    page.go_back()
    page.get_by_role("link", name="record the pregnancy in the victim's details").click()
    assert page.url.endswith(f"/referrals/{referral.pk}/victim/#id_pregnant_0")
