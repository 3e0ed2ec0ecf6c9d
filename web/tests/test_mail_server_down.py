"""A mail server that is down does not turn a saved record into an error page: the record is saved, the page says
so, and the message is tried again later by the task worker, until it goes. Against a real SMTP backend pointed
at a port nothing listens on (connection refused, as when the relay is down), and the real database task queue."""

import logging
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Listing, MeetingState
from web.mail import TRY_AGAIN_AFTER, send_to_each

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server_down():
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_closed_port(),
        EMAIL_TIMEOUT=2,
    ):
        yield


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="web.tasks.send_email_again").order_by("enqueued_at"))


# The worker closes the database connection between tasks (as it does in production), so these tests commit.
@pytest.mark.django_db(transaction=True)
def test_a_message_that_cannot_go_is_queued_and_goes_once_the_server_is_back(mail_server_down, caplog):
    with override_settings(TASKS=DATABASE_QUEUE), caplog.at_level(logging.WARNING, logger="web.mail"):
        sent = send_to_each(subject="OpenMARAC: test", message="Sign in to see it.", recipients=["rep@example.invalid"])
        assert sent == 0
        [queued] = _queued()
        assert queued.args_kwargs["kwargs"]["attempt"] == 1
        soon = timezone.now() + TRY_AGAIN_AFTER[0]
        assert abs((queued.run_after - soon).total_seconds()) < 30
        # The log says what went wrong, never to whom.
        assert "ConnectionRefusedError" in caplog.text and "rep@example.invalid" not in caplog.text

        # Still down when the worker tries: queued again, later.
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        assert sorted(task.args_kwargs["kwargs"]["attempt"] for task in _queued()) == [1, 2]

        # Back up: the next try delivers it.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
            call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert [message.to for message in mail.outbox] == [["rep@example.invalid"]]
    assert len(_queued()) == 2  # nothing queued a third time


@pytest.mark.django_db(transaction=True)
def test_a_message_is_given_up_after_the_last_try(mail_server_down, caplog):
    with override_settings(TASKS=DATABASE_QUEUE), caplog.at_level(logging.ERROR, logger="web.mail"):
        send_to_each(subject="OpenMARAC: test", message="Sign in.", recipients=["rep@example.invalid"])
        for _ in TRY_AGAIN_AFTER:
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
            call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert len(_queued()) == len(TRY_AGAIN_AFTER)
    assert "given up" in caplog.text and "rep@example.invalid" not in caplog.text


def test_circulating_the_summary_with_the_mail_server_down_is_saved_not_an_error_page(
    mail_server_down, client_for, marac, coordinator, police_rep, django_capture_on_commit_callbacks
):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0001"))
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")
    with override_settings(TASKS=DATABASE_QUEUE), django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(reverse("actions:summary_circulate", args=[meeting.pk]))
    assert response.status_code == 302
    assert MeetingState.objects.get(meeting=meeting).action_summary_sent_at is not None
    assert [task.args_kwargs["kwargs"]["address"] for task in _queued()] == [police_rep.email]


def test_releasing_a_case_list_with_the_mail_server_down_is_saved_and_each_email_queued(
    mail_server_down, client_for, marac, coordinator, police_rep, idva, django_capture_on_commit_callbacks
):
    from meetings.models import CaseListReceipt, Meeting

    emergency = Meeting.objects.create(
        marac=marac, starts_at=timezone.now() + timedelta(days=42), is_emergency=True
    )  # an emergency meeting's list goes whenever it is ready
    with override_settings(TASKS=DATABASE_QUEUE), django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"/meetings/{emergency.pk}/case-list/release/")
    assert response.status_code == 302
    received = set(CaseListReceipt.objects.filter(meeting=emergency).values_list("user__email", flat=True))
    assert {police_rep.email, idva.email} <= received
    assert {task.args_kwargs["kwargs"]["address"] for task in _queued()} == received
