"""Changing a MARAC's configuration. Each change is audited, with its old and new values (no personal data)."""

import copy
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, field_changes
from marac.models import Agency, ClosureDay, Marac, MaracAgency, PopulationBreakdown, PopulationFigure
from marac.population_csv import PopulationRow
from marac.reference_prefixes import PREFIX_TAKEN
from marac.selectors import agency_named_here
from web.dates import CLOSURE_DAY_YEARS_AHEAD, planned_error


class StaleEdit(Exception):
    """Someone else saved the record first."""


class SettingsTaken(Exception):
    """Another MARAC already has this name or case reference prefix: the database's unique constraint said so, when
    someone took it after the form checked (two people saving at the same moment). `errors` holds each message by
    field, for the settings page to show beside its fields; nothing is saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


NAME_TAKEN = "There is already a MARAC with this name"


def marac_update_settings(*, marac: Marac, changes: dict[str, Any], based_on_version: int, by: Any) -> Marac:
    """Raises StaleEdit if the settings were saved since `based_on_version`, and SettingsTaken if another MARAC
    holds the name or the prefix; either way nothing is saved. Settings saved unchanged are left alone: no audit
    entry, no new version."""
    try:
        with transaction.atomic():
            current = Marac.objects.select_for_update().get(pk=marac.pk)
            if current.version != based_on_version:
                raise StaleEdit
            before = copy.copy(current)
            for name, value in changes.items():
                setattr(current, name, value)
            changed = field_changes(before, current, list(changes), with_values=True)
            if not changed:  # saved as it was: nothing to record, and the version stays (no edit is made stale)
                return before
            current.version += 1
            # Uniqueness is the database's to hold (a check here could be overtaken just the same); the form has
            # already told the user about a name or prefix taken before they saved.
            current.full_clean(validate_unique=False)
            current.save()
            audit_record(
                action=AuditAction.CHANGE, obj=current, user=by, summary="Changed MARAC settings", changes=changed
            )
    except IntegrityError as error:
        # The transaction is rolled back, so nothing is half-saved. Any other integrity error is a fault.
        taken = _taken(marac_id=marac.pk, name=changes.get("name"), prefix=changes.get("reference_prefix"))
        if taken:
            raise SettingsTaken(taken) from error
        raise
    return current


def _taken(*, marac_id: int, name: str | None, prefix: str | None) -> dict[str, str]:
    others = Marac.objects.exclude(pk=marac_id)
    errors = {}
    if name and others.filter(name=name).exists():
        errors["name"] = NAME_TAKEN
    if prefix and others.filter(reference_prefix=prefix).exists():
        errors["reference_prefix"] = PREFIX_TAKEN
    return errors


def _save_audited(obj: Model, *, by: Any, marac_id: int, summary: str, created: bool) -> None:
    obj.full_clean()
    obj.save()
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=obj,
        user=by,
        marac_id=marac_id,
        summary=summary,
    )


class AgencyNameTaken(Exception):
    """An agency this MARAC can see already has the name; the message says which kind and is safe to show."""


AGENCY_HERE = "There is already an agency with this name at this MARAC"
AGENCY_TO_ADD = "There is already an agency with this name: add it to this MARAC rather than create it again"


def agency_name_problem(*, marac: Marac, name: str) -> str | None:
    """Names are unique among the agencies a MARAC can see (its own and those it may add), ignoring case. An agency
    of the same name that only another MARAC holds is not this MARAC's to learn of, so the name is free here: the
    new agency is a different one, and no administrator learns another MARAC's agencies by trying names."""
    existing = agency_named_here(marac=marac, name=name)
    if existing is None:
        return None
    return AGENCY_HERE if existing.memberships.filter(marac=marac).exists() else AGENCY_TO_ADD


def agency_create(*, agency: Agency, marac: Marac, by: Any) -> Agency:
    """Raises AgencyNameTaken, with nothing saved, if this MARAC can already see an agency of that name."""
    with transaction.atomic():
        Marac.objects.select_for_update().get(pk=marac.pk)  # two administrators creating one name: one waits
        problem = agency_name_problem(marac=marac, name=agency.name)
        if problem:
            raise AgencyNameTaken(problem)
        _save_audited(agency, by=by, marac_id=marac.pk, summary="Added an agency", created=True)
    return agency


