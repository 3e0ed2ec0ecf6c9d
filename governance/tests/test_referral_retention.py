"""Referrals that never became a case are not kept for ever: an abandoned draft is deleted, one returned as
incomplete and never sent again is emptied, and a MARAC's copy of a referral it transferred is emptied after its
retention period; the boards' count of submitted referrals is unchanged."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from governance.retention import (
    UNSUBMITTED_REFERRAL_DAYS,
    ReferralFacts,
    RetentionOutcome,
    RetentionPolicy,
    decide_referral_retention,
)
from governance.retention_services import retention_apply, retention_report
from governance.tasks import apply_retention_all
from referrals.models import Referral, ReferralStatus
from reports.cohorts import Scope
from reports.indicators import SUBMITTED
from reports.periods import Period, PeriodKind
from testing.factories import AgencyFactory, CaseFactory

ANONYMISE_6 = RetentionPolicy(years=6, action="anonymise")
TODAY = date(2027, 1, 15)


def facts(**overrides):
    values = {
        "referral_id": 7,
        "status": "draft",
        "last_changed_on": date(2026, 10, 1),
        "submitted_on": None,
        "emptied": False,
    }
    return ReferralFacts(**{**values, **overrides})


# --- The rule -------------------------------------------------------------------------------------------------------


def test_the_rule_names_the_statuses_the_referrals_have():
    assert {"draft", "returned", "transferred"} <= set(ReferralStatus.values)


def test_a_draft_untouched_for_90_days_is_deleted():
    # Last changed on 1 October 2026: kept until 30 December 2026, then deleted.
    kept = decide_referral_retention(facts(), today=date(2026, 12, 29), policy=ANONYMISE_6)
    assert kept.outcome == RetentionOutcome.KEEP and kept.due_on == date(2026, 12, 30)
    assert kept.reason == "Kept until 30 December 2026: a draft, last changed on 1 October 2026."
    gone = decide_referral_retention(facts(), today=date(2026, 12, 30), policy=ANONYMISE_6)
    assert gone.outcome == RetentionOutcome.DELETE
    assert gone.reason == "Delete: a draft never submitted, last changed on 1 October 2026, more than 90 days ago."


def test_a_referral_returned_and_never_sent_again_is_emptied_not_deleted():
    decision = decide_referral_retention(facts(status="returned"), today=TODAY, policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.ANONYMISE
    assert "the row stays for the boards' counts" in decision.reason
    again = decide_referral_retention(facts(status="returned", emptied=True), today=TODAY, policy=ANONYMISE_6)
    assert again.outcome == RetentionOutcome.ALREADY_ANONYMISED


def test_a_transferred_referral_is_kept_for_the_retention_period_from_its_submission():
    transferred = facts(status="transferred", submitted_on=date(2020, 3, 2), last_changed_on=date(2020, 3, 5))
    assert decide_referral_retention(transferred, today=date(2026, 3, 1), policy=ANONYMISE_6).outcome == "keep"
    decision = decide_referral_retention(transferred, today=date(2026, 3, 2), policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.ANONYMISE and decision.due_on == date(2026, 3, 2)


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_a_referral_waiting_for_a_decision_is_never_due(status):
    decision = decide_referral_retention(
        facts(status=status, last_changed_on=date(2001, 1, 1)), today=TODAY, policy=ANONYMISE_6
    )
    assert decision.outcome == RetentionOutcome.KEEP and decision.due_on is None


@given(
    status=st.sampled_from(ReferralStatus.values),
    last_changed_on=st.dates(date(2003, 1, 1), date(2030, 12, 31)),
    age=st.integers(0, 4000),
    emptied=st.booleans(),
)
def test_nothing_is_ever_due_before_its_day_and_only_drafts_are_deleted(status, last_changed_on, age, emptied):
    today = last_changed_on + timedelta(days=age)
    decision = decide_referral_retention(
        facts(status=status, last_changed_on=last_changed_on, submitted_on=last_changed_on, emptied=emptied),
        today=today,
        policy=ANONYMISE_6,
    )
    if decision.changes_something:
        assert decision.due_on is not None and today >= decision.due_on
        assert age >= UNSUBMITTED_REFERRAL_DAYS
    if decision.outcome == RetentionOutcome.DELETE:
        assert status == "draft"


# --- Applying -------------------------------------------------------------------------------------------------------

OLD = datetime(2026, 6, 1, 10, tzinfo=UTC)  # more than 90 days before TODAY


def _referral(marac, referrer, status, *, changed=OLD, **fields):
    referral = Referral.objects.create(
        marac=marac,
        referrer=referrer,
        referring_agency=AgencyFactory(),
        status=status,
        content={"victim": {"given_name": "Abandonia", "family_name": "Imaginary"}},
        **fields,
    )
    Referral.objects.filter(pk=referral.pk).update(updated_at=changed)
    return referral


@pytest.fixture
def never_cases(marac, referrer):
    return {
        "old draft": _referral(marac, referrer, ReferralStatus.DRAFT),
        "new draft": _referral(marac, referrer, ReferralStatus.DRAFT, changed=datetime(2027, 1, 10, tzinfo=UTC)),
        "returned": _referral(marac, referrer, ReferralStatus.RETURNED, submitted_at=OLD),
        "waiting": _referral(marac, referrer, ReferralStatus.SUBMITTED, submitted_at=OLD),
    }


def _submitted_count(marac):
    scope = Scope((marac.pk,), Period(PeriodKind.YEAR, date(2026, 1, 1), date(2026, 12, 31)))
    return SUBMITTED.rows(scope).count()


def test_the_dry_run_lists_them_by_number_and_changes_nothing(marac, never_cases):
    report = retention_report(marac=marac, today=TODAY, viewer=None)
    due = {row.label: row.decision.outcome for row in report.referrals_due}
    assert due == {
        f"Referral {never_cases['old draft'].pk}": RetentionOutcome.DELETE,
        f"Referral {never_cases['returned'].pk}": RetentionOutcome.ANONYMISE,
    }
    assert "referrals that never became a case: 1 drafts to delete, 1 to empty" in report.summary()
    assert Referral.objects.filter(marac=marac).count() == 4


def test_the_scheduler_deletes_the_abandoned_draft_and_empties_the_returned_referral(marac, never_cases):
    submitted_before = _submitted_count(marac)
    report = retention_apply(marac=marac, today=TODAY, by=None)
    assert report.referral_counts == {"referrals_deleted": 1, "referrals_emptied": 1}
    assert not Referral.objects.filter(pk=never_cases["old draft"].pk).exists()
    returned = Referral.objects.get(pk=never_cases["returned"].pk)
    assert "Abandonia" not in str(returned.content) and returned.status == ReferralStatus.RETURNED
    for kept in ("new draft", "waiting"):
        assert Referral.objects.get(pk=never_cases[kept].pk).content["victim"]["given_name"] == "Abandonia"
    assert _submitted_count(marac) == submitted_before  # the boards still count the returned referral
    summaries = list(AuditEvent.objects.filter(object_type="referrals.referral").values_list("summary", flat=True))
    assert any(f"referral {never_cases['old draft'].pk} deleted" in s for s in summaries)
    assert not any("Abandonia" in s or "Imaginary" in s for s in summaries)


def test_a_referral_with_a_case_is_left_to_the_case_rule(marac, referrer):
    case = CaseFactory(marac=marac)
    referral = _referral(marac, referrer, ReferralStatus.ACCEPTED, case=case, submitted_at=OLD)
    retention_apply(marac=marac, today=TODAY, by=None)
    assert Referral.objects.get(pk=referral.pk).content["victim"]["given_name"] == "Abandonia"


def test_confirming_cases_on_the_page_touches_no_referral(marac, never_cases):
    retention_apply(marac=marac, today=TODAY, by=None, only_case_ids=set())
    assert Referral.objects.filter(marac=marac).count() == 4


def test_the_task_and_the_command_report_them(marac, never_cases, capsys):
    # They run on today, not TODAY: the new draft is new whenever the suite runs (its fixed day ages past 90 days).
    recently = timezone.now() - timedelta(days=5)
    Referral.objects.filter(pk=never_cases["new draft"].pk).update(updated_at=recently)
    call_command("apply_retention", "--marac", str(marac.pk), "--dry-run")
    out = capsys.readouterr().out
    assert f"Referral {never_cases['old draft'].pk} [delete]" in out and "Abandonia" not in out
    result = apply_retention_all.enqueue()
    assert result.return_value[str(marac.pk)]["referrals_deleted"] == 1
    assert result.return_value[str(marac.pk)]["referrals_emptied"] == 1


# --- Pages ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def abandoned(marac, referrer):
    # Changed more than 90 days before today, whenever the suite runs.
    long_ago = timezone.now() - timedelta(days=UNSUBMITTED_REFERRAL_DAYS + 5)
    return (
        _referral(marac, referrer, ReferralStatus.DRAFT, changed=long_ago),
        _referral(marac, referrer, ReferralStatus.RETURNED, changed=long_ago, submitted_at=long_ago),
    )


def test_the_coordinator_sees_the_referrals_due_by_number_and_confirms_them(client_for, coordinator, abandoned):
    draft, returned = abandoned
    client = client_for(coordinator)
    report = client.get("/governance/retention/").content.decode()
    assert f"Referral {draft.pk}" in report and f"Referral {returned.pk}" in report
    assert "Abandonia" not in report
    confirm = client.get("/governance/retention/apply/").content.decode()
    assert "Apply retention to 0 cases and 2 referrals?" in confirm
    assert f'name="referral" value="{draft.pk}"' in confirm
    assert Referral.objects.filter(pk=draft.pk).exists()  # asking changes nothing
    done = client.post("/governance/retention/apply/", {"referral": [draft.pk, returned.pk]}).content.decode()
    assert "Retention applied to 0 cases and 2 referrals" in done
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert "Abandonia" not in str(Referral.objects.get(pk=returned.pk).content)


def test_only_the_referrals_confirmed_are_touched(client_for, coordinator, abandoned):
    draft, returned = abandoned
    client_for(coordinator).post("/governance/retention/apply/", {"referral": [returned.pk]})
    assert Referral.objects.filter(pk=draft.pk).exists()
    assert "Abandonia" not in str(Referral.objects.get(pk=returned.pk).content)
