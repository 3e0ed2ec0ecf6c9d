"""A submitted referral reads as the referrer meant it, wherever it is shown: a tick box as "Yes", a postcode as the
form cleans it ("ZZ99 1AA", not "zz991aa"), on the referrer's read-only copy, on the coordinator's decision page and
in the Word copy. Drafts still keep what was typed, valid or not. The incidents list names each event by its date
and what it was, as the referral writes them."""

from datetime import date

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS_BY_SLUG, readable
from testing.documents import word_texts

pytestmark = pytest.mark.django_db

VICTIM = {
    "given_name": "Fictiona", "family_name": "Testworth", "date_of_birth": "1991-04-03", "gender": "female",
    "ethnicity": "white", "sexuality": "not_known", "has_disability": "no", "needs_interpreter": "no",
    "pregnant": "no", "address_line_1": "12 Imaginary Row", "town": "Nowhereton", "postcode": "zz991aa",
    "safe_to_post": "no", "safe_contact": "Text first on the work mobile, weekdays only",
}  # fmt: skip
PERPETRATOR = {"given_name": "Madeup", "family_name": "Villainson", "gender": "male", "has_disability": "not_known",
               "relationship": "ex_partner", "ethnicity": "not_known"}  # fmt: skip
CONSENT = {"information_sharing": "given", "idva_referral": "given", "victim_told": "yes"}
ABOUT = {"how_arose": "police_notification", "background": "Long history of controlling behaviour.",
         "current_risk": "Threats to kill last week.", "outcomes_sought": "Safety planning."}  # fmt: skip
URGENCY = "Threats to kill made yesterday; he knows where she is staying"
CRITERIA = {
    "professional_judgement": "on", "judgement_rationale": "Escalating threats since the separation",
    "representative_consulted": "yes", "urgent": "on", "urgency_reason": URGENCY,
}  # fmt: skip
JUDGEMENT = "I am referring on professional judgement"
URGENT = "This is urgent: it cannot wait for the next meeting"


def risk(yes):
    return {f"q{number}": "yes" if number <= yes else "no" for number in range(1, 25)}


def start(client):
    client.post("/referrals/start/")
    return Referral.objects.latest("pk")


def save(client, referral, path, data, action="continue"):
    """Posts a section's page as the browser does: the answers, the version the page was shown at, and the button."""
    referral.refresh_from_db()
    return client.post(f"/referrals/{referral.pk}/{path}/", {**data, "version": referral.version, "action": action})


def complete(client, referral, *, score=13, criteria=CRITERIA, victim=VICTIM):
    save(client, referral, "victim", victim)
    save(client, referral, "perpetrators/new", PERPETRATOR)
    save(client, referral, "risk", risk(score))
    if criteria:
        save(client, referral, "criteria", criteria)
    save(client, referral, "consent", CONSENT)
    save(client, referral, "about", ABOUT)
    referral.refresh_from_db()


def submit(client, referral):
    referral.refresh_from_db()
    response = client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    return response


def submitted(client, **changes):
    referral = start(client)
    complete(client, referral, **changes)
    submit(client, referral)
    assert referral.status == ReferralStatus.SUBMITTED
    return referral


def summary_rows(page):
    """Each row of the page's summary lists, as (question, answer), as a screen reader reads them."""
    tree = lxml.html.fromstring(page)
    return [
        (
            row.find_class("govuk-summary-list__key")[0].text_content().strip(),
            row.find_class("govuk-summary-list__value")[0].text_content().strip(),
        )
        for row in tree.find_class("govuk-summary-list__row")
    ]


def test_the_referrer_reads_tick_boxes_as_yes_and_the_postcode_as_cleaned(client_for, referrer):
    client = client_for(referrer)
    referral = submitted(client)

    rows = summary_rows(client.get(f"/referrals/{referral.pk}/").content.decode())

    assert (JUDGEMENT, "Yes") in rows and (URGENT, "Yes") in rows
    assert ("Postcode", "ZZ99 1AA") in rows
    assert not [answer for _question, answer in rows if answer in {"on", "zz991aa"}]


