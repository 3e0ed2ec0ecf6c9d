"""Found in the review of imports (/tmp/review-import): each case rebuilt as a real file written with openpyxl (or
csv) and run through the upload page or the import service, as a coordinator runs it."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.models import Case, CaseParty, PartyRole
from imports.columns import ACTION_COLUMNS, CASE_COLUMNS
from imports.models import ImportRun, RunStatus
from imports.services import _RunProgress
from imports.template import template_workbook
from imports.tests.conftest import action_row, case_row, csv_of, xlsx_of
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus
from people.models import Address
from referrals.models import IdvaAllocation
from testing.factories import CaseFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LONDON = ZoneInfo("Europe/London")


def _upload(client, content, name="history.xlsx", **data):
    response = client.post("/imports/", {"cases_file": SimpleUploadedFile(name, content, XLSX), **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def _messages(run) -> list[str]:
    return [problem[4] for problem in run.problems]


def _workbook(headings: list[str], rows: list[list[object]], *, prepare=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cases"
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if prepare is not None:
        prepare(sheet)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _case_cells(row: dict[str, str]) -> list[object]:
    return [row.get(column.key, "") for column in CASE_COLUMNS]


CASE_HEADINGS = [column.heading for column in CASE_COLUMNS]


# --- 1. never a case added to a meeting OpenMARAC ran ----------------------------------------------------------------


def _meeting_run_here(marac, day: int = 17) -> Meeting:
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime(2026, 11, day, 10, tzinfo=LONDON))
    MeetingState.objects.create(meeting=meeting, status=MeetingStatus.CLOSED)
    Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    return meeting


def test_a_row_heard_on_the_day_of_a_meeting_run_here_is_refused_and_the_meeting_is_untouched(
    client_for, coordinator, marac, agencies
):
    meeting = _meeting_run_here(marac)
    history = xlsx_of([case_row("NOV-1", referred_on="10/11/2026", heard_on="17/11/2026", idva_allocated_on="")])
    run = _upload(client_for(coordinator), history)
    assert run.status == RunStatus.REFUSED
    assert _messages(run) == [
        "OpenMARAC ran the meeting of 17 November 2026: cases heard at meetings run here cannot be imported; leave "
        "the rows of meetings from when you started using OpenMARAC out of the file"
    ]
    assert meeting.listings.count() == 1 and not Case.objects.filter(reference="NOV-1").exists()


def test_a_meeting_open_in_openmarac_with_no_cases_yet_is_not_taken_for_an_imported_one(importing, marac):
    Meeting.objects.create(marac=marac, starts_at=datetime(2026, 11, 17, 10, tzinfo=LONDON))
    run = importing(xlsx_of([case_row("NOV-1", referred_on="10/11/2026", heard_on="17/11/2026", idva_allocated_on="")]))
    assert run.status == RunStatus.REFUSED
    assert "OpenMARAC ran the meeting of 17 November 2026" in _messages(run)[0]


def test_a_second_import_joins_the_meeting_an_earlier_import_made(importing, marac):
    _meeting_run_here(marac, day=10)  # another day: no bearing
    first = case_row("NOV-1", referred_on="01/11/2026", heard_on="17/11/2026", idva_allocated_on="")
    assert importing(xlsx_of([first])).status == RunStatus.DONE
    run = importing(xlsx_of([case_row("NOV-2", referred_on="02/11/2026", heard_on="17/11/2026", idva_allocated_on="")]))
    assert run.status == RunStatus.DONE, run.problems
    assert Listing.objects.get(case__reference="NOV-2").meeting == Listing.objects.get(case__reference="NOV-1").meeting
    assert run.summary["meetings_added"] == 0


# --- 2. common headings, and columns left out said plainly --------------------------------------------------------


def test_common_headings_are_read_as_their_columns(importing):
    renamed = {
        "Victim date of birth": "Victim DOB",
        "Victim postcode": "Postcode",
        "Number of children": "No. of children",
        "DASH score": "DASH",
    }
    headings = [renamed.get(heading, heading) for heading in CASE_HEADINGS]
    run = importing(_workbook(headings, [_case_cells(case_row("AL-1", children="2", dash_score="18"))]))
    assert run.status == RunStatus.DONE, run.problems
    case = Case.objects.get(reference="AL-1")
    assert case.dash_score == 18
    assert case.victim.date_of_birth.isoformat() == "1989-02-14"
    assert Address.objects.get(person=case.victim).postcode == "NB1 2XY"
    assert CaseParty.objects.filter(case=case, role=PartyRole.CHILD).count() == 2
    assert "column 7, headed 'Victim DOB', is read as 'Victim date of birth'" in [w[-1] for w in run.warnings]


def test_a_column_left_out_is_listed_first_on_the_check(client_for, coordinator, agencies):
    headings = [*CASE_HEADINGS, "Risk notes"]
    client = client_for(coordinator)
    run = _upload(client, _workbook(headings, [[*_case_cells(case_row("AL-2")), "Fictional note"]]), check_only="on")
    assert run.status == RunStatus.CHECKED
    page = client.get(f"/imports/{run.pk}/").content.decode()
    panel = page.split('data-testid="ignored-columns"')[1].split("</div>\n</div>")[0]
    assert "1 column of the file will not be imported" in panel
    assert "column 24, headed &#x27;Risk notes&#x27;, is not a column OpenMARAC knows; ignored" in panel
    assert page.index('data-testid="ignored-columns"') < page.index('data-testid="import-summary"')


# --- 3. the template's example row ----------------------------------------------------------------------------------


def test_the_templates_example_rows_are_refused_if_left_in(importing):
    run = importing(template_workbook())
    assert run.status == RunStatus.REFUSED
    example = "is the template's fictional example row (Fictionalia Imaginary): delete it from the file"
    assert [problem[:2] + problem[-1:] for problem in run.problems] == [
        ["Cases", 2, example],
        ["Actions", 2, example],
    ]


# --- 4. dates that cannot be ----------------------------------------------------------------------------------------


def test_dates_before_the_referral_are_refused_naming_both_columns(importing):
    cases = [
        case_row("IMP-1", referred_on="01/03/2022", heard_on="10/03/2022", victim_date_of_birth="01/01/2023"),
        case_row("IMP-2", referred_on="01/03/2022", heard_on="10/03/2022"),
    ]
    for case in cases:
        case["idva_allocated_on"] = "02/03/2022"
    actions = [action_row("IMP-2", due_on="05/01/2021", completed_on="01/01/2021")]
    run = importing(xlsx_of(cases, actions))
    assert run.status == RunStatus.REFUSED
    assert [problem[:3] + problem[4:5] for problem in run.problems] == [
        [
            "Cases",
            2,
            "Victim date of birth",
            "01/01/2023 is after the Referral date (01/03/2022): the victim cannot be born after the case was referred",
        ],
        [
            "Actions",
            2,
            "Due date",
            "05/01/2021 is before the Referral date of case IMP-2 (01/03/2022, row 3 of Cases)",
        ],
        [
            "Actions",
            2,
            "Completed date",
            "01/01/2021 is before the Referral date of case IMP-2 (01/03/2022, row 3 of Cases)",
        ],
    ]


# --- 5. month/day/year, and dates stored as numbers -----------------------------------------------------------------


def test_a_column_of_month_day_year_dates_is_refused_with_its_rows(importing):
    cases = [
        case_row("US-1", referred_on="04/23/2024", heard_on="2024-04-30", idva_allocated_on=""),
        case_row("US-2", referred_on="5/2/2024", heard_on="2024-05-09", idva_allocated_on=""),
    ]
    run = importing(xlsx_of(cases))
    assert run.status == RunStatus.REFUSED
    column = [problem for problem in run.problems if problem[1] == 0]
    assert column == [
        [
            "Cases",
            0,
            "Referral date",
            "",
            "this column's dates look like month/day/year (one has a second number over 12): OpenMARAC reads "
            "day/month/year, so 05/02/2024 would be read as 5 February. Change the column's dates to day/month/year "
            "(or YYYY-MM-DD) and upload the file again. Rows: 2 to 3",
        ]
    ]
    assert (
        "04/23/2024 is not a date: there is no month 23. OpenMARAC reads dates as day/month/year" in _messages(run)[1]
    )
    assert not Case.objects.exists()


def test_an_excel_date_stored_as_a_number_says_how_to_fix_it(importing):
    cells = _case_cells(case_row("SER-1", heard_on="2024-04-11"))
    cells[1] = 45385  # 3 April 2024, in a cell formatted as a number
    run = importing(_workbook(CASE_HEADINGS, [cells]))
    assert _messages(run) == [
        "45385 is an Excel date stored as a number: in Excel, select the column, format its cells as a date "
        "(Format Cells, Date), save and upload the file again"
    ]


# --- 6. formulas with no saved result ---------------------------------------------------------------------------------


def test_a_formula_with_no_saved_result_is_reported_not_read_as_blank(importing):
    def formulas(sheet):
        sheet["B2"] = "=DATE(2024,4,3)"  # Referral date, required
        sheet["R2"] = "=10+5"  # DASH score, optional: read as blank it would be silently lost

    run = importing(_workbook(CASE_HEADINGS, [_case_cells(case_row("FRM-1"))], prepare=formulas))
    assert run.status == RunStatus.REFUSED
    message = (
        "is a formula whose result the file does not hold (the file was not saved by Excel after the formula was "
        "written): open the file in Excel and save it, or copy the column and paste it back as values"
    )
    assert [problem[:3] + problem[4:5] for problem in run.problems] == [
        ["Cases", 2, "Referral date", message],
        ["Cases", 2, "DASH score", message],
    ]


# --- 7. nothing stated that the file never said ----------------------------------------------------------------------


def test_an_imported_case_does_not_say_the_victim_was_not_pregnant_or_when_the_idva_was_declined(importing):
    run = importing(xlsx_of([case_row("SAY-1", idva_engaged="no", idva_allocated_on="")]))
    assert run.status == RunStatus.DONE, run.problems
    case = Case.objects.get(reference="SAY-1")
    assert case.victim_pregnant is None
    # No day for the decline in the file: none is made up (it was the referral date), and the case stays out of the
    # 48-hour figure, as a case engaged on an unknown day does.
    assert not IdvaAllocation.objects.filter(case=case).exists()


# --- 8. messages that say how to put it right -----------------------------------------------------------------------


def test_messages_say_what_is_accepted(importing):
    cases = [case_row("MSG-1", referring_agency="IDVA", victim_disability="Unknown", victim_ethnicity="White British")]
    messages = _messages(importing(xlsx_of(cases)))
    assert messages == [
        "IDVA is not an agency of this MARAC: use one of its agencies' names (Northbrook Advocacy Service; "
        "Northbrook Children's Services; Northbrook Homes; Northbrook Police Service), or the agency's type where "
        "the MARAC has only one of that type, or add the agency under Settings",
        "White British is not one of: Asian, Black, Mixed, White, Other, not known",
        "Unknown is not yes or no: leave the cell blank where it is not known",
    ]


def test_excel_numbers_and_apostrophes_are_read_as_meant(importing):
    cells = _case_cells(case_row("APO-1", referred_on="'03/04/2024"))
    cells[16], cells[17] = 2.0, "16.0"  # Number of children as Excel's float, DASH score as text with a decimal
    run = importing(_workbook(CASE_HEADINGS, [cells]))
    assert run.status == RunStatus.DONE, run.problems
    case = Case.objects.get(reference="APO-1")
    assert case.dash_score == 16 and case.referred_on.isoformat() == "2024-04-03"


def test_merged_heading_cells_say_which_column_has_no_heading(importing):
    run = importing(
        _workbook(CASE_HEADINGS, [_case_cells(case_row("MRG-1"))], prepare=lambda sheet: sheet.merge_cells("B1:C1"))
    )
    assert _messages(run) == [
        "is missing from the heading row",
        "column C has no heading but has values (rows 2): if its heading cell is merged with the one beside it, "
        "unmerge the cells and give each column its own heading",
    ]


def test_headings_below_a_title_say_so(importing):
    def title(sheet):
        sheet.insert_rows(1, 2)
        sheet["A1"] = "Northbrook MARAC case log"

    run = importing(_workbook(CASE_HEADINGS, [_case_cells(case_row("HDR-1"))], prepare=title))
    assert _messages(run) == [
        "The headings are on row 3, not row 1: delete the rows above the headings (a title, for example), so that "
        "the headings are the first row"
    ]


def test_a_tab_separated_file_is_read(importing):
    output = io.StringIO()
    writer = csv.writer(output, delimiter="\t")
    writer.writerow(CASE_HEADINGS)
    writer.writerow(_case_cells(case_row("TAB-1")))
    run = importing(output.getvalue().encode())
    assert run.status == RunStatus.DONE, run.problems


def test_one_mistake_on_many_rows_is_one_problem_with_its_rows(importing):
    cases = [case_row(f"MANY-{number}", referring_agency="Polise") for number in range(1, 41)]
    cases[20]["referring_agency"] = "Police"  # row 22 is right
    run = importing(csv_of(cases))
    assert len(run.problems) == 1
    assert run.problems[0][:2] == ["Cases", 2]
    assert run.problems[0][-1].endswith("(on 39 rows: 2 to 21, 23 to 41)")


# --- 9. what the import did, said -------------------------------------------------------------------------------------


def test_rows_repeated_exactly_are_counted_in_a_warning(importing):
    run = importing(xlsx_of([case_row("DUP-1"), case_row("DUP-1"), case_row("DUP-2")]))
    assert run.status == RunStatus.DONE and run.summary["cases"] == 2
    assert [
        "Cases",
        0,
        "",
        "",
        "1 row repeated an earlier row exactly (the same reference and details) and was taken as that case, not a "
        "second one",
    ] in run.warnings


def test_a_csv_of_new_actions_alone_for_cases_imported_before_is_imported(importing):
    assert importing(csv_of([case_row("ACT-1")])).status == RunStatus.DONE
    actions = csv_of([action_row("ACT-1", action="Safety planning")], ACTION_COLUMNS)
    run = importing(csv_of([]), actions)
    assert run.status == RunStatus.DONE, run.problems
    assert run.summary["actions"] == 1


def test_the_page_says_how_many_rows_are_read_while_reading(client_for, coordinator, marac, agencies):
    run = ImportRun.objects.create(marac=marac, started_by=coordinator, file_name="big.csv", status="reading")
    _RunProgress(run, lambda phase, done, total: None).reading(4000)
    page = client_for(coordinator).get(f"/imports/{run.pk}/").content.decode()
    assert "Reading the file: 4000 rows read so far." in page


def test_every_earlier_import_can_be_reached_from_the_import_page(client_for, coordinator, marac):
    runs = [ImportRun.objects.create(marac=marac, started_by=coordinator, file_name="x.csv") for _ in range(12)]
    client = client_for(coordinator)
    first, second = client.get("/imports/").content.decode(), client.get("/imports/?page=2").content.decode()
    assert "Page 1 of 2 (12 imports)" in first and f"Import {runs[0].pk}<" not in first
    assert f"Import {runs[0].pk}<" in second and f"Import {runs[1].pk}<" in second
