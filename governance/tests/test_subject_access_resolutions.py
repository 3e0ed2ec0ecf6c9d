"""What was decided about an action an agency could not complete (closed as not completed, passed on, reopened) is
part of the action: a subject access draft gives it wherever it gives the action, its reason redacted as the
action's own words are. All people, places and agencies are made up; the postcodes use the letter Q, which no UK
postcode area starts with."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from actions import tracking
from actions.models import Action, ForWhom
from cases.models import CaseParty, PartyRole
from governance.subject_access import REDACTED, REDACTED_STAFF
from governance.tests.test_subject_access import _section_of
from marac.models import AgencyType, MaracAgency
from meetings.models import Listing, Meeting
from people.models import Address
from testing.factories import AgencyFactory, CaseFactory, PersonFactory

ACTIONS_HEADER = ["Agency", "Action", "For whom", "Due", "Status", "What was decided"]


def _action(listing, agency, description, for_whom, by):
    return Action.objects.create(
        listing=listing,
        case=listing.case,
        owner_agency=agency,
        description=description,
        for_whom=for_whom,
        due_on=date(2026, 4, 1),
        created_by=by,
    )


def _cannot_complete(action, by):
    return tracking.action_cannot_complete(
        action=action, reason="We could not reach anyone", based_on_version=action.version, by=by
    )


@pytest.fixture
def resolved(marac, police_rep, chair):
    """A victim, the perpetrator and their child, each with an action the police could not complete and the chair
    then resolved; every reason names the others and where the victim and child live. The chair wrote none of the
    actions, so the chair is known as staff only through the resolutions."""
    victim = PersonFactory(marac=marac, given_name="Marisol", family_name="Quibbleton")
    Address.objects.create(person=victim, line_1="5 Thistledown Row", town="Quenbury", postcode="QB4 4BQ")
    perpetrator = PersonFactory(marac=marac, given_name="Grimwald", family_name="Snark")
    child = PersonFactory(marac=marac, given_name="Pip", family_name="Snark", date_of_birth=date(2020, 6, 1))
    case = CaseFactory(marac=marac, victim=victim)
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    listing = Listing.objects.create(meeting=meeting, case=case)
    refuge = AgencyFactory(name="Quenbury Sanctuary Refuge", agency_type=AgencyType.SPECIALIST)
    MaracAgency.objects.create(marac=marac, agency=refuge)
    police = police_rep.agency

    for_victim = _cannot_complete(
        _action(listing, police, "Panic alarm for the victim", ForWhom.VICTIM, police_rep), police_rep
    )
    tracking.action_close_not_completed(
        action=for_victim,
        reason="Grimwald Snark had moved in next door at 5 Thistledown Row, Quenbury; Chad Chairington asked police.",
        referred_to_vawg=True,
        based_on_version=for_victim.version,
        by=chair,
    )
    for_him = _cannot_complete(_action(listing, police, "Warn him off", ForWhom.PERPETRATOR, police_rep), police_rep)
    tracking.action_reassign(
        action=for_him,
        owner_agency=refuge,
        due_on=date(2026, 5, 4),
        reason="He keeps going to Quenbury (QB4 4BQ) to find Marisol Quibbleton; passed on.",
        referred_to_vawg=False,
        based_on_version=for_him.version,
        by=chair,
    )
    for_pip = _cannot_complete(_action(listing, police, "School safety plan", ForWhom.CHILDREN, police_rep), police_rep)
    tracking.action_close_not_completed(
        action=for_pip,
        reason="Pip's new school in Quenbury could not be told while Marisol's move was pending.",
        referred_to_vawg=False,
        based_on_version=for_pip.version,
        by=chair,
    )
    return case


def _actions_rows(client_for, coordinator, case, person):
    response = client_for(coordinator).get(f"/governance/people/{person.pk}/subject-access.docx")
    assert response.status_code == 200
    section = _section_of(response.content, f"Case {case.reference}: actions agreed")
    assert section is not None
    _, rows = section
    assert rows[0] == ACTIONS_HEADER
    return rows[1:]


def _today() -> str:
    today = timezone.localdate()
    return f"{today.day} {today:%B %Y}"


def test_a_victims_draft_gives_the_reason_her_action_was_closed_as_not_completed(
    client_for, coordinator, chair, resolved
):
    rows = _actions_rows(client_for, coordinator, resolved, resolved.victim)

    assert rows == [
        [
            "Northbrook Constabulary",
            "Panic alarm for the victim",
            "Victim",
            "1 April 2026",
            "Not completed",
            f"Closed as not completed, {_today()}. Referred to the VAWG sub group. Reason: {REDACTED} had moved in "
            f"next door at 5 Thistledown Row, Quenbury; {REDACTED_STAFF} asked police.",
        ]
    ]  # her own address stays in her own draft; the perpetrator and the chair do not appear


def test_a_perpetrators_draft_gives_his_actions_resolution_redacted_and_never_the_victims(
    client_for, coordinator, resolved
):
    perpetrator = resolved.parties.get(role=PartyRole.PERPETRATOR).person

    rows = _actions_rows(client_for, coordinator, resolved, perpetrator)

    assert rows == [
        [
            "Another agency",  # by type outside a victim's request, but her own support not even by that
            "Warn him off",
            "Perpetrator",
            "4 May 2026",
            "Open",
            f"Passed to another agency, {_today()}: from Police to Another agency, due "
            f"4 May 2026. Reason: He keeps going to {REDACTED} ({REDACTED}) to find {REDACTED}; passed on.",
        ]
    ]
    text = "\n".join(cell for row in rows for cell in row)
    for never in ("Thistledown", "Quenbury", "Marisol", "moved in next door", "Sanctuary", "Chad"):
        assert never not in text, never


def test_a_childs_draft_gives_the_childrens_actions_resolution_with_places_redacted(client_for, coordinator, resolved):
    child = resolved.parties.get(role=PartyRole.CHILD).person

    rows = _actions_rows(client_for, coordinator, resolved, child)

    assert [row[1] for row in rows] == ["School safety plan"]
    assert rows[0][5] == (
        f"Closed as not completed, {_today()}. Reason: Pip's new school in {REDACTED} could not be told while "
        f"{REDACTED}'s move was pending."
    )


def test_an_action_without_a_resolution_has_nothing_decided(client_for, coordinator, marac, police_rep, resolved):
    _action(resolved.listings.get(), police_rep.agency, "Flag the file", ForWhom.VICTIM, police_rep)
    rows = _actions_rows(client_for, coordinator, resolved, resolved.victim)
    assert [row[1] for row in rows if row[5] == ""] == ["Flag the file"]


def test_an_imported_action_closed_as_not_completed_shows_the_files_reason_and_day(client_for, marac, coordinator):
    from cases.models import Case
    from imports.services import import_run_create, import_run_execute
    from imports.tests.conftest import action_row, case_row, xlsx_of

    police = AgencyFactory(name="Northbrook Police Service", agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)
    content = xlsx_of(
        [case_row("IMP-NC", victim_given_name="Importia", perpetrator_given_name="Imaginario")],
        [
            action_row(
                "IMP-NC",
                action="Fit a door alarm",
                status="not completed",
                completed_on="02/05/2024",
                not_completed_reason="Imaginario Madeup-IMP-NC refused the landlord access",
            )
        ],
    )
    run = import_run_create(
        marac=marac, by=coordinator, file_name="log.xlsx", cases=content, actions=None, check_only=False
    )
    assert import_run_execute(run_id=run.pk).status == "done"
    case = Case.objects.get(reference="IMP-NC")

    rows = _actions_rows(client_for, coordinator, case, case.victim)

    assert rows == [
        [
            "Northbrook Police Service",
            "Fit a door alarm",
            "Victim",
            "18 April 2024",
            "Not completed",
            f"Closed as not completed, 2 May 2024. Reason: {REDACTED} refused the landlord access",
        ]
    ]
