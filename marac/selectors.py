"""Which agencies a MARAC may see: its own, and those it may add. Another MARAC's agencies are not its to see, their
names included."""

from django.db.models import Q, QuerySet

from audit.models import AuditAction, AuditEvent
from marac.models import Agency, Marac


def agencies_free_to_join(marac: Marac) -> QuerySet[Agency]:
    """The agencies a MARAC may add: those in no MARAC yet, other than those another MARAC created (and has not added
    yet). Another MARAC's agencies are not this one's to see, names included, nor to add: its administrators would
    then add users and issue API credentials for them. An agency created here (marac.services.agency_create) is
    offered until it is added; one loaded by an operator, with no MARAC, until some MARAC adds it."""
    created_elsewhere = AuditEvent.objects.filter(
        object_type=Agency._meta.label_lower, action=AuditAction.CREATE, marac_id__isnull=False
    ).exclude(marac_id=marac.pk)
    ids = [int(pk) for pk in created_elsewhere.values_list("object_id", flat=True) if pk.isdigit()]
    return Agency.objects.filter(memberships__isnull=True).exclude(pk__in=ids).order_by("name")


def agency_named_here(*, marac: Marac, name: str) -> Agency | None:
    """The agency called `name` (ignoring case) that this MARAC can see: one of its own, or one it may add. Never one
    only another MARAC holds, so that being told a name is taken says nothing about another MARAC."""
    free = agencies_free_to_join(marac).values("pk")
    visible = Agency.objects.filter(Q(memberships__marac=marac) | Q(pk__in=free))
    return visible.filter(name__iexact=name.strip()).order_by("pk").first()
