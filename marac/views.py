import copy
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render

from audit.services import audit_view
from marac import services
from marac.forms import (
    AgencyForm,
    AgencyMembershipForm,
    ClosureDayForm,
    MaracSettingsForm,
    PopulationFigureForm,
    PopulationImportForm,
)
from marac.models import Marac, MaracAgency
from marac.population_csv import RowError, column_help, parse_population_csv
from referrals.references import reference_prefix_for
from web.access import current_marac_where, require_permission
from web.forms import version_is_stale


def _marac(request: HttpRequest, permission: str) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, permission))


@require_permission("marac.view_configuration")
def marac_detail(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.view_configuration")
    audit_view(marac, user=request.user, summary="Viewed MARAC settings")
    return render(
        request,
        "marac/marac_detail.html",
        {
            "marac": marac,
            "memberships": marac.memberships.select_related("agency", "representative").prefetch_related("deputies"),
            "figures": marac.population_figures.prefetch_related("breakdowns"),
            "can_change": request.user.has_perm("marac.change_configuration", marac),
            "reference_prefix": reference_prefix_for(marac),
        },
    )


SETTINGS_CONFLICT = (
    "Someone else changed these settings while you were editing them. Your changes have not been saved. The "
    "settings saved now that differ from your answers are shown above the form, and your answers are still in the "
    "form: check them, then save again."
)


def _shown(field: Any, value: Any) -> str:
    """A saved setting as the page says it: choices by their labels, lists one after another."""
    labels = {str(key): label for key, label in getattr(field, "choices", [])}
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(labels.get(str(item), item)) for item in values if item not in (None, "")) or "Not set"


def _settings_after_conflict(form: MaracSettingsForm, marac: Marac) -> tuple[MaracSettingsForm, list[tuple[str, str]]]:
    """After someone else saved the settings first: the form again with these answers, now based on the version saved
    (as research and minutes are), so saving it again is a deliberate choice and no longer fails every time; and the
    saved settings that differ from these answers, to check against."""
    saved = Marac.objects.get(pk=marac.pk)
    saved.reference_prefix = reference_prefix_for(saved)
    data = cast(QueryDict, form.data).copy()  # what was posted: request.POST
    data["version"] = str(saved.version)
    again = MaracSettingsForm(data, instance=copy.copy(saved))  # validating writes the answers onto its instance
    again.add_error(None, SETTINGS_CONFLICT)
    differ = [
        (str(again.fields[name].label), _shown(again.fields[name], getattr(saved, name)))
        for name in MaracSettingsForm.Meta.fields
        if form.cleaned_data.get(name) != getattr(saved, name)
    ]
    return again, differ


