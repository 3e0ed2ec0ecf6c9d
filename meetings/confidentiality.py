"""BD The MARAC meeting; Observers: everyone at a meeting, observers included, signs the confidentiality
agreement for that meeting before any case detail is shown to them. Pages of the meeting itself ask this (the live
case page in a statement of its own with another question: live_services.listing_facts).

Signed at or before the meeting, the signature is on the person's line of the register (Attendance); signed after
the meeting closed, by someone reading its minutes, it is kept apart (AgreementAfterClose), so reading the minutes
never puts anyone on the register."""

from typing import Any

from meetings.models import AgreementAfterClose, Attendance, Meeting


def has_signed(*, user: Any, meeting: Meeting) -> bool:
    return (
        Attendance.objects.filter(meeting=meeting, user=user, confidentiality_signed_at__isnull=False).exists()
        or AgreementAfterClose.objects.filter(meeting=meeting, user=user).exists()
    )
