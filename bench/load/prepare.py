"""Set up the load benchmark's database: the demo MARAC's year, today's meeting and the simulated people.

Run by bench/load/run.py as `python -m bench.load.prepare PLAN.json USERS` with config.settings.bench, against the
throwaway PostgreSQL. Writes what the load generator needs (meeting, listings, cases, sign-ins) to PLAN.json.

Today's meeting: the demo's most recently referred cases listed at a meeting starting now, its case list released
and the meeting running, as on the morning of a MARAC. The simulated people are a coordinator for every ten, the
rest representatives spread over the MARAC's agencies; each has a password and an authenticator, and has signed
this meeting's confidentiality agreement (as everyone does when they join).
"""

import json
import sys
from datetime import timedelta
from pathlib import Path

import django

LISTED_CASES = 25
COORDINATOR_EVERY = 10
LOAD_PASSWORD = "load-password-not-secret"  # noqa: S105 - synthetic accounts on a throwaway database
LOAD_SEED = 8


def main() -> None:
    django.setup()
    from django.core.management import call_command

    plan_path, user_count = Path(sys.argv[1]), int(sys.argv[2])
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    call_command("demo_load")
    plan_path.write_text(json.dumps(_meeting_day(user_count), indent=1))


def _meeting_day(user_count: int) -> dict[str, object]:
    from django.db import transaction

    from demo.generator import DEMO_MARAC_NAME
    from marac.models import Marac

    marac = Marac.objects.get(name=DEMO_MARAC_NAME)
    with transaction.atomic():
        meeting, listings = _todays_meeting(marac)
        users = _people(marac, meeting, user_count)
    return {
        "meeting": meeting.pk,
        "listings": [{"listing": listing.pk, "case": listing.case_id} for listing in listings],
        "users": users,
    }


def _todays_meeting(marac):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from cases.models import Case
    from meetings.models import Listing, Meeting, MeetingState, MeetingStatus

    starts_at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at, venue="Northbrook Civic Centre, Room 2")
    cases = Case.objects.filter(marac=marac).order_by("-referred_on", "reference")[:LISTED_CASES]
    listings = [Listing.objects.create(meeting=meeting, case=case) for case in cases]
    MeetingState.objects.create(
        meeting=meeting, status=MeetingStatus.IN_PROGRESS, case_list_released_at=starts_at - timedelta(days=7)
    )
    return meeting, listings


def _people(marac, meeting, count: int) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, RoleGrant, User
    from demo.personas import email_domain, totp_secret
    from marac.models import MaracAgency
    from meetings.live_services import confidentiality_sign

    agencies = [membership.agency for membership in MaracAgency.objects.filter(marac=marac).order_by("agency__name")]
    coordinators_agency = next(agency for agency in agencies if "Community Safety" in agency.name)
    password = make_password(LOAD_PASSWORD)  # hashed once: scrypt takes a quarter of a second a time
    people = []
    for number in range(count):
        coordinator = number % COORDINATOR_EVERY == 0
        agency = coordinators_agency if coordinator else agencies[number % len(agencies)]
        kind = "coordinator" if coordinator else "representative"
        email = f"load-{kind}-{number:03d}@{email_domain('Northbrook')}"
        user = User.objects.create(
            email=email, full_name=f"Loadtest Person {number:03d}", agency=agency, password=password
        )
        RoleGrant.objects.create(
            user=user, marac=marac, role=Role.COORDINATOR if coordinator else Role.AGENCY_REPRESENTATIVE
        )
        secret = totp_secret(seed=LOAD_SEED, email=email)
        TOTP.activate(user, secret)
        confidentiality_sign(meeting=meeting, user=user)
        people.append({"email": email, "totp_secret": secret, "kind": kind, "agency": agency.pk})
    return people


if __name__ == "__main__":
    main()
