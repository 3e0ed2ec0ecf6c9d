"""Two people saving the same case's minute at once during the meeting, through the real pages: the conflict page's
form starts each part from the saved text unless this person changed it, so saving it as it comes back never undoes
the other person's change; a part both changed keeps this person's text, with a hint that saving replaces theirs.
The same rule as the amendment of a closed meeting's minute (minutes_rules.minute_after_conflict)."""

import datetime
import html
import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings import minutes_rules
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

FIRST_RISKS = "Threats made by text."
FIRST_DECISIONS = "Review at the next meeting."


@pytest.fixture
def listing(marac, chair, coordinator):
    """A case at a running meeting, minuted once, that the chair and the coordinator have both signed for."""
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    for user in (chair, coordinator):
        confidentiality_sign(meeting=meeting, user=user)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    listing = Listing.objects.create(
        meeting=meeting,
        case=CaseFactory(marac=marac, reference="NB-2026-0701"),
        risks_minute=FIRST_RISKS,
        decisions_minute=FIRST_DECISIONS,
    )
    return listing


def _url(listing, step=""):
    return f"/meetings/{listing.meeting_id}/live/{listing.pk}/{step}"


def _textarea(page, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


def _minute_form(form):
    """The minute form as the page shows it: its hidden fields and its two parts, ready to post back."""
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    kept = {key: html.unescape(value) for key, value in hidden.items() if key != "csrfmiddlewaretoken"}
    return kept | {name: _textarea(form, name) for name in ("risks_minute", "decisions_minute")}


def _opened(client, listing):
    """The minute form of the case's page, as the page sent it when this person opened it."""
    page = client.get(_url(listing))
    assert page.status_code == 200
    minute = page.content.decode().split('id="minute"')[1].split("</form>")[0]
    return _minute_form(minute)


def test_after_a_conflict_saving_keeps_the_other_persons_change_to_the_part_you_did_not_change(
    client_for, chair, coordinator, listing
):
    chair_client, coordinator_client = client_for(chair), client_for(coordinator)
    chairs, coordinators = _opened(chair_client, listing), _opened(coordinator_client, listing)
    # The chair corrects the risks and saves first; the coordinator, on the page opened before, adds a decision.
    saved = chair_client.post(_url(listing, "minutes/"), chairs | {"risks_minute": "Threats to kill, by text."})
    assert saved.status_code == 302
    coordinators["decisions_minute"] = "Refuge place sought. Review at the next meeting."

    conflict = coordinator_client.post(_url(listing, "minutes/"), coordinators)

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Someone else saved this minute while you were writing" in page
    assert _textarea(page, "risks_minute") == "Threats to kill, by text."  # the saved one: they did not change it
    assert _textarea(page, "decisions_minute") == "Refuge place sought. Review at the next meeting."
    assert minutes_rules.CLASH_HINT not in html.unescape(page)
    assert "govuk-hint" not in page.split("<form")[-1]
    # The obvious button: save the form as it came back. Both changes are kept.
    again = _minute_form(page.split("<form")[-1])
    assert coordinator_client.post(_url(listing, "minutes/"), again).status_code == 302
    listing.refresh_from_db()
    assert listing.risks_minute == "Threats to kill, by text."
    assert listing.decisions_minute == "Refuge place sought. Review at the next meeting."


def test_after_a_conflict_on_the_same_part_yours_is_kept_with_a_hint_that_saving_replaces_theirs(
    client_for, chair, coordinator, listing
):
    chair_client, coordinator_client = client_for(chair), client_for(coordinator)
    chairs, coordinators = _opened(chair_client, listing), _opened(coordinator_client, listing)
    assert (
        chair_client.post(_url(listing, "minutes/"), chairs | {"risks_minute": "The chair's risks."}).status_code == 302
    )
    coordinators["risks_minute"] = "The coordinator's risks."

    conflict = coordinator_client.post(_url(listing, "minutes/"), coordinators)

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert _textarea(page, "risks_minute") == "The coordinator's risks."
    assert _textarea(page, "decisions_minute") == FIRST_DECISIONS
    hint = re.search(r'<div id="id_risks_minute-hint" class="govuk-hint">(.*?)</div>', page, re.S)
    assert hint and html.unescape(hint.group(1)) == minutes_rules.CLASH_HINT
    assert 'aria-describedby="id_risks_minute-hint"' in page  # read out with the field
    assert 'id="id_decisions_minute-hint"' not in page
    # Saving over theirs is then a choice made with both on screen: it goes through.
    again = _minute_form(page.split("<form")[-1])
    assert coordinator_client.post(_url(listing, "minutes/"), again).status_code == 302
    listing.refresh_from_db()
    assert (listing.risks_minute, listing.decisions_minute) == ("The coordinator's risks.", FIRST_DECISIONS)


def test_a_form_from_a_page_opened_before_the_fingerprints_keeps_all_of_yours_with_hints(
    client_for, chair, coordinator, listing
):
    """A page opened before each part's fingerprint was sent cannot tell what this person changed: their text is
    kept in both parts, and each part the saved minute has differently carries the hint."""
    chair_client, coordinator_client = client_for(chair), client_for(coordinator)
    chairs, coordinators = _opened(chair_client, listing), _opened(coordinator_client, listing)
    chair_client.post(_url(listing, "minutes/"), chairs | {"risks_minute": "The chair's risks."})
    old_page = {key: value for key, value in coordinators.items() if key not in ("risks_seen", "decisions_seen")}

    page = coordinator_client.post(_url(listing, "minutes/"), old_page).content.decode()

    assert _textarea(page, "risks_minute") == FIRST_RISKS
    assert 'id="id_risks_minute-hint"' in page and 'id="id_decisions_minute-hint"' not in page


def test_someone_else_saving_only_the_outcome_is_no_conflict(client_for, chair, coordinator, listing):
    coordinators = _opened(client_for(coordinator), listing)
    chair_page = client_for(chair).get(_url(listing)).content.decode()
    version = re.search(r'<input type="hidden" name="version" value="(\d+)" id="outcome_version"', chair_page)
    assert version
    client_for(chair).post(_url(listing, "outcome/"), {"outcome": "review", "version": version[1], "based_on": ""})
    assert Listing.objects.get(pk=listing.pk).outcome == "review"

    saved = client_for(coordinator).post(_url(listing, "minutes/"), coordinators | {"risks_minute": "New risks."})

    assert saved.status_code == 302
    assert Listing.objects.get(pk=listing.pk).risks_minute == "New risks."


def test_the_outsider_gets_no_conflict_page(client_for, outsider, listing):
    posted = {"risks_minute": "x", "decisions_minute": "", "version": 0}
    assert client_for(outsider).post(_url(listing, "minutes/"), posted).status_code == 404
    assert Listing.objects.get(pk=listing.pk).risks_minute == FIRST_RISKS


# --- The rule, for both parts at once -------------------------------------------------------------------------------

TEXTS = st.sampled_from(["a", "b", "c"])


@given(seen=st.tuples(TEXTS, TEXTS), theirs=st.tuples(TEXTS, TEXTS), saved=st.tuples(TEXTS, TEXTS))
def test_each_part_is_merged_on_its_own(seen, theirs, saved):
    names = ("risks_minute", "decisions_minute")
    posted = dict(zip(names, theirs, strict=True)) | {
        "risks_seen": minutes_rules.text_fingerprint(seen[0]),
        "decisions_seen": minutes_rules.text_fingerprint(seen[1]),
    }

    values, clashes = minutes_rules.minute_after_conflict(posted=posted, saved=dict(zip(names, saved, strict=True)))

    for name, was, mine, now in zip(names, seen, theirs, saved, strict=True):
        assert values[name] == (now if mine == was else mine)
        assert (name in clashes) == (mine != was and now != was and mine != now)
    assert list(values) == list(names)


def test_worked_example_one_part_each():
    posted = {
        "risks_minute": "Threats.",
        "decisions_minute": "Refuge sought.",
        "risks_seen": minutes_rules.text_fingerprint("Threats."),
        "decisions_seen": minutes_rules.text_fingerprint("Review."),
    }
    saved = {"risks_minute": "Threats to kill.", "decisions_minute": "Review."}
    values, clashes = minutes_rules.minute_after_conflict(posted=posted, saved=saved)
    assert values == {"risks_minute": "Threats to kill.", "decisions_minute": "Refuge sought."}
    assert clashes == []
