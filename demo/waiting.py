"""Work waiting for the demo's people: referrals in the coordinator's inbox and a draft for the referrer,
made through the same services the pages use, so what they hold is exactly what a referrer would type."""

import random
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from demo.fictional import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from marac.models import Marac
from meetings.services import meetings_ensure_ahead
from referrals import services
from referrals.models import Referral
from referrals.sections import SECTIONS_BY_SLUG


def _sections(rng: random.Random, score: int) -> dict[str, Any]:
    family = rng.choice(FAMILY_NAMES)
    born = timezone.localdate().replace(year=timezone.localdate().year - rng.randint(20, 55), day=1)
    return {
        "victim": {
            "given_name": rng.choice(FEMALE_GIVEN_NAMES), "family_name": family, "date_of_birth": born.isoformat(),
            "gender": "female", "ethnicity": "not_known", "sexuality": "not_known", "has_disability": "no",
            "needs_interpreter": "no", "pregnant": "no", "address_line_1": f"{rng.randint(1, 90)} Imaginary Row",
            "town": "Northbrook", "postcode": f"NB{rng.randint(1, 9)} {rng.randint(1, 9)}XY", "safe_to_post": "no",
            "safe_contact": "Text first; never call in the evening",
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
    """Upcoming meetings, three submitted referrals and one draft; returns how many referrals were made."""
    meetings_ensure_ahead(marac=marac)
    referrer = User.objects.filter(role_grants__marac=marac, role_grants__role=Role.REFERRER).first()
    if referrer is None or Referral.objects.filter(marac=marac).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    for number in range(4):
        referral = services.referral_start(marac=marac, by=referrer)
        for slug, data in _sections(rng, score=rng.randint(14, 20)).items():
            items: list[dict[str, Any]] = data if isinstance(data, list) else [data]
            for item in items:
                services.referral_save_section(
                    referral=referral, section=SECTIONS_BY_SLUG[slug], data=item, based_on_version=None, by=referrer
                )
        if number < 3:
            services.referral_submit(referral=referral, based_on_version=None, by=referrer)
    return 4
