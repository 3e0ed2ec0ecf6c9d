"""Reading referrals with need-to-know applied: the author, and the coordinators of its MARAC once submitted."""

from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from audit.services import audit_view
from cases.models import Case
from cases.selectors import restricted_case_reason
from meetings.models import Listing, Meeting, Outcome
from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS, readable
from referrals.services import instrument_for

type Answers = list[tuple[str, str, list[list[tuple[str, str]]]]]


def referrals_of(*, user: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(referrer=user).select_related("marac", "meeting")


def _current_listings(case_id: Any) -> QuerySet[Listing]:
    """The case's listings that still stand, latest meeting first: a listing held over is settled, and the case is
    heard at the meeting it was held over to."""
    return Listing.objects.filter(case_id=case_id).exclude(outcome=Outcome.HELD_OVER).order_by("-meeting__starts_at")


def referral_current_meeting(referral: Referral) -> Meeting | None:
    """The meeting the case is listed at now, read when shown (one query), so every path that moves a case (a hold
    over on the agenda or at the close of a meeting, an emergency MARAC) is right without updating the referral."""
    if referral.case_id is None:
        return None
    listing = _current_listings(referral.case_id).select_related("meeting").first()
    return listing.meeting if listing is not None else referral.meeting


def referrals_with_current_meeting(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Each referral with `current_meeting_starts_at`, the start of the meeting its case is listed at now
    (referral_current_meeting), in the same query."""
    latest = _current_listings(OuterRef("case_id")).values("meeting__starts_at")[:1]
    return referrals.annotate(current_meeting_starts_at=Coalesce(Subquery(latest), F("meeting__starts_at")))


def referral_inbox(*, marac_id: int) -> list[Referral]:
    """The referrals waiting for a decision: those marked urgent first (read from the encrypted answers, so sorted
    here, not by the database), each group oldest first."""
    waiting = Referral.objects.filter(marac_id=marac_id, status=ReferralStatus.SUBMITTED).order_by("submitted_at")
    return sorted(waiting.select_related("referring_agency"), key=lambda referral: not referral.urgency_reason)


def get_referral_for_user(*, user: Any, pk: int, audit: bool = True) -> Referral:
    """The one gate for a referral: 404 for anyone outside need-to-know, whether or not it exists."""
    referral = Referral.objects.select_related("marac", "referring_agency").filter(pk=pk).first()
    if referral is None or not (referral.referrer_id == user.pk or _decides(user, referral)):
        raise Http404
    if referral.case_id is not None and referral.referrer_id != user.pk and _case_is_restricted(referral.case_id):
        # The case it became is restricted: 404 unless named on it, and then a reason first.
        restricted_case_reason(user=user, case_id=referral.case_id)
    if audit:
        audit_view(referral, user=user)
    return referral


def _case_is_restricted(case_id: int) -> bool:
    return Case.objects.filter(pk=case_id, restricted=True).exists()


def _decides(user: Any, referral: Referral) -> bool:
    return referral.status != ReferralStatus.DRAFT and bool(user.has_perm("referrals.decide", referral))


def referral_is_editable_by(*, user: Any, referral: Referral) -> bool:
    """Its referrer, while it is a draft or returned to them, and only while they may make referrals at its MARAC."""
    return (
        referral.referrer_id == user.pk
        and referral.status in {ReferralStatus.DRAFT, ReferralStatus.RETURNED}
        and may_refer_at_its_marac(user=user, referral=referral)
    )


def may_refer_at_its_marac(*, user: Any, referral: Referral) -> bool:
    """Whether the user holds a role that makes referrals at the referral's own MARAC. Holding one somewhere else is
    not enough: a draft whose MARAC no longer lets them refer (a role removed since) can be neither saved nor
    submitted there."""
    return bool(user.has_perm("referrals.make_referral", referral.marac))


def referral_answers_shown_to_referrer(*, user: Any, referral: Referral) -> bool:
    """The referrer may read back what they submitted, read only, while they hold a role at the referral's MARAC
    that makes referrals there. Only their own answers: nothing others add later (research, minutes, decisions)."""
    return (
        referral.referrer_id == user.pk
        and referral.status != ReferralStatus.DRAFT
        and bool(user.has_perm("referrals.make_referral", referral.marac))
    )


def referral_answers(referral: Referral) -> Answers:
    """Each section of the referral as it was submitted, with its items, as labelled rows: (slug, title, items)."""
    questions = instrument_for(referral).questions
    answers = []
    for section in SECTIONS:
        stored = referral.content.get(section.slug)
        if stored:
            items = stored if section.is_list else [stored]
            answers.append(
                (section.slug, section.title, [readable(section, item, questions=questions) for item in items])
            )
    return answers
