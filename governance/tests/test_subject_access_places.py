"""Where the victim and children live must not reach a perpetrator's subject access draft, nor a child's (which a
perpetrator parent may make): towns, postcodes however written, their districts, and the names of local services.
All places and people here are made up; the postcodes use the letter Q, which no UK postcode area starts with."""

from datetime import UTC, date, datetime

import pytest

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import CaseParty, PartyRole
from governance.subject_access import FREE_TEXT_WARNING, REDACTED, ThirdParty, redactor
from marac.models import AgencyType
from meetings.models import Listing, Meeting, Research
from people.models import Address
from referrals.models import MatchDecision, Referral
from testing.documents import word_texts
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, grant

# Every way the victim's and the child's places are held or written: the refuge now, the home before, the address
# the referral gave, the child's school.
PLACES = (
    "Quillmarsh",
    "QM7",
    "2PX",
    "Lanternfold",
    "Fernwhistle",
    "Larkspur",
    "QF3",
    "Pebbleby",
    "Wrenholt",
    "QP5",
)


# --- The redaction rule ---------------------------------------------------------------------------------------------


def test_it_redacts_a_postcode_however_it_is_written_and_its_district_alone():
    redact = redactor([ThirdParty(("Zelphine",), (), ("QM7 2PX",))])
    text = redact("At QM72PX, then qm7 2px, then QM7  2PX, then Qm7\n2px; the QM7 district.")
    assert text == f"At {REDACTED}, then {REDACTED}, then {REDACTED}, then {REDACTED}; the {REDACTED} district."


def test_it_redacts_a_town_and_a_street_without_its_house_number():
    redact = redactor([ThirdParty(("Zelphine",), (), ("12 Larkspur Byway", "Fernwhistle"))])
    assert redact("Seen on Larkspur Byway in FERNWHISTLE.") == f"Seen on {REDACTED} in {REDACTED}."


def test_it_leaves_ordinary_words_and_numbers_alone():
    redact = redactor([ThirdParty(("Zelphine",), (), ("Flat 12, Lanternfold House", "Quillmarsh", "QM7 2PX"))])
    text = redact("QM7 and Quillmarsh go; Quillmarshes, AQM7, QM70 and QM7A stay; 12 months; a flat; the house.")
    assert (
        text == f"{REDACTED} and {REDACTED} go; Quillmarshes, AQM7, QM70 and QM7A stay; 12 months; a flat; the house."
    )


# --- The export, downloaded as the person page offers it ------------------------------------------------------------


@pytest.fixture
def household(marac, coordinator, police_rep):
    """A victim in a refuge with her child, an earlier home, and a referral that gave where she stayed before that;
    the perpetrator, who must learn none of it, and the minutes and research that mention it all."""
    victim = PersonFactory(marac=marac, given_name="Zelphine", family_name="Quarterwhistle")
    Address.objects.create(
        person=victim, line_1="Flat 3, Lanternfold House", town="Quillmarsh", postcode="QM7 2PX", confidential=True
    )
    Address.objects.create(
        person=victim, line_1="12 Larkspur Byway", town="Fernwhistle", postcode="qf39zz", lived_to=date(2026, 1, 1)
    )
    perpetrator = PersonFactory(marac=marac, given_name="Brontus", family_name="Oddleigh")
    Address.objects.create(person=perpetrator, line_1="4 Gristle Row", town="Grimbleford", postcode="QG1 1GG")
    child = PersonFactory(marac=marac, given_name="Tiddy", family_name="Oddleigh", date_of_birth=date(2019, 1, 1))
    Address.objects.create(
        person=child, line_1="Flat 3, Lanternfold House", town="Quillmarsh", postcode="QM7 2PX", confidential=True
    )
    case = CaseFactory(marac=marac, victim=victim)
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    referral = Referral.objects.create(
        marac=marac,
        referrer=police_rep,
        referring_agency=police_rep.agency,
        status="accepted",
        case=case,
        content={
            # Only the referral holds this address: the victim was matched to her earlier record.
            "victim": {
                "given_name": "Zelphine",
                "address_line_1": "7 Wrenholt Close",
                "town": "Pebbleby",
                "postcode": "QP5 5PQ",
            },
            "children": [
                {"given_name": "Tiddy", "family_name": "Oddleigh", "school_or_setting": "Lanternfold Infants"}
            ],
            "perpetrators": [{"given_name": "Brontus", "family_name": "Oddleigh", "address_line_1": "4 Gristle Row"}],
        },
    )
    for party, person in (("children.0", child), ("perpetrators.0", perpetrator)):
        MatchDecision.objects.create(
            referral=referral, party=party, person=person, decision="confirmed", decided_by=coordinator
        )
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    listing = Listing.objects.create(
        meeting=meeting,
        case=case,
        risks_minute="Zelphine has moved to a refuge in Quillmarsh (QM72PX) from Pebbleby; he must not learn this.",
        decisions_minute="Police marker on qm7 2px and on the old home in Larkspur Byway, QF3 9ZZ.",
    )
    # Housing's research, not the refuge's: a refuge's is the victim's own account, in her draft only.
    housing = AgencyFactory(name="Quillmarsh Housing Office", agency_type=AgencyType.HOUSING)
    refuge = AgencyFactory(name="Quillmarsh Women's Refuge", agency_type=AgencyType.SPECIALIST)
    Research.objects.create(
        listing=listing,
        agency=housing,
        author=police_rep,
        about_perpetrator="Brontus has been asking around Quillmarsh and Pebbleby for her; seen in the QM7 area.",
        about_children="Tiddy is settled at Lanternfold House, Quillmarsh, and has started at Lanternfold Infants.",
    )
    refuge_worker = grant(UserFactory(full_name="Rona Refugeworker", agency=refuge), marac, "idva")
    for person in (perpetrator, child):
        audit_record(action=AuditAction.VIEW, obj=person, user=refuge_worker, summary="Viewed the person record")
    return case


