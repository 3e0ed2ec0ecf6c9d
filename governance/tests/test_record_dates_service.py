"""The register services hold every caller to the date rule the forms show: a date after today, or before the date
it follows, is refused with a clear message and nothing is saved, whether the call comes from a page, a management
command or an API."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from governance import records_rules, records_services
from governance.models import AgreementSignature, Breach, Complaint, ComplaintStatus, DisclosureRequest, ProtocolReview
from governance.records_rules import RecordDate, record_date_errors
from governance.records_services import RecordDatesRefused
from testing.factories import AgencyFactory

TODAY = date(2026, 11, 24)

# --- The rule: worked examples ----------------------------------------------------------------------------------------


def test_it_finds_nothing_wrong_with_dates_that_have_happened_in_order():
    dates = records_rules.breach_dates(occurred_on=date(2026, 5, 1), reported_on=date(2026, 5, 1))
    assert record_date_errors(dates, today=TODAY) == {}
    assert record_date_errors(records_rules.complaint_received_dates(received_on=None), today=TODAY) == {}


def test_it_gives_each_wrong_date_its_own_message_by_field():
    dates = records_rules.breach_dates(occurred_on=date(2026, 12, 1), reported_on=date(2026, 5, 1))
    assert record_date_errors(dates, today=TODAY) == {
        "occurred_on": "The date of the breach must be today or in the past",
        "reported_on": "The date the breach was reported must be the same as or after the date of the breach",
    }


def test_a_date_in_the_future_is_named_before_one_out_of_order():
    dates = records_rules.request_released_dates(released_on=date(2027, 1, 1), received_on=date(2027, 2, 1))
    assert record_date_errors(dates, today=TODAY) == {
        "released_on": "The date the minutes and action plans were released must be today or in the past"
    }


def test_a_resolution_follows_the_acknowledgement_or_the_receipt_without_one():
    acknowledged = records_rules.complaint_resolved_dates(
        resolved_on=date(2026, 3, 11), received_on=date(2026, 3, 10), acknowledged_on=date(2026, 3, 12)
    )
    assert record_date_errors(acknowledged, today=TODAY) == {
        "resolved_on": "The date the chair's response was sent must be the same as or after the date the complaint "
        "was acknowledged"
    }
    received_only = records_rules.complaint_resolved_dates(
        resolved_on=date(2026, 3, 9), received_on=date(2026, 3, 10), acknowledged_on=None
    )
    assert "after the date the complaint was received" in record_date_errors(received_only, today=TODAY)["resolved_on"]


# --- The rule: properties ---------------------------------------------------------------------------------------------

# From the first MARAC (2003): a date before it is refused too (governance/tests/test_plausible_dates.py).
some_dates = st.one_of(st.none(), st.dates(min_value=date(2003, 1, 1), max_value=date(2035, 12, 31)))
days = st.dates(min_value=date(2003, 1, 1), max_value=date(2035, 12, 31))


@given(value=some_dates, earlier=some_dates, today=days)
def test_a_date_is_refused_exactly_when_it_is_after_today_or_before_what_it_follows(value, earlier, today):
    errors = record_date_errors([RecordDate("on", value, "it happened", earlier, "it began")], today=today)
    wrong = value is not None and (value > today or (earlier is not None and value < earlier))
    assert ("on" in errors) == wrong


@given(occurred=some_dates, reported=some_dates, today=days)
def test_a_breach_is_refused_exactly_when_a_date_is_ahead_or_it_was_reported_before_it_happened(
    occurred, reported, today
):
    errors = record_date_errors(records_rules.breach_dates(occurred_on=occurred, reported_on=reported), today=today)
    assert ("occurred_on" in errors) == (occurred is not None and occurred > today)
    out_of_order = reported is not None and occurred is not None and reported < occurred
    assert ("reported_on" in errors) == (reported is not None and (reported > today or out_of_order))


@given(first=days, gap=st.integers(min_value=0, max_value=3000), today=days)
def test_dates_in_order_up_to_today_are_never_refused(first, gap, today):
    second = first + timedelta(days=gap)
    dates = records_rules.breach_dates(occurred_on=first, reported_on=second)
    assert (record_date_errors(dates, today=today) == {}) == (second <= today)


@given(value=some_dates, earlier=some_dates, today=days)
def test_one_error_at_most_for_each_date(value, earlier, today):
    dates = [RecordDate("a", value, "a", earlier, "b"), RecordDate("b", earlier, "b")]
    errors = record_date_errors(dates, today=today)
    assert set(errors) <= {"a", "b"}
    assert all(message.startswith("The date ") for message in errors.values())


# --- The services -----------------------------------------------------------------------------------------------------


def _tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def _nothing_audited(model) -> bool:
    return not AuditEvent.objects.filter(object_type=model._meta.label_lower).exists()


@pytest.mark.django_db
def test_a_complaint_received_tomorrow_is_refused_and_not_saved(marac, coordinator):
    with pytest.raises(RecordDatesRefused) as refused:
        records_services.complaint_record(
            marac=marac, received_on=_tomorrow(), from_whom="Housing service", summary="Late minutes", by=coordinator
        )
    assert str(refused.value) == "The date the complaint was received must be today or in the past."
    assert refused.value.errors == {"received_on": "The date the complaint was received must be today or in the past"}
    assert not Complaint.objects.exists()
    assert _nothing_audited(Complaint)


@pytest.mark.django_db
def test_an_acknowledgement_before_receipt_is_refused_and_the_complaint_unchanged(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    with pytest.raises(RecordDatesRefused, match="must be the same as or after the date the complaint was received"):
        records_services.complaint_acknowledge(
            complaint=complaint, acknowledged_on=date(2026, 3, 9), based_on_version=1, by=chair
        )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.acknowledged_on, complaint.version) == (ComplaintStatus.RECEIVED, None, 1)
    assert not AuditEvent.objects.filter(object_type="governance.complaint", action="change").exists()


@pytest.mark.django_db
def test_a_resolution_before_the_acknowledgement_or_after_today_is_refused(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2026, 3, 12), based_on_version=1, by=chair
    )
    for resolved_on in (date(2026, 3, 11), _tomorrow()):
        with pytest.raises(RecordDatesRefused):
            records_services.complaint_resolve(
                complaint=complaint, resolved_on=resolved_on, based_on_version=2, by=chair
            )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.version) == (ComplaintStatus.ACKNOWLEDGED, None, 2)


@pytest.mark.django_db
def test_an_escalation_dated_ahead_is_refused(marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2026, 3, 10), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2026, 3, 12), based_on_version=1, by=chair
    )
    records_services.complaint_resolve(complaint=complaint, resolved_on=date(2026, 3, 20), based_on_version=2, by=chair)
    ahead = "The date the complainant asked for the complaint to be escalated must be today or in the past"
    with pytest.raises(RecordDatesRefused, match=ahead):
        records_services.complaint_escalate(
            complaint=complaint, escalated_on=_tomorrow(), reason="Not satisfied", based_on_version=3, by=chair
        )
    before = "must be the same as or after the date the chair's response was sent"
    with pytest.raises(RecordDatesRefused, match=before):
        records_services.complaint_escalate(
            complaint=complaint, escalated_on=date(2026, 3, 19), reason="Not satisfied", based_on_version=3, by=chair
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.escalated_on is None


@pytest.mark.django_db
def test_a_breach_reported_before_it_happened_is_refused_and_not_saved(marac, coordinator):
    with pytest.raises(RecordDatesRefused) as refused:
        records_services.breach_record(
            marac=marac, occurred_on=date(2026, 5, 2), reported_on=date(2026, 5, 1), agency=None, of_what="isa",
            description="Forwarded", by=coordinator,
        )  # fmt: skip
    assert refused.value.errors == {
        "reported_on": "The date the breach was reported must be the same as or after the date of the breach"
    }
    assert not Breach.objects.exists()
    assert _nothing_audited(Breach)


@pytest.mark.django_db
def test_a_breach_referred_to_the_vawg_before_it_was_reported_is_refused(marac, coordinator):
    breach = records_services.breach_record(
        marac=marac, occurred_on=date(2026, 5, 1), reported_on=date(2026, 5, 2), agency=None, of_what="isa",
        description="Forwarded", by=coordinator,
    )  # fmt: skip
    with pytest.raises(RecordDatesRefused, match="referred to the VAWG sub group must be the same as or after"):
        records_services.breach_update(
            breach=breach, referred_to_vawg_on=date(2026, 5, 1), outcome="Noted", based_on_version=1, by=coordinator
        )
    breach.refresh_from_db()
    assert (breach.referred_to_vawg_on, breach.outcome, breach.version) == (None, "", 1)


@pytest.mark.django_db
def test_a_request_received_tomorrow_or_released_before_receipt_is_refused(marac, coordinator):
    with pytest.raises(RecordDatesRefused, match="The date the written request was received must be today"):
        records_services.disclosure_request_record(
            marac=marac, kind="dhr", requested_by="Panel chair", reference="", received_on=_tomorrow(),
            circumstance="client_is_victim", by=coordinator,
        )  # fmt: skip
    assert not DisclosureRequest.objects.exists()
    request = records_services.disclosure_request_record(
        marac=marac, kind="dhr", requested_by="Panel chair", reference="", received_on=date(2026, 3, 25),
        circumstance="client_is_victim", by=coordinator,
    )  # fmt: skip
    with pytest.raises(RecordDatesRefused, match="released must be the same as or after the date the written request"):
        records_services.disclosure_record_release(
            request=request, released_on=date(2026, 3, 24), redaction_notes="", based_on_version=1, by=coordinator
        )
    request.refresh_from_db()
    assert (request.released_on, request.version) == (None, 1)


@pytest.mark.django_db
def test_a_signature_or_review_dated_ahead_is_refused_and_not_saved(marac, coordinator, chair):
    with pytest.raises(RecordDatesRefused, match="The date the agreement was signed must be today or in the past"):
        records_services.signature_record(
            marac=marac, agency=AgencyFactory(), document="isa", signed_on=_tomorrow(), signed_by="Ann Other",
            by=coordinator,
        )  # fmt: skip
    with pytest.raises(RecordDatesRefused, match="reviewed the protocol must be today or in the past"):
        records_services.protocol_review_record(marac=marac, reviewed_on=_tomorrow(), notes="", by=chair)
    assert not AgreementSignature.objects.exists() and not ProtocolReview.objects.exists()
    assert _nothing_audited(AgreementSignature) and _nothing_audited(ProtocolReview)


@pytest.mark.django_db
def test_a_refusal_is_a_record_refused_the_pages_already_show(marac, coordinator):
    with pytest.raises(records_services.RecordRefused):
        records_services.protocol_review_record(marac=marac, reviewed_on=_tomorrow(), notes="", by=coordinator)


@pytest.mark.django_db
def test_today_is_always_accepted(marac, coordinator):
    complaint = records_services.complaint_record(
        marac=marac,
        received_on=timezone.localdate(),
        from_whom="Housing service",
        summary="Late minutes",
        by=coordinator,
    )
    assert complaint.pk is not None
