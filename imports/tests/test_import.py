"""Importing real .xlsx and .csv files: what is created, what the boards' figures then count, all or nothing,
and a second import of the same file creating nothing."""

from datetime import date

from actions.models import Action, ActionStatus
from audit.models import AuditEvent
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from imports.models import ImportedRecord, RunStatus
from imports.tests.conftest import action_row, case_row, csv_of, xlsx_of
from meetings.models import Listing, ListingKind, Meeting, MeetingStatus
from people.models import Address, Person
from referrals.models import IdvaAllocation
from reports.cohorts import Scope
from reports.indicators import INDICATORS_BY_KEY
from reports.periods import Period, PeriodKind
from testing.factories import PersonFactory

YEAR_2024 = Period(PeriodKind.YEAR, date(2024, 1, 1), date(2024, 12, 31))


def _history():
    cases = [
        case_row("HX-1"),
        # The same victim and perpetrator again, heard at the next meeting: a repeat.
        case_row(
            "HX-2",
            referred_on="02/05/2024",
            heard_on="09/05/2024",
            repeat="yes",
            idva_allocated_on="04/05/2024",
            victim_family_name="Testcase-HX-1",
            perpetrator_family_name="Madeup-HX-1",
            outcome="review",
        ),
        case_row("HX-3", referring_agency="IDVA service", children="2", idva_allocated_on="07/04/2024"),
        case_row("HX-4", information_only="yes", idva_engaged="", idva_allocated_on="", outcome=""),
    ]
    actions = [
        action_row("HX-1"),
        action_row("HX-1", agency="Northbrook Advocacy Service", action="Feed back to the victim"),
        action_row("HX-2", due_on="20/05/2024", completed_on="19/05/2024"),
        action_row(
            "HX-3",
            agency="Children's social care",
            action="Visit the school",
            for_whom="children",
            completed_on="25/04/2024",
        ),  # done a week late
        action_row("HX-3", action="Arrest enquiry", for_whom="perpetrator", status="open", completed_on=""),
    ]
    return cases, actions


def _figure(marac, key):
    return INDICATORS_BY_KEY[key].compute(Scope((marac.pk,), YEAR_2024))


def test_a_good_workbook_imports_its_cases_and_actions_and_the_figures_count_them(importing, marac, agencies):
    run = importing(xlsx_of(*_history()))

    assert run.status == RunStatus.DONE, run.problems
    assert run.summary["cases"] == 4 and run.summary["actions"] == 5
    assert Case.objects.filter(marac=marac).count() == 4
    assert Action.objects.filter(case__marac=marac).count() == 5
    assert Meeting.objects.filter(marac=marac).count() == 2  # 11 April and 9 May
    assert Listing.objects.filter(case__marac=marac, kind=ListingKind.INFORMATION_ONLY).count() == 1
    first, repeat = Case.objects.get(reference="HX-1"), Case.objects.get(reference="HX-2")
    assert first.victim_id == repeat.victim_id  # the same name and date of birth is the same person
    assert first.status == CaseStatus.CLOSED and repeat.status == CaseStatus.HEARD
    assert Address.objects.get(person=first.victim).postcode_district == "NB1"
    assert _figure(marac, "cases_heard").numerator == 4
    assert (_figure(marac, "repeat_cases").numerator, _figure(marac, "repeat_cases").denominator) == (1, 4)
    assert _figure(marac, "victims_with_children").numerator == 1
    assert _figure(marac, "children_in_households").numerator == 2
    non_police = _figure(marac, "non_police_referrals")
    assert (non_police.numerator, non_police.denominator) == (1, 4)
    idva = _figure(marac, "idva_within_48_hours")  # HX-1 and HX-2 on time, HX-3 a day late, HX-4 unknown
    assert (idva.numerator, idva.denominator) == (2, 3)
    on_time = _figure(marac, "actions_on_time")  # one done late, one still open past its due date
    assert (on_time.numerator, on_time.denominator) == (3, 5)


def test_a_representative_sees_an_imported_meeting_as_held_but_the_figures_do_not_count_it_as_run_here(
    importing, marac, client_for, police_rep
):
    run = importing(xlsx_of(*_history()))
    assert run.status == RunStatus.DONE, run.problems
    meeting = Meeting.objects.filter(marac=marac).earliest("starts_at")  # 11 April 2024
    summary = client_for(police_rep).get(f"/actions/meetings/{meeting.pk}/summary/")
    assert summary.status_code == 200
    assert "HX-1" in summary.content.decode()
    assert meeting.state.case_list_released_at == meeting.starts_at
    assert meeting.state.status == MeetingStatus.SCHEDULED  # not run in OpenMARAC: never "closed"


