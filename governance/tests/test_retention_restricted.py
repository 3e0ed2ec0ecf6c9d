"""Retention and restricted cases: a coordinator not named on a restricted case does not see it in the retention
report, its counts or the confirmation, and cannot apply retention to it, even by sending its number; a coordinator
named on it sees it, marked, with a line saying so, and may apply retention to it. The scheduled task applies the
policy to every case; the dry run's count in the audit trail leaves restricted cases out."""

import re

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from cases.restriction_services import case_restrict
from governance.tests.test_retention import family, names
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

REPORT = "/governance/retention/"
APPLY = "/governance/retention/apply/"


@pytest.fixture
def second_coordinator(marac):
    """A coordinator at the same MARAC, named on no restricted case."""
    return grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)


@pytest.fixture
def restricted_due(marac, coordinator, police_rep):
    """A case due to be anonymised, restricted to the coordinator and the police rep; and an open case not yet due."""
    case = family(marac, coordinator, reference="NB-2019-0001")
    CaseFactory(marac=marac, reference="NB-2026-0001", referred_on=timezone.localdate())
    case_restrict(case=case, named_users=[police_rep], by=coordinator)
    return case


def _count(page: str, label: str) -> int:
    found = re.search(rf"{label}</dt><dd class=\"govuk-summary-list__value\">(\d+)<", page)
    assert found
    return int(found.group(1))


def test_an_unnamed_coordinator_does_not_see_the_restricted_case_in_the_report(
    client_for, second_coordinator, restricted_due
):
    page = client_for(second_coordinator).get(REPORT).content.decode()

    assert "NB-2019-0001" not in page
    assert (_count(page, "To anonymise"), _count(page, "Not yet due")) == (0, 1)
    assert "restricted" not in page.lower()
    assert "Apply retention</a>" not in page


def test_an_unnamed_coordinator_is_not_offered_it_to_confirm(client_for, second_coordinator, restricted_due):
    page = client_for(second_coordinator).get(APPLY).content.decode()

    assert "NB-2019-0001" not in page
    assert f'name="case" value="{restricted_due.pk}"' not in page
    assert "No case or referral is due" in page


def test_an_unnamed_coordinator_cannot_apply_retention_to_it_by_its_number(
    client_for, second_coordinator, restricted_due
):
    response = client_for(second_coordinator).post(APPLY, {"case": [restricted_due.pk]})

    # The same answer as for a case that does not exist: nothing applied.
    assert "Retention applied to 0 cases" in response.content.decode()
    assert names(restricted_due.pk) == ["Alexa", "Brutus", "Kiddo"]
    nowhere = client_for(second_coordinator).post(APPLY, {"case": [restricted_due.pk + 1000]})
    assert nowhere.content.decode().count("Retention applied to 0 cases") == 1


def test_a_named_coordinator_sees_it_marked_with_a_line_saying_so(client_for, coordinator, restricted_due):
    page = client_for(coordinator).get(REPORT).content.decode()

    assert "NB-2019-0001" in page
    assert _count(page, "To anonymise") == 1
    assert "This report includes 1 restricted case you are named on" in page
    confirm = client_for(coordinator).get(APPLY).content.decode()
    assert f'name="case" value="{restricted_due.pk}"' in confirm
    assert "This report includes 1 restricted case you are named on" in confirm


def test_a_named_coordinator_may_apply_retention_to_it(client_for, coordinator, restricted_due):
    response = client_for(coordinator).post(APPLY, {"case": [restricted_due.pk]})

    assert "Retention applied to 1 case" in response.content.decode()
    assert names(restricted_due.pk) == ["Anonymised"] * 3


def test_no_restricted_line_without_restricted_cases(client_for, coordinator, marac):
    family(marac, coordinator, reference="NB-2019-0002")
    page = client_for(coordinator).get(REPORT).content.decode()
    assert "restricted case" not in page


def test_the_dry_run_in_the_audit_trail_does_not_count_restricted_cases(
    client_for, coordinator, second_coordinator, restricted_due
):
    client_for(coordinator).get(REPORT)

    dry_runs = AuditEvent.objects.filter(summary__startswith="Retention dry run").order_by("id")
    assert dry_runs[0].summary.startswith("Retention dry run: 0 to anonymise, 0 to delete, 0 under legal hold, 1 not")
    # The restricted case's outcome is recorded about the case, so only those named on it see it in the trail.
    assert (dry_runs[1].object_type, dry_runs[1].object_id) == ("cases.case", str(restricted_due.pk))
    theirs = client_for(second_coordinator).get("/audit/").content.decode()
    assert "Retention dry run: 0 to anonymise" in theirs
    assert f"Retention dry run: case {restricted_due.pk}" not in theirs
    assert f"Retention dry run: case {restricted_due.pk}" in client_for(coordinator).get("/audit/").content.decode()
