from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.selectors import (
    audit_events_for_marac,
    case_access_events,
    case_id_for_reference,
    get_case_access_log_for_user,
    get_person_access_log_for_user,
    person_access_events,
    record_types_at,
    who_did,
)
from marac.models import Marac
from web.access import current_marac_where, require_permission


@require_permission("audit.view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "audit.view_audit")
    form = AuditFilterForm(
        request.GET or None,
        record_types=record_types_at(marac_id=marac_id, user=request.user),
        case_id_for_reference=lambda reference: case_id_for_reference(
            user=request.user, marac_id=marac_id, reference=reference
        ),
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events_for_marac(marac_id=marac_id, filters=filters, user=request.user)
    if form.is_bound and not form.is_valid():
        # A filter that cannot work (a case reference not found, a number that is not one) shows nothing rather than
        # the whole trail, which would read as the filtered list.
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": who_did(page.object_list),
            "marac": Marac.objects.get(pk=marac_id),
            "query": query.urlencode(),
        },
    )


def _record_access_page(request: HttpRequest, events: QuerySet[AuditEvent], context: dict[str, Any]) -> HttpResponse:
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/record_access.html", {"page": page, "rows": who_did(page.object_list), **context})


@require_permission("audit.view_record_access")
def case_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen this case: every view, export and change of it, newest first."""
    case = get_case_access_log_for_user(user=request.user, pk=pk)
    return _record_access_page(
        request,
        case_access_events(case=case),
        {"title": f"Who has seen case {case.reference}", "back": reverse("cases:detail", args=[case.pk])},
    )


@require_permission("audit.view_record_access")
def person_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen this person's record: every view, export and change of it, newest first."""
    person = get_person_access_log_for_user(user=request.user, pk=pk)
    return _record_access_page(
        request,
        person_access_events(person=person),
        {"title": f"Who has seen person record {person.pk}", "back": reverse("people:detail", args=[person.pk])},
    )
