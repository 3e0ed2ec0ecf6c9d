"""Referring a case already accepted here to the MARAC where the victim now lives (BD Referrals to other MARACs,
Jurisdiction): from the case page, the coordinator chooses one of this installation's MARACs (which receives its
own referral, and its coordinators an email with no personal data) or names one outside it, and says why; the case
becomes transferred, and its page says where it went and when. A case the meeting recorded as transferred, with no
referral made yet, prompts the coordinator to make it. A closed case, or one a meeting still means to hear, cannot be
sent; sent twice, it is sent once; and only the coordinator of the case's MARAC, with need-to-know, may send it."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import Case, CaseRestriction, CaseStatus
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus, Outcome
from referrals.models import Referral, ReferralStatus, Transfer
from referrals.tests.test_accept_known_person import confirm_victim_held
from referrals.tests.test_decision_matching import submitted_referral
from referrals.tests.test_transfer_receiving_marac import _receiving_dash_threshold
from testing.factories import UserFactory, grant
from web import once

pytestmark = pytest.mark.django_db

REASON = "The victim has moved permanently to the area"
REFER = "Refer this case to another MARAC"


def _accepted_case(client_for, referrer, coordinator):
    referral = submitted_referral(client_for, referrer)
    client = client_for(coordinator)
    confirm_victim_held(client, referral)  # a test referring the same fictional victim again
    client.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    return referral.case


def _heard(case, outcome=Outcome.REVIEW):
    """Heard at the meeting it was listed at (as the live meeting leaves it: meetings/tests cover that part)."""
    Listing.objects.filter(case=case).update(started_at=timezone.now(), ended_at=timezone.now(), outcome=outcome)
    status = CaseStatus.TRANSFERRED if outcome == Outcome.TRANSFERRED else CaseStatus.HEARD
    Case.objects.filter(pk=case.pk).update(status=status, heard_on=timezone.localdate())
    case.refresh_from_db()
    return case


@pytest.fixture
def heard_case(client_for, referrer, coordinator):
    return _heard(_accepted_case(client_for, referrer, coordinator))


def _token(page):
    return re.search(rf'name="{once.FIELD}" value="([^"]+)"', page.content.decode()).group(1)


def _refer(client, case, data, capture):
    url = f"/cases/{case.pk}/transfer/"
    with capture(execute=True):
        response = client.post(url, {"reason": REASON, "once": _token(client.get(url)), **data}, follow=True)
    return response.content.decode()


def _today():
    today = timezone.localdate()
    return f"{today.day} {today:%B %Y}"


def test_a_heard_case_is_referred_to_a_marac_here_which_receives_its_own_referral(
    client_for, coordinator, police_rep, heard_case, other_marac, outsider, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    assert REFER.lower() in client.get(f"/cases/{heard_case.pk}/").content.decode().lower()
    form = client.get(f"/cases/{heard_case.pk}/transfer/").content.decode()
    assert "Southmere MARAC" in form and "Do not write the victim&#x27;s new address" in form
    mail.outbox.clear()

    page = _refer(client, heard_case, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)

    assert "Case referred to Southmere MARAC" in page
    assert f"Referred to Southmere MARAC on {_today()}." in page and REASON in page
    heard_case.refresh_from_db()
    assert heard_case.status == CaseStatus.TRANSFERRED
    sent = heard_case.referral
    transfer = Transfer.objects.get()
    assert (transfer.from_referral, transfer.to_marac, transfer.transferred_by) == (sent, other_marac, coordinator)
    received = transfer.to_referral
    assert received.marac == other_marac and received.status == ReferralStatus.SUBMITTED
    assert received.content == sent.content and received.criteria_result["met"] is True
    assert Referral.objects.get(pk=sent.pk).status == ReferralStatus.ACCEPTED  # the sending MARAC's own record
    # Everyone at the sending MARAC who may see the case sees where it went and when; the reason is the coordinators'.
    rep_page = client_for(police_rep).get(f"/cases/{heard_case.pk}/").content.decode()
    assert f"Referred to Southmere MARAC on {_today()}." in rep_page and REASON not in rep_page
    # The receiving coordinator is told a referral is waiting: the MARAC's name and a link, no one's details.
    assert [email.to for email in mail.outbox] == [[outsider.email]]
    email = mail.outbox[0]
    assert f"/referrals/{received.pk}/decision/" in email.body
    for private in ("Fictiona", "Testworth", "Northbrook", heard_case.reference, REASON):
        assert private not in email.subject + email.body
    decision = client_for(outsider).get(f"/referrals/{received.pk}/decision/").content.decode()
    assert f"Transferred from Northbrook MARAC on {_today()}: {REASON}" in decision
    assert client_for(outsider).get(f"/cases/{heard_case.pk}/").status_code == 404
    audit = AuditEvent.objects.get(object_type="cases.case", object_id=str(heard_case.pk), action="change")
    assert audit.summary == f"Referred case {heard_case.pk} to MARAC {other_marac.pk} (transfer {transfer.pk})"


def test_a_case_the_meeting_transferred_prompts_the_coordinator_to_refer_it_and_one_outside_is_named(
    client_for, referrer, coordinator, police_rep, django_capture_on_commit_callbacks
):
    case = _heard(_accepted_case(client_for, referrer, coordinator), Outcome.TRANSFERRED)
    client = client_for(coordinator)
    prompt = "no referral has been made to that MARAC yet"

    before = client.get(f"/cases/{case.pk}/").content.decode()
    rep_before = client_for(police_rep).get(f"/cases/{case.pk}/").content.decode()

    assert prompt in before and REFER in before
    assert prompt in rep_before and REFER not in rep_before
    mail.outbox.clear()
    page = _refer(client, case, {"to_marac_name": "Eastvale MARAC"}, django_capture_on_commit_callbacks)

    assert "Referral of this case to Eastvale MARAC recorded" in page and "usual secure route" in page
    assert f"Referred to Eastvale MARAC on {_today()}." in page and prompt not in page
    assert f"/referrals/{case.referral.pk}/decision/referral.docx" in page
    assert client.get(f"/referrals/{case.referral.pk}/decision/referral.docx").status_code == 200
    transfer = Transfer.objects.get()
    assert (transfer.to_marac, transfer.to_marac_name, transfer.to_referral) == (None, "Eastvale MARAC", None)
    assert Referral.objects.count() == 1 and not mail.outbox
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED


def test_the_receiving_marac_judges_it_by_its_own_criteria(
    client_for, coordinator, heard_case, other_marac, django_capture_on_commit_callbacks
):
    _receiving_dash_threshold(client_for, other_marac, 20)  # the referral's score is 16

    page = _refer(client_for(coordinator), heard_case, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)

    assert "It does not meet that MARAC&#x27;s criteria as it stands" in page
    assert Transfer.objects.get().to_referral.criteria_result["met"] is False


def test_sent_twice_it_is_referred_once(client_for, coordinator, heard_case, other_marac):
    client = client_for(coordinator)
    url = f"/cases/{heard_case.pk}/transfer/"
    data = {"to_marac": other_marac.pk, "reason": REASON, "once": _token(client.get(url))}
    fresh = {**data, "once": _token(client.get(url))}  # a second tab opened before the first was sent

    first = client.post(url, data)
    again = client.post(url, data, follow=True).content.decode()
    other_tab = client.post(url, fresh, follow=True).content.decode()

    assert first.status_code == 302
    assert "This was already saved" in again
    assert f"Nothing was saved. This case was referred to Southmere MARAC on {_today()}." in other_tab
    assert Transfer.objects.count() == 1 and Referral.objects.filter(marac=other_marac).count() == 1


def test_a_closed_case_cannot_be_referred(client_for, coordinator, referrer, other_marac):
    case = _heard(_accepted_case(client_for, referrer, coordinator), Outcome.CLOSED)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client = client_for(coordinator)
    url = f"/cases/{case.pk}/transfer/"

    assert REFER.lower() not in client.get(f"/cases/{case.pk}/").content.decode().lower()
    assert "This case is closed" in client.get(url).content.decode()
    posted = client.post(url, {"to_marac": other_marac.pk, "reason": REASON}, follow=True).content.decode()

    assert "Nothing was saved. This case is closed" in posted
    assert not Transfer.objects.exists() and Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_case_a_meeting_still_means_to_hear_is_not_sent_from_under_it(
    client_for, coordinator, referrer, heard_case, other_marac
):
    later = Meeting.objects.create(marac=heard_case.marac, starts_at=timezone.now() + datetime.timedelta(days=21))
    Listing.objects.create(meeting=later, case=heard_case)
    listed = _accepted_case(client_for, referrer, coordinator)  # listed at the next meeting, not heard yet
    running = Listing.objects.get(case=listed).meeting
    client = client_for(coordinator)

    for case in (heard_case, listed):
        page = client.get(f"/cases/{case.pk}/transfer/").content.decode()
        assert "Hear it there and record the outcome" in page and 'name="reason"' not in page
    MeetingState.objects.update_or_create(meeting=running, defaults={"status": MeetingStatus.IN_PROGRESS})
    _heard(listed, Outcome.TRANSFERRED)
    page = client.get(f"/cases/{listed.pk}/transfer/").content.decode()
    assert "which is still running: refer it once that meeting closes" in page
    client.post(f"/cases/{heard_case.pk}/transfer/", {"to_marac": other_marac.pk, "reason": REASON})
    assert not Transfer.objects.exists()


def test_only_the_coordinator_of_the_cases_marac_may_refer_it(
    client_for, heard_case, other_marac, chair, police_rep, idva, referrer, outsider, board_viewer
):
    url = f"/cases/{heard_case.pk}/transfer/"
    for user in (chair, police_rep, idva, referrer, outsider, board_viewer):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"to_marac": other_marac.pk, "reason": REASON}).status_code == 404
        assert REFER.lower() not in client_for(user).get(f"/cases/{heard_case.pk}/").content.decode().lower()
    assert not Transfer.objects.exists()


def test_a_restricted_case_follows_the_case_pages_rules(client_for, coordinator, heard_case, other_marac, marac):
    named = grant(UserFactory(full_name="Nell Named"), marac, Role.COORDINATOR)
    Case.objects.filter(pk=heard_case.pk).update(restricted=True)
    CaseRestriction.objects.create(case=heard_case, user=named, added_by=named)
    url = f"/cases/{heard_case.pk}/transfer/"

    assert client_for(coordinator).get(url).status_code == 404  # not named on it
    assert client_for(coordinator).post(url, {"to_marac": other_marac.pk, "reason": REASON}).status_code == 404
    asked = client_for(named).get(url)
    assert asked.status_code == 302 and asked["Location"].startswith(f"/cases/{heard_case.pk}/reason/")
    assert not Transfer.objects.exists()


def test_on_a_restricted_case_whose_reason_ran_out_what_was_typed_comes_back_unsaved(
    client_for, coordinator, heard_case, other_marac
):
    CaseRestriction.objects.create(case=heard_case, user=coordinator, added_by=coordinator)
    Case.objects.filter(pk=heard_case.pk).update(restricted=True)
    client = client_for(coordinator)
    url = f"/cases/{heard_case.pk}/transfer/"
    client.post(f"/cases/{heard_case.pk}/reason/", {"reason": "Referring the case on"})
    token = _token(client.get(url))
    session = client.session
    session.pop("openmarac_restricted_case_reasons")  # as if thirty minutes had passed
    session.save()

    refused = client.post(
        url,
        {"to_marac": other_marac.pk, "reason": REASON, "once": token},
        headers={"Referer": f"http://localhost{url}"},
    )

    assert refused.status_code == 302 and refused["Location"].startswith(f"/cases/{heard_case.pk}/reason/")
    assert not Transfer.objects.exists()
    back = client.post(refused["Location"], {"reason": "Referring the case on", "next": url})
    assert back["Location"] == url
    shown = client.get(url)
    assert REASON in shown.content.decode() and _token(shown) != token
    assert client.post(url, {"to_marac": other_marac.pk, "reason": REASON, "once": _token(shown)}).status_code == 302
    assert Transfer.objects.count() == 1


def test_a_case_sent_on_after_the_meeting_said_transferred_counts_once_among_referrals_to_other_maracs(
    client_for, referrer, coordinator, other_marac, django_capture_on_commit_callbacks
):
    from reports.cohorts import Scope
    from reports.indicators import INDICATORS_BY_KEY
    from reports.periods import PeriodKind, period_containing

    case = _heard(_accepted_case(client_for, referrer, coordinator), outcome=Outcome.TRANSFERRED)
    Meeting.objects.filter(listings__case=case).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    MeetingState.objects.filter(meeting__listings__case=case).update(status=MeetingStatus.CLOSED)
    _refer(client_for(coordinator), case, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks)
    assert Transfer.objects.filter(from_referral__case=case).exists()

    period = period_containing(PeriodKind.ROLLING_12_MONTHS, timezone.localdate())
    figure = INDICATORS_BY_KEY["to_other_maracs"].compute(Scope((case.marac_id,), period))
    assert (figure.numerator, figure.denominator) == (1, 1)  # the one case, once; not two of two
