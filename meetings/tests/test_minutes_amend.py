"""Amending a case's minute after its meeting has closed: the rules' worked examples and properties, the service (the
minute as it was kept, the audit, two people amending at once), then the real pages and the Word record read back."""

import datetime
import html
import re
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import CaseRestriction
from meetings import live_rules, minutes_rules
from meetings import live_services as live
from meetings import minutes_services as minutes
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, MinuteAmendment
from testing.documents import word_texts
from testing.factories import CaseFactory
from web.text import LONG_TEXT_MAX

# --- The rules ------------------------------------------------------------------------------------------------------


def test_only_a_closed_meetings_minute_is_amended_here_and_only_when_it_changes():
    closed = MeetingStatus.CLOSED
    assert minutes_rules.amendment_refusal(meeting_status=closed, risks_changed=True, decisions_changed=False) is None
    assert minutes_rules.amendment_refusal(meeting_status=closed, risks_changed=False, decisions_changed=True) is None
    assert (
        minutes_rules.amendment_refusal(meeting_status=closed, risks_changed=False, decisions_changed=False)
        == minutes_rules.UNCHANGED_REFUSAL
    )
    for running in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        refusal = minutes_rules.amendment_refusal(meeting_status=running, risks_changed=True, decisions_changed=True)
        assert refusal == minutes_rules.NOT_CLOSED_REFUSAL


def test_the_chair_amends_as_the_chair_even_when_also_the_coordinator():
    assert minutes_rules.amending_role({Role.CHAIR, Role.COORDINATOR}) == Role.CHAIR
    assert minutes_rules.amending_role({Role.COORDINATOR, Role.IDVA}) == Role.COORDINATOR
    assert minutes_rules.amending_role({Role.AGENCY_REPRESENTATIVE, Role.IDVA}) is None
    assert minutes_rules.amending_role(set()) is None


def test_the_history_line_names_the_day_the_role_and_the_reason():
    note = minutes_rules.amended_note(amended_on=datetime.date(2026, 12, 8), role="chair", reason="Police attended.")
    assert note == "Amended on Tuesday 8 December 2026 by the MARAC chair: Police attended."


@given(roles=st.sets(st.sampled_from(Role.values)))
def test_only_the_chair_or_the_coordinator_ever_amends(roles):
    role = minutes_rules.amending_role(roles)
    assert (role is not None) == bool(roles & {Role.CHAIR, Role.COORDINATOR})
    assert role is None or role in roles


@given(status=st.sampled_from(MeetingStatus.values), risks=st.booleans(), decisions=st.booleans())
def test_an_amendment_is_allowed_exactly_when_the_meeting_is_closed_and_the_minute_changes(status, risks, decisions):
    refusal = minutes_rules.amendment_refusal(meeting_status=status, risks_changed=risks, decisions_changed=decisions)
    assert (refusal is None) == (status == MeetingStatus.CLOSED and (risks or decisions))


# --- The service ----------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db

ORIGINAL_RISKS = "Threats made by text."
ORIGINAL_DECISIONS = "Review at the next meeting."


def _meeting(marac, *users):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now())
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    for user in users:
        live.confidentiality_sign(meeting=meeting, user=user)
    return meeting


def _heard_and_closed(meeting, by, reference="NB-2026-0801", **case_fields):
    listing = Listing.objects.create(
        meeting=meeting, case=CaseFactory(marac=meeting.marac, reference=reference, **case_fields)
    )
    live.meeting_start(meeting=meeting, by=by)
    live.listing_open(listing=listing, by=by)
    live.minute_save(
        listing=listing,
        risks_minute=ORIGINAL_RISKS,
        decisions_minute=ORIGINAL_DECISIONS,
        based_on_version=Listing.objects.get(pk=listing.pk).version,
        by=by,
    )
    live.outcome_record(listing=listing, outcome="review", by=by)
    live.meeting_close(meeting=meeting, by=by)
    return Listing.objects.get(pk=listing.pk)


@pytest.fixture
def closed(marac, chair, coordinator):
    return _heard_and_closed(_meeting(marac, chair, coordinator), chair)


def _amend(listing, by, *, risks="Threats made by text and in person.", reason="Corrected at the next meeting."):
    return minutes.minute_amend(
        listing=listing,
        risks_minute=risks,
        decisions_minute=listing.decisions_minute,
        reason=reason,
        based_on_version=listing.version,
        based_on_minute=live_rules.minute_fingerprint(listing.risks_minute, listing.decisions_minute),
        by=by,
    )


