"""Background jobs of person matching, run by the task worker: training a MARAC's model takes longer than a page."""

from django.tasks import task

from accounts.models import User
from marac.models import Marac
from people.linkage import match_model_train_and_refresh, referral_suggestions


@task
def train_match_model(marac_id: int, requested_by_id: int | None = None) -> int | None:
    """Train a new version of one MARAC's model (weekly from the scheduler, or when its coordinator asks) and work
    out the suggestions of the referrals waiting for a decision with it. Returns the new version, or None when the
    MARAC holds too few people yet."""
    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    trained = match_model_train_and_refresh(marac=Marac.objects.get(pk=marac_id), by=requested_by)
    return trained.version if trained else None


@task
def suggest_for_referral(referral_id: int) -> int:
    """Work out the model's suggestions for a newly submitted referral ahead of the coordinator opening it, so the
    decision page never waits for the model. Returns how many suggestions were found here."""
    from referrals.decisions import parties_of
    from referrals.models import Referral, ReferralStatus

    referral = Referral.objects.select_related("marac").filter(pk=referral_id, status=ReferralStatus.SUBMITTED).first()
    if referral is None:
        return 0
    stored = referral_suggestions(
        referral=referral, parties=[(party.key, party.data) for party in parties_of(referral)]
    )
    return sum(len(found) for found in stored.by_party.values()) if stored else 0
