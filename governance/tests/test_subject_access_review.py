"""The subject access draft, downloaded through the person page and read back with python-docx: every name and
contact detail of a third party redacted, nothing of the subject's own over-redacted, nothing that reveals the
victim's support in anyone else's draft, and everything held about the subject given their role."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import CaseParty, PartyRole
from governance.subject_access import (
    FREE_TEXT_WARNING,
    REDACTED,
    REDACTED_STAFF,
    ThirdParty,
    other_names_of,
    redactor,
)
from marac.models import AgencyType
from meetings.models import (
    ChildResearch,
    ChildStatus,
    Listing,
    Meeting,
    ProcessLink,
    ProcessLinkKind,
    Research,
    VictimVoice,
)
from people.models import Address, PersonLink
from referrals.models import ContactAttempt, IdvaAllocation, MatchDecision, Referral
from testing.documents import word_texts
from testing.factories import AgencyFactory, CaseFactory, PersonFactory

# --- The redaction rule ---------------------------------------------------------------------------------------------


def test_it_redacts_every_other_name_a_third_party_is_known_by():
    redact = redactor([ThirdParty(tuple(other_names_of("Mira Hollis, Mimi; known as M. Quell")))])
    text = redact("He has been asking for Mira Hollis. Mimi was seen; so was Hollis. M. Quell moved.")
    assert text == f"He has been asking for {REDACTED}. {REDACTED} was seen; so was {REDACTED}. {REDACTED} moved."


def test_it_redacts_phone_numbers_and_email_addresses_but_the_subjects_own():
    own = ThirdParty(("Alexa",), contacts=("Call 07700 900111 after 6pm, or alexa@example.invalid",))
    redact = redactor([], subject=own)
    text = redact(
        "Her mobile is 07700 900456 (+44 7700 900457, 07700-900458), mira.h@example.invalid; "
        "ring 07700900111 or alexa@example.invalid. Born 01/07/2015; 12 months."
    )
    assert text == (
        f"Her mobile is {REDACTED} ({REDACTED}, {REDACTED}), {REDACTED}; "
        "ring 07700900111 or alexa@example.invalid. Born 01/07/2015; 12 months."
    )


def test_it_redacts_staff_names_as_whole_words_full_names_first():
    redact = redactor([], ["Pat Police-Rep"])
    text = redact("Pat Police-Rep did the pat-down search; Pat to call. A pat on the back. Pat-down.")
    assert text == (f"{REDACTED_STAFF} did the pat-down search; {REDACTED_STAFF} to call. A pat on the back. Pat-down.")


def test_it_never_redacts_what_is_the_subjects_own():
    child = ThirdParty(("Tiddy Imaginary", "Tiddy", "Imaginary"), (), ("9 Refuge Way", "ZZ1 9ZZ"))
    subject = ThirdParty(("Alexa Imaginary", "Alexa", "Imaginary"), (), ("9 Refuge Way", "ZZ1 9ZZ"))
    redact = redactor([child], subject=subject)
    assert redact("Alexa Imaginary and Tiddy live at 9 Refuge Way, ZZ1 9ZZ.") == (
        f"Alexa Imaginary and {REDACTED} live at 9 Refuge Way, ZZ1 9ZZ."
    )


# --- The draft, downloaded ------------------------------------------------------------------------------------------


@pytest.fixture
def family(marac, coordinator, police_rep, idva):
    """A victim who now uses a new name, with her child at her address; the perpetrator, asking after her new name;
    an IDVA service's and children's social care's research, her voice and the child's, links to other processes,
    her IDVA allocation; an earlier case held under another record of her, confirmed the same person."""
    idva.agency.agency_type = AgencyType.IDVA_SERVICE
    idva.agency.save()
    victim = PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary")
    Address.objects.create(person=victim, line_1="9 Refuge Way", town="Quellhaven", postcode="ZZ1 9ZZ")
    perpetrator = PersonFactory(marac=marac, given_name="Brutus", family_name="Fakename")
    Address.objects.create(person=perpetrator, line_1="4 Menace Street", postcode="ZZ4 4ZZ")
    child = PersonFactory(marac=marac, given_name="Tiddy", family_name="Fakename", date_of_birth=date(2019, 1, 1))
    Address.objects.create(person=child, line_1="9 Refuge Way", town="Quellhaven", postcode="ZZ1 9ZZ")
    case = CaseFactory(marac=marac, victim=victim, reference="SAR-NOW")
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    referral = Referral.objects.create(
        marac=marac,
        referrer=police_rep,
        referring_agency=police_rep.agency,
        status="accepted",
        case=case,
        content={
            "victim": {
                "given_name": "Alexa",
                "family_name": "Imaginary",
                "other_names": "Mira Hollis",
                "safe_contact": "Her mobile is 07700 900456, texts only",
            },
            "children": [{"given_name": "Tiddy", "family_name": "Fakename"}],
            "perpetrators": [{"given_name": "Brutus", "family_name": "Fakename"}],
        },
    )
    for party, person in (("children.0", child), ("perpetrators.0", perpetrator)):
        MatchDecision.objects.create(
            referral=referral, party=party, person=person, decision="confirmed", decided_by=coordinator
        )
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    listing = Listing.objects.create(meeting=meeting, case=case, risks_minute="Seen at 9 Refuge Way, Quellhaven.")
    Research.objects.create(
        listing=listing,
        agency=police_rep.agency,
        author=police_rep,
        about_victim="Alexa lives at 9 Refuge Way, ZZ1 9ZZ, with Tiddy.",
        about_perpetrator="Brutus has been asking for Mira Hollis. Her mobile is 07700 900456. The pat-down search "
        "found nothing.",
    )
    Research.objects.create(
        listing=listing,
        agency=idva.agency,
        author=idva,
        about_victim="She says she is frightened.",
        about_perpetrator="She told her advocate he follows her to work.",
    )
    social_care = AgencyFactory(name="Northbrook Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    social_care_research = Research.objects.create(
        listing=listing,
        agency=social_care,
        author=police_rep,
        about_children="Tiddy is doing well.",
        proceedings="Care proceedings are not planned.",
        upcoming_conferences="Review conference on 3 April.",
        plan_support="Play therapy weekly.",
        contact_arrangements="Supervised contact at a contact centre.",
        non_abusing_parent_support="Freedom programme offered to the mother.",
        abusing_parent_work="Referred to a perpetrator programme.",
    )
    ChildResearch.objects.create(
        research=social_care_research, child=child, status=ChildStatus.CHILD_IN_NEED, notes="Attends every session."
    )
    VictimVoice.objects.create(
        listing=listing, victim_views="I want to stay where I am.", child_voice="Tiddy likes school.", recorded_by=idva
    )
    ProcessLink.objects.create(listing=listing, kind=ProcessLinkKind.CLARES_LAW, note="Disclosure made to her.")
    ProcessLink.objects.create(listing=listing, kind=ProcessLinkKind.MAPPA, note="Managed at level 2.")
    allocation = IdvaAllocation.objects.create(
        case=case, due_by=timezone.now(), idva=idva, allocated_at=datetime(2026, 2, 20, 9, tzinfo=UTC)
    )
    ContactAttempt.objects.create(
        allocation=allocation,
        attempted_at=datetime(2026, 2, 21, 9, tzinfo=UTC),
        method="phone",
        succeeded=False,
        note="No answer; voicemail not safe.",
        by=idva,
    )
    for person in (victim, perpetrator):
        audit_record(action=AuditAction.VIEW, obj=person, user=idva, summary="Viewed the person record")
        audit_record(action=AuditAction.VIEW, obj=person, user=police_rep, summary="Viewed the person record")
    return case


def _draft(client_for, coordinator, person) -> str:
    response = client_for(coordinator).get(f"/governance/people/{person.pk}/subject-access.docx")
    assert response.status_code == 200
    return "\n".join(word_texts(response.content))


def _person(case, role):
    return case.parties.get(role=role).person


def test_a_perpetrators_draft_redacts_the_victims_new_name_and_phone_number(client_for, coordinator, family):
    text = _draft(client_for, coordinator, _person(family, PartyRole.PERPETRATOR))
    assert "has been asking for" in text
    for secret in ("Mira", "Hollis", "07700 900456", "Alexa", "Refuge Way"):
        assert secret not in text, secret
    assert FREE_TEXT_WARNING in text
    assert "other names and aliases" in FREE_TEXT_WARNING and "phone number and email" in FREE_TEXT_WARNING
    assert "You must still check" in FREE_TEXT_WARNING


def test_a_victims_draft_keeps_her_own_address_and_phone_number(client_for, coordinator, family):
    text = _draft(client_for, coordinator, family.victim)
    assert "Seen at 9 Refuge Way, Quellhaven." in text  # the child's record holds it too: still hers
    assert "lives at 9 Refuge Way, ZZ1 9ZZ, with [redacted: third party]" in text
    assert "Her mobile is 07700 900456, texts only" in text


def test_a_perpetrators_draft_redacts_the_town_she_moved_to_though_he_lives_there(client_for, coordinator, family):
    perpetrator = _person(family, PartyRole.PERPETRATOR)
    Address.objects.create(person=perpetrator, line_1="1 Other Row", town="Quellhaven", lived_from=date(2026, 1, 1))
    research = Research.objects.get(agency__name="Northbrook Constabulary")
    research.about_perpetrator = "She has moved to Quellhaven."
    research.save()
    text = _draft(client_for, coordinator, perpetrator)
    assert "She has moved to [redacted: third party]." in text


def test_a_staff_name_is_not_redacted_inside_other_words(client_for, coordinator, family):
    text = _draft(client_for, coordinator, _person(family, PartyRole.PERPETRATOR))
    assert "The pat-down search found nothing." in text
    assert "Pat Police-Rep" not in text


def test_a_perpetrators_draft_says_nothing_of_the_victims_support(client_for, coordinator, family):
    # The warning to the reviewer names the rule, never this case: read what follows it.
    text = _draft(client_for, coordinator, _person(family, PartyRole.PERPETRATOR)).replace(FREE_TEXT_WARNING, "")
    for support in ("told her advocate", "IDVA", "Ivy", "I want to stay", "Disclosure made", "Clare's Law"):
        assert support not in text, support
    assert "Agency representative" in text  # the police's view of his record is there


def test_a_victims_draft_has_her_idva_research_and_views(client_for, coordinator, family):
    text = _draft(client_for, coordinator, family.victim)
    assert "She says she is frightened." in text and "Northbrook IDVA Service" in text
    assert "IDVA" in text.split("Who has seen or changed your record")[1]


def test_a_victims_draft_has_everything_held_about_her(client_for, coordinator, family):
    text = _draft(client_for, coordinator, family.victim)
    for own in (
        "I want to stay where I am.",
        "Freedom programme offered to the mother.",
        "Care proceedings are not planned.",
        "Supervised contact at a contact centre.",
        "Disclosure made to her.",
        "your IDVA and attempts to contact you",
        "20 February 2026",
        "No answer; voicemail not safe.",
    ):
        assert own in text, own
    for others in ("likes school", "Play therapy", "perpetrator programme", "Managed at level 2", "Ivy Advocate"):
        assert others not in text, others


def test_a_perpetrators_draft_has_what_is_held_about_him_and_no_more(client_for, coordinator, family):
    text = _draft(client_for, coordinator, _person(family, PartyRole.PERPETRATOR))
    assert "Referred to a perpetrator programme." in text and "Managed at level 2." in text
    for others in ("Freedom programme", "contact centre", "Care proceedings", "likes school", "voicemail"):
        assert others not in text, others


def test_a_childs_draft_has_the_childs_voice_status_and_plan(client_for, coordinator, family):
    text = _draft(client_for, coordinator, _person(family, PartyRole.CHILD))
    for own in ("likes school", "Child in need", "Attends every session.", "Play therapy weekly.", "3 April"):
        assert own in text, own
    for others in ("I want to stay", "Freedom programme", "perpetrator programme", "frightened", "voicemail"):
        assert others not in text, others


def test_who_has_seen_gives_role_labels_not_codes(client_for, coordinator, family):
    text = _draft(client_for, coordinator, family.victim)
    assert "Agency representative" in text and "agency_representative" not in text


def test_it_includes_cases_held_under_a_record_confirmed_as_the_same_person(
    client_for, marac, coordinator, police_rep, family
):
    earlier = PersonFactory(marac=marac, given_name="Alexa", family_name="Oldrecord")
    CaseFactory(marac=marac, victim=earlier, reference="SAR-EARLIER")
    first, second = sorted((earlier, family.victim), key=lambda person: person.pk)
    PersonLink.objects.create(
        marac=marac,
        person_a=first,
        person_b=second,
        decision=PersonLink.Decision.CONFIRMED,
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    text = _draft(client_for, coordinator, family.victim)
    assert "SAR-EARLIER" in text and "confirmed is the same person" in text
    assert "Alexa Oldrecord" in text  # her own other record's name, not redacted as a third party's


def test_a_perpetrators_draft_never_names_her_support_even_by_type(client_for, coordinator, idva, family):
    """An action about him owned by her IDVA service is his data, but "IDVA service" beside it says she has one."""
    Action.objects.create(
        listing=family.listings.get(),
        case=family,
        owner_agency=idva.agency,
        description="Tell the advocate when his bail conditions change.",
        for_whom=ForWhom.PERPETRATOR,
        due_on=date(2026, 3, 16),
        created_by=coordinator,
    )
    text = _draft(client_for, coordinator, _person(family, PartyRole.PERPETRATOR)).replace(FREE_TEXT_WARNING, "")
    actions = text.split("actions agreed")[1]
    assert "when his bail conditions change." in actions
    assert "Another agency" in actions
    assert "IDVA" not in text and "Specialist" not in actions