def test_a_case_from_a_csv_file_opens_like_any_other(importing, marac, client_for, coordinator):
    run = importing(csv_of([case_row("CSV-1")]), csv_of([action_row("CSV-1")], columns=_action_columns()))
    assert run.status == RunStatus.DONE, run.problems
    case = Case.objects.get(reference="CSV-1")
    response = client_for(coordinator).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert "CSV-1" in response.content.decode()


def _action_columns():
    from imports.columns import ACTION_COLUMNS

    return ACTION_COLUMNS


def test_a_file_with_one_bad_row_imports_nothing_and_says_which_row(importing, marac):
    cases, actions = _history()
    cases[2]["victim_date_of_birth"] = "31/02/1980"
    run = importing(xlsx_of(cases, actions))

    assert run.status == RunStatus.REFUSED
    assert run.problems == [["Cases", 4, "Victim date of birth", "31/02/1980", "31/02/1980 is not a date"]]
    assert Case.objects.count() == 0 and Person.objects.count() == 0 and Action.objects.count() == 0
    assert ImportedRecord.objects.count() == 0
    assert run.upload == {}  # the file is not kept


def test_importing_the_same_file_again_creates_nothing_new(importing, marac):
    content = xlsx_of(*_history())
    importing(content)
    counts = (Case.objects.count(), Person.objects.count(), Action.objects.count(), Meeting.objects.count())

    again = importing(content)

    assert again.status == RunStatus.DONE
    assert again.summary["cases"] == 0 and again.summary["actions"] == 0
    assert again.summary["already_imported"] == 9
    assert (Case.objects.count(), Person.objects.count(), Action.objects.count(), Meeting.objects.count()) == counts


def test_a_changed_row_is_left_as_held_with_a_warning_and_new_rows_are_added(importing, marac):
    cases, actions = _history()
    importing(xlsx_of(cases, actions))
    cases[0]["dash_score"] = "20"
    actions[4].update(status="done", completed_on="30/04/2024")
    actions.append(action_row("HX-4", action="Refer to housing", agency="Housing"))

    run = importing(xlsx_of(cases, actions))

    assert run.status == RunStatus.DONE
    assert run.summary["actions"] == 1 and run.summary["changed_and_left"] == 2
    assert [warning[1] for warning in run.warnings] == [2, 6]
    assert Case.objects.get(reference="HX-1").dash_score == 16
    assert Action.objects.filter(status=ActionStatus.OPEN).count() == 1


def test_a_later_file_of_actions_joins_cases_imported_before(importing, marac):
    cases, _ = _history()
    importing(xlsx_of(cases))
    # A workbook of actions only (its Cases sheet has just its headings), as docs/import.md says.
    later = action_row("HX-2", action="Safety planning", due_on="20/05/2024", completed_on="16/05/2024")
    run = importing(xlsx_of([], [later]))
    assert run.status == RunStatus.DONE, run.problems
    assert run.summary["actions"] == 1 and run.summary["cases"] == 0
    run = importing(xlsx_of(cases[1:2], [later, action_row("HX-1")]))
    assert run.status == RunStatus.DONE, run.problems
    assert run.summary["already_imported"] == 2
    action = Action.objects.get(description="Flag and tag the victim's address")
    assert action.listing.case.reference == "HX-1"


def test_it_uses_a_person_already_held_only_on_an_exact_single_match(importing, marac, other_marac):
    held = PersonFactory(
        marac=marac, given_name="Fictionalia", family_name="Testcase-HX-1", date_of_birth=date(1989, 2, 14)
    )
    PersonFactory(marac=other_marac, given_name="Imaginario", family_name="Madeup-HX-1", date_of_birth=date(1985, 9, 1))
    run = importing(xlsx_of([case_row("HX-1")]))
    case = Case.objects.get(reference="HX-1")
    assert case.victim == held
    perpetrator = CaseParty.objects.get(case=case, role=PartyRole.PERPETRATOR).person
    assert perpetrator.marac == marac  # another MARAC's person is never used
    assert run.summary["people_matched"] == 1