def test_the_coordinator_reads_the_same_on_the_decision_page_and_in_the_word_copy(client_for, referrer, coordinator):
    referral = submitted(client_for(referrer))
    client = client_for(coordinator)

    rows = summary_rows(client.get(f"/referrals/{referral.pk}/decision/").content.decode())
    word = word_texts(client.get(f"/referrals/{referral.pk}/decision/referral.docx").content)

    assert (JUDGEMENT, "Yes") in rows and (URGENT, "Yes") in rows and ("Postcode", "ZZ99 1AA") in rows
    assert "ZZ99 1AA" in word and "Yes" in word
    assert "on" not in word and "zz991aa" not in word


def test_the_draft_still_keeps_what_was_typed(client_for, referrer):
    """Tidied when shown, never when kept: the draft holds what the referrer typed (and the person record, made
    when the coordinator accepts, holds the postcode as cleaned)."""
    client = client_for(referrer)
    referral = submitted(client)

    assert referral.content["victim"]["postcode"] == "zz991aa"
    assert referral.content["criteria"]["urgent"] == "on"


def test_an_answer_the_form_does_not_accept_yet_reads_as_typed():
    victim = SECTIONS_BY_SLUG["victim"]

    rows = dict(readable(victim, {"postcode": "not a postcode", "given_name": "  Fictiona "}, questions=[]))

    assert rows == {"Postcode": "not a postcode", "Given name": "Fictiona"}


@given(ticked=st.sampled_from(["on", "true", "True", "1", "yes"]))
def test_any_ticked_box_reads_yes(ticked):
    rows = dict(readable(SECTIONS_BY_SLUG["criteria"], {"urgent": ticked}, questions=[]))

    assert rows[URGENT] == "Yes"


@given(unticked=st.sampled_from(["false", "False", "FALSE"]))
def test_a_box_sent_as_false_reads_no(unticked):
    rows = dict(readable(SECTIONS_BY_SLUG["criteria"], {"urgent": unticked}, questions=[]))

    assert rows[URGENT] == "No"


POSTCODES = st.builds(
    lambda area, district, sector, unit: f"{area}{district}{sector}{unit}",
    st.sampled_from(["ZZ", "NB", "E", "SW"]),
    st.integers(1, 99).map(str),
    st.integers(0, 9).map(str),
    st.sampled_from(["AA", "XY", "QZ"]),
)


@given(postcode=POSTCODES, lower=st.booleans(), spaces=st.sampled_from(["", " ", "  "]))
def test_any_real_postcode_reads_in_capitals_with_one_space(postcode, lower, spaces):
    typed = f"{postcode[:-3]}{spaces}{postcode[-3:]}"
    typed = typed.lower() if lower else typed

    rows = dict(readable(SECTIONS_BY_SLUG["victim"], {"postcode": typed}, questions=[]))

    assert rows["Postcode"] == f"{postcode[:-3]} {postcode[-3:]}"


def test_the_incidents_list_names_each_event_by_its_date_and_what_it_was(client_for, referrer, outsider):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "history/new", {"happened_on": "2026-01-01", "kind": "incident", "is_crime": "yes"})
    save(client, referral, "history/new", {"happened_on": "31/3/2026", "kind": "police_call_out", "is_crime": "no"})

    page = client.get(f"/referrals/{referral.pk}/history/").content.decode()
    rows = summary_rows(page)

    assert [answer for _event, answer in rows] == [
        "1 January 2026: an incident of abuse",
        "31 March 2026: a police call-out",
    ]
    assert "2026-01-01" not in page and "incident\n" not in page
    assert client_for(outsider).get(f"/referrals/{referral.pk}/history/").status_code == 404


def test_an_event_whose_date_is_not_real_yet_is_listed_as_typed(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "history/new", {"happened_on": "31/2/2026", "kind": "social_care_referral"})

    rows = summary_rows(client.get(f"/referrals/{referral.pk}/history/").content.decode())

    assert rows == [("Event 1", "31/2/2026: a referral to social care")]


def test_removing_an_event_names_it_the_same_way(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "history/new", {"happened_on": "2026-01-01", "kind": "incident", "is_crime": "yes"})

    page = client.get(f"/referrals/{referral.pk}/history/0/remove/").content.decode()

    assert "Event 1: 1 January 2026: an incident of abuse" in page
    assert date(2026, 1, 1).isoformat() not in page
