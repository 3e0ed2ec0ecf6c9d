"""Email to several people: one message each, so nobody sees who else was written to (a representative of one
agency need not learn the addresses of another's, nor a chair the coordinators')."""

from collections.abc import Iterable

from django.core.mail import send_mass_mail


def send_to_each(*, subject: str, message: str, recipients: Iterable[str]) -> int:
    """One message per distinct address, in one connection; returns how many were sent."""
    addresses = list(dict.fromkeys(recipients))
    return send_mass_mail([(subject, message, None, [address]) for address in addresses])
