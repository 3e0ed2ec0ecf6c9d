import io
from datetime import UTC, date, datetime

import pytest
from docx import Document

from accounts.models import Role
from actions.models import Action, ForWhom
from audit.models import AuditEvent
from cases.models import CaseParty, PartyRole
from governance.subject_access import REDACTED, REDACTED_STAFF, ThirdParty, redactor
from meetings.models import Listing, Meeting, MinuteAmendment, Research
from people.models import Address, Alias
from referrals.models import MatchDecision, Referral
from testing.documents import word_texts
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, grant

# --- The redaction rule ---------------------------------------------------------------------------------------------


def test_it_redacts_names_whole_words_whatever_the_case():
    redact = redactor([ThirdParty(("Brutus Fakename", "Brutus", "Fakename"))])
    assert redact("BRUTUS fakename shouted; Brutus left. Brutusville is a town.") == (
        f"{REDACTED} shouted; {REDACTED} left. Brutusville is a town."
    )


def test_it_redacts_dates_of_birth_and_addresses():
    redact = redactor([ThirdParty(("Kiddo",), (date(2015, 7, 1),), ("3 Hidden Lane", "ZZ2 2ZZ"))])
    text = redact("Born 01/07/2015 (1 July 2015), lives at 3 hidden lane, ZZ2 2ZZ.")
    assert text == f"Born {REDACTED} ({REDACTED}), lives at {REDACTED}, {REDACTED}."


def test_it_names_staff_by_agency_only():
    assert redactor([], ["Pat Police-Rep"])("Pat Police-Rep to visit") == f"{REDACTED_STAFF} to visit"


def test_it_leaves_text_alone_without_third_parties():
    assert redactor([])("Nothing to hide") == "Nothing to hide"


# --- The export -----------------------------------------------------------------------------------------------------


@pytest.fixture
def family(marac, police_rep):
    victim = PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary", date_of_birth=date(1988, 2, 29))
    Alias.objects.create(person=victim, given_name="Lexi", family_name="Madeup")
    Address.objects.create(person=victim, line_1="9 Refuge Way", postcode="ZZ1 9ZZ", confidential=True)
    perpetrator = PersonFactory(
        marac=marac, given_name="Brutus", family_name="Fakename", date_of_birth=date(1985, 3, 4)
    )
    Alias.objects.create(person=perpetrator, given_name="Bruno", family_name="Otherly")
    Address.objects.create(person=perpetrator, line_1="4 Menace Street", postcode="ZZ4 4ZZ")
    case = CaseFactory(marac=marac, victim=victim, referred_on=date(2026, 1, 5), heard_on=date(2026, 1, 20))
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime(2026, 1, 20, 10, tzinfo=UTC))
    listing = Listing.objects.create(
        meeting=meeting,
        case=case,
        risks_minute="Bruno (Brutus FAKENAME, born 04/03/1985) was seen at 4 Menace Street. Alexa is in a refuge.",
        decisions_minute="Pat Police-Rep to call Alexa.",
    )
    agency = AgencyFactory(name="Northbrook Housing")
    Research.objects.create(
        listing=listing,
        agency=agency,
        author=police_rep,
        about_victim="Alexa asked for a move away from Fakename.",
        about_perpetrator="Brutus has a tenancy.",
    )
    Action.objects.create(
        listing=listing,
        case=case,
        owner_agency=agency,
        description="Move Alexa away from Brutus",
        for_whom=ForWhom.VICTIM,
        due_on=date(2026, 2, 1),
        created_by=police_rep,
    )
    referral = Referral.objects.create(
        marac=marac,
        referrer=police_rep,
        referring_agency=agency,
        status="accepted",
        content={
            "victim": {"given_name": "Alexa", "family_name": "Imaginary"},
            "perpetrators": [{"given_name": "Brutus", "family_name": "Fakename", "description": "Tall"}],
            "about": {"background": "Brutus Fakename hit her in January."},
        },
        case=case,
    )
    MatchDecision.objects.create(
        referral=referral, party="perpetrators.0", person=perpetrator, decision="confirmed", decided_by=police_rep
    )
    return case


def text_of(content: bytes) -> str:
    return "\n".join(word_texts(content))


def download(client, person_id):
    return client.get(f"/governance/people/{person_id}/subject-access.docx")


