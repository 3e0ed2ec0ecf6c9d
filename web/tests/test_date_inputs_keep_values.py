"""A saved date shows again when its form is reopened, and survives the next save.

A browser's date box (<input type="date">) only shows a value written as 2026-11-23: given the en-GB "23/11/2026"
it shows an empty box, and sends nothing back, so saving the form again wiped an optional date and refused a required
one. Every date box of the project is web.forms.DateInput, which writes its value that way; the fields still read
what they read before (23/11/2026, 23/11/26, 2026-11-23).
"""

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.utils import timezone

from governance import records_services
from governance.models import Breach
from reports.models import QualityAudit
from web.forms import DateInput
from web.tests.project_forms import build, buildable_form_classes

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 23)


def _date_fields(form: forms.BaseForm) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField)
    ]


def test_every_date_box_of_every_form_shows_its_date_as_a_browser_reads_it(arguments):
    checked = []
    for cls in buildable_form_classes():
        names = _date_fields(build(cls, arguments))
        if not names:
            continue
        form = build(cls, arguments)
        form.initial.update(dict.fromkeys(names, DAY))  # after __init__: some forms set a day of their own
        for name in names:
            label = f"{cls.__module__}.{cls.__qualname__}.{name}"
            # One shared widget, so a new form cannot bring the bug back.
            assert isinstance(form.fields[name].widget, DateInput), label
            html = str(form[name])
            assert 'type="date"' in html, label
            assert 'value="2026-11-23"' in html, (label, html)
            assert "23/11/2026" not in html, label
            checked.append(label)
    # The forms the reviewer named are among those walked.
    expected = {
        "governance.records_forms.BreachUpdateForm.referred_to_vawg_on",
        "reports.quality_forms.QualityAuditForm.carried_out_on",
        "reports.quality_forms.ImprovementActionForm.due_on",
        "reports.forms.ReportForm.on",
        "marac.forms.ClosureDayForm.day",
        "referrals.decision_forms.EmergencyMeetingForm.day",
        "referrals.forms.VictimForm.date_of_birth",
    }
    assert expected <= set(checked), expected - set(checked)


@pytest.mark.parametrize("typed", ["2026-11-23", "23/11/2026"])
def test_every_date_field_still_reads_what_it_read_before(arguments, typed):
    for cls in buildable_form_classes():
        form = build(cls, arguments)
        for name in _date_fields(form):
            assert form.fields[name].to_python(typed) == DAY, f"{cls.__qualname__}.{name} {typed}"


def test_a_date_box_given_a_date_and_time_shows_the_day():
    assert 'value="2026-11-23"' in DateInput().render(
        "day", datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)
    )
    # A value sent back with errors is shown as it was typed.
    assert 'value="23/11/2026"' in DateInput().render("day", "23/11/2026")


# --- The pages, as a browser fills them in --------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser sends for each form with method=post: as it shows each field, so a date box whose value is not
    written 2026-11-23 is sent empty (HTML's value sanitisation for <input type="date">)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.data: dict[str, Any] | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("method", "").lower() == "post":
            self.data = {}
            self.forms.append(self.data)
        if self.data is None:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            value = found.get("value", "")
            if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                value = ""
            if kind in {"radio", "checkbox"}:
                if "checked" in found:
                    self.data.setdefault(name, []).append(value or "on")
            elif kind not in {"submit", "button"}:
                self.data[name] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea and self.data is not None:
            self.data[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        if tag == "form":
            self.data = None


def _as_a_browser_sends(page: Any, field: str) -> dict[str, Any]:
    """What the browser sends from the page's form that has `field`."""
    parser = _FormFields()
    parser.feed(page.content.decode())
    (data,) = [found for found in parser.forms if field in found]
    # A text area's first line feed belongs to its markup, not its text.
    return {
        key: value[1:] if isinstance(value, str) and value.startswith("\n") else value for key, value in data.items()
    }


def test_a_breach_s_referral_date_survives_reopening_and_saving_again(client_for, marac, coordinator):
    today = timezone.localdate()
    referred = today - datetime.timedelta(days=1)
    breach = records_services.breach_record(
        marac=marac, occurred_on=today - datetime.timedelta(days=5), reported_on=today - datetime.timedelta(days=4),
        agency=None, of_what="isa", description="Minutes forwarded outside the agency", by=coordinator,
    )  # fmt: skip
    client = client_for(coordinator)
    url = f"/governance/records/breaches/{breach.pk}/"
    # Saved once, as the coordinator types it in.
    data = _as_a_browser_sends(client.get(url), "referred_to_vawg_on")
    data["referred_to_vawg_on"] = referred.isoformat()
    assert client.post(url, data).status_code == 302

    # Reopened: the date is in the box.
    page = client.get(url)
    assert f'value="{referred.isoformat()}"' in page.content.decode()
    # An outcome typed and saved: the date is kept.
    data = _as_a_browser_sends(page, "referred_to_vawg_on")
    assert data["referred_to_vawg_on"] == referred.isoformat()
    data["outcome"] = "Sub group wrote to the agency"
    assert client.post(url, data).status_code == 302
    breach = Breach.objects.get(pk=breach.pk)
    assert breach.referred_to_vawg_on == referred
    assert breach.outcome == "Sub group wrote to the agency"
    assert breach.version == 3
    assert b"not yet referred" not in client.get("/governance/records/").content.lower()


def test_a_quality_audit_with_changed_findings_saves_without_asking_for_its_date_again(client_for, marac, chair):
    carried_out = timezone.localdate() - datetime.timedelta(days=3)
    client = client_for(chair)
    data = _as_a_browser_sends(client.get("/reports/quality/audits/new/"), "carried_out_on")
    data.update(
        {"kind": data.get("kind") or _first_radio(client.get("/reports/quality/audits/new/"), "kind")}
        | {"carried_out_on": carried_out.isoformat(), "scope": "Ten plans", "findings": "Mostly clear"}
    )
    response = client.post("/reports/quality/audits/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    audit = QualityAudit.objects.get()

    url = f"/reports/quality/audits/{audit.pk}/"
    page = client.get(url)
    assert f'value="{carried_out.isoformat()}"' in page.content.decode()
    data = _as_a_browser_sends(page, "carried_out_on")
    data["findings"] = "Mostly clear; two plans had no dates"
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r'govuk-error-message">(.*?)</', response.content.decode(), re.S)
    audit.refresh_from_db()
    assert audit.carried_out_on == carried_out
    assert audit.findings == "Mostly clear; two plans had no dates"


def _first_radio(page: Any, name: str) -> str:
    found = re.search(rf'type="radio" name="{name}" value="([^"]*)"', page.content.decode())
    assert found, name
    return found.group(1)


def test_the_performance_page_shows_its_day_on_first_view(client_for, marac, coordinator):
    page = client_for(coordinator).get("/reports/").content.decode()
    day_box = re.search(r'<input type="date" name="on"[^>]*>', page)
    assert day_box, "no day box"
    assert f'value="{timezone.localdate().isoformat()}"' in day_box.group(0)