def test_it_checks_without_importing_when_asked(importing):
    run = importing(xlsx_of(*_history()), check_only=True)
    assert run.status == RunStatus.CHECKED
    assert run.summary["cases"] == 4 and run.summary["actions"] == 5
    assert Case.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_plainly(importing):
    run = importing(b"PK\x03\x04 not really a workbook")
    assert run.status == RunStatus.REFUSED
    assert run.problems[0][-1] == "The file is not an Excel workbook (.xlsx) that can be opened"


def test_a_declined_idva_is_recorded_as_the_victim_declining_on_the_day_the_file_gives(importing):
    importing(xlsx_of([case_row("HX-1", idva_engaged="no", idva_allocated_on="05/04/2024")]))
    allocation = IdvaAllocation.objects.get(case__reference="HX-1")
    assert allocation.declined_by_victim and allocation.declined_at.date() == date(2024, 4, 5)


def test_the_audit_trail_counts_the_import_without_personal_data(importing, coordinator):
    run = importing(xlsx_of(*_history()))
    summaries = list(
        AuditEvent.objects.filter(object_type="imports.importrun", object_id=str(run.pk)).values_list(
            "summary", "actor_id"
        )
    )
    assert any("cases 4" in summary and "actions 5" in summary for summary, _ in summaries)
    assert {actor for _, actor in summaries} == {coordinator.pk}
    assert not any("Fictionalia" in summary or "HX-1" in summary for summary, _ in summaries)


def test_a_large_file_imports_with_progress_on_the_run(importing, marac):
    rows = [
        case_row(f"BIG-{number:05d}", victim_family_name=f"Bulk{number}", perpetrator_family_name=f"Bulkp{number}")
        for number in range(5000)
    ]
    seen = []

    def watch(phase, done, total):
        if phase == RunStatus.CHECKING and done % 1000 == 0:
            from imports.models import ImportRun

            run = ImportRun.objects.latest("pk")
            seen.append((run.status, run.rows_done, run.rows_total))

    run = importing(csv_of(rows), progress=watch)

    assert run.status == RunStatus.DONE, run.problems[:3]
    assert run.summary["cases"] == 5000 and run.rows_done == run.rows_total == 5000
    # What the run's page shows as it goes: rows checked out of the total, every 1,000 rows.
    assert seen == [("checking", done, 5000) for done in (1000, 2000, 3000, 4000, 5000)]
    assert Case.objects.filter(marac=marac).count() == 5000


def test_a_sheet_longer_than_the_limit_is_refused_whole(importing, monkeypatch):
    from imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS_PER_SHEET", 3)
    run = importing(xlsx_of([case_row(f"LIM-{number}") for number in range(4)]))
    assert run.status == RunStatus.REFUSED
    assert run.problems[0][-1] == "The Cases sheet has more than 3 rows: split it into several files"
    assert Case.objects.count() == 0


def test_a_run_started_twice_imports_once(importing, marac, coordinator):
    from imports.services import import_run_create, import_run_execute

    run = import_run_create(
        marac=marac,
        by=coordinator,
        file_name="h.xlsx",
        cases=xlsx_of([case_row("TW-1")]),
        actions=None,
        check_only=False,
    )
    import_run_execute(run_id=run.pk)
    again = import_run_execute(run_id=run.pk)  # the task delivered a second time
    assert again.status == RunStatus.DONE and Case.objects.count() == 1


def test_a_case_heard_on_a_day_an_emergency_marac_also_met_goes_to_the_imported_ordinary_meeting(
    importing, marac, agencies
):
    # 11 April 2024: an emergency MARAC, run in OpenMARAC for a case of its own, met at 08:00, before the ordinary
    # meeting an earlier import brought in. The file says only the day heard: the case goes to the ordinary meeting,
    # never the emergency one called for another case (nor is it refused because OpenMARAC ran that one).
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from testing.factories import CaseFactory

    assert importing(xlsx_of([case_row("HX-0")], [])).status == RunStatus.DONE
    ordinary = Listing.objects.get(case__reference="HX-0").meeting
    emergency = Meeting.objects.create(
        marac=marac, starts_at=datetime(2024, 4, 11, 8, tzinfo=ZoneInfo("Europe/London")), is_emergency=True
    )
    Listing.objects.create(meeting=emergency, case=CaseFactory(marac=marac))
    run = importing(xlsx_of([case_row("HX-1")], []))
    assert run.status == RunStatus.DONE, run.problems
    listing = Listing.objects.get(case__reference="HX-1")
    assert listing.meeting_id == ordinary.pk != emergency.pk
