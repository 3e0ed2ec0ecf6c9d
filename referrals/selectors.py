"""Reading referrals with need-to-know applied: the author, and the coordinators of its MARAC once submitted."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audit.services import audit_view
from cases.models import Case
from cases.selectors import restricted_case_reason
from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS, readable
from referrals.services import instrument_for

type Answers = list[tuple[str, str, list[list[tuple[str, str]]]]]


def referrals_of(*, user: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(referrer=user).select_related("marac", "meeting")


def referral_inbox(*, marac_id: int) -> QuerySet[Referral]:
    return Referral.objects.filter(marac_id=marac_id, status=ReferralStatus.SUBMITTED).order_by("submitted_at")


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
    return referral.referrer_id == user.pk and referral.status in {ReferralStatus.DRAFT, ReferralStatus.RETURNED}


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
