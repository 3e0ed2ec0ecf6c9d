"""The yardstick for the load benchmark: the least a page on this server can do.

One indexed query of 20 rows (the newest audit entries, by primary key), rendered through a template, behind the
standard middleware, for an anonymous visitor (so no session or user is read). It lists only ids, times and kinds of
event, never who or what about.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import AuditEvent
from web.access import public


@public
def minimal(request: HttpRequest) -> HttpResponse:
    events = list(AuditEvent.objects.order_by("-id").values("id", "at", "action", "object_type")[:20])
    return render(request, "bench/minimal.html", {"events": events})
