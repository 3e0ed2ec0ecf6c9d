"""The rules for correcting a case's minute after its meeting has closed, as plain functions with no database: when a
minute may be amended, in which role the amendment is recorded, and how the history reads. Also what the form shows
after two people saved the same minute at once, at the meeting or after it (minute_after_conflict)."""

from collections.abc import Collection, Mapping
from datetime import date

from accounts.models import Role
from meetings import live_rules
from referrals import calendar

# BD Effectiveness: the minutes are the MARAC's record, sent for a DHR and disclosed to a court, so a correction keeps
# what was first minuted. Corrections come once the meeting has closed (the next one agrees the previous minutes),
# from those who run it; the chair and the coordinator, as BD "The MARAC Coordinator" minutes the meeting.
AMENDING_ROLES = (Role.CHAIR, Role.COORDINATOR)

NOT_CLOSED_REFUSAL = (
    "This meeting has not closed, so its minutes are not amended here: change the minute on the case's page in the "
    "live meeting."
)
CLASH_HINT = (
    "You and the other person both changed this. The text below is yours: saving it replaces what they saved, "
    "shown under Saved now."
)
# Each part of the minute, and the hidden field its form posts back with the part's fingerprint as the page showed it.
MINUTE_PARTS = {"risks_minute": "risks_seen", "decisions_minute": "decisions_seen"}
UNCHANGED_REFUSAL = "The minute is the same as before. Change the risks or the decisions, or cancel."


def amendment_refusal(*, meeting_status: str, risks_changed: bool, decisions_changed: bool) -> str | None:
    """Why this amendment may not be made, in words for the page; None when it may."""
    if not live_rules.meeting_is_closed(meeting_status):
        return NOT_CLOSED_REFUSAL
    if not (risks_changed or decisions_changed):
        return UNCHANGED_REFUSAL
    return None


def amending_role(roles: Collection[str]) -> Role | None:
    """The role an amendment is recorded in: the chair's when they hold both (the chair answers for the minutes);
    None for anyone who may not amend."""
    return next((role for role in AMENDING_ROLES if role in roles), None)


def amended_note(*, amended_on: date, role: str, reason: str) -> str:
    """One line of the amendment history, as the case's minute shows it."""
    label = Role(role).label if role in Role.values else "someone no longer in that role"
    return f"Amended on {calendar.format_day(amended_on)} by the {label}: {reason}"


def text_fingerprint(text: str) -> str:
    """A fingerprint of one part of the minute as the page showed it, posted back by the amend form: whether the
    person amending changed that part, without sending the text itself back a second time."""
    return live_rules.minute_fingerprint(text, "")


def merged_after_conflict(*, seen: str, theirs: str, saved: str) -> tuple[str, bool]:
    """One part of the minute for the form shown after a conflict, and whether saving it replaces the other
    person's change. `seen` is the fingerprint of that part as the second person first saw it (text_fingerprint;
    empty when the page did not send one). Where they did not change it, the saved text, so saving cannot undo the
    other person's correction; where they did, theirs, and a clash when the other person changed it too."""
    if seen and text_fingerprint(theirs) == seen:
        return saved, False
    other_changed = not seen or text_fingerprint(saved) != seen
    return theirs, other_changed and theirs != saved


def minute_after_conflict(*, posted: Mapping[str, str], saved: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Both parts of the minute for the form shown again after a conflict (merged_after_conflict, part by part), and
    the parts where saving it replaces the other person's change. `posted`: the form refused as stale, each part
    with its fingerprint (MINUTE_PARTS; missing from a page opened before it was sent); `saved`: the minute now."""
    values: dict[str, str] = {}
    clashes: list[str] = []
    for name, seen in MINUTE_PARTS.items():
        values[name], clash = merged_after_conflict(seen=posted.get(seen) or "", theirs=posted[name], saved=saved[name])
        if clash:
            clashes.append(name)
    return values, clashes