@require_permission("marac.change_configuration")
def marac_edit(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    editing = Marac.objects.get(pk=marac.pk)
    # Not chosen yet: offer the prefix its next case would take, so saving the page keeps it as it is.
    editing.reference_prefix = reference_prefix_for(editing)
    form = MaracSettingsForm(request.POST or None, instance=editing)
    saved_now: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.marac_update_settings(
                marac=marac, changes=changes, based_on_version=form.cleaned_data["version"], by=request.user
            )
        except services.StaleEdit:  # saved by someone else after the form was checked
            form, saved_now = _settings_after_conflict(form, marac)
        except services.SettingsTaken as taken:  # another MARAC took it since the form checked
            for field, error in taken.errors.items():
                form.add_error(field, error)
        else:
            # Nothing changed: nothing was written (marac_update_settings), and the page says so.
            unchanged = saved.version == form.cleaned_data["version"]
            messages.success(request, "Nothing was changed" if unchanged else "MARAC settings saved")
            return redirect("marac:detail")
    elif request.method == "POST" and version_is_stale(form, marac):
        form, saved_now = _settings_after_conflict(form, marac)
    return render(request, "marac/marac_edit.html", {"form": form, "marac": marac, "saved_now": saved_now})


@require_permission("marac.change_configuration")
def membership_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    membership = get_object_or_404(MaracAgency, pk=pk, marac=marac) if pk else None
    form = AgencyMembershipForm(request.POST or None, instance=membership, marac=marac)
    if request.method == "POST" and membership is not None and _posted_version(request) != membership.version:
        return _membership_conflict(request, marac, membership.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_membership_save(
                membership=form.save(commit=False),
                deputies=list(form.cleaned_data["deputies"]),
                based_on_version=form.cleaned_data["version"] if membership is not None else None,
                by=request.user,
            )
        except services.StaleEdit:  # saved by someone else between reading it and locking it
            assert membership is not None
            return _membership_conflict(request, marac, membership.pk)
        messages.success(request, "Agency saved")
        return redirect("marac:detail")
    return render(request, "marac/membership_edit.html", {"form": form, "marac": marac, "membership": membership})


MEMBERSHIP_CONFLICT = (
    "Someone else changed this agency while you were editing it. Your changes have not been saved. "
    "What is saved now is shown below, and your changes are still in the form: check them, then save to replace "
    "what is saved, or cancel to keep it."
)


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _membership_conflict(request: HttpRequest, marac: Marac, pk: int) -> HttpResponse:
    """Both versions: what is saved now, and the user's own changes still in the form, now based on the saved
    version, so replacing what is saved is a choice made with both on screen."""
    saved = MaracAgency.objects.select_related("agency", "representative").get(pk=pk)
    saved_deputies = list(saved.deputies.order_by("full_name"))
    data = request.POST.copy()
    data["version"] = str(saved.version)
    editing = MaracAgency.objects.get(pk=pk)  # the form's own copy: validating it fills it with what was posted
    form = AgencyMembershipForm(data, instance=editing, marac=marac)
    form.add_error(None, MEMBERSHIP_CONFLICT)
    context = {
        "form": form,
        "marac": marac,
        "membership": saved,
        "saved": saved,
        "saved_deputies": saved_deputies,
    }
    return render(request, "marac/membership_edit.html", context, status=409)


@require_permission("marac.change_configuration")
def agency_add(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    form = AgencyForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(agency=form.save(commit=False), marac=marac, by=request.user)
        except services.AgencyNameTaken as taken:  # created by someone else since the form checked
            form.add_error("name", str(taken))
        else:
            messages.success(request, "Agency added: now add it to this MARAC")
            return redirect("marac:membership_add")
    return render(request, "marac/agency_add.html", {"form": form, "marac": marac})


@require_permission("marac.change_configuration")
def population_add(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    form = PopulationFigureForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        services.population_figure_save(figure=form.instance, by=request.user)
        messages.success(request, "Population figure saved")
        return redirect("marac:detail")
    return render(request, "marac/population_add.html", {"form": form, "marac": marac})


@require_permission("marac.change_configuration")
def population_import(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    form = PopulationImportForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        rows, row_errors = parse_population_csv(
            form.cleaned_data["file"].read(), local_authorities=marac.local_authorities
        )
        if not row_errors:
            added, updated = services.population_import(marac=marac, rows=rows, by=request.user)
            messages.success(request, f"Population figures imported: {added} added, {updated} updated")
            return redirect("marac:detail")
    context = {"form": form, "marac": marac, "row_errors": row_errors, "columns": column_help()}
    return render(request, "marac/population_import.html", context, status=400 if row_errors else 200)


@require_permission("marac.change_configuration")
def closure_day_add(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, "marac.change_configuration")
    form = ClosureDayForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_day_add(closure=form.instance, by=request.user)
        except services.ClosureDayRefused as refused:
            form.add_error("day", str(refused))
        else:
            messages.success(request, "Closure day added: deadlines now skip it")
            return redirect("marac:detail")
    return render(request, "marac/closure_day_add.html", {"form": form, "marac": marac})
