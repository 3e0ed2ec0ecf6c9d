"""The stored prefix decides new case references: a MARAC's first case keeps the prefix it takes, and after the
administrator changes the prefix the next referral accepted carries the new one, numbered from 1 or on from the
highest reference already using it, while the references already given stay as they were."""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from marac.tests.test_configuration import _settings_form
from referrals.tests.test_accept_known_person import confirm_victim_held
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import CaseFactory, MaracFactory

pytestmark = pytest.mark.django_db


def _accept(client_for, coordinator, referral) -> str:
    client = client_for(coordinator)
    confirm_victim_held(client, referral)  # the same fictional victim each time
    response = client.post(f"/referrals/{referral.pk}/decision/accept/")
    assert response.status_code == 302
    referral.refresh_from_db()
    return referral.case.reference


def _change_prefix(client_for, administrator, marac, prefix):
    marac.refresh_from_db()
    response = client_for(administrator).post("/settings/edit/", _settings_form(marac, reference_prefix=prefix))
    assert response.status_code == 302


def test_the_first_case_keeps_the_series_it_took(client_for, referrer, coordinator, marac):
    year = timezone.localdate().year
    CaseFactory(marac=marac, reference=f"NB-{year}-0009")
    assert _accept(client_for, coordinator, submitted_referral(client_for, referrer)) == f"NB-{year}-0010"
    marac.refresh_from_db()
    assert marac.reference_prefix == "NB"
    event = AuditEvent.objects.get(object_type="marac.marac", summary="Case reference prefix set by the first case")
    assert event.changes == {"reference_prefix": {"from": "None", "to": "NB"}}
    # An import of another series later does not move it.
    for number in range(1, 4):
        CaseFactory(marac=marac, reference=f"OLD-{year}-{number:04d}")
    assert _accept(client_for, coordinator, submitted_referral(client_for, referrer)) == f"NB-{year}-0011"


def test_a_referral_accepted_after_the_change_takes_the_new_prefix_from_1(
    client_for, referrer, coordinator, administrator, marac
):
    year = timezone.localdate().year
    before = _accept(client_for, coordinator, submitted_referral(client_for, referrer))
    assert before == f"NM-{year}-0001"

    _change_prefix(client_for, administrator, marac, "NBK")
    after = _accept(client_for, coordinator, submitted_referral(client_for, referrer))

    assert after == f"NBK-{year}-0001"
    assert sorted(marac.cases.values_list("reference", flat=True)) == [f"NBK-{year}-0001", before]


def test_a_prefix_used_before_carries_on_from_its_highest_reference(
    client_for, referrer, coordinator, administrator, marac
):
    year = timezone.localdate().year
    # The MARAC used NB before, and another MARAC (since moved to a prefix of its own) once used it too.
    CaseFactory(marac=marac, reference=f"NB-{year}-0040")
    CaseFactory(marac=MaracFactory(name="Elsewhere MARAC", reference_prefix="EW"), reference=f"NB-{year}-0041")
    marac.reference_prefix = "NM"
    marac.save(update_fields=["reference_prefix"])

    _change_prefix(client_for, administrator, marac, "NB")

    assert _accept(client_for, coordinator, submitted_referral(client_for, referrer)) == f"NB-{year}-0042"
