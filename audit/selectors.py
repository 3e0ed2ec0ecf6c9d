import functools
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import CharField, Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from api.models import ApiCredential
from audit.labels import record_type_choices
from audit.models import (
    AuditAction,
    AuditEvent,
    DeletedRestrictedCase,
    DeletedRestrictedCaseUser,
    DeletedRestrictedRecord,
)
from audit.services import audit_record
from cases.models import Case, CaseParty
from cases.restriction import visible_given_restrictions
from cases.selectors import cases_at_marac, get_case_for_user, restricted_case_reason
from people.models import Person
from people.selectors import get_person_for_user, reason_changes, restricted_case_reasons


def audit_events_for_marac(*, marac_id: int, filters: dict[str, Any], user: Any) -> QuerySet[AuditEvent]:
    """The MARAC's trail as `user` may see it: entries about a restricted case they are not named on, or about
    anything that is part of it or a person in it, are left out, as if the case did not exist."""
    events = _visible_to(user, AuditEvent.objects.filter(marac_id=marac_id))
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("object_type"):
        events = events.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"])
    if filters.get("actor"):
        # A credential's service account has a made-up address: it is found by the credential's name too.
        credentials = ApiCredential.objects.filter(name__icontains=filters["actor"]).values("service_user_id")
        events = events.filter(Q(actor_label__icontains=filters["actor"]) | Q(actor_id__in=credentials))
    if filters.get("date_from"):
        events = events.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(at__date__lte=filters["date_to"])
    return events


def record_types_at(*, marac_id: int, user: Any) -> list[tuple[str, str]]:
    """The types of record the MARAC's audit trail holds entries about, as choices with plain names; a type whose
    only entries are about restricted cases hidden from `user` is not offered."""
    types = _distinct_record_types(marac_id)
    hidden = _about_hidden_cases(user)
    if hidden is not None:
        at_marac = AuditEvent.objects.filter(marac_id=marac_id).exclude(hidden)
        parts = {label for label, _path in _parts_of_a_case()} | set(_PERSON_PARTS)
        types = [label for label in types if label not in parts or at_marac.filter(object_type=label).exists()]
    return record_type_choices(types)


# --- Restricted cases in the trail -----------------------------------------------------------------------------------
# An entry names its record by object_type and object_id only (audit/models.py), so an entry is about a restricted
# case when its record is the case, a record that belongs to it (found by following foreign keys to the case), or
# the record of a person in it, as the person gate (people/selectors.py) hides them.

_PERSON_PARTS = {"people.person": "pk", "people.address": "person", "people.alias": "person"}


@functools.cache
def _parts_of_a_case() -> tuple[tuple[str, str], ...]:
    """Every model whose rows belong to one case (its listings, their research, actions...), as (audit label, path
    to the case's id), found by following foreign keys to Case, nearest first; a model added later is covered too."""
    found: dict[type[Model], str] = {Case: "pk"}
    frontier: list[type[Model]] = [Case]
    while frontier:
        reached: list[type[Model]] = []
        for model in apps.get_models():
            if model in found:
                continue
            to_part = next((f for f in model._meta.concrete_fields if f.related_model in frontier), None)
            target = getattr(to_part, "related_model", None)
            if to_part is not None and isinstance(target, type):
                found[model] = to_part.name if target is Case else f"{to_part.name}__{found[target]}"
                reached.append(model)
        frontier = reached
    return tuple((model._meta.label_lower, path) for model, path in found.items())


def _hidden_case_ids(user: Any) -> QuerySet[Case, Any]:
    return Case.objects.exclude(visible_given_restrictions(user)).values("pk")


def _ids_as_text(queryset: QuerySet[Any]) -> QuerySet[Any]:
    # object_id is text: the ids are compared as text, in the database.
    return queryset.annotate(as_text=Cast("pk", CharField())).values("as_text")


def _about_hidden_cases(user: Any) -> Q | None:
    """The entries about restricted cases `user` is not named on, and everything part of them, whether the case is
    still held or retention has deleted it; None if there are none (nearly always: then the trail is read as it is)."""
    hidden, deleted = _hidden_case_ids(user), _deleted_cases_hidden_from(user)
    held, gone = hidden.exists(), deleted.exists()
    if not held and not gone:
        return None
    about = _about_held_cases(hidden) if held else Q()
    if gone:
        about |= Q(Exists(_records_of(deleted)))
    return about


def _about_held_cases(hidden: QuerySet[Case, Any]) -> Q:
    about = Q()
    for label, path in _parts_of_a_case():
        model = apps.get_model(label)
        about |= Q(object_type=label, object_id__in=_ids_as_text(model.objects.filter(**{f"{path}__in": hidden})))
    people_ids = set(CaseParty.objects.filter(case__in=hidden).values_list("person_id", flat=True))
    people_ids |= set(Case.objects.filter(pk__in=hidden).values_list("victim_id", flat=True))
    for label, path in _PERSON_PARTS.items():
        model = apps.get_model(label)
        about |= Q(object_type=label, object_id__in=_ids_as_text(model.objects.filter(**{f"{path}__in": people_ids})))
    return about


# Once retention has deleted a restricted case, its restrictions and the records the trail names are gone with it:
# retention keeps which records they were and who was named on it (audit/models.py DeletedRestrictedCase).


def _deleted_cases_hidden_from(user: Any) -> QuerySet[DeletedRestrictedCase]:
    every_one = DeletedRestrictedCase.objects.all()
    if getattr(user, "pk", None) is None:
        return every_one
    named_on = DeletedRestrictedCaseUser.objects.filter(user_id=user.pk).values("deleted_case_id")
    return every_one.exclude(pk__in=named_on)