def test_it_exports_the_victims_own_data_with_third_parties_redacted(client_for, coordinator, family):
    response = download(client_for(coordinator), family.victim_id)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = text_of(response.content)
    for own in ("Alexa Imaginary", "29 February 1988", "Lexi Madeup", "9 Refuge Way", family.reference, "Victim"):
        assert own in text, own
    assert "asked for a move away from" in text and "Brutus has a tenancy" not in text
    assert "is in a refuge" in text and "Northbrook Housing" in text
    for third_party in ("Brutus", "Fakename", "FAKENAME", "Bruno", "04/03/1985", "Menace Street", "ZZ4 4ZZ"):
        assert third_party not in text, third_party
    assert REDACTED in text
    assert "Pat Police-Rep" not in text


def test_it_exports_the_perpetrators_own_entry(client_for, coordinator, family):
    perpetrator_id = family.parties.get(role=PartyRole.PERPETRATOR).person_id
    text = text_of(download(client_for(coordinator), perpetrator_id).content)
    assert "Brutus Fakename" in text and "Tall" in text and "Brutus has a tenancy" in text
    for third_party in ("Alexa", "Imaginary", "Lexi", "Refuge Way", "29 February 1988"):
        assert third_party not in text, third_party
    assert "hit her in January" not in text  # the victim's narrative is not the perpetrator's data


def test_it_audits_the_export_and_lists_who_saw_the_record(client_for, coordinator, police_rep, family):
    client_for(police_rep).get(f"/people/{family.victim_id}/")
    text = text_of(download(client_for(coordinator), family.victim_id).content)
    assert "Northbrook Constabulary" in text and "Agency representative" in text
    assert "pat@example.invalid" not in text
    export = AuditEvent.objects.get(action="export", object_type="people.person")
    assert export.object_id == str(family.victim_id) and export.actor == coordinator
    assert "Alexa" not in export.summary


def test_it_links_from_the_person_page_for_the_coordinator_only(client_for, coordinator, police_rep, family):
    link = f"/governance/people/{family.victim_id}/subject-access.docx"
    assert link in client_for(coordinator).get(f"/people/{family.victim_id}/").content.decode()
    assert link not in client_for(police_rep).get(f"/people/{family.victim_id}/").content.decode()


def test_it_refuses_others(client_for, police_rep, idva, outsider, family):
    for user in (police_rep, idva, outsider):
        assert download(client_for(user), family.victim_id).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_it_refuses_a_coordinator_elsewhere_who_can_see_the_person_here(client_for, marac, outsider, family):
    grant(outsider, marac, "idva")
    assert download(client_for(outsider), family.victim_id).status_code == 404


def test_it_answers_404_for_a_person_who_does_not_exist(client_for, coordinator, db):
    assert download(client_for(coordinator), 999_999).status_code == 404


# --- Where the data came from: a history import (UK GDPR Article 15(1)(g)) ----------------------------------------


IMPORTED_TITLE = "Where your information came from: the MARAC's earlier records"


@pytest.fixture
def imported_history(marac, coordinator):
    """A history imported by the coordinator from a file whose name carries the victim's name."""
    from imports.models import RunStatus
    from imports.services import import_run_create, import_run_execute
    from imports.tests.conftest import action_row, case_row, xlsx_of
    from marac.models import AgencyType, MaracAgency

    police = AgencyFactory(name="Northbrook Police Service", agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)
    content = xlsx_of(
        [case_row("IMP-1", victim_given_name="Importia", victim_family_name="Fictionalsource")],
        [
            action_row("IMP-1"),
            action_row("IMP-1", action="Visit the victim", due_on="25/04/2024", status="open", completed_on=""),
        ],
    )
    run = import_run_create(
        marac=marac,
        by=coordinator,
        file_name="Importia Fictionalsource case log.xlsx",
        cases=content,
        actions=None,
        check_only=False,
    )
    run = import_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.problems
    return run


