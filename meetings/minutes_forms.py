"""The form that amends a case's minute after its meeting has closed, and the form a minute comes back in after a
conflict (at the meeting or after it). They parse; the rules and the locking are in minutes_services and
live_services."""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms

from meetings import minutes_rules
from meetings.live_rules import minute_fingerprint
from meetings.minutes_rules import text_fingerprint
from meetings.models import Listing
from web.text import LONG_TEXT_MAX


class AmendMinuteForm(forms.Form):
    """The minute as amended, and why. `version` and `minute_seen` are the listing's version and its minute's
    fingerprint when the page was opened: the service refuses the amendment if the minute has changed since."""

    risks_minute = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Risks", max_length=LONG_TEXT_MAX
    )
    decisions_minute = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Decisions", max_length=LONG_TEXT_MAX
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        label="Why is the minute being amended?",
        help_text="Shown with the minute and kept with the minute as it was. For example: "
        "corrected at the next meeting, the police had not attended.",
        error_messages={
            "required": "Enter why the minute is being amended",
            "max_length": "Why the minute is being amended must be 500 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    minute_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Each part's fingerprint as the page showed it: after a conflict, the part they did not change is the saved one.
    risks_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    decisions_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @classmethod
    def for_listing(cls, listing: Listing, **initial: Any) -> "AmendMinuteForm":
        return cls(initial=minute_initial(listing) | initial)


def minute_initial(listing: Listing) -> dict[str, Any]:
    """A minute form's starting values, at the meeting (live_forms.MinuteForm) or after it (AmendMinuteForm): the
    minute, the listing's version, and the fingerprints of the minute and of each part as the page shows them."""
    return {
        "risks_minute": listing.risks_minute,
        "decisions_minute": listing.decisions_minute,
        "version": listing.version,
        "minute_seen": minute_fingerprint(listing.risks_minute, listing.decisions_minute),
        "risks_seen": text_fingerprint(listing.risks_minute),
        "decisions_seen": text_fingerprint(listing.decisions_minute),
    }


def form_after_conflict[F: forms.Form](
    for_listing: Callable[..., F], saved: Listing, posted: Mapping[str, Any], **initial: Any
) -> F:
    """The minute's form again after someone saved the minute first, based now on the saved minute (`for_listing`:
    the form's own constructor from a listing, taking initial values). Each part this person did not change is the
    saved text, so saving the form as it comes back cannot undo the other person's change; each part they changed is
    theirs, with a hint where the other person changed it too (minutes_rules.minute_after_conflict). `posted`: the
    cleaned data of the form refused as stale."""
    now = {name: getattr(saved, name) for name in minutes_rules.MINUTE_PARTS}
    values, clashes = minutes_rules.minute_after_conflict(posted=posted, saved=now)
    form = for_listing(saved, **initial, **values)
    for name in clashes:
        form.fields[name].help_text = minutes_rules.CLASH_HINT
    return form
