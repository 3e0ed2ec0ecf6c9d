"""The fast way to write a national benchmark's cases: PostgreSQL COPY instead of bulk_create.

The same rows as demo.generator's bulk_create writers, from the same plans, but without building a model instance
per row (most of bulk_create's time at a million cases). Primary keys are taken from each table's own sequence
first, so the rows can point at each other before they are written. Field conversions the ORM would make on save
(encrypting addresses, auto_now timestamps, defaults) are made here too, by the model fields themselves.
Only for generation without users (national runs): the demo's meeting history needs the ORM objects.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection, models
from django.utils import timezone

from cases.models import Case, CaseParty, PartyRole
from demo.plan import CasePlan, PersonPlan, Planner
from marac.models import Agency, AgencyType, Marac
from meetings.models import Listing, ListingKind, Meeting, Outcome
from people.models import Address, Alias, Person, postcode_district_of

# Fields whose value the ORM transforms on the way to the database (encryption): passed through the field.
_CONVERTED = ("EncryptedTextField", "EncryptedJSONField", "JSONField")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """count new primary keys from the table's sequence, as bulk_create would have been given."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (attribute name to value, the primary key included) into the model's table; every other
    column gets what saving a new instance would give it."""
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    defaults: list[Any] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(now)
        elif field.has_default() and not callable(field.default):
            defaults.append(field.get_default())
        elif field.null:
            defaults.append(None)
        else:
            defaults.append("" if field.empty_strings_allowed else None)
    converted = [type(field).__name__ in _CONVERTED for field in fields]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for field, default, convert in zip(fields, defaults, converted, strict=True):
                    value = row.get(field.attname, default)
                    if convert:
                        value = field.get_db_prep_save(value, connection)
                    values.append(value)
                copy.write_row(values)
                written += 1
    return written


def _person(marac_id: int, pk: int, person: PersonPlan) -> dict[str, Any]:
    return {
        "id": pk,
        "marac_id": marac_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "sexuality": person.sexuality,
        "has_disability": person.has_disability,
        "disability_details": person.disability_details,
        "first_language": person.first_language,
        "needs_interpreter": person.needs_interpreter,
    }


def _parties(case: CasePlan) -> Iterable[tuple[PersonPlan, PartyRole]]:
    yield case.victim, PartyRole.VICTIM
    yield from ((person, PartyRole.PERPETRATOR) for person in case.perpetrators)
    yield from ((person, PartyRole.CHILD) for person in case.children)


def copy_cases(
    marac: Marac,
    cases: Sequence[CasePlan],
    people: Sequence[PersonPlan],
    agencies: dict[AgencyType, Agency],
    meetings: dict[date, Meeting],
    planner: Planner,
) -> dict[str, int]:
    """People, their addresses and aliases, the cases, their parties and listings: what _write_cases and
    _write_listings write, in the same order, by COPY."""
    person_ids = dict(zip(people, reserve_ids(Person, len(people)), strict=True))
    copy_rows(Person, (_person(marac.pk, person_ids[person], person) for person in people))
    addresses = [(person_ids[person], address) for person in people for address in person.addresses]
    copy_rows(
        Address,
        (
            {
                "id": pk,
                "person_id": person_id,
                "postcode_district": postcode_district_of(address.postcode),
                **vars(address),
            }
            for pk, (person_id, address) in zip(reserve_ids(Address, len(addresses)), addresses, strict=True)
        ),
    )
    aliases = [(person_ids[person], alias) for person in people for alias in person.aliases]
    copy_rows(
        Alias,
        (
            {"id": pk, "person_id": person_id, "given_name": given, "family_name": family}
            for pk, (person_id, (given, family)) in zip(reserve_ids(Alias, len(aliases)), aliases, strict=True)
        ),
    )
    case_ids = reserve_ids(Case, len(cases))
    copy_rows(
        Case,
        (
            {
                "id": pk,
                "marac_id": marac.pk,
                "reference": case.reference,
                "victim_id": person_ids[case.victim],
                "status": case.status,
                "referred_on": case.referred_on,
                "heard_on": case.heard_on,
                "referring_agency_id": agencies[case.referring_agency].pk,
                "information_only": case.information_only,
                "is_repeat": case.is_repeat,
                "victim_pregnant": case.victim_pregnant,
                "dash_score": case.dash_score,
            }
            for pk, case in zip(case_ids, cases, strict=True)
        ),
    )
    parties = [
        (case_id, person_ids[person], role)
        for case_id, case in zip(case_ids, cases, strict=True)
        for person, role in _parties(case)
    ]
    copy_rows(
        CaseParty,
        (
            {"id": pk, "case_id": case_id, "person_id": person_id, "role": role}
            for pk, (case_id, person_id, role) in zip(reserve_ids(CaseParty, len(parties)), parties, strict=True)
        ),
    )
    listings = []
    for case_id, plan in zip(case_ids, cases, strict=True):
        meeting = meetings.get(plan.heard_on or planner.calendar.hearing_for(plan.referred_on))
        if meeting is None:
            continue
        heard = plan.heard_on is not None
        listings.append(
            {
                "meeting_id": meeting.pk,
                "case_id": case_id,
                "kind": ListingKind.INFORMATION_ONLY if plan.information_only else ListingKind.FULL,
                "outcome": (Outcome.CLOSED if plan.status == "closed" else Outcome.REVIEW) if heard else "",
            }
        )
    for pk, listing in zip(reserve_ids(Listing, len(listings)), listings, strict=True):
        listing["id"] = pk
    copy_rows(Listing, listings)
    return {
        "cases": len(cases),
        "people": len(people),
        "addresses": len(addresses),
        "aliases": len(aliases),
        "case_parties": len(parties),
    }
