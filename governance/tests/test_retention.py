from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import Action, ForWhom
from audit.models import AuditEvent
from cases.models import Case, CaseParty, LegalHold, PartyRole
from governance.models import DisclosureRequest
from governance.retention import (
    CaseFacts,
    RetentionOutcome,
    RetentionPolicy,
    decide_retention,
    year_only_birth_date,
    years_after,
)
from governance.retention_services import retention_apply, retention_report
from governance.tasks import apply_retention_all
from meetings.models import Listing, Meeting, Outcome, Research
from people.models import Address, Alias, NationalPossibleMatch, Person
from referrals.models import Referral
from referrals.risk import age_on
from testing.factories import AgencyFactory, CaseFactory, MaracFactory, PersonFactory

ANONYMISE_6 = RetentionPolicy(years=6, action="anonymise")
TODAY = date(2027, 1, 15)


def facts(**overrides):
    values = {"case_id": 1, "referred_on": date(2019, 1, 10), "last_hearing": None, "has_active_hold": False}
    return CaseFacts(**{**values, **overrides})


# --- The rule -------------------------------------------------------------------------------------------------------


def test_it_counts_from_the_referral_for_a_case_never_heard():
    decision = decide_retention(facts(referred_on=date(2020, 3, 1)), today=date(2026, 2, 28), policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.KEEP
    assert decision.reason == "Kept until 1 March 2026: never heard; referred on 1 March 2020, kept for 6 years."
    later = decide_retention(facts(referred_on=date(2020, 3, 1)), today=date(2026, 3, 1), policy=ANONYMISE_6)
    assert later.outcome == RetentionOutcome.ANONYMISE


def test_it_counts_from_the_last_hearing():
    heard = facts(referred_on=date(2010, 1, 1), last_hearing=date(2021, 6, 30))
    assert decide_retention(heard, today=date(2027, 6, 29), policy=ANONYMISE_6).outcome == RetentionOutcome.KEEP
    decision = decide_retention(heard, today=date(2027, 6, 30), policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.ANONYMISE
    assert decision.reason == "Anonymise: last heard on 30 June 2021, more than 6 years ago."


def test_it_moves_a_29_february_hearing_to_1_march_in_a_common_year():
    assert years_after(date(2020, 2, 29), 6) == date(2026, 3, 1)
    assert years_after(date(2020, 2, 29), 4) == date(2024, 2, 29)
    heard = facts(last_hearing=date(2020, 2, 29))
    assert decide_retention(heard, today=date(2026, 2, 28), policy=ANONYMISE_6).outcome == RetentionOutcome.KEEP
    assert decide_retention(heard, today=date(2026, 3, 1), policy=ANONYMISE_6).outcome == RetentionOutcome.ANONYMISE
    four = RetentionPolicy(years=4, action="delete")
    assert decide_retention(heard, today=date(2024, 2, 28), policy=four).outcome == RetentionOutcome.KEEP
    assert decide_retention(heard, today=date(2024, 2, 29), policy=four).outcome == RetentionOutcome.DELETE


def test_it_never_touches_a_case_under_legal_hold():
    decision = decide_retention(facts(has_active_hold=True), today=TODAY, policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.HELD
    assert decision.reason.startswith("Kept: a legal hold is in place")


def test_it_anonymises_rather_than_deletes_a_case_in_the_disclosure_register():
    delete = RetentionPolicy(years=6, action="delete")
    assert decide_retention(facts(), today=TODAY, policy=delete).outcome == RetentionOutcome.DELETE
    decision = decide_retention(facts(in_disclosure_register=True), today=TODAY, policy=delete)
    assert decision.outcome == RetentionOutcome.ANONYMISE
    assert "a disclosure request refers to it" in decision.reason


def test_it_does_not_anonymise_twice():
    decision = decide_retention(facts(already_anonymised=True), today=TODAY, policy=ANONYMISE_6)
    assert decision.outcome == RetentionOutcome.ALREADY_ANONYMISED


@pytest.mark.parametrize(
    ("born", "referred"),
    [
        (date(2000, 2, 29), date(2021, 2, 28)),
        (date(2000, 2, 29), date(2021, 3, 1)),
        (date(1990, 12, 31), date(2019, 1, 10)),
    ],
)
def test_it_keeps_the_age_at_referral_when_it_keeps_only_a_year(born, referred):
    kept = year_only_birth_date(born, referred)
    assert (kept.month, kept.day) == (1, 1)
    assert age_on(kept, referred) == age_on(born, referred)


# --- Applying -------------------------------------------------------------------------------------------------------


def family(marac, author, *, heard_on=date(2019, 5, 1), perpetrator=None, reference=None):
    """A heard case: victim, perpetrator and child, with addresses, an alias, a minute, research, an action and
    a referral."""
    victim = PersonFactory(marac=marac, given_name="Alexa", family_name="Imaginary", date_of_birth=date(1988, 2, 29))
    Alias.objects.create(person=victim, given_name="Lexi", family_name="Madeup")
    Address.objects.create(person=victim, line_1="9 Refuge Way", postcode="ZZ1 9ZZ", confidential=True)
    perpetrator = perpetrator or PersonFactory(marac=marac, given_name="Brutus", family_name="Fakename")
    child = PersonFactory(marac=marac, given_name="Kiddo", family_name="Imaginary", date_of_birth=date(2015, 7, 1))
    kwargs = {"reference": reference} if reference else {}
    case = CaseFactory(
        marac=marac, victim=victim, referred_on=heard_on.replace(day=1), heard_on=heard_on, is_repeat=True, **kwargs
    )
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    meeting = Meeting.objects.create(
        marac=marac, starts_at=datetime(heard_on.year, heard_on.month, heard_on.day, 10, tzinfo=UTC)
    )
    listing = Listing.objects.create(
        meeting=meeting,
        case=case,
        risks_minute="Brutus Fakename threatened Alexa.",
        decisions_minute="Police to visit.",
        outcome=Outcome.CLOSED,
    )
    agency = AgencyFactory()
    Research.objects.create(listing=listing, agency=agency, author=author, about_perpetrator="Known to police.")
    Action.objects.create(
        listing=listing,
        case=case,
        owner_agency=agency,
        description="Visit Alexa",
        for_whom=ForWhom.VICTIM,
        due_on=heard_on,
        created_by=author,
    )
    Referral.objects.create(
        marac=marac,
        referrer=author,
        referring_agency=agency,
        status="accepted",
        content={"victim": {"given_name": "Alexa"}, "about": {"background": "Brutus hit her."}},
        case=case,
    )
    return case


def names(case_id):
    return sorted(CaseParty.objects.filter(case_id=case_id).values_list("person__given_name", flat=True))


@pytest.fixture
def heard_case(marac, coordinator):
    return family(marac, coordinator)


def test_it_changes_nothing_on_a_dry_run(marac, heard_case):
    report = retention_report(marac=marac, today=TODAY, viewer=None)
    assert report.counts["anonymise"] == 1
    assert [row.reference for row in report.due] == [heard_case.reference]
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]
    assert Listing.objects.get(case=heard_case).risks_minute
    assert Address.objects.count() == 1
    assert not AuditEvent.objects.filter(summary__startswith="Retention").exists()


def _boards_figures(marac):
    """Every indicator the boards see, for the quarters the anonymised cases were referred and heard in."""
    from reports.cohorts import Scope
    from reports.indicators import INDICATORS
    from reports.periods import PeriodKind, period_containing

    quarters = [period_containing(PeriodKind.QUARTER, day) for day in (date(2019, 5, 1), date(2019, 6, 3))]
    return [[indicator.compute(Scope((marac.pk,), quarter)) for indicator in INDICATORS] for quarter in quarters]


def test_it_anonymises_and_the_quarterly_counts_still_add_up(marac, coordinator, heard_case):
    family(marac, coordinator, heard_on=date(2019, 6, 3))
    before = _boards_figures(marac)
    report = retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert report.counts["anonymise"] == 2
    assert _boards_figures(marac) == before
    assert names(heard_case.pk) == ["Anonymised"] * 3
    assert CaseParty.objects.filter(case=heard_case).count() == 3
    victim = Person.objects.get(pk=heard_case.victim_id)
    assert victim.date_of_birth == date(1988, 1, 1)  # 31 when referred on 1 May 2019, as before
    assert age_on(victim.date_of_birth, heard_case.referred_on) == 31
    assert victim.gender == "not_known" and not Address.objects.exists() and not Alias.objects.exists()
    listing = Listing.objects.get(case=heard_case)
    assert (listing.risks_minute, listing.decisions_minute, listing.outcome) == ("", "", Outcome.CLOSED)
    assert Research.objects.get(listing=listing).about_perpetrator == ""
    assert Action.objects.get(case=heard_case).description == "Anonymised"
    assert Referral.objects.get(case=heard_case).content == {"anonymised_on": TODAY.isoformat()}
    again = retention_report(marac=marac, today=TODAY, viewer=None)
    assert again.counts["already_anonymised"] == 2 and not again.due


def test_anonymised_records_read_as_changed_so_a_partner_system_drops_its_copy(
    marac, coordinator, heard_case, client_for
):
    listing = Listing.objects.get(case=heard_case)
    before = {
        "case": (heard_case.version, heard_case.updated_at),
        "listing": listing.version,
        "research": Research.objects.get(listing=listing).version,
        "action": Action.objects.get(case=heard_case).version,
        "referral": Referral.objects.get(case=heard_case).version,
    }
    applied_from = timezone.now()

    retention_apply(marac=marac, today=TODAY, by=coordinator)

    heard_case.refresh_from_db()
    assert heard_case.version == before["case"][0] + 1 and heard_case.updated_at >= applied_from
    assert Listing.objects.get(pk=listing.pk).version == before["listing"] + 1
    assert Research.objects.get(listing=listing).version == before["research"] + 1
    assert Action.objects.get(case=heard_case).version == before["action"] + 1
    assert Referral.objects.get(case=heard_case).version == before["referral"] + 1
    # A partner syncing the cases changed since it last asked is given the anonymised case.
    synced = client_for(coordinator).get("/api/v1/cases", {"since": applied_from.isoformat()}).json()
    assert [case["id"] for case in synced["items"]] == [heard_case.pk]


def test_it_keeps_a_person_who_is_in_a_case_not_yet_due(marac, coordinator, heard_case):
    brutus = Person.objects.get(given_name="Brutus")
    recent = family(marac, coordinator, heard_on=date(2026, 1, 5), perpetrator=brutus)
    report = retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert "kept: in another case still held" in report.due[0].result
    assert Person.objects.get(pk=brutus.pk).given_name == "Brutus"
    assert names(recent.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_it_deletes_the_case_and_orphaned_people_but_keeps_people_in_other_cases(marac, coordinator, heard_case):
    marac.retention_action = "delete"
    marac.save()
    brutus = Person.objects.get(given_name="Brutus")
    recent = family(marac, coordinator, heard_on=date(2026, 1, 5), perpetrator=brutus)
    report = retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert report.counts["delete"] == 1
    assert not Case.objects.filter(pk=heard_case.pk).exists()
    assert not Listing.objects.filter(case_id=heard_case.pk).exists()
    assert not Person.objects.filter(pk=heard_case.victim_id).exists()
    assert Person.objects.filter(pk=brutus.pk).exists()
    assert Case.objects.filter(pk=recent.pk).exists()
    assert Action.objects.count() == Research.objects.count() == Referral.objects.count() == 1


def test_a_legal_hold_protects_the_case(marac, coordinator, heard_case):
    LegalHold.objects.create(case=heard_case, reason="dhr", placed_by=coordinator)
    report = retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert report.counts["held"] == 1 and not report.due
    assert report.held[0].decision.reason.startswith("Kept: a legal hold is in place")
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_a_lifted_hold_does_not(marac, coordinator, heard_case):
    LegalHold.objects.create(
        case=heard_case, reason="court", placed_by=coordinator, lifted_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert retention_apply(marac=marac, today=TODAY, by=coordinator).counts["anonymise"] == 1


def test_it_anonymises_a_case_in_the_disclosure_register_instead_of_deleting_it(marac, coordinator, heard_case):
    marac.retention_action = "delete"
    marac.save()
    DisclosureRequest.objects.create(
        marac=marac,
        kind="dhr",
        case=heard_case,
        requested_by="Review panel",
        received_on=date(2020, 1, 1),
        recorded_by=coordinator,
    )
    retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert names(heard_case.pk) == ["Anonymised"] * 3


def test_it_audits_every_change_with_ids_only(marac, coordinator, heard_case):
    retention_apply(marac=marac, today=TODAY, by=coordinator)
    events = AuditEvent.objects.filter(summary__startswith="Retention")
    assert events.filter(action="change", object_type="cases.case", object_id=str(heard_case.pk)).count() == 1
    assert events.filter(action="change", object_type="people.person").count() == 3
    assert events.first().actor == coordinator
    for event in events:
        assert "Alexa" not in event.summary and "Brutus" not in event.summary


def test_it_audits_a_deletion(marac, coordinator, heard_case):
    marac.retention_action = "delete"
    marac.save()
    retention_apply(marac=marac, today=TODAY, by=coordinator)
    events = AuditEvent.objects.filter(action="delete", summary__startswith="Retention")
    assert events.filter(object_type="cases.case", object_id=str(heard_case.pk)).count() == 1
    assert events.filter(object_type="people.person").count() == 3


def test_the_command_reports_references_never_names(marac, heard_case, capsys):
    call_command("apply_retention", "--marac", str(marac.pk), "--dry-run")
    out = capsys.readouterr().out
    assert heard_case.reference in out and "Dry run" in out
    assert "Alexa" not in out and "Imaginary" not in out
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_the_command_applies(marac, heard_case, capsys):
    call_command("apply_retention", "--marac", str(marac.pk))
    assert "Applied" in capsys.readouterr().out
    assert names(heard_case.pk) == ["Anonymised"] * 3


def test_the_task_reports_the_dry_run_in_the_audit_then_applies(marac, heard_case):
    result = apply_retention_all.enqueue()
    assert result.return_value[str(marac.pk)]["anonymise"] == 1
    assert result.return_value["import_reports"] == {"values_removed": 0}  # no import finished 30 days ago
    events = list(AuditEvent.objects.filter(summary__startswith="Retention").order_by("id"))
    assert events[0].summary.startswith("Retention dry run: 1 to anonymise")
    assert names(heard_case.pk) == ["Anonymised"] * 3


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_it_shows_the_dry_run_to_the_coordinator(client_for, coordinator, heard_case):
    response = client_for(coordinator).get("/governance/retention/")
    assert response.status_code == 200
    assert heard_case.reference in response.content.decode()
    assert "Alexa" not in response.content.decode()
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_it_applies_after_confirmation(client_for, coordinator, heard_case):
    client = client_for(coordinator)
    confirm = client.get("/governance/retention/apply/")
    assert f'name="case" value="{heard_case.pk}"' in confirm.content.decode()
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]
    response = client.post("/governance/retention/apply/", {"case": [heard_case.pk]})
    assert response.status_code == 200
    assert names(heard_case.pk) == ["Anonymised"] * 3


def test_it_applies_only_what_was_confirmed(client_for, coordinator, heard_case):
    client_for(coordinator).post("/governance/retention/apply/", {"case": []})
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_it_refuses_the_retention_pages_to_others(client_for, police_rep, chair, heard_case):
    for user in (police_rep, chair):
        assert client_for(user).get("/governance/retention/").status_code == 404
        assert client_for(user).post("/governance/retention/apply/", {"case": [heard_case.pk]}).status_code == 404
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


def test_the_outsider_sees_only_their_own_marac(client_for, outsider, heard_case):
    client = client_for(outsider)
    assert heard_case.reference not in client.get("/governance/retention/").content.decode()
    client.post("/governance/retention/apply/", {"case": [heard_case.pk]})
    assert names(heard_case.pk) == ["Alexa", "Brutus", "Kiddo"]


# --- Legal hold -----------------------------------------------------------------------------------------------------


def test_the_chair_places_and_lifts_a_legal_hold(client_for, chair, heard_case):
    client = client_for(chair)
    page = client.get(f"/cases/{heard_case.pk}/").content.decode()
    assert "Place a legal hold" in page
    response = client.post(f"/governance/cases/{heard_case.pk}/legal-hold/", {"reason": "dhr", "note": "DHR 2026/1"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(case=heard_case)
    assert hold.placed_by == chair and hold.lifted_at is None
    assert "A legal hold is in place" in client.get(f"/cases/{heard_case.pk}/").content.decode()
    client.post(f"/governance/cases/{heard_case.pk}/legal-hold/{hold.pk}/lift/")
    hold.refresh_from_db()
    assert hold.lifted_by == chair and hold.lifted_at is not None
    actions = list(AuditEvent.objects.filter(object_type="cases.legalhold").values_list("action", flat=True))
    assert sorted(actions) == ["change", "create"]


def test_it_refuses_a_legal_hold_to_others(client_for, police_rep, outsider, heard_case):
    for user in (police_rep, outsider):
        response = client_for(user).post(f"/governance/cases/{heard_case.pk}/legal-hold/", {"reason": "dhr"})
        assert response.status_code == 404
    assert "Place a legal hold" not in client_for(police_rep).get(f"/cases/{heard_case.pk}/").content.decode()
    assert not LegalHold.objects.exists()


def test_it_asks_for_a_reason(client_for, chair, heard_case):
    client_for(chair).post(f"/governance/cases/{heard_case.pk}/legal-hold/", {"reason": ""})
    assert not LegalHold.objects.exists()


def test_an_anonymised_person_is_no_longer_a_possible_match_elsewhere(marac, coordinator, heard_case):
    elsewhere = MaracFactory(name="Southmarsh MARAC")
    NationalPossibleMatch.objects.create(
        person_id=heard_case.victim_id,
        other_marac=elsewhere,
        run="run0001abcd",
        pair_reference="ref0001abcd",
        probability=0.97,
        loaded_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
    )
    retention_apply(marac=marac, today=TODAY, by=coordinator)
    assert not NationalPossibleMatch.objects.exists()


def test_it_clears_what_was_written_when_an_action_was_resolved(marac, coordinator, heard_case):
    from actions.models import ActionResolution, ResolutionKind

    action = Action.objects.get(case=heard_case)
    ActionResolution.objects.create(
        action=action,
        kind=ResolutionKind.REOPENED,
        reason="Alexa moved to her sister's; police to visit there.",
        superseded_note="Brutus was at the door.",
        from_agency=action.owner_agency,
        by=coordinator,
    )
    retention_apply(marac=marac, today=TODAY, by=coordinator)
    resolution = ActionResolution.objects.get(action=action)
    assert (resolution.reason, resolution.superseded_note) == ("", "")
