import datetime

import pytest

from audit.models import AuditEvent
from reports import quality_rules, quality_services
from reports.models import FeedbackResponse, PlanScore, Respondent
from reports.quality_selectors import quality_summary
from reports.tests.helpers import HEARD_ON, QUARTER, cases, listing, meeting

START, END = QUARTER.start, QUARTER.end


@pytest.fixture
def plans(marac):
    held = meeting(marac)
    later = meeting(marac, HEARD_ON + datetime.timedelta(days=14))
    return [listing(held, heard).pk for heard in cases(marac, 6)] + [
        listing(later, heard).pk for heard in cases(marac, 6)
    ]


def _review(marac, by, seed=42, size=4):
    return quality_services.review_start(
        marac=marac, period_start=START, period_end=END, sample_size=size, seed=seed, by=by
    )


def test_it_draws_the_same_sample_from_the_same_seed():
    assert quality_rules.sample_plans(range(100), size=5, seed=7) == quality_rules.sample_plans(
        reversed(range(100)), size=5, seed=7
    )
    assert quality_rules.sample_plans(range(100), size=5, seed=7) != quality_rules.sample_plans(
        range(100), size=5, seed=8
    )
    assert quality_rules.sample_plans([3, 1], size=5, seed=7) == [1, 3]


def test_it_samples_plans_heard_in_the_period_reproducibly(coordinator, marac, plans):
    first, again = _review(marac, coordinator), _review(marac, coordinator)
    sampled = [plan.listing_id for plan in first.plans.all()]
    assert len(sampled) == 4
    assert set(sampled) <= set(plans)
    assert sampled == [plan.listing_id for plan in again.plans.all()]
    assert AuditEvent.objects.filter(object_type="reports.actionplanreview", action="create").count() == 2


def _score_all(plan, rating, by):
    ratings = {key: (rating, "A comment naming nobody") for key, _ in quality_rules.ACTION_PLAN_STATEMENTS}
    quality_services.plan_score(plan=plan, ratings=ratings, based_on_version=plan.version, by=by)


def test_it_summarises_the_scores_as_counts_without_comments(coordinator, marac, plans):
    review = _review(marac, coordinator, size=12)
    for index, plan in enumerate(review.plans.all()):
        _score_all(plan, "met" if index < 9 else "not_met", coordinator)
    assert PlanScore.objects.count() == 12 * len(quality_rules.ACTION_PLAN_STATEMENTS)
    summaries = quality_rules.summarise_ratings(PlanScore.objects.values_list("statement", "rating"))
    assert (summaries[0].met, summaries[0].partly, summaries[0].not_met) == (9, 0, 3)
    assert summaries[0].met_percent == 75.0
    sections = quality_summary(marac_id=marac.pk, start=START, end=END, today=END, suppress=True, threshold=5)
    reviews = {line.label: line.value for line in sections[0].lines}
    assert reviews["Action plans reviewed"] == "12"
    assert reviews["Met: " + quality_rules.ACTION_PLAN_STATEMENTS[0][1]] == "75.0%"


def test_it_refuses_a_stale_score(coordinator, marac, plans):
    plan = _review(marac, coordinator).plans.first()
    _score_all(plan, "met", coordinator)
    with pytest.raises(quality_services.StaleRecord):
        _score_all(plan, "partly", coordinator)  # based on the version before the first save


def test_it_keeps_no_link_from_a_victims_feedback_to_a_person():
    relations = [field.name for field in FeedbackResponse._meta.get_fields() if field.is_relation]
    assert relations == ["marac"]


def _feedback(marac, by, respondent, scores, count):
    for _ in range(count):
        quality_services.feedback_record(
            marac=marac,
            received_on=HEARD_ON,
            respondent=respondent,
            scores=scores,
            comment="Only the secret comment text",
            by=by,
        )


def test_it_gives_the_board_counts_and_averages_but_no_free_text(client_for, board_viewer, coordinator, marac):
    _feedback(marac, coordinator, Respondent.AGENCY_REPRESENTATIVE, [4, 5, None], 6)
    _feedback(marac, coordinator, Respondent.VICTIM, [5, 5, 5], 2)
    response = client_for(board_viewer).get("/reports/quality/?period=quarter&on=2026-05-15")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only the secret comment text" not in page
    members, victims = response.context["sections"][1], response.context["sections"][2]
    assert [line.value for line in members.lines] == ["6", "4.0", "5.0", "no data"]
    assert [line.value for line in victims.lines] == ["<6", "suppressed", "suppressed", "suppressed"]


def test_it_lets_a_board_viewer_see_the_summary_but_not_record(client_for, board_viewer):
    client = client_for(board_viewer)
    assert client.get("/reports/quality/").status_code == 200
    assert "Start a board report" not in client.get("/reports/quality/").content.decode()
    for path in ("/reports/quality/reviews/new/", "/reports/quality/feedback/new/victim/", "/reports/quality/audits/"):
        assert client.get(path).status_code == 404
    posted = client.post("/reports/quality/feedback/new/victim/", {"received_on": "2026-05-01"})
    assert posted.status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_it_records_a_victims_feedback_through_the_page(client_for, coordinator):
    response = client_for(coordinator).post(
        "/reports/quality/feedback/new/victim/",
        {"received_on": "2026-05-01", "score_1": "4", "score_2": "", "score_3": "5", "comment": ""},
    )
    assert response.status_code == 302
    saved = FeedbackResponse.objects.get()
    assert (saved.respondent, saved.score_1, saved.score_2, saved.score_3) == ("victim", 4, None, 5)


def test_it_answers_404_to_an_outsider(client_for, outsider, coordinator, marac, plans):
    review = _review(marac, coordinator)
    plan = review.plans.first()
    client = client_for(outsider)
    assert client.get(f"/reports/quality/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/reports/quality/plans/{plan.pk}/score/").status_code == 404
    assert client_for(coordinator).get(f"/reports/quality/reviews/{review.pk}/").status_code == 200


def test_it_refuses_a_stale_edit_of_an_improvement_action(client_for, coordinator, marac):
    plan = quality_services.improvement_plan_create(
        marac=marac, title="Improve attendance", agreed_on=START, by=coordinator
    )
    action = quality_services.improvement_action_add(
        plan=plan, action="Invite housing", owner="Coordinator", due_on=END, by=coordinator
    )
    client = client_for(coordinator)
    fields = {"action": "Invite housing", "owner": "Chair", "due_on": "2026-06-30", "status": "done"}
    assert (
        client.post(f"/reports/quality/improvement/actions/{action.pk}/", {**fields, "version": 1}).status_code == 302
    )
    stale = client.post(f"/reports/quality/improvement/actions/{action.pk}/", {**fields, "version": 1})
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    action.refresh_from_db()
    assert (action.owner, action.status, action.version) == ("Chair", "done", 2)


def test_it_guards_every_quality_route():
    from accounts.permissions import PERMISSIONS_BY_NAME
    from reports.quality_urls import urlpatterns

    for pattern in urlpatterns:
        assert getattr(pattern.callback, "required_permission", None) in PERMISSIONS_BY_NAME, pattern


def test_the_summary_states_the_threshold_the_marac_is_configured_with(client_for, board_viewer, settings):
    settings.OPENMARAC_SUPPRESSION_THRESHOLD = 9
    page = client_for(board_viewer).get("/reports/quality/?period=quarter&on=2026-05-15").content.decode()
    assert 'Counts from 1 to 9 are shown as "&lt;10"' in page
