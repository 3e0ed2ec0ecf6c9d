"""Changing a MARAC's configuration. Each change is audited, with its old and new values (no personal data)."""

import copy
from typing import Any

from django.db import transaction
from django.db.models import Model

from audit.models import AuditAction
from audit.services import audit_record, field_changes
from marac.models import Agency, ClosureDay, Marac, MaracAgency, PopulationBreakdown, PopulationFigure
from marac.population_csv import PopulationRow


class StaleEdit(Exception):
    """Someone else saved the record first."""


def marac_update_settings(*, marac: Marac, changes: dict[str, Any], based_on_version: int, by: Any) -> Marac:
    with transaction.atomic():
        current = Marac.objects.select_for_update().get(pk=marac.pk)
        if current.version != based_on_version:
            raise StaleEdit
        before = copy.copy(current)
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.full_clean()
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary="Changed MARAC settings",
            changes=field_changes(before, current, list(changes), with_values=True),
        )
    return current


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


def agency_create(*, agency: Agency, marac: Marac, by: Any) -> Agency:
    with transaction.atomic():
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


def closure_day_add(*, closure: ClosureDay, by: Any) -> ClosureDay:
    with transaction.atomic():
        _save_audited(closure, by=by, marac_id=closure.marac_id, summary=f"Closure day {closure.day}", created=True)
    return closure
