"""Correcting a person's record (UK GDPR Art. 16, rectification): their details, other names and addresses.

Every correction is made under the person's row lock, refused with StalePerson if the record changed since the page
was opened (the person's `version`, which every correction here moves on, addresses and other names included), and
audited in the same transaction by field name and id only: never the names, dates or addresses themselves.
"""

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, field_changes
from cases.models import Case, CaseParty
from people.models import Address, Alias, Person

# What the correction page may change on the person itself.
DETAIL_FIELDS = ("given_name", "family_name", "description", "date_of_birth", "gender", "is_transgender", "ethnicity")


class StalePerson(Exception):
    """Someone changed the record since the page was opened. Nothing was saved."""


class AddressAlreadyEnded(Exception):
    """The address was ended meanwhile, or never was current: there is nothing to end."""


@contextmanager
def _locked(person: Person, based_on_version: int) -> Iterator[Person]:
    """The person as saved now, locked for the rest of the transaction; StalePerson if the page's version is old."""
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != based_on_version:
            raise StalePerson
        yield current


def _moved_on(current: Person) -> None:
    # Any correction makes every page opened before it stale, whatever it changed.
    current.version += 1
    current.save(update_fields=["version", "updated_at"])


def person_correct(
    *,
    person: Person,
    details: dict[str, Any],
    other_names: Sequence[tuple[str, str]],
    based_on_version: int,
    by: Any,
) -> bool:
    """Correct the person's details (DETAIL_FIELDS) and replace their other names with `other_names` (given name,
    family name). False, and nothing written, when nothing differs from what is saved."""
    with transaction.atomic():
        case_ids = _cases_locked(person)
        with _locked(person, based_on_version) as current:
            before = copy.copy(current)
            for name in DETAIL_FIELDS:
                setattr(current, name, details[name])
            changed = field_changes(before, current, list(DETAIL_FIELDS), with_values=False)
            saved_names = list(current.aliases.order_by("pk").values_list("given_name", "family_name"))
            wanted_names = [(given, family) for given, family in other_names if given or family]
            if sorted(saved_names) != sorted(wanted_names):
                changed["other_names"] = {"from": len(saved_names), "to": len(wanted_names)}
                current.aliases.all().delete()
                Alias.objects.bulk_create(Alias(person=current, given_name=g, family_name=f) for g, f in wanted_names)
            if not changed:
                return False
            current.full_clean(exclude=["marac"])
            current.version += 1
            current.save()
            if str(current) != str(before):
                # The case list and the cases API show this name: the cases read as changed, for ?since= (docs/api.md).
                Case.objects.filter(pk__in=case_ids).update(updated_at=timezone.now())
            audit_record(
                action=AuditAction.CHANGE,
                obj=current,
                user=by,
                summary=f"Corrected person {current.pk}: {', '.join(sorted(changed))}",
                changes=changed,
            )
    person.refresh_from_db()
    return True


def _cases_locked(person: Person) -> list[int]:
    """The cases the person is on (as the victim, or a party), locked before the person in the order a party correction
    locks a case and then the people on it, so that a correction of each at once waits rather than deadlocks. A new
    name moves on only the cases' time, not their version: a page open on a case is not made stale by it."""
    on_case = Q(victim=person) | Q(pk__in=CaseParty.objects.filter(person=person).values("case_id"))
    return list(Case.objects.select_for_update().filter(on_case).order_by("pk").values_list("pk", flat=True))


def address_set_confidential(*, address: Address, confidential: bool, based_on_version: int, by: Any) -> None:
    """Mark the address confidential (a refuge, where she has fled to) or not."""
    with _locked(address.person, based_on_version) as current:
        saved = Address.objects.select_for_update().get(pk=address.pk, person=current)
        if saved.confidential == confidential:
            return
        saved.confidential = confidential
        saved.save(update_fields=["confidential"])
        _moved_on(current)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Marked address {saved.pk} of person {current.pk} "
            f"{'confidential' if confidential else 'not confidential'}",
            changes={"address": saved.pk, "confidential": confidential},
        )


def address_end(*, address: Address, lived_to: date, based_on_version: int, by: Any) -> None:
    """They no longer live there: the address stays on the record, ended on `lived_to`."""
    with _locked(address.person, based_on_version) as current:
        saved = Address.objects.select_for_update().get(pk=address.pk, person=current)
        if saved.lived_to is not None:
            raise AddressAlreadyEnded
        saved.lived_to = lived_to
        saved.save(update_fields=["lived_to"])
        _moved_on(current)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Ended address {saved.pk} of person {current.pk}: moved away",
            changes={"address": saved.pk, "lived_to": "changed"},
        )


def address_add(*, person: Person, address: Address, based_on_version: int, by: Any) -> Address:
    """A new current address (no end date) for the person."""
    with _locked(person, based_on_version) as current:
        address.person = current
        address.lived_to = None
        address.full_clean(exclude=["person"])
        address.save()
        _moved_on(current)
        audit_record(
            action=AuditAction.CREATE,
            obj=current,
            user=by,
            summary=f"Added current address {address.pk} to person {current.pk}",
            changes={
                "address": address.pk,
                "confidential": address.confidential,
                "safe_to_post": address.safe_to_post,
            },
        )
    return address
