"""Reads for the governance registers. Every record is reached through `get_record_for_user`: outside the MARACs where
the user holds the permission, a record answers 404 whether or not it exists."""

from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where
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


def breaches_at(*, marac_id: int) -> QuerySet[Breach]:
    return Breach.objects.filter(marac_id=marac_id).select_related("agency")


def disclosure_requests_at(*, marac_id: int) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(marac_id=marac_id).select_related("decided_by")


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


def protocol_review_status_at(*, marac_id: int, today: date) -> records_rules.ReviewStatus:
    latest = protocol_reviews_at(marac_id=marac_id).order_by("-reviewed_on", "-pk").first()
    next_due_on = latest.next_due_on if latest else None
    return records_rules.protocol_review_status(next_due_on=next_due_on, today=today)


def observers_at(*, marac_id: int) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(meeting__marac_id=marac_id, capacity=AttendanceCapacity.OBSERVER)
        .select_related("meeting", "observer_approved_by")
        .order_by("-meeting__starts_at", "observer_name")
    )


def attention_at(*, marac_id: int, today: date) -> records_rules.Attention:
    # The registers hold tens of records a year: the rules are applied in Python so they are stated once.
    unacknowledged = complaints_at(marac_id=marac_id).filter(acknowledged_on__isnull=True)
    complaints = list(complaints_at(marac_id=marac_id).only("status", "vawg_acknowledge_by"))
    unreleased = list(disclosure_requests_at(marac_id=marac_id).filter(released_on__isnull=True))
    return records_rules.Attention(
        overdue_acknowledgements=sum(
            records_rules.complaint_acknowledgement_is_overdue(
                status=complaint.status, acknowledge_by=complaint.acknowledge_by, today=today
            )
            for complaint in unacknowledged
        ),
        overdue_vawg_acknowledgements=sum(
            records_rules.complaint_vawg_acknowledgement_is_overdue(
                status=c.status, acknowledge_by=c.vawg_acknowledge_by, today=today
            )
            for c in complaints
        ),
        complaints_open=sum(records_rules.complaint_is_open(c.status) for c in complaints),
        complaints_with_vawg_chair=sum(records_rules.complaint_is_with_vawg_chair(c.status) for c in complaints),
        breaches_not_referred=breaches_at(marac_id=marac_id).filter(referred_to_vawg_on__isnull=True).count(),
        releases_due=sum(release_outstanding(request) for request in unreleased),
        releases_overdue=sum(release_overdue(request, today) for request in unreleased),
        awaiting_chair_decision=sum(
            disclosure_rules.awaits_chair_decision(
                release_required=request.release_required, chair_decision=request.chair_decision
            )
            for request in unreleased
        ),
        agencies_unsigned=len(unsigned_memberships(marac_id=marac_id)),
        inductions_incomplete=inductions_at(marac_id=marac_id).filter(completed_on__isnull=True).count(),
        protocol_review=protocol_review_status_at(marac_id=marac_id, today=today),
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
