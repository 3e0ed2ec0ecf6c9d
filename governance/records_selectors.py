"""Reads for the governance registers. Every record is reached through `get_record_for_user`: outside the MARACs where
the user holds the permission, a record answers 404 whether or not it exists."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where
from cases.models import Case
from cases.selectors import cases_at_marac
from governance import disclosure_rules, records_rules
from governance.models import AgreementSignature, Breach, Complaint, DisclosureRequest, InductionRecord, ProtocolReview
from marac.models import Marac, MaracAgency
from meetings.models import Attendance, AttendanceCapacity
from referrals.calendar import WorkingCalendar, calendar_from_marac


def get_record_for_user[Record: Model](model: type[Record], *, user: object, pk: int, permission: str) -> Record:
    maracs = marac_ids_where(user, PERMISSIONS_BY_NAME[permission].roles)
    try:
        return model._default_manager.get(pk=pk, marac_id__in=maracs)
    except ObjectDoesNotExist:
        raise Http404 from None


def marac_calendar(marac: Marac) -> WorkingCalendar:
    return calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))


def complaints_at(*, marac_id: int) -> QuerySet[Complaint]:
    return Complaint.objects.filter(marac_id=marac_id)


def response_overdue(complaint: Complaint, today: date) -> bool:
    """BD Complaints: the chair gave the complainant a time frame for the response when acknowledging; late when the
    complaint is acknowledged, the chair's response not yet sent, and that date has passed."""
    promised_by = complaint.response_promised_by
    return (
        records_rules.complaint_is_acknowledged_and_open(complaint.status)
        and promised_by is not None
        and records_rules.deadline_has_passed(promised_by, today=today)
    )


def complaint_deadlines_missed(complaint: Complaint) -> list[records_rules.MissedDeadline]:
    return records_rules.complaint_deadlines_missed(
        acknowledge_by=complaint.acknowledge_by,
        acknowledged_on=complaint.acknowledged_on,
        response_promised_by=complaint.response_promised_by,
        resolved_on=complaint.resolved_on,
        vawg_acknowledge_by=complaint.vawg_acknowledge_by,
        vawg_acknowledged_on=complaint.vawg_acknowledged_on,
    )


def breaches_at(*, marac_id: int) -> QuerySet[Breach]:
    return Breach.objects.filter(marac_id=marac_id).select_related("agency")


def disclosure_requests_at(*, marac_id: int) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(marac_id=marac_id).select_related("decided_by")


def case_at_marac_for_user(*, user: Any, marac_id: int, reference: str) -> Case | None:
    """The case with this reference at the MARAC if the user may see it (a restricted case only for those named on
    it); None alike for a reference no case has and for a case they may not see, so nobody learns that it exists."""
    reference = reference.strip()
    if not reference:
        return None
    return cases_at_marac(user=user, marac_id=marac_id).filter(reference__iexact=reference).first()


def disclosure_case_for_user(*, user: Any, request: DisclosureRequest) -> Case | None:
    """The case a request is about, for the request's page: None where there is none, or where the user may not see
    it (restricted, and they are not named on it), so that the page does not say a restricted case exists."""
    if request.case_id is None:
        return None
    return cases_at_marac(user=user, marac_id=request.marac_id).filter(pk=request.case_id).first()


def case_has_legal_hold(case: Case) -> bool:
    return case.legal_holds.filter(lifted_at__isnull=True).exists()


def signatures_at(*, marac_id: int) -> QuerySet[AgreementSignature]:
    return AgreementSignature.objects.filter(marac_id=marac_id).select_related("agency")


def unsigned_memberships(*, marac_id: int) -> list[tuple[MaracAgency, list[str]]]:
    """The MARAC's agencies that have not signed the information sharing agreement or the protocol, and which."""
    memberships = list(MaracAgency.objects.filter(marac_id=marac_id).select_related("agency"))
    signed = signatures_at(marac_id=marac_id).values_list("agency_id", "document")
    missing = records_rules.missing_agreements([m.agency_id for m in memberships], signed)
    labels = dict(AgreementSignature._meta.get_field("document").choices or [])
    return [
        (membership, [str(labels[document]) for document in missing[membership.agency_id]])
        for membership in memberships
        if membership.agency_id in missing
    ]


