"""The yardsticks for the load benchmark: the least a page on this server can do, and the least a case page can.

`minimal`: one indexed query of 20 rows (the newest audit entries, by primary key), rendered through a template,
behind the standard middleware, for an anonymous visitor (so no session or user is read). It lists only ids, times
and kinds of event, never who or what about.

`case_opened`: what every page showing a case must do before it shows anything, and nothing more. A signed-in
person (session, user and role grants read, MFA checked) opens a case through the one gate (the case read,
need-to-know checked, the view written to the audit trail) and gets the service's layout with the case's reference
in it. No page of the meeting-day mix can cost less than this one, so its throughput is the ceiling of theirs.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import AuditEvent
from cases.selectors import get_case_for_user
from web.access import public, require_permission


@public
def minimal(request: HttpRequest) -> HttpResponse:
    events = list(AuditEvent.objects.order_by("-id").values("id", "at", "action", "object_type")[:20])
    return render(request, "bench/minimal.html", {"events": events})


@require_permission("cases.view_case")
def case_opened(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(user=request.user, pk=pk)
    return render(request, "bench/case_opened.html", {"case": case})