def test_an_amendment_keeps_the_minute_as_it_was_and_is_audited_without_its_text(closed, chair):
    amendment = _amend(closed, chair)

    listing = Listing.objects.get(pk=closed.pk)
    assert listing.risks_minute == "Threats made by text and in person."
    assert listing.version == closed.version + 1
    assert (amendment.risks_before, amendment.decisions_before) == (ORIGINAL_RISKS, ORIGINAL_DECISIONS)
    assert amendment.risks_after == "Threats made by text and in person."
    assert amendment.amended_as == Role.CHAIR and amendment.amended_by == chair
    entry = AuditEvent.objects.get(object_type="meetings.listing", summary__startswith="Amended the minute")
    assert entry.actor == chair
    assert entry.changes == {"risks_minute": "changed", "amended_as": "chair"}
    assert "Threats" not in entry.summary + str(entry.changes)


def test_a_second_amendment_keeps_the_history_and_the_first_keeps_the_original(closed, chair, coordinator):
    _amend(closed, chair)
    _amend(Listing.objects.get(pk=closed.pk), coordinator, risks="Third version.", reason="Typo.")

    first, second = MinuteAmendment.objects.filter(listing=closed).order_by("id")
    assert first.risks_before == ORIGINAL_RISKS
    assert second.risks_before == "Threats made by text and in person."
    assert second.amended_as == Role.COORDINATOR
    assert Listing.objects.get(pk=closed.pk).risks_minute == "Third version."


def test_two_people_amending_at_once_get_a_conflict_not_an_overwrite(closed, chair, coordinator):
    _amend(closed, chair, risks="The chair's correction.")

    with pytest.raises(minutes.StaleAmendment) as stale:
        _amend(closed, coordinator, risks="The coordinator's correction.")  # the page opened before the first save

    assert stale.value.current.risks_minute == "The chair's correction."
    assert Listing.objects.get(pk=closed.pk).risks_minute == "The chair's correction."
    assert MinuteAmendment.objects.filter(listing=closed).count() == 1


def test_an_amendment_is_refused_while_the_meeting_runs_without_a_reason_or_a_change(marac, chair, closed):
    with pytest.raises(minutes.AmendmentRefused, match="Enter why"):
        _amend(closed, chair, reason="  ")
    with pytest.raises(minutes.AmendmentRefused, match="same as before"):
        _amend(closed, chair, risks=ORIGINAL_RISKS)
    running = _meeting(marac, chair)
    listing = Listing.objects.create(meeting=running, case=CaseFactory(marac=marac))
    with pytest.raises(minutes.AmendmentRefused, match="has not closed"):
        _amend(listing, chair)
    assert not MinuteAmendment.objects.exists()


def test_someone_neither_chair_nor_coordinator_is_refused_by_the_service_too(closed, police_rep):
    with pytest.raises(minutes.AmendmentRefused, match="Only the chair or the coordinator"):
        _amend(closed, police_rep)
    assert not MinuteAmendment.objects.exists()


# --- The pages ------------------------------------------------------------------------------------------------------


def _url(listing, step="minutes/amend/"):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def _form(listing, **changes):
    data = {
        "risks_minute": listing.risks_minute,
        "decisions_minute": listing.decisions_minute,
        "reason": "Corrected when the minutes were agreed at the next meeting.",
        "version": listing.version,
        "minute_seen": live_rules.minute_fingerprint(listing.risks_minute, listing.decisions_minute),
    }
    return data | changes


@pytest.mark.parametrize("runner", ["chair", "coordinator"])
def test_the_chair_or_coordinator_amends_and_the_case_page_shows_the_history(client_for, closed, runner, request):
    user = request.getfixturevalue(runner)
    client = client_for(user)
    case_page = client.get(_url(closed, "")).content.decode()
    assert f'href="{_url(closed)}"' in case_page  # the way in, from the closed meeting's read-only case page

    form_page = client.get(_url(closed))
    assert form_page.status_code == 200
    assert "Amend the minute" in form_page.content.decode()
    response = client.post(_url(closed), _form(closed, decisions_minute="Closed: the victim moved away."))

    assert response.status_code == 302 and response["Location"] == _url(closed, "")
    page = client.get(_url(closed, "")).content.decode()
    assert "Closed: the victim moved away." in page
    label = "MARAC chair" if runner == "chair" else "MARAC coordinator"
    day = f"{timezone.localdate():%A} {timezone.localdate().day} {timezone.localdate():%B %Y}"
    assert f"Amended on {day} by the {label}: Corrected when the minutes were agreed at the next meeting." in page
    assert ORIGINAL_DECISIONS in page  # the minute as it was, under "The minute before this amendment"
    assert AuditEvent.objects.filter(actor=user, summary__startswith="Amended the minute").count() == 1


