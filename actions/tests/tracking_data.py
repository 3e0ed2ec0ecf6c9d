"""Meetings, listings and actions for the tracking and document tests, made directly with the ORM."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from actions.models import Action, ForWhom
from cases.models import Case
from marac.models import Agency, Marac
from meetings.models import Listing, Meeting
from testing.factories import CaseFactory, PersonFactory


def meeting_at(marac: Marac, starts_at: datetime | None = None) -> Meeting:
    return Meeting.objects.create(marac=marac, starts_at=starts_at or timezone.now() - timedelta(days=14))


def case_at(marac: Marac, given_name: str = "Fictionalia", reference: str | None = None) -> Case:
    victim = PersonFactory(marac=marac, given_name=given_name, family_name="Testperson")
    if reference:
        return CaseFactory(marac=marac, victim=victim, reference=reference)
    return CaseFactory(marac=marac, victim=victim)


def action_for(
    listing: Listing, agency: Agency, by: User, *, description: str = "Visit the victim", due_on: date | None = None
) -> Action:
    return Action.objects.create(
        listing=listing,
        case=listing.case,
        owner_agency=agency,
        description=description,
        for_whom=ForWhom.VICTIM,
        due_on=due_on or timezone.localdate() + timedelta(days=7),
        created_by=by,
    )
