"""BD The MARAC meeting; Observers: everyone at a meeting, observers included, signs the confidentiality
agreement for that meeting before any case detail is shown to them. Pages of the meeting itself ask this (the live
case page in a statement of its own with another question: live_services.listing_facts).

Signed at or before the meeting, the signature is on the person's line of the register (Attendance); signed after
the meeting closed, by someone reading its minutes, it is kept apart (AgreementAfterClose), so reading the minutes
never puts anyone on the register."""

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

from meetings.models import AgreementAfterClose, Attendance, Meeting


def has_signed(*, user: Any, meeting: Meeting) -> bool:
    return (
        Attendance.objects.filter(meeting=meeting, user=user, confidentiality_signed_at__isnull=False).exists()
        or AgreementAfterClose.objects.filter(meeting=meeting, user=user).exists()
    )


def sign_first(request: HttpRequest, meeting: Meeting, *, signed: bool | None = None) -> HttpResponseRedirect | None:
    """The guard of every page of the meeting that shows a case (BD Information shared at the MARAC: no case detail
    before this meeting's agreement is signed): None for someone who has signed, else the way to the agreement, back
    to this page once signed. `signed`: the answer already read with other facts of the page
    (live_services.listing_facts)."""
    if signed is None:
        signed = has_signed(user=request.user, meeting=meeting)
    if signed:
        return None
    return redirect(f"{reverse('meetings_live:sign', args=[meeting.pk])}?next={request.path}")
