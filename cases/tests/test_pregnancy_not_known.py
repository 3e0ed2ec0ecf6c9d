"""A referral that answered "not known" to the victim's pregnancy gives a case that says not known, never "no": it is
a risk factor, and the children's services notification and the agenda read it."""

import pytest

from cases.models import Case
from referrals.models import Referral
from referrals.tests.test_decision_matching import VICTIM, submitted_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("answer", "shown", "stored"), [("not_known", "Not known", None), ("yes", "Yes", True), ("no", "No", False)]
)
def test_the_case_says_what_the_referral_answered_about_a_pregnancy(
    client_for, referrer, coordinator, answer, shown, stored
):
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(VICTIM, "pregnant", answer)
        referral = submitted_referral(client_for, referrer)
    assert referral.content["victim"]["pregnant"] == answer
    desk = client_for(coordinator)
    assert desk.post(f"/referrals/{referral.pk}/decision/accept/").status_code == 302
    case = Case.objects.get(referral=Referral.objects.get(pk=referral.pk))
    assert case.victim_pregnant is stored
    page = desk.get(f"/cases/{case.pk}/").content.decode()
    assert f'Victim pregnant</dt><dd class="govuk-summary-list__value">{shown}</dd>' in page
