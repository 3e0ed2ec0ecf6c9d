"""A closure day's date is held to the same plausible range by the service as by the page: from the first MARAC
(1 January 2003) to 3 years ahead. So a script, an import or any other caller cannot record 1800 or 2099, and the
page shows the same message as before. A day already closed is refused by the service too, even when someone
records it between the form's check and the save."""

import datetime
import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from marac import services
from marac.models import ClosureDay
from web.dates import CLOSURE_DAY_YEARS_AHEAD, FIRST_MARAC, years_after

TODAY = datetime.date(2026, 11, 24)
URL = "/settings/closure-days/new/"

# --- The rule: worked examples and property ---------------------------------------------------------------------------


def test_the_rule_names_a_date_too_early_or_too_far_ahead():
    assert services.closure_day_date_error(datetime.date(1800, 1, 2), today=TODAY) == (
        "The closure day must be 1 January 2003 or later"
    )
    assert services.closure_day_date_error(datetime.date(2099, 12, 24), today=TODAY) == (
        "The closure day must be 24 November 2029 or earlier (no more than 3 years ahead)"
    )
    assert services.closure_day_date_error(datetime.date(2029, 11, 24), today=TODAY) is None
    assert services.closure_day_date_error(datetime.date(2025, 12, 26), today=TODAY) is None  # recorded afterwards


@given(day=st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 12, 31)))
def test_a_closure_day_is_refused_exactly_outside_the_plausible_range(day):
    plausible = FIRST_MARAC <= day <= years_after(TODAY, CLOSURE_DAY_YEARS_AHEAD)
    assert (services.closure_day_date_error(day, today=TODAY) is None) == plausible


# --- The service ------------------------------------------------------------------------------------------------------

db = pytest.mark.django_db


@db
@pytest.mark.parametrize("day", [datetime.date(1800, 1, 2), datetime.date(2099, 12, 24)])
def test_the_service_refuses_an_implausible_date_and_saves_nothing(administrator, marac, day):
    expected = services.closure_day_date_error(day, today=timezone.localdate())
    with pytest.raises(services.ClosureDayRefused, match=re.escape(str(expected))):
        services.closure_day_add(closure=ClosureDay(marac=marac, day=day, reason="Typing slip"), by=administrator)
    assert not ClosureDay.objects.exists()
    assert not AuditEvent.objects.filter(object_type="marac.closureday").exists()


@db
def test_the_service_refuses_a_day_already_closed(administrator, marac):
    day = timezone.localdate() + datetime.timedelta(days=30)
    services.closure_day_add(closure=ClosureDay(marac=marac, day=day, reason="Council closure"), by=administrator)
    with pytest.raises(services.ClosureDayRefused, match="This date is already a closure day"):
        services.closure_day_add(closure=ClosureDay(marac=marac, day=day, reason="Twice"), by=administrator)
    assert list(ClosureDay.objects.values_list("reason", flat=True)) == ["Council closure"]


@db
def test_the_service_records_a_plausible_day_with_its_audit_entry(administrator, marac):
    day = timezone.localdate() + datetime.timedelta(days=30)
    closure = services.closure_day_add(closure=ClosureDay(marac=marac, day=day, reason="Council"), by=administrator)
    assert ClosureDay.objects.get().pk == closure.pk
    assert AuditEvent.objects.filter(object_type="marac.closureday", object_id=str(closure.pk)).exists()


# --- The page ---------------------------------------------------------------------------------------------------------


@db
@pytest.mark.parametrize("day", [datetime.date(1800, 1, 2), datetime.date(2099, 12, 24)])
def test_the_page_shows_the_same_message_as_the_service(client_for, administrator, marac, day):
    response = client_for(administrator).post(URL, {"day": day.isoformat(), "reason": "Typing slip"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a closure day" in page
    assert str(services.closure_day_date_error(day, today=timezone.localdate())) in page
    assert not ClosureDay.objects.exists()


@contextmanager
def _closed_after_the_form_checks(marac, day):
    """Someone else records the same day once the form has checked it is free."""
    done = False

    def close_after_check(execute, sql, params, many, context):
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and sql.lstrip().startswith("SELECT") and "marac_closureday" in sql:
            done = True
            ClosureDay.objects.create(marac=marac, day=day, reason="Recorded by a colleague")
        return result

    with connection.execute_wrapper(close_after_check):
        yield
    assert done


@db
def test_a_day_closed_by_someone_else_meanwhile_is_refused_on_the_page(client_for, administrator, marac):
    day = timezone.localdate() + datetime.timedelta(days=30)
    client = client_for(administrator)
    with _closed_after_the_form_checks(marac, day):
        response = client.post(URL, {"day": day.isoformat(), "reason": "Council closure"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This date is already a closure day" in page
    assert list(ClosureDay.objects.values_list("reason", flat=True)) == ["Recorded by a colleague"]


@db
def test_an_outsider_adds_no_closure_day(client_for, outsider, marac):
    day = timezone.localdate() + datetime.timedelta(days=30)
    client_for(outsider).post(URL, {"day": day.isoformat(), "reason": "Council closure"})
    assert not ClosureDay.objects.filter(marac=marac).exists()
