"""manage.py demo_load: Northbrook MARAC with a year of synthetic history, loaded once, then the sign-ins."""

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from audit.models import AuditAction
from audit.services import audit_record
from demo.generator import DEMO_MARAC_NAME, DEMO_SEED, AreaCounts, generate_demo, stem_of
from demo.personas import DEMO_PASSWORD, sign_ins
from demo.waiting import add_waiting_work
from marac.models import Marac
from people.linkage import match_model_train_and_refresh
from people.models import MatchModel

SITE_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load Northbrook MARAC with a year of synthetic history (only once), then print a sign-in for each role."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Seed for the synthetic data.")
        parser.add_argument(
            "--without-matching",
            action="store_true",
            help="Do not train the person-matching model (it takes a few seconds; the tests skip it).",
        )

    def handle(self, *args: Any, seed: int, without_matching: bool = False, **options: Any) -> None:
        marac = Marac.objects.filter(name=DEMO_MARAC_NAME).first()
        if marac is None:
            marac = self._load(seed)
        else:
            self.stdout.write(f"{DEMO_MARAC_NAME} is already loaded; nothing was generated.")
        # The emails this work sends (the referral accepted, the emergency MARAC's case list out: links only) would
        # bury the sign-ins below, so they are kept in memory rather than printed (sent once the work commits).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            made = add_waiting_work(marac=marac, seed=seed)
        if made:
            self.stdout.write(
                f"Made {made} referrals: three in the coordinator's inbox, one heard at an emergency MARAC whose case"
                " list is out (the live meeting can be tried there) and one draft for the referrer."
            )
        if not without_matching and not MatchModel.objects.filter(marac=marac).exists():
            self._train_matching_model(marac)
        self._print_sign_ins(marac)

    def _train_matching_model(self, marac: Marac) -> None:
        started = time.monotonic()
        trained = match_model_train_and_refresh(marac=marac)
        if trained:
            self.stdout.write(
                f"Trained the person-matching model on {trained.record_count} people in "
                f"{time.monotonic() - started:.1f}s; the inbox's referrals have their suggestions."
            )

    def _load(self, seed: int) -> Marac:
        started = time.monotonic()
        with transaction.atomic():
            counts = generate_demo(seed=seed)
            audit_record(
                action=AuditAction.CREATE,
                object_type="demo.load",
                summary="Loaded synthetic demo data",
                marac_id=counts.marac_id,
            )
        self.stdout.write(self._loaded(counts, seed, time.monotonic() - started))
        return Marac.objects.get(pk=counts.marac_id)

    @staticmethod
    def _loaded(counts: AreaCounts, seed: int, seconds: float) -> str:
        return (
            f"Loaded {DEMO_MARAC_NAME} (seed {seed}) in {seconds:.1f}s: {counts.cases_in_period} cases in the last "
            f"12 months ({counts.cases} with the earlier cases that repeats follow), {counts.people} people, "
            f"{counts.users} users."
        )

    def _print_sign_ins(self, marac: Marac) -> None:
        write = self.stdout.write
        write(f"\nSign in at {SITE_URL}")
        write(f"Every demo account's password: {DEMO_PASSWORD}")
        write("Each account has an authenticator app set up; add its TOTP secret to a real app to get codes.\n")
        for sign_in in sign_ins(marac=marac, stem=stem_of(marac.name)):
            write(f"  {sign_in.role:<22} {sign_in.email:<34} TOTP secret {sign_in.totp_secret}  ({sign_in.full_name})")
        bypass = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
        if settings.OPENMARAC_DEMO_MODE and bypass:
            write(f"\nDemo mode: the code {bypass} is accepted instead of a TOTP code.")