def inductions_at(*, marac_id: int) -> QuerySet[InductionRecord]:
    return InductionRecord.objects.filter(marac_id=marac_id).select_related("user", "user__agency")


def protocol_reviews_at(*, marac_id: int) -> QuerySet[ProtocolReview]:
    return ProtocolReview.objects.filter(marac_id=marac_id)


def protocol_review_next_due_at(*, marac_id: int) -> date | None:
    """The day the latest review set for the next; None where no review is recorded."""
    latest = protocol_reviews_at(marac_id=marac_id).order_by("-reviewed_on", "-pk").first()
    return latest.next_due_on if latest else None


def protocol_review_status_at(*, marac_id: int, today: date) -> records_rules.ReviewStatus:
    next_due_on = protocol_review_next_due_at(marac_id=marac_id)
    return records_rules.protocol_review_status(next_due_on=next_due_on, today=today)


def protocol_reviews_with_missed(*, marac_id: int) -> list[tuple[ProtocolReview, records_rules.MissedDeadline | None]]:
    """The reviews, newest first, each with the deadline it met late (the day the review before it set), if any."""
    oldest_first = list(protocol_reviews_at(marac_id=marac_id).order_by("reviewed_on", "pk"))
    missed = records_rules.protocol_reviews_missed((r.reviewed_on, r.next_due_on) for r in oldest_first)
    return list(reversed(list(zip(oldest_first, missed, strict=True))))


def observers_at(*, marac_id: int) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(meeting__marac_id=marac_id, capacity=AttendanceCapacity.OBSERVER)
        .select_related("meeting", "observer_approved_by")
        .order_by("-meeting__starts_at", "observer_name")
    )


@dataclass(frozen=True)
class Waiting:
    """The registers' deadlines still to be met at a MARAC, kind by kind: the days they are due by. The index of the
    registers and the home page both count what is late from these (records_rules.deadline_has_passed)."""

    acknowledgements: list[date]
    responses: list[date]
    vawg_acknowledgements: list[date]
    releases: list[date]


def waiting_at(*, marac_id: int) -> Waiting:
    # The registers hold tens of records a year: the rules are applied in Python so they are stated once.
    complaints = list(complaints_at(marac_id=marac_id))
    return Waiting(
        acknowledgements=[
            c.acknowledge_by for c in complaints if records_rules.complaint_awaits_acknowledgement(c.status)
        ],
        responses=[
            c.response_promised_by
            for c in complaints
            if records_rules.complaint_is_acknowledged_and_open(c.status) and c.response_promised_by
        ],
        vawg_acknowledgements=[
            c.vawg_acknowledge_by
            for c in complaints
            if records_rules.complaint_awaits_vawg_acknowledgement(c.status) and c.vawg_acknowledge_by
        ],
        releases=[
            request.due_on
            for request in disclosure_requests_at(marac_id=marac_id).filter(released_on__isnull=True)
            if release_outstanding(request) and request.due_on
        ],
    )


def attention_at(*, marac_id: int, today: date) -> records_rules.Attention:
    complaints = list(complaints_at(marac_id=marac_id).only("status"))
    unreleased = list(disclosure_requests_at(marac_id=marac_id).filter(released_on__isnull=True))
    waiting = waiting_at(marac_id=marac_id)
    next_review_due_on = protocol_review_next_due_at(marac_id=marac_id)
    return records_rules.Attention(
        overdue_acknowledgements=records_rules.deadlines_passed(waiting.acknowledgements, today=today),
        overdue_responses=records_rules.deadlines_passed(waiting.responses, today=today),
        overdue_vawg_acknowledgements=records_rules.deadlines_passed(waiting.vawg_acknowledgements, today=today),
        complaints_open=sum(records_rules.complaint_is_open(c.status) for c in complaints),
        complaints_with_vawg_chair=sum(records_rules.complaint_is_with_vawg_chair(c.status) for c in complaints),
        breaches_not_referred=breaches_at(marac_id=marac_id).filter(referred_to_vawg_on__isnull=True).count(),
        releases_due=sum(release_outstanding(request) for request in unreleased),
        releases_overdue=records_rules.deadlines_passed(waiting.releases, today=today),
        awaiting_chair_decision=sum(
            disclosure_rules.awaits_chair_decision(
                release_required=request.release_required, chair_decision=request.chair_decision
            )
            for request in unreleased
        ),
        agencies_unsigned=len(unsigned_memberships(marac_id=marac_id)),
        inductions_incomplete=inductions_at(marac_id=marac_id).filter(completed_on__isnull=True).count(),
        protocol_review=records_rules.protocol_review_status(next_due_on=next_review_due_on, today=today),
        protocol_review_due_on=next_review_due_on,
    )