def test_amending_without_a_reason_or_with_too_long_a_minute_shows_specific_errors(client_for, chair, closed):
    client = client_for(chair)
    no_reason = client.post(_url(closed), _form(closed, risks_minute="Changed.", reason=""))
    too_long = client.post(_url(closed), _form(closed, risks_minute="x" * (LONG_TEXT_MAX + 1)))
    unchanged = client.post(_url(closed), _form(closed))

    page = no_reason.content.decode()
    assert "<title>Error: Amend the minute" in page and "govuk-error-summary" in page
    assert "Enter why the minute is being amended" in page
    assert "Risks must be 20,000 characters or fewer" in too_long.content.decode()
    assert "The minute is the same as before" in unchanged.content.decode()
    assert Listing.objects.get(pk=closed.pk).risks_minute == ORIGINAL_RISKS
    assert not MinuteAmendment.objects.exists()


def test_control_characters_pasted_from_word_are_cleaned(client_for, chair, closed):
    client_for(chair).post(_url(closed), _form(closed, risks_minute="Line one\x0bline two\x00.", reason="Fix\x07."))
    assert Listing.objects.get(pk=closed.pk).risks_minute == "Line one\nline two."
    assert MinuteAmendment.objects.get().reason == "Fix."


def test_two_people_amending_at_once_see_both_versions_and_nothing_is_overwritten(
    client_for, chair, coordinator, closed
):
    first, second = _form(closed, risks_minute="The chair's correction."), _form(closed, risks_minute="Mine.")
    assert client_for(chair).post(_url(closed), first).status_code == 302

    response = client_for(coordinator).post(_url(closed), second)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else amended this minute while you were writing" in page
    assert "The chair&#x27;s correction." in page and "Mine." in page
    assert Listing.objects.get(pk=closed.pk).risks_minute == "The chair's correction."
    # Saving theirs again, now with both on screen, is a choice: it goes through.
    again = _form(Listing.objects.get(pk=closed.pk), risks_minute="Mine.")
    assert client_for(coordinator).post(_url(closed), again).status_code == 302
    assert MinuteAmendment.objects.count() == 2


def test_a_running_meetings_minute_is_not_amended_here(client_for, chair, marac):
    meeting = _meeting(marac, chair)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference="NB-2026-0802"))
    live.meeting_start(meeting=meeting, by=chair)

    response = client_for(chair).post(_url(listing), _form(listing, risks_minute="Changed."), follow=True)

    assert "This meeting has not closed, so its minutes are not amended here" in response.content.decode()
    assert not MinuteAmendment.objects.exists()
    assert 'data-testid="amend-minute"' not in client_for(chair).get(_url(listing, "")).content.decode()


def test_others_cannot_amend_or_see_the_amend_page(client_for, closed, police_rep, idva, outsider, referrer):
    live.confidentiality_sign(meeting=closed.meeting, user=police_rep)
    for user in (police_rep, idva, outsider, referrer):
        client = client_for(user)
        assert client.get(_url(closed)).status_code in (403, 404)
        response = client.post(_url(closed), _form(closed, risks_minute="Changed."))
        assert response.status_code in (403, 404)
        assert b"NB-2026-0801" not in response.content
    assert outsider_404(client_for(outsider), closed)
    assert 'data-testid="amend-minute"' not in client_for(police_rep).get(_url(closed, "")).content.decode()
    assert Listing.objects.get(pk=closed.pk).risks_minute == ORIGINAL_RISKS


def outsider_404(client, listing):
    return client.get(_url(listing)).status_code == 404


def test_a_restricted_case_is_404_to_a_chair_not_named_on_it(client_for, marac, chair, coordinator):
    listing = _heard_and_closed(_meeting(marac, chair, coordinator), coordinator, "NB-2026-0899", restricted=True)
    CaseRestriction.objects.create(case=listing.case, user=coordinator, added_by=coordinator)
    assert client_for(chair).get(_url(listing)).status_code == 404
    assert client_for(chair).post(_url(listing), _form(listing, risks_minute="Changed.")).status_code == 404
    assert not MinuteAmendment.objects.exists()


def test_viewing_the_amend_page_is_audited(client_for, coordinator, closed):
    client_for(coordinator).get(_url(closed))
    assert AuditEvent.objects.filter(
        actor=coordinator, object_type="cases.case", object_id=str(closed.case_id), action="view"
    ).exists()


def test_the_family_record_in_word_shows_the_amended_minute(client_for, coordinator, chair, closed):
    client_for(chair).post(_url(closed), _form(closed, risks_minute="Amended: threats in person too."))

    response = client_for(coordinator).get(f"/actions/cases/{closed.case_id}/record.docx")

    assert response.status_code == 200
    texts = word_texts(response.content)
    assert "Amended: threats in person too." in texts
    assert ORIGINAL_DECISIONS in texts
    assert ORIGINAL_RISKS not in texts


