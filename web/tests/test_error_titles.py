"""A page that shows an error summary starts its title with "Error: " (GOV.UK: the title is the first thing a
screen reader says). Checked on every page template that includes the summary, so a new page cannot forget it,
and through two pages that once did."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.models import Case
from meetings.models import Listing, Meeting, MeetingState
from meetings.research_services import research_save
from testing.factories import CaseFactory, UserFactory, grant

_SUMMARY = re.compile(r'{%\s*include\s+"forms/error_summary\.html"(?:\s+with\s+form=([\w.]+))?\s*%}')
_TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.DOTALL)


def _templates() -> list[Path]:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def title_misses_error(template: str) -> list[str]:
    """The forms whose error summary a page template shows without "Error: " in its title, conditioned on that
    form's errors (`{% if form.errors %}Error: {% endif %}`, or `{% if error_form %}` for a form shown only with
    errors). A part of a page (no `{% extends %}`) has no title of its own: the page including it answers."""
    forms = [match.group(1) or "form" for match in _SUMMARY.finditer(template)]
    if not forms or "{% extends" not in template:
        return []
    title = _TITLE.search(template)
    if title is None:
        return forms
    conditions = re.findall(r"{%\s*if\s+([^%]*?)\s*%}Error: ", title.group(1))
    return [
        form
        for form in forms
        if not any(
            re.search(rf"(?<![\w.]){re.escape(form)}(\.errors)?(?![\w.])", condition) for condition in conditions
        )
    ]


def test_the_check_finds_a_title_without_error():
    page = '{% extends "base.html" %}{% block title %}Sign in{% endblock %}{% include "forms/error_summary.html" %}'
    assert title_misses_error(page) == ["form"]


def test_the_check_accepts_the_pattern_for_each_form_shown():
    page = (
        '{% extends "base.html" %}{% block title %}{% if form.errors or other.errors %}Error: {% endif %}Register'
        '{% endblock %}{% include "forms/error_summary.html" %}{% include "forms/error_summary.html" with form=other %}'
    )
    assert title_misses_error(page) == []
    assert title_misses_error(page.replace(" or other.errors", "")) == ["other"]


def test_every_page_with_an_error_summary_says_error_in_its_title():
    checked = 0
    missing = {}
    for path in _templates():
        text = path.read_text()
        if _SUMMARY.search(text):
            checked += 1
        if forms := title_misses_error(text):
            missing[str(path.relative_to(settings.BASE_DIR))] = forms
    assert checked > 20
    assert not missing


# --- Through the pages ------------------------------------------------------------------------------------------


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return found.group(1).strip()


@pytest.mark.django_db
def test_the_audit_filter_with_a_date_that_does_not_exist_says_error_in_the_title(client_for, coordinator):
    response = client_for(coordinator).get("/audit/", {"date_from": "31/2/2026"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert _title(page).startswith("Error: ")


@pytest.mark.django_db
def test_the_audit_filter_without_errors_has_no_error_title(client_for, coordinator):
    page = client_for(coordinator).get("/audit/", {"date_from": "1/2/2026"}).content.decode()
    assert not _title(page).startswith("Error")


@pytest.mark.django_db
def test_research_saved_by_someone_else_meanwhile_says_error_in_the_title(client_for, police_rep, marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(days=3))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    case: Case = CaseFactory(marac=marac)
    listing = Listing.objects.create(meeting=meeting, case=case)
    colleague = grant(UserFactory(agency=police_rep.agency), marac, Role.AGENCY_REPRESENTATIVE)
    data = {"known_to_agency": True, "about_victim": "Saved by a colleague"}
    research_save(listing=listing, agency=police_rep.agency, data=data, based_on_version=0, by=colleague)

    url = reverse("meetings_research:research", args=[listing.pk])
    mine = {"known_to_agency": "yes", "about_victim": "My own notes", "version": 0}
    page = client_for(police_rep).post(url, mine).content.decode()
    assert 'data-testid="conflict"' in page
    assert "govuk-error-summary" in page
    assert _title(page).startswith("Error: Research for case")