def _records_of(deleted: QuerySet[DeletedRestrictedCase]) -> QuerySet[DeletedRestrictedRecord]:
    """The kept records an entry is about, matched on the entry's type and id (and time, for a person kept)."""
    return DeletedRestrictedRecord.objects.filter(
        Q(hidden_until__isnull=True) | Q(hidden_until__gte=OuterRef("at")),
        deleted_case__in=deleted,
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
    )


def records_of_case(case: Case) -> list[tuple[str, str]]:
    """Every record the trail may name that is part of the case (itself, its listings, their research, its
    restrictions...), as (audit label, id): for retention to keep before it deletes a restricted case."""
    records = []
    for label, path in _parts_of_a_case():
        ids = apps.get_model(label).objects.filter(**{path: case.pk}).values_list("pk", flat=True)
        records += [(label, str(pk)) for pk in ids]
    return records


def records_of_person(person_id: int) -> list[tuple[str, str]]:
    """The person's record and what is part of it (addresses, aliases), as (audit label, id)."""
    records = []
    for label, path in _PERSON_PARTS.items():
        ids = apps.get_model(label).objects.filter(**{path: person_id}).values_list("pk", flat=True)
        records += [(label, str(pk)) for pk in ids]
    return records


def _visible_to(user: Any, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    hidden = _about_hidden_cases(user)
    return events if hidden is None else events.exclude(hidden)


# A DISTINCT reads every entry of the MARAC's trail (every case read writes one, so millions in a few years);
# stepping from each type to the next one up through the (marac, object_type) index reads one entry per type.
_NEXT_TYPE_UP = f"""
    WITH RECURSIVE found(object_type) AS (
        SELECT MIN(object_type) FROM {AuditEvent._meta.db_table} WHERE marac_id = %s
        UNION ALL
        SELECT (SELECT MIN(object_type) FROM {AuditEvent._meta.db_table}
                WHERE marac_id = %s AND object_type > found.object_type)
        FROM found WHERE found.object_type IS NOT NULL
    )
    SELECT object_type FROM found WHERE object_type IS NOT NULL
"""  # noqa: S608 - the table's name, no input


def _distinct_record_types(marac_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_TYPE_UP, [marac_id, marac_id])
        return [row[0] for row in cursor.fetchall()]


def case_id_for_reference(*, user: Any, marac_id: int, reference: str) -> int | None:
    """The id of the case at the MARAC with this reference, if the user may see it (a restricted case only if they
    are named on it); None otherwise, whichever the reason."""
    return cases_at_marac(user=user, marac_id=marac_id).filter(reference=reference).values_list("pk", flat=True).first()


def credential_label(credential: ApiCredential) -> str:
    return f"API credential: {credential.name} ({credential.agency.name})"


def who_did(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """Each event with how the audit trail names who did it: an API credential's service account (api/models.py)
    by the credential's name and agency, not the random address made for it; anyone else by the address recorded
    at the time; "System" where no one was signed in. One query for the page's credentials."""
    events = list(events)
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    credentials = {
        credential.service_user_id: credential_label(credential)
        for credential in ApiCredential.objects.filter(service_user_id__in=actor_ids).select_related("agency")
    }
    return [
        (event, (event.actor_id is not None and credentials.get(event.actor_id)) or event.actor_label or "System")
        for event in events
    ]


def _about(label: str, ids: Any) -> Q:
    return Q(object_type=label, object_id__in=[str(pk) for pk in ids])


def case_access_events(*, case: Case) -> QuerySet[AuditEvent]:
    """Every entry about the case and the records that are part of it (its referral, listings, IDVA
    allocation, children's services notification, legal holds), newest first."""
    from meetings.models import Listing
    from referrals.models import ChildrenNotification, IdvaAllocation, Referral

    about = _about(Case._meta.label_lower, [case.pk])
    for model in (Referral, Listing, IdvaAllocation, ChildrenNotification):
        about |= _about(model._meta.label_lower, model.objects.filter(case=case).values_list("pk", flat=True))
    about |= _about("cases.legalhold", case.legal_holds.values_list("pk", flat=True))
    return AuditEvent.objects.filter(about).order_by("-at", "-id")


def person_access_events(*, person: Person) -> QuerySet[AuditEvent]:
    """Every entry about the person's record and their addresses, newest first."""
    about = _about(Person._meta.label_lower, [person.pk])
    about |= _about("people.address", person.addresses.values_list("pk", flat=True))
    return AuditEvent.objects.filter(about).order_by("-at", "-id")


def get_case_access_log_for_user(*, user: Any, pk: int) -> Case:
    """The case, through its gate, for a user who may see who has seen it at its MARAC; 404 otherwise.
    Looking at the log is itself recorded, with the reason if the case is restricted."""
    case = get_case_for_user(user=user, pk=pk, audit=False)
    if not user.has_perm("audit.view_record_access", case):
        raise Http404
    changes = {"reason": restricted_case_reason(user=user, case_id=case.pk)} if case.restricted else {}
    audit_record(
        action=AuditAction.VIEW, obj=case, user=user, summary="Looked at who has seen this case", changes=changes
    )
    return case


def get_person_access_log_for_user(*, user: Any, pk: int) -> Person:
    person = get_person_for_user(user=user, pk=pk, audit=False)
    if not user.has_perm("audit.view_record_access", person):
        raise Http404
    changes = reason_changes(restricted_case_reasons(user=user, person=person))
    audit_record(
        action=AuditAction.VIEW, obj=person, user=user, summary="Looked at who has seen this record", changes=changes
    )
    return person
