"""The settings pages speak the MARAC's language: labels not codes, and errors that name the field."""

import pytest

from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db


def test_a_score_out_of_range_is_named_with_its_range(client_for, administrator, marac):
    response = client_for(administrator).post("/settings/edit/", _settings_form(marac, dash_threshold="25"))
    page = response.content.decode()
    assert "The risk checklist score for visible high risk must be between 1 and 24" in page
    assert "Ensure this value" not in page
    assert "<title>Error: Change the settings of Northbrook MARAC" in page


def test_missing_settings_are_named(client_for, administrator, marac):
    data = _settings_form(marac, police_force="", minutes_per_case="", escalation_window_months="0")
    page = client_for(administrator).post("/settings/edit/", data).content.decode()
    assert "Enter the police force" in page
    assert "Enter the minutes per case" in page
    assert "The number of months for escalation must be between 1 and 24 months" in page
    assert "This field is required" not in page


def test_the_settings_show_labels_not_codes(client_for, administrator, marac):
    client_for(administrator).post("/settings/edit/", _settings_form(marac))
    page = client_for(administrator).get("/settings/").content.decode()
    assert "incidents, police call-outs" in page
    assert "So-called honour-based abuse, Female genital mutilation, Forced marriage" in page
    assert "police_call_out" not in page and "honour_based_abuse" not in page
    assert "on Tuesdays" in page


def test_the_meeting_day_has_no_numbering_help(client_for, administrator, marac):
    page = client_for(administrator).get("/settings/edit/").content.decode()
    assert "0 is Monday" not in page
    assert '<option value="1" selected>Tuesday</option>' in page
