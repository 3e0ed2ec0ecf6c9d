"""The conference's rules, without a database (meetings/live_rules.py)."""

import datetime

import pytest

from actions.models import ForWhom
from meetings import live_rules
from meetings.live_rules import RegisterEntry, StandardActionFacts

NINE_THIRTY = datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC)


def test_it_allows_two_observers_and_refuses_a_third():
    assert live_rules.observer_refusal(observers_so_far=0, meeting_started=False) is None
    assert live_rules.observer_refusal(observers_so_far=1, meeting_started=False) is None
    refusal = live_rules.observer_refusal(observers_so_far=2, meeting_started=False)
    assert refusal is not None and "2 observers" in refusal


def test_it_refuses_an_observer_once_the_meeting_has_started():
    refusal = live_rules.observer_refusal(observers_so_far=0, meeting_started=True)
    assert refusal is not None and "before the meeting starts" in refusal


def test_it_names_core_agencies_with_no_one_present_and_no_written_submission():
    core = [(1, "Police"), (2, "Housing"), (3, "Probation"), (4, "Health")]
    register = [
        RegisterEntry(agency_id=1, present=True, written_submission=False),
        RegisterEntry(agency_id=2, present=False, written_submission=True),
        RegisterEntry(agency_id=3, present=False, written_submission=False),  # apologies only
    ]
    missing = live_rules.core_agencies_missing(core_agencies=core, register=register)
    assert missing == ["Probation", "Health"]
    assert "Probation, Health" in live_rules.core_agency_warning(missing)
    assert live_rules.core_agency_warning([]) == ""


def test_it_times_a_case_against_its_slot():
    timer = live_rules.case_timer(started_at=NINE_THIRTY, slot=15, now=NINE_THIRTY + datetime.timedelta(minutes=19))
    assert timer is not None
    assert (timer.minutes_elapsed, timer.slot_minutes, timer.over_by) == (19, 15, 4)


def test_it_is_not_over_time_within_the_slot_and_has_no_timer_before_opening():
    timer = live_rules.case_timer(started_at=NINE_THIRTY, slot=15, now=NINE_THIRTY + datetime.timedelta(minutes=14))
    assert timer is not None and timer.over_by == 0
    assert live_rules.case_timer(started_at=None, slot=15, now=NINE_THIRTY) is None


def test_it_gives_information_only_cases_the_shorter_slot():
    assert live_rules.slot_minutes(information_only=True, minutes_per_case=15, minutes_per_information_case=5) == 5
    assert live_rules.slot_minutes(information_only=False, minutes_per_case=15, minutes_per_information_case=5) == 15


def _facts(**overrides):
    values = {
        "core_agency_ids": [1, 2, 3],
        "police_agency_id": 1,
        "idva_agency_id": 2,
        "referring_agency_id": 9,
        "idva_declined": False,
    }
    return StandardActionFacts(**(values | overrides))


def test_it_plans_the_standard_actions_for_every_case():
    planned, gaps = live_rules.standard_actions(_facts())
    owned = [(action.owner_agency_id, action.description) for action in planned]
    assert owned == [
        (1, live_rules.FLAG_AND_TAG),
        (2, live_rules.FLAG_AND_TAG),
        (3, live_rules.FLAG_AND_TAG),
        (1, live_rules.TREAT_AS_URGENT),
        (2, live_rules.IDVA_REFERRAL),
        (2, live_rules.FEEDBACK_BY_IDVA),
    ]
    assert gaps == []


def test_it_has_the_referrer_feed_back_when_the_victim_declined_the_idva():
    planned, _ = live_rules.standard_actions(_facts(idva_declined=True))
    feedback = [action for action in planned if action.description.startswith("Feed back")]
    assert [(action.owner_agency_id, action.description) for action in feedback] == [
        (9, live_rules.FEEDBACK_BY_REFERRER)
    ]


def test_it_says_which_standard_actions_have_no_owner():
    planned, gaps = live_rules.standard_actions(_facts(core_agency_ids=[], police_agency_id=None, idva_agency_id=None))
    assert planned == []
    assert len(gaps) == 3


def test_it_skips_standard_actions_already_on_the_plan():
    planned, _ = live_rules.standard_actions(_facts())
    existing = {(1, live_rules.FLAG_AND_TAG), (1, live_rules.TREAT_AS_URGENT)}
    missing = live_rules.standard_actions_missing(planned, existing)
    assert len(missing) == len(planned) - 2


def test_it_warns_of_a_plan_with_no_perpetrator_action():
    warnings = live_rules.plan_warnings(for_whom={ForWhom.VICTIM}, children=0)
    assert warnings == ["The plan has no action to address the perpetrator's behaviour."]


def test_it_warns_of_a_plan_with_no_action_for_the_children():
    warnings = live_rules.plan_warnings(for_whom={ForWhom.PERPETRATOR}, children=2)
    assert warnings == ["The case involves 2 children, and the plan has no action for the children."]


def test_it_has_no_warnings_for_a_plan_covering_perpetrator_and_children():
    assert live_rules.plan_warnings(for_whom={ForWhom.PERPETRATOR, ForWhom.CHILDREN}, children=1) == []
    assert live_rules.plan_warnings(for_whom={ForWhom.PERPETRATOR}, children=0) == []


@pytest.mark.django_db
def test_a_written_submission_recorded_as_research_clears_the_core_agency_warning(marac, police_rep):
    import datetime

    from django.utils import timezone

    from marac.models import MaracAgency
    from meetings.live_services import core_agencies_missing
    from meetings.models import Listing, Meeting, Research
    from testing.factories import CaseFactory

    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=1))
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    assert core_agencies_missing(meeting) == [police_rep.agency.name]
    Research.objects.create(listing=listing, agency=police_rep.agency, author=police_rep, is_written_submission=True)
    assert core_agencies_missing(meeting) == []
