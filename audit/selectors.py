from typing import Any

from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events_for_marac(*, marac_id: int, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(marac_id=marac_id)
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("object_type"):
        events = events.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"])
    if filters.get("actor"):
        events = events.filter(actor_label__icontains=filters["actor"])
    if filters.get("date_from"):
        events = events.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(at__date__lte=filters["date_to"])
    return events
