"""Restricted cases: who is named on one, and the reason a named user gives before each opening.

A restricted case (for example where the victim or perpetrator works for a partner agency) is seen only by
the users named on it; everyone else gets the 404 any record outside need-to-know gets. A named user is asked
why they are opening it; the reason is kept in their session for that case for REASON_LIFETIME and written
into the audit entry of every view meanwhile.
"""

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

REASON_LIFETIME = datetime.timedelta(minutes=30)
REASON_MAX_LENGTH = 500
_SESSION_KEY = "openmarac_restricted_case_reasons"

_session: contextvars.ContextVar[SessionBase | None] = contextvars.ContextVar(
    "openmarac_restricted_reasons_session", default=None
)


class RestrictedCaseNeedsReason(Http404):
    """Raised by the case and person gates when a named user has given no reason for this case lately.

    It is an Http404 so that anywhere it is not turned into the reason page it fails closed: not found.
    """

    def __init__(self, case_id: int) -> None:
        super().__init__(f"Restricted case {case_id}: a reason is needed")
        self.case_id = case_id


def visible_given_restrictions(user: Any, *, through: str = "") -> Q:
    """A filter keeping unrestricted cases and the restricted ones `user` is named on. `through` is the path
    from the model being filtered to the case, such as "case" for listings; empty for cases themselves."""
    from cases.models import CaseRestriction

    prefix = f"{through}__" if through else ""
    unrestricted = Q(**{f"{prefix}restricted": False})
    if getattr(user, "pk", None) is None:
        return unrestricted
    named_on = CaseRestriction.objects.filter(user_id=user.pk).values("case_id")
    return unrestricted | Q(**{f"{prefix}pk__in": named_on})


def is_named_on(user: Any, case_id: int) -> bool:
    from cases.models import CaseRestriction

    if getattr(user, "pk", None) is None:
        return False
    return CaseRestriction.objects.filter(case_id=case_id, user_id=user.pk).exists()


@contextmanager
def reasons_from(session: SessionBase) -> Iterator[None]:
    """Make this request's session the place the gates look for reasons (set by the web/access.py decorators,
    because the gates take a user, not a request)."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


def reason_given(case_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """The reason given in this session for the case, if given within REASON_LIFETIME."""
    session = _session.get()
    if session is None:
        return None
    entry = session.get(_SESSION_KEY, {}).get(str(case_id))
    if not entry:
        return None
    given_at = datetime.datetime.fromisoformat(entry["at"])
    if (now or timezone.now()) - given_at > REASON_LIFETIME:
        return None
    return str(entry["reason"])


def remember_reason(session: SessionBase, case_id: int, reason: str) -> None:
    reasons = dict(session.get(_SESSION_KEY, {}))
    reasons[str(case_id)] = {"reason": reason[:REASON_MAX_LENGTH], "at": timezone.now().isoformat()}
    session[_SESSION_KEY] = reasons
