from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.forms import AuditFilterForm
from audit.selectors import audit_events_for_marac
from marac.models import Marac
from web.access import current_marac_where, require_permission


@require_permission("audit.view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "audit.view_audit")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events_for_marac(marac_id=marac_id, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "marac": Marac.objects.get(pk=marac_id),
            "query": query.urlencode(),
        },
    )