def _person(case, role):
    return case.parties.get(role=role).person


def _download(client_for, coordinator, person) -> str:
    response = client_for(coordinator).get(f"/governance/people/{person.pk}/subject-access.docx")
    assert response.status_code == 200
    return "\n".join(word_texts(response.content))


def _places_in(text: str) -> list[str]:
    return [place for place in PLACES if place.lower() in text.lower()]


def test_a_perpetrators_draft_never_says_where_the_victim_lives_or_lived(client_for, coordinator, household):
    text = _download(client_for, coordinator, _person(household, PartyRole.PERPETRATOR))
    assert "has been asking around" in text and REDACTED in text  # his research is there, the places are not
    assert _places_in(text) == []
    assert "4 Gristle Row" in text and "Grimbleford" in text  # his own address is his


def test_a_childs_draft_leaves_the_minutes_out_and_says_why(client_for, coordinator, household):
    text = _download(client_for, coordinator, _person(household, PartyRole.CHILD))
    assert "risks discussed" not in text and "must not learn this" not in text and "Police marker" not in text
    assert "Left out of this draft: the minutes" in text and "a child's request may be made by a parent" in text
    assert "is settled at" in text  # the research about the children is still theirs


def test_a_childs_draft_says_nothing_of_where_the_child_and_victim_live(client_for, coordinator, household):
    text = _download(client_for, coordinator, _person(household, PartyRole.CHILD))
    assert _places_in(text) == []
    assert "Left out of this draft: the addresses and the school or setting held for the child" in text


def test_a_perpetrators_or_childs_draft_gives_agencies_by_type_not_name(client_for, coordinator, household):
    for role in (PartyRole.PERPETRATOR, PartyRole.CHILD):
        text = _download(client_for, coordinator, _person(household, role))
        assert "Housing Office" not in text and "Women's Refuge" not in text, role
        assert "research by Housing" in text, role
        assert "Rona" not in text, role
    victims = _download(client_for, coordinator, household.victim)
    assert "research by Quillmarsh Housing Office" not in victims  # the victim's draft has no research about others
    assert "Northbrook MARAC Team" in victims  # but names who saw her record


def test_a_victims_draft_keeps_her_own_minutes_and_names_agencies(client_for, coordinator, household):
    research = Research.objects.get()
    research.about_victim = "Zelphine is in touch with the refuge."
    research.save()
    text = _download(client_for, coordinator, household.victim)
    assert "has moved to a refuge in" in text and "he must not learn this" in text
    assert "research by Quillmarsh Housing Office" in text
    assert "Flat 3, Lanternfold House, Quillmarsh, QM7 2PX" in text  # her own address, in her own draft


def test_the_draft_warns_that_free_text_may_still_name_places(client_for, coordinator, household):
    text = _download(client_for, coordinator, _person(household, PartyRole.PERPETRATOR))
    assert FREE_TEXT_WARNING in text
    assert "read every passage of free text before this is released" in FREE_TEXT_WARNING


def test_the_download_link_warns_that_the_draft_must_be_read_before_release(client_for, coordinator, household):
    page = client_for(coordinator).get(f"/people/{household.victim_id}/").content.decode()
    assert "free text may still name or point to places" in page
    assert f"/governance/people/{household.victim_id}/subject-access.docx" in page


def test_a_perpetrators_draft_lists_only_his_own_imported_actions_and_no_agency_names(client_for, marac, coordinator):
    from cases.models import Case
    from imports.services import import_run_create, import_run_execute
    from imports.tests.conftest import action_row, case_row, xlsx_of
    from marac.models import MaracAgency

    refuge = AgencyFactory(name="Quillmarsh Women's Refuge", agency_type=AgencyType.SPECIALIST)
    MaracAgency.objects.create(marac=marac, agency=refuge)
    police = AgencyFactory(name="Northbrook Police Service", agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)
    actions = [
        action_row("IMP-9", agency=refuge.name, action="Move the victim to the refuge", for_whom="victim"),
        action_row("IMP-9", agency=refuge.name, action="Offer him the perpetrator programme", for_whom="perpetrator",
                   due_on="20/04/2024"),
    ]  # fmt: skip
    content = xlsx_of([case_row("IMP-9", referring_agency=police.name)], actions)
    run = import_run_create(
        marac=marac, by=coordinator, file_name="log.xlsx", cases=content, actions=None, check_only=False
    )
    run = import_run_execute(run_id=run.pk)
    assert run.status == "done", run.problems
    perpetrator = Case.objects.get(reference="IMP-9").parties.get(role=PartyRole.PERPETRATOR).person

    text = _download(client_for, coordinator, perpetrator)

    assert "An action for Another agency, due 20 April 2024" in text  # not even "refuge": she may be in one
    assert "due 18 April 2024" not in text  # the victim's action, which the actions section leaves out too
    assert "Women's Refuge" not in text