def agency_membership_save(
    *, membership: MaracAgency, deputies: list[Any], by: Any, based_on_version: int | None = None
) -> MaracAgency:
    """Add or change an agency's membership. A change based on `based_on_version` is refused with StaleEdit if the
    membership was saved since (checked under the row lock), so two edits never overwrite each other."""
    with transaction.atomic():
        created = membership.pk is None
        if not created:
            current = MaracAgency.objects.select_for_update().get(pk=membership.pk)
            if based_on_version is not None and current.version != based_on_version:
                raise StaleEdit
            membership.version = current.version + 1
        _save_audited(
            membership,
            by=by,
            marac_id=membership.marac_id,
            summary=f"{'Added' if created else 'Changed'} agency membership (core: {membership.is_core})",
            created=created,
        )
        membership.deputies.set(deputies)
    return membership


def population_figure_save(*, figure: PopulationFigure, by: Any) -> PopulationFigure:
    with transaction.atomic():
        existing = PopulationFigure.objects.filter(
            marac=figure.marac, local_authority=figure.local_authority, year=figure.year
        ).first()
        if existing:
            existing.adult_female_population = figure.adult_female_population
            figure = existing
        _save_audited(
            figure,
            by=by,
            marac_id=figure.marac_id,
            summary=f"Population figure for {figure.year}: {figure.adult_female_population}",
            created=existing is None,
        )
    return figure


def population_import(*, marac: Marac, rows: list[PopulationRow], by: Any) -> tuple[int, int]:
    """Save a checked file's figures in one transaction: a local authority's year already held is updated, so
    the same file can be imported again without making duplicates. Returns (added, updated)."""
    added = updated = 0
    with transaction.atomic():
        for row in rows:
            figure, created = PopulationFigure.objects.select_for_update().update_or_create(
                marac=marac,
                local_authority=row.local_authority,
                year=row.year,
                defaults={"adult_female_population": row.adult_female_population},
            )
            for (dimension, category), count in row.breakdown.items():
                PopulationBreakdown.objects.update_or_create(
                    figure=figure, dimension=dimension, category=category, defaults={"count": count}
                )
            added, updated = (added + 1, updated) if created else (added, updated + 1)
            audit_record(
                action=AuditAction.CREATE if created else AuditAction.CHANGE,
                obj=figure,
                user=by,
                marac_id=marac.pk,
                summary=f"Imported population figures for {row.year}: {row.adult_female_population} adult women "
                "with their ethnic groups and age bands",
            )
    return added, updated


class ClosureDayRefused(Exception):
    """A closure day the rules do not allow; the message is safe to show beside the date."""


CLOSURE_DAY_TAKEN = "This date is already a closure day"


def closure_day_date_error(day: date, *, today: date) -> str | None:
    """A closure day is planned, and may be recorded after it passed, but not before the first MARAC (1800 for 2018)
    nor more than 3 years ahead (2099 for 2029): web/dates.py. The form and the service both hold it."""
    return planned_error(day, today=today, years_ahead=CLOSURE_DAY_YEARS_AHEAD, subject="The closure day")


def closure_day_add(*, closure: ClosureDay, by: Any) -> ClosureDay:
    """Raises ClosureDayRefused, with nothing saved, for an implausible date or a day that is already closed: whoever
    calls, as the page does."""
    error = closure_day_date_error(closure.day, today=timezone.localdate())
    if error:
        raise ClosureDayRefused(error)
    try:
        with transaction.atomic():
            if ClosureDay.objects.filter(marac_id=closure.marac_id, day=closure.day).exists():
                raise ClosureDayRefused(CLOSURE_DAY_TAKEN)
            _save_audited(closure, by=by, marac_id=closure.marac_id, summary=f"Closure day {closure.day}", created=True)
    except IntegrityError:
        # Added by someone else between the check and the save; any other integrity error is a fault.
        if ClosureDay.objects.filter(marac_id=closure.marac_id, day=closure.day).exists():
            raise ClosureDayRefused(CLOSURE_DAY_TAKEN) from None
        raise
    return closure
