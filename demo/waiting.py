"""Work waiting for the demo's people: referrals in the coordinator's inbox, a draft for the referrer, and an
emergency MARAC with its case list out, made through the same services the pages use, so what they hold is exactly
what a referrer would type and a coordinator would do.

The emergency MARAC is there so that the live meeting can be tried whatever the day: an ordinary meeting can start
only once its case list is out, five working days before it (meetings/live_services.py), and on most days of a
three-weekly series no list is out yet."""

import random
from datetime import datetime, time
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from demo.fictional import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from marac.models import Marac
from meetings import agenda_services
from meetings.services import meetings_ensure_ahead
from referrals import calendar, decisions, services
from referrals.models import Referral
from referrals.sections import SECTIONS_BY_SLUG

# The referrals made: three waiting in the inbox, one heard at the emergency MARAC, and the referrer's draft.
IN_THE_INBOX, AT_THE_EMERGENCY_MARAC, DRAFTS = 3, 1, 1
EMERGENCY_AT = time(14, 0)
# How the referrer answers "Does the perpetrator know this address?", referral by referral in the order they are
# made (the inbox's three, the emergency MARAC's, the draft): No for a victim who has moved out to somewhere he has
# not found, as most of these are; Yes for one still at the home they shared; and once not answered, as a referrer
# might leave it, which keeps the address confidential all the same (referrals.decisions). A fixed mix rather than a
# draw, as the plan's shares are met by quota: five referrals are too few for chance to give a plausible one.
PERPETRATOR_KNOWS_ADDRESS: tuple[str | None, ...] = ("no", "yes", None, "no", "no")


def _sections(rng: random.Random, score: int, *, perpetrator_knows_address: str | None) -> dict[str, Any]:
    family = rng.choice(FAMILY_NAMES)
    born = timezone.localdate().replace(year=timezone.localdate().year - rng.randint(20, 55), day=1)
    # Not answered is left out, as a form sends nothing for a question whose radio buttons were left alone.
    knows = {} if perpetrator_knows_address is None else {"perpetrator_knows_address": perpetrator_knows_address}
    return {
        "victim": {
            "given_name": rng.choice(FEMALE_GIVEN_NAMES), "family_name": family, "date_of_birth": born.isoformat(),
            "gender": "female", "ethnicity": "not_known", "sexuality": "not_known", "has_disability": "no",
            "needs_interpreter": "no", "pregnant": "no", "address_line_1": f"{rng.randint(1, 90)} Imaginary Row",
            "town": "Northbrook", "postcode": f"NB{rng.randint(1, 9)} {rng.randint(1, 9)}XY", "safe_to_post": "no",
            **knows, "safe_contact": "Text first; never call in the evening",
        },
        "perpetrators": [{
            "given_name": rng.choice(MALE_GIVEN_NAMES), "family_name": rng.choice(FAMILY_NAMES), "gender": "male",
            "ethnicity": "not_known", "has_disability": "not_known", "relationship": "ex_partner",
        }],
        "risk": {f"q{number}": "yes" if number <= score else "no" for number in range(1, 25)},
        "consent": {"information_sharing": "given", "idva_referral": "given", "victim_told": "yes"},
        "about": {
            "how_arose": "police_notification", "background": "Fictional demo history of controlling behaviour.",
            "current_risk": "Fictional threats made last week.", "outcomes_sought": "Safety planning and support.",
        },
    }  # fmt: skip


def add_waiting_work(*, marac: Marac, seed: int) -> int:
    """Upcoming meetings, three submitted referrals in the inbox, one accepted and listed at an emergency MARAC
    whose case list is out, and one draft; returns how many referrals were made."""
    meetings_ensure_ahead(marac=marac)
    referrer = User.objects.filter(role_grants__marac=marac, role_grants__role=Role.REFERRER).first()
    coordinator = User.objects.filter(role_grants__marac=marac, role_grants__role=Role.COORDINATOR).first()
    if referrer is None or coordinator is None or Referral.objects.filter(marac=marac).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    made = []
    for number in range(IN_THE_INBOX + AT_THE_EMERGENCY_MARAC + DRAFTS):
        referral = services.referral_start(marac=marac, by=referrer)
        knows_address = PERPETRATOR_KNOWS_ADDRESS[number]
        sections = _sections(rng, score=rng.randint(14, 20), perpetrator_knows_address=knows_address)
        for slug, data in sections.items():
            items: list[dict[str, Any]] = data if isinstance(data, list) else [data]
            for item in items:
                services.referral_save_section(
                    referral=referral, section=SECTIONS_BY_SLUG[slug], data=item, based_on_version=None, by=referrer
                )
        if number < IN_THE_INBOX + AT_THE_EMERGENCY_MARAC:
            services.referral_submit(referral=referral, based_on_version=None, by=referrer)
        made.append(referral)
    _hear_at_an_emergency_marac(made[IN_THE_INBOX], marac=marac, by=coordinator)
    return len(made)


def _hear_at_an_emergency_marac(referral: Referral, *, marac: Marac, by: User) -> None:
    """BD Emergency MARAC: the coordinator accepts a case that cannot wait, calls an emergency meeting for it later
    today (or on the next working day), and sends its case list out at once, as an emergency meeting allows."""
    accepted = decisions.referral_accept(referral=referral, by=by)
    listed = decisions.referral_list_at_emergency_meeting(referral=accepted, starts_at=_emergency_start(marac), by=by)
    if listed.meeting is not None:  # always, once listed at the emergency meeting
        agenda_services.case_list_release(meeting=listed.meeting, by=by)


def _emergency_start(marac: Marac) -> datetime:
    working = agenda_services.working_calendar(marac)
    now = timezone.localtime()
    day = now.date()
    if now.time() >= EMERGENCY_AT or not calendar.is_working_day(day, working):
        day = calendar.add_working_days(day, 1, calendar=working)
    return timezone.make_aware(datetime.combine(day, EMERGENCY_AT))
