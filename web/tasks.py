"""The service's own background work: email that could not go when it was first sent (web/mail.py)."""

from django.tasks import task

from web.mail import send_one_now, try_again_later


@task
def send_email_again(*, subject: str, message: str, address: str, attempt: int) -> bool:
    """Try a message once more; if it still cannot go, queue it again later (or give it up after the last try)."""
    if send_one_now(subject=subject, message=message, address=address):
        return True
    try_again_later(subject=subject, message=message, address=address, attempt=attempt + 1)
    return False
