"""BD The MARAC meeting; Observers: everyone at a meeting, observers included, signs the confidentiality
agreement for that meeting before any case detail is shown to them. Pages of the meeting itself ask this (the live
case page in a statement of its own with another question: live_services.listing_facts)."""

from typing import Any

from meetings.models import Attendance, Meeting


def has_signed(*, user: Any, meeting: Meeting) -> bool:
    return Attendance.objects.filter(meeting=meeting, user=user, confidentiality_signed_at__isnull=False).exists()
