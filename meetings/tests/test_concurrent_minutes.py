"""Two people saving the same minute at the same moment, from the same version: exactly one wins, the other is
told of the conflict (meetings.live_services.minute_save: select_for_update and a version check in a transaction).
Needs PostgreSQL's row locks: `scripts/with-postgres.sh .venv/bin/pytest meetings/tests/test_concurrent_minutes.py`."""

import datetime
import threading

import pytest
from django.db import connection, connections

from meetings.live_services import StaleMinute, minute_save
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus
from testing.factories import CaseFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_saves_win(marac, coordinator, chair):
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC))
    # Minutes are saved while the meeting runs (meetings/live_services.py).
    MeetingState.objects.create(meeting=meeting, status=MeetingStatus.IN_PROGRESS)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    base = listing.version
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def save(who, user):
        try:
            start.wait()
            minute_save(
                listing=listing, risks_minute=f"{who}'s words", decisions_minute="", based_on_version=base, by=user
            )
            results[who] = "saved"
        except StaleMinute:
            results[who] = "conflict"
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=save, args=(who, user)) for who, user in (("cora", coordinator), ("chad", chair))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "saved"]
    winner = next(who for who, result in results.items() if result == "saved")
    listing.refresh_from_db()
    assert listing.risks_minute == f"{winner}'s words"
    assert listing.version == base + 1
