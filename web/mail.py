"""Email from the service: one message each, so nobody sees who else was written to (a representative of one
agency need not learn the addresses of another's, nor a chair the coordinators'), and never the reason a page
fails. Mail is sent after the record it tells of is saved (transaction.on_commit), so a mail server that is down
or refuses a message must not turn a saved decision into an error page: the message is tried again later by the
task worker (web.tasks.send_email_again), a few times over a day, then given up with an error in the log. The
log says how many and what went wrong, never to whom or what about."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.tasks import default_task_backend
from django.utils import timezone

logger = logging.getLogger(__name__)

# After the first try fails: a minute, five, a quarter of an hour, an hour, four hours, twelve; then given up.
TRY_AGAIN_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
)


def send_to_each(*, subject: str, message: str, recipients: Iterable[str]) -> int:
    """One message per distinct address, in one connection; returns how many went now. Those that could not go
    now are tried again later (try_again_later); nothing is raised."""
    addresses = list(dict.fromkeys(address for address in recipients if address))
    unsent = _deliver(subject, message, addresses)
    for address in unsent:
        try_again_later(subject=subject, message=message, address=address, attempt=1)
    return len(addresses) - len(unsent)


def send_one(*, subject: str, message: str, address: str) -> bool:
    """One message to one person; True if it went now (else it is tried again later)."""
    return send_to_each(subject=subject, message=message, recipients=[address]) == 1


def send_one_now(*, subject: str, message: str, address: str) -> bool:
    """One try at one message, nothing queued if it fails: for the task that tries again."""
    return not _deliver(subject, message, [address])


def _deliver(subject: str, message: str, addresses: list[str]) -> list[str]:
    """The addresses the message could not be sent to."""
    if not addresses:
        return []
    unsent = list(addresses)
    try:
        with mailers.default as connection:
            for address in addresses:
                if _sent(connection, subject, message, address):
                    unsent.remove(address)
    except Exception as error:  # opening or closing the connection: whatever failed, try later
        _log_failure(error, len(unsent))
    return unsent


def _sent(connection: BaseEmailBackend, subject: str, message: str, address: str) -> bool:
    try:
        return connection.send_messages([EmailMessage(subject, message, None, [address])]) == 1
    except Exception as error:  # an SMTP refusal or a dropped connection: try this one later
        _log_failure(error, 1)
        return False


def _log_failure(error: Exception, count: int) -> None:
    # The exception's type only: SMTP errors quote the addresses they refused.
    logger.warning("Email could not be sent (%s): %d message(s) to be tried again", type(error).__name__, count)


def try_again_later(*, subject: str, message: str, address: str, attempt: int) -> None:
    """Queue the message for the task worker after the attempt-th failure, or give it up after the last."""
    from web.tasks import send_email_again  # the task imports this module

    if attempt > len(TRY_AGAIN_AFTER):
        logger.error("Email given up after %d attempts: the mail server kept refusing or was unreachable", attempt)
        return
    if not default_task_backend.supports_defer:
        logger.error("Email not sent and not tried again: the task backend cannot run work later")
        return
    try:
        send_email_again.using(run_after=timezone.now() + TRY_AGAIN_AFTER[attempt - 1]).enqueue(
            subject=subject, message=message, address=address, attempt=attempt
        )
    except Exception as error:  # the queue itself unreachable: the log is all that is left
        logger.error("Email not sent and could not be queued to try again (%s)", type(error).__name__)