def test_anonymising_a_case_at_the_end_of_retention_clears_its_minutes_amendments_too(marac, coordinator):
    from governance.retention_services import retention_apply
    from governance.tests.test_retention import TODAY, family

    case = family(marac, coordinator)
    listing = Listing.objects.get(case=case)
    MinuteAmendment.objects.create(
        listing=listing,
        risks_before="Brutus threatened Alexa.",
        decisions_before="Refer to MAPPA.",
        risks_after="Brutus threatened Alexa and Kiddo.",
        decisions_after="Refer to MAPPA.",
        reason="Kiddo was there too.",
        amended_by=coordinator,
        amended_as=Role.COORDINATOR,
    )

    retention_apply(marac=marac, today=TODAY, by=coordinator)

    amendment = MinuteAmendment.objects.get(listing=listing)
    kept = (amendment.risks_before, amendment.decisions_before, amendment.risks_after, amendment.decisions_after)
    assert kept == ("", "", "", "") and amendment.reason == ""
    assert amendment.amended_as == Role.COORDINATOR  # who amended, and when, is not personal data of the family


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_amendments_at_the_same_moment_save_one_and_refuse_the_other(marac, chair, coordinator):
    listing = _heard_and_closed(_meeting(marac, chair, coordinator), chair)
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def amend(user, text):
        try:
            start.wait()
            _amend(listing, user, risks=text)  # both from the page as it was before either saved
            results[text] = "saved"
        except minutes.StaleAmendment:
            results[text] = "conflict"
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=amend, args=(user, text)) for user, text in ((chair, "A."), (coordinator, "B."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "saved"]
    saved = next(text for text, result in results.items() if result == "saved")
    assert Listing.objects.get(pk=listing.pk).risks_minute == saved
    assert MinuteAmendment.objects.filter(listing=listing).count() == 1


def _opened(listing, **changes):
    """The amend form as the page sent it when opened (with each part's fingerprint), with the person's changes."""
    data = _form(listing) | {
        "risks_seen": minutes_rules.text_fingerprint(listing.risks_minute),
        "decisions_seen": minutes_rules.text_fingerprint(listing.decisions_minute),
    }
    return data | changes


def _textarea(page, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


def test_after_a_conflict_saving_keeps_the_other_persons_correction_to_the_part_you_did_not_change(
    client_for, chair, coordinator, closed
):
    # Both open the amend page; the chair corrects the risks and saves first.
    chairs = _opened(closed, risks_minute="The chair's risks correction.")
    coordinators = _opened(closed, decisions_minute="The coordinator's decisions correction.")
    assert client_for(chair).post(_url(closed), chairs).status_code == 302

    conflict = client_for(coordinator).post(_url(closed), coordinators)

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert _textarea(page, "risks_minute") == "The chair's risks correction."  # the saved one: they did not change it
    assert _textarea(page, "decisions_minute") == "The coordinator's decisions correction."
    assert "both changed this" not in page
    # The obvious button: save the form as it came back.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    resave = {key: hidden[key] for key in ("version", "minute_seen", "risks_seen", "decisions_seen")} | {
        "risks_minute": _textarea(page, "risks_minute"),
        "decisions_minute": _textarea(page, "decisions_minute"),
        "reason": _textarea(page, "reason"),
    }
    assert client_for(coordinator).post(_url(closed), resave).status_code == 302
    listing = Listing.objects.get(pk=closed.pk)
    assert listing.risks_minute == "The chair's risks correction."
    assert listing.decisions_minute == "The coordinator's decisions correction."


def test_after_a_conflict_on_the_same_part_yours_is_kept_with_a_warning_that_saving_replaces_theirs(
    client_for, chair, coordinator, closed
):
    assert client_for(chair).post(_url(closed), _opened(closed, risks_minute="The chair's risks.")).status_code == 302

    conflict = client_for(coordinator).post(_url(closed), _opened(closed, risks_minute="The coordinator's risks."))

    page = conflict.content.decode()
    assert _textarea(page, "risks_minute") == "The coordinator's risks."
    assert _textarea(page, "decisions_minute") == ORIGINAL_DECISIONS
    assert 'id="id_risks_minute-hint"' in page and minutes_rules.CLASH_HINT in page
    assert 'id="id_decisions_minute-hint"' not in page


@given(
    seen=st.sampled_from(["a", "b", "c"]),
    theirs=st.sampled_from(["a", "b", "c"]),
    saved=st.sampled_from(["a", "b", "c"]),
)
def test_a_part_is_taken_from_the_saved_minute_exactly_when_they_left_it_as_they_saw_it(seen, theirs, saved):
    value, clash = minutes_rules.merged_after_conflict(
        seen=minutes_rules.text_fingerprint(seen), theirs=theirs, saved=saved
    )
    assert value == (saved if theirs == seen else theirs)
    assert clash == (theirs != seen and saved != seen and theirs != saved)
