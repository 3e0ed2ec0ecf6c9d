"""Reading referrals with need-to-know applied: the author, and the coordinators of its MARAC once submitted."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audit.services import audit_view
from referrals.models import Referral, ReferralStatus


def referrals_of(*, user: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(referrer=user).select_related("marac", "meeting")


def referral_inbox(*, marac_id: int) -> QuerySet[Referral]:
    return Referral.objects.filter(marac_id=marac_id, status=ReferralStatus.SUBMITTED).order_by("submitted_at")


def get_referral_for_user(*, user: Any, pk: int, audit: bool = True) -> Referral:
    """The one gate for a referral: 404 for anyone outside need-to-know, whether or not it exists."""
    referral = Referral.objects.select_related("marac", "referring_agency").filter(pk=pk).first()
    if referral is None or not (referral.referrer_id == user.pk or _decides(user, referral)):
        raise Http404
    if audit:
        audit_view(referral, user=user)
    return referral


def _decides(user: Any, referral: Referral) -> bool:
    return referral.status != ReferralStatus.DRAFT and bool(user.has_perm("referrals.decide", referral))


def referral_is_editable_by(*, user: Any, referral: Referral) -> bool:
    return referral.referrer_id == user.pk and referral.status in {ReferralStatus.DRAFT, ReferralStatus.RETURNED}
