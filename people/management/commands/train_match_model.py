from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marac.models import Marac
from people.linkage import MINIMUM_PEOPLE_TO_TRAIN, match_model_train_and_refresh
from people.tasks import train_match_model


class Command(BaseCommand):
    help = (
        "Train a new version of the person-matching model of one MARAC (--marac ID) or of every MARAC, on the people "
        "it holds (run weekly from a scheduler). Queues a task per MARAC for the worker; --now trains here and waits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marac", type=int, help="The MARAC's id; every MARAC when left out.")
        parser.add_argument("--now", action="store_true", help="Train in this process instead of queueing.")

    def handle(self, *args: Any, marac: int | None, now: bool, **options: Any) -> None:
        maracs = Marac.objects.order_by("pk")
        if marac is not None:
            maracs = maracs.filter(pk=marac)
            if not maracs.exists():
                raise CommandError(f"There is no MARAC {marac}")
        for each in maracs:
            if now:
                self._train(each)
            else:
                result = train_match_model.enqueue(each.pk)
                self.stdout.write(f"Queued the training of MARAC {each.pk}'s matching model as task {result.id}")

    def _train(self, marac: Marac) -> None:
        trained = match_model_train_and_refresh(marac=marac, by=None)
        if trained is None:
            self.stdout.write(f"MARAC {marac.pk}: not trained, it holds fewer than {MINIMUM_PEOPLE_TO_TRAIN} people")
            return
        self.stdout.write(
            f"MARAC {marac.pk}: trained matching model version {trained.version} on {trained.record_count} people "
            f"in {trained.seconds_taken:.1f} s; {trained.duplicates.count()} possible duplicates"
        )
