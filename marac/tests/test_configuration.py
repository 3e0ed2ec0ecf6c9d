"""Administrators edit a MARAC's rule settings in the app; each change is audited with its values."""

import pytest

from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _settings_form(marac, **overrides):
    data = {
        "name": marac.name,
        "local_authorities": "Northbrook\nEastvale",
        "police_force": marac.police_force,
        "meeting_frequency": "three_weekly",
        "meeting_weekday": "1",
        "meeting_start_time": "09:30",
        "bank_holiday_region": "ENG",
        "dash_threshold": "14",
        "idva_threshold": "10",
        "escalation_count": "3",
        "escalation_window_months": "12",
        "escalation_events": ["incident", "police_call_out"],
        "escalation_in_frequency_or_severity": "on",
        "automatic_criteria": ["honour_based_abuse", "fgm", "forced_marriage"],
        "minutes_per_case": "15",
        "minutes_per_information_case": "5",
        "repeat_definition": "safelives",
        "reference_prefix": marac.reference_prefix or "NM",
        "retention_years": str(marac.retention_years),
        "retention_action": marac.retention_action,
        "version": str(marac.version),
    }
    data.update(overrides)
    return data


def test_an_administrator_changes_the_rule_settings_and_the_change_is_audited(client_for, administrator, marac):
    response = client_for(administrator).post("/settings/edit/", _settings_form(marac, dash_threshold="15"))
    assert response.status_code == 302
    marac.refresh_from_db()
    assert marac.dash_threshold == 15
    assert marac.local_authorities == ["Northbrook", "Eastvale"]
    assert marac.automatic_criteria == ["honour_based_abuse", "fgm", "forced_marriage"]
    event = AuditEvent.objects.get(object_type="marac.marac", action="change")
    assert event.changes["dash_threshold"] == {"from": "14", "to": "15"}
    assert event.actor_id == administrator.pk


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(client_for, administrator, marac):
    client = client_for(administrator)
    stale_version = marac.version
    client.post("/settings/edit/", _settings_form(marac, minutes_per_case="20"))
    response = client.post("/settings/edit/", _settings_form(marac, minutes_per_case="10", version=str(stale_version)))
    assert response.status_code == 200
    assert "Someone else changed" in response.content.decode()
    marac.refresh_from_db()
    assert marac.minutes_per_case == 20


def test_it_explains_an_idva_score_above_the_marac_score_next_to_the_field(client_for, administrator, marac):
    response = client_for(administrator).post("/settings/edit/", _settings_form(marac, idva_threshold="16"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The IDVA score must not be higher than the MARAC score" in page
    assert 'href="#id_idva_threshold"' in page  # linked from the error summary
    marac.refresh_from_db()
    assert marac.idva_threshold == 10
    assert not AuditEvent.objects.filter(action="change").exists()


def test_the_settings_show_the_region_that_possible_matches_are_shared_across(client_for, chair, marac):
    marac.region = "North <East>"
    marac.save(update_fields=["region"])
    page = client_for(chair).get("/settings/").content.decode()
    assert '<dd class="govuk-summary-list__value" data-testid="region">North &lt;East&gt;</dd>' in page
    marac.region = ""
    marac.save(update_fields=["region"])
    assert "Not set: no other MARAC is told" in client_for(chair).get("/settings/").content.decode()


def test_a_chair_sees_the_settings_but_cannot_change_them(client_for, chair, marac):
    client = client_for(chair)
    assert client.get("/settings/").status_code == 200
    assert client.post("/settings/edit/", _settings_form(marac, dash_threshold="1")).status_code == 404
    marac.refresh_from_db()
    assert marac.dash_threshold == 14


def test_an_administrator_adds_a_core_agency_with_its_representative_and_deputy(client_for, administrator, marac):
    housing = AgencyFactory(name="Northbrook Homes", agency_type="housing")
    rep = grant(UserFactory(agency=housing, full_name="Hana Housing"), marac, "agency_representative")
    deputy = grant(UserFactory(agency=housing, full_name="Dev Deputy"), marac, "agency_representative")
    response = client_for(administrator).post(
        "/settings/memberships/new/",
        {"agency": housing.pk, "is_core": "on", "representative": rep.pk, "deputies": [deputy.pk]},
    )
    assert response.status_code == 302
    membership = MaracAgency.objects.get(marac=marac, agency=housing)
    assert membership.is_core and membership.representative == rep
    assert list(membership.deputies.all()) == [deputy]
    assert AuditEvent.objects.filter(object_type="marac.maracagency", action="create").exists()


def test_a_representative_must_work_for_the_agency(client_for, administrator, marac):
    housing = AgencyFactory(name="Northbrook Homes", agency_type="housing")
    police_officer = grant(UserFactory(), marac, "agency_representative")
    response = client_for(administrator).post(
        "/settings/memberships/new/", {"agency": housing.pk, "representative": police_officer.pk}
    )
    assert "Choose people who work for Northbrook Homes" in response.content.decode()
    assert not MaracAgency.objects.exists()


def test_a_population_figure_for_the_same_year_is_updated_not_duplicated(client_for, administrator, marac):
    client = client_for(administrator)
    authority = marac.local_authorities[0]
    client.post(
        "/settings/population/new/", {"local_authority": authority, "year": "2026", "adult_female_population": "90000"}
    )
    client.post(
        "/settings/population/new/", {"local_authority": authority, "year": "2026", "adult_female_population": "91000"}
    )
    figures = list(marac.population_figures.values_list("year", "adult_female_population"))
    assert figures == [(2026, 91000)]


def test_a_closure_day_is_added_once_and_deadlines_skip_it(client_for, administrator, marac):
    import datetime

    from referrals.calendar import calendar_from_marac, is_working_day

    client = client_for(administrator)
    client.post("/settings/closure-days/new/", {"day": "2026-12-24", "reason": "Council closure"})
    again = client.post("/settings/closure-days/new/", {"day": "2026-12-24", "reason": "Twice"})
    assert "This date is already a closure day" in again.content.decode()
    days = list(marac.closure_days.values_list("day", flat=True))
    assert days == [datetime.date(2026, 12, 24)]
    assert not is_working_day(datetime.date(2026, 12, 24), calendar_from_marac(marac, days))
    assert AuditEvent.objects.filter(object_type="marac.closureday", action="create").exists()