def _section_of(content: bytes, title: str) -> tuple[list[str], list[list[str]]] | None:
    """The paragraphs and table rows under one level-1 heading of the real .docx, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(content))
    current, paragraphs, rows, found = "", [], [], False
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            paragraph = Paragraph(element, document)
            if paragraph.style.name == "Heading 1":
                current = paragraph.text
                found = found or current == title
            elif current == title:
                paragraphs.append(paragraph.text)
        elif element.tag.endswith("}tbl") and current == title:
            rows += [[cell.text for cell in row.cells] for row in Table(element, document).rows]
    return (paragraphs, rows) if found else None


def test_it_names_a_history_import_as_the_source_of_the_data_it_brought_in(client_for, coordinator, imported_history):
    from django.utils import timezone

    from cases.models import Case

    case = Case.objects.get(reference="IMP-1")
    response = download(client_for(coordinator), case.victim_id)
    assert response.status_code == 200
    section = _section_of(response.content, IMPORTED_TITLE)
    assert section is not None
    paragraphs, rows = section
    assert any("brought in from the MARAC's earlier records" in text for text in paragraphs)
    finished = f"{timezone.localtime(imported_history.finished_at):%-d %B %Y}"
    source = f"Imported from the MARAC's earlier records on {finished}"
    by = "Northbrook MARAC Team: MARAC coordinator"
    assert rows[0] == ["Record", "What", "Source", "Brought in by (agency and role)"]
    assert rows[1:] == [
        ["Your record", "Your name, date of birth and the other details about you", source, by],
        ["Case IMP-1", "The case, you as its victim, and its hearing on 11 April 2024", source, by],
        ["Case IMP-1", "An action for Northbrook Police Service, due 18 April 2024", source, by],
        ["Case IMP-1", "An action for Northbrook Police Service, due 25 April 2024", source, by],
    ]
    text = text_of(response.content)
    assert "case log.xlsx" not in text and "Fictionalsource case log" not in text  # the file's name is not given
    assert "Cora Ordinator" not in text and coordinator.email not in text  # staff by agency and role only


def test_it_does_not_claim_a_person_the_import_found_already_held(client_for, marac, coordinator, imported_history):
    from cases.models import Case
    from imports.services import import_run_create, import_run_execute
    from imports.tests.conftest import case_row, xlsx_of

    # A second history whose victim is the person the first import made: found, not created, by this import.
    content = xlsx_of([case_row("IMP-2", victim_given_name="Importia", victim_family_name="Fictionalsource")])
    run = import_run_create(marac=marac, by=coordinator, file_name="more.xlsx", cases=content, actions=None,
                            check_only=False)  # fmt: skip
    import_run_execute(run_id=run.pk)
    victim = Case.objects.get(reference="IMP-2").victim
    assert victim.pk == Case.objects.get(reference="IMP-1").victim_id
    _, rows = _section_of(download(client_for(coordinator), victim.pk).content, IMPORTED_TITLE)
    assert [row[0] for row in rows].count("Your record") == 1  # from the first import only
    assert {row[0] for row in rows} == {"Record", "Your record", "Case IMP-1", "Case IMP-2"}


def test_a_person_with_nothing_imported_has_no_such_section(client_for, coordinator, family, imported_history):
    response = download(client_for(coordinator), family.victim_id)
    assert response.status_code == 200
    assert _section_of(response.content, "Your cases") is not None  # the reader finds the sections there are
    assert _section_of(response.content, IMPORTED_TITLE) is None
    assert "Imported from the MARAC's earlier records" not in text_of(response.content)


def test_it_includes_the_minute_as_recorded_before_a_correction(client_for, coordinator, chair, family):
    listing = family.listings.get()
    MinuteAmendment.objects.create(
        listing=listing,
        risks_before="Alexa was seen with Brutus at 4 Menace Street on Friday.",
        risks_after=listing.risks_minute,
        decisions_before=listing.decisions_minute,
        decisions_after=listing.decisions_minute,
        reason="Brutus was not there: the police record was for another night",
        amended_by=chair,
        amended_as=Role.CHAIR,
    )
    text = text_of(download(client_for(coordinator), family.victim_id).content)
    assert "risks discussed, as recorded before that correction" in text
    assert "Alexa was seen with" in text and "on Friday" in text  # the earlier minute, still held
    assert "by the MARAC chair: " in text and "was not there: the police record was for another night" in text
    assert "decisions, as recorded before that correction" not in text  # the decisions did not change
    for third_party in ("Brutus", "Menace Street", chair.full_name):
        assert third_party not in text, third_party


def test_a_perpetrators_request_never_learns_the_victims_safety_planning(client_for, coordinator, police_rep, family):
    listing = family.listings.get()
    Action.objects.create(
        listing=listing,
        case=family,
        owner_agency=police_rep.agency,
        description="Probation to review Brutus's licence conditions",
        for_whom=ForWhom.PERPETRATOR,
        due_on=date(2026, 2, 3),
        created_by=police_rep,
    )
    perpetrator_id = family.parties.get(role=PartyRole.PERPETRATOR).person_id

    text = text_of(download(client_for(coordinator), perpetrator_id).content)

    assert "review Brutus's licence conditions" in text  # what was agreed about him
    assert "Brutus has a tenancy" in text  # research about him
    for safety_planning in ("is in a refuge", "Move ", "to call", "risks discussed"):
        assert safety_planning not in text, safety_planning
    victims = text_of(download(client_for(coordinator), family.victim_id).content)
    assert "away from [redacted: third party]" in victims and "licence conditions" not in victims
