"""A quality form refused because someone else saved the record first comes back with what the user entered, now
based on what is saved, with what is saved shown beside it: saving it again after checking saves it, rather than
failing every time on the version the page was first shown with. Through the real pages, two people at once."""

import re
from html import unescape

import pytest

from reports import quality_rules, quality_services
from reports.models import BoardReport, PlanScore, QualityAudit
from reports.tests.helpers import QUARTER, cases, listing, meeting

pytestmark = pytest.mark.django_db

BASE = "/reports/quality"
CONFLICT = "Someone else changed this record while you were editing it"


def _form_data(page):
    """The values the page's form would send as it stands."""
    html = re.search(r'<form method="post" novalidate>(.*?)</form>', page.content.decode(), re.S).group(1)
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or (re.search(r'type="(checkbox|radio)"', tag) and " checked" not in tag):
            continue
        data.setdefault(name.group(1), []).append(unescape(value.group(1)) if value else "")
    for name, value in re.findall(r'<textarea name="(\w+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = [unescape(value)]
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
    data.pop("csrfmiddlewaretoken", None)
    return data


def _saved_now(page):
    found = re.search(r'data-testid="saved-now">(.*?)</dl>', page.content.decode(), re.S)
    return found.group(1) if found else ""


def _two_edits(client_for, coordinator, chair, path, first, second):
    """The coordinator and the chair open the same form; the chair saves `first`, then the coordinator `second`.
    Returns the coordinator's client and the page the refusal shows."""
    theirs, mine = client_for(chair), client_for(coordinator)
    their_form, my_form = _form_data(theirs.get(path)), _form_data(mine.get(path))
    assert theirs.post(path, {**their_form, **first}).status_code == 302
    return mine, mine.post(path, {**my_form, **second})


def _refused_then_saved(mine, path, refused, kept):
    """The refusal keeps what was typed (`kept`: field name to value) and is based on what is saved now: sending the
    form as it stands saves it."""
    assert refused.status_code == 200 and CONFLICT in refused.content.decode()
    assert {name: _form_data(refused).get(name) for name in kept} == {name: [value] for name, value in kept.items()}
    assert mine.post(path, _form_data(refused)).status_code == 302


def test_an_audit_changed_by_someone_else_is_shown_and_the_edit_saves_the_second_time(
    client_for, marac, coordinator, chair
):
    audit = quality_services.quality_audit_record(
        marac=marac, agencies=[], by=coordinator, kind="single_agency", carried_out_on=QUARTER.start, scope="Ten cases"
    )
    path = f"{BASE}/audits/{audit.pk}/"
    mine, refused = _two_edits(
        client_for,
        coordinator,
        chair,
        path,
        {"findings": "Chair's findings about timeliness"},
        {"recommendations": "Coordinator's recommendation to sample more"},
    )
    assert "Chair&#x27;s findings about timeliness" in _saved_now(refused)
    _refused_then_saved(mine, path, refused, {"recommendations": "Coordinator's recommendation to sample more"})
    audit = QualityAudit.objects.get(pk=audit.pk)
    assert audit.recommendations == "Coordinator's recommendation to sample more"
    assert audit.version == 3


def test_an_improvement_action_changed_by_someone_else_is_shown_and_the_edit_saves_the_second_time(
    client_for, marac, coordinator, chair
):
    plan = quality_services.improvement_plan_create(
        marac=marac, title="Improve attendance", agreed_on=QUARTER.start, by=coordinator
    )
    action = quality_services.improvement_action_add(
        plan=plan, action="Invite housing", owner="Coordinator", due_on=QUARTER.end, by=coordinator
    )
    path = f"{BASE}/improvement/actions/{action.pk}/"
    mine, refused = _two_edits(
        client_for, coordinator, chair, path, {"owner": "Housing lead"}, {"action": "Invite housing and health"}
    )
    assert "Housing lead" in _saved_now(refused)
    _refused_then_saved(mine, path, refused, {"action": "Invite housing and health"})
    action.refresh_from_db()
    assert (action.action, action.version) == ("Invite housing and health", 3)


def test_board_report_commentary_changed_by_someone_else_is_shown_and_saves_the_second_time(
    client_for, marac, coordinator, chair
):
    report = quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )
    path = f"{BASE}/board-reports/{report.pk}/"
    mine, refused = _two_edits(
        client_for,
        coordinator,
        chair,
        path,
        {"overview": "The chair's overview"},
        {"quality_commentary": "Audits are on track."},
    )
    assert "The chair&#x27;s overview" in _saved_now(refused)
    _refused_then_saved(mine, path, refused, {"quality_commentary": "Audits are on track."})
    report = BoardReport.objects.get(pk=report.pk)
    assert (report.quality_commentary, report.version) == ("Audits are on track.", 3)


def test_plan_scores_changed_by_someone_else_are_shown_and_save_the_second_time(client_for, marac, coordinator, chair):
    listing(meeting(marac), cases(marac, 1)[0])
    review = quality_services.review_start(
        marac=marac, period_start=QUARTER.start, period_end=QUARTER.end, sample_size=1, seed=1, by=coordinator
    )
    plan = review.plans.get()
    path = f"{BASE}/plans/{plan.pk}/score/"
    keys = [key for key, _ in quality_rules.ACTION_PLAN_STATEMENTS]
    mine, refused = _two_edits(
        client_for,
        coordinator,
        chair,
        path,
        {f"rating_{key}": "met" for key in keys} | {f"comment_{keys[0]}": "The chair's comment"},
        {f"rating_{key}": "partly" for key in keys},
    )
    assert "The chair&#x27;s comment" in _saved_now(refused)
    _refused_then_saved(mine, path, refused, {f"rating_{key}": "partly" for key in keys})
    assert set(PlanScore.objects.filter(plan=plan).values_list("rating", flat=True)) == {"partly"}