def release_outstanding(request: DisclosureRequest) -> bool:
    return disclosure_rules.release_is_outstanding(
        release_required=request.release_required,
        chair_decision=request.chair_decision,
        released_on=request.released_on,
    )


def release_overdue(request: DisclosureRequest, today: date) -> bool:
    return disclosure_rules.release_is_overdue(
        release_required=request.release_required,
        chair_decision=request.chair_decision,
        released_on=request.released_on,
        due_on=request.due_on,
        today=today,
    )


# --- Deadlines on the chair's and coordinator's home page -----------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One line on the home page: what is due or late in the registers, as counts and dates, never a person."""

    text: str
    url_name: str
    overdue: bool


def _counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def _due_and_late(dates: list[date], today: date) -> tuple[int, date | None]:
    """How many of these deadlines have passed, and the earliest still to come."""
    late = records_rules.deadlines_passed(dates, today=today)
    ahead = [day for day in dates if not records_rules.deadline_has_passed(day, today=today)]
    return late, min(ahead, default=None)


def deadlines_at(*, marac_id: int, today: date) -> list[Deadline]:
    """The governance deadlines the chair and coordinator must keep (BD Complaints, DHR, Review): late ones, and the
    next of each kind still to come. Empty when nothing is waiting."""
    waiting = waiting_at(marac_id=marac_id)
    deadlines = [
        *_deadlines(
            waiting.acknowledgements,
            today,
            what=("complaint to acknowledge", "complaints to acknowledge"),
            url_name="governance_records:complaints",
        ),
        *_deadlines(
            waiting.responses,
            today,
            what=("complaint to respond to", "complaints to respond to"),
            url_name="governance_records:complaints",
        ),
        *_deadlines(
            waiting.vawg_acknowledgements,
            today,
            what=(
                "escalated complaint for the VAWG chair to acknowledge",
                "escalated complaints for the VAWG chair to acknowledge",
            ),
            url_name="governance_records:complaints",
        ),
        *_deadlines(
            waiting.releases,
            today,
            what=(
                "request for minutes and action plans to release",
                "requests for minutes and action plans to release",
            ),
            url_name="governance_records:disclosures",
        ),
    ]
    undecided = sum(
        disclosure_rules.awaits_chair_decision(release_required=r.release_required, chair_decision=r.chair_decision)
        for r in disclosure_requests_at(marac_id=marac_id).filter(released_on__isnull=True)
    )
    if undecided:
        what = _counted(undecided, "request for minutes waits", "requests for minutes wait")
        deadlines.append(Deadline(f"{what} for the chair's decision", "governance_records:disclosures", False))
    next_review_due_on = protocol_review_next_due_at(marac_id=marac_id)
    review = records_rules.protocol_review_status(next_due_on=next_review_due_on, today=today)
    if records_rules.protocol_review_needs_attention(review):
        deadlines.append(_review_deadline(review, next_review_due_on))
    return deadlines


def _deadlines(dates: list[date], today: date, *, what: tuple[str, str], url_name: str) -> list[Deadline]:
    late, next_due = _due_and_late(dates, today)
    found = []
    if late:
        found.append(Deadline(_counted(late, *what), url_name, True))
    if next_due is not None:
        waiting = len(dates) - late
        found.append(Deadline(f"{_counted(waiting, *what)}, the next by {_day(next_due)}", url_name, False))
    return found


def _review_deadline(review: records_rules.ReviewStatus, due_on: date | None) -> Deadline:
    if due_on is None:
        text = "No review of the MARAC protocol has been recorded"
    elif review == records_rules.ReviewStatus.OVERDUE:
        text = f"The annual review of the MARAC protocol is overdue: it was due by {_day(due_on)}"
    else:
        text = f"The annual review of the MARAC protocol is due within 30 days, by {_day(due_on)}"
    return Deadline(text, "governance_records:reviews", review == records_rules.ReviewStatus.OVERDUE)
