"""A case sent on to another MARAC here after it was heard carries what the sending MARAC held of it (BD Referrals to
other MARACs, Jurisdiction; DOMAIN.md rule 13: the MARAC that now leads needs the risk picture the last one agreed):
its hearings with their outcome and minutes, its actions with agency, for whom, due date and status, the IDVA service
(not the IDVA's name), the risk checklist scores and the coordinator to ask. The receiving coordinator sees it on the
referral's decision page and in its Word copy, as it stood when sent: later changes at the sender do not follow, and
the sender's case stays closed to them. A restricted case sends only that it was restricted, and whom to ask."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, ActionStatus, ForWhom
from audit.models import AuditEvent
from cases.models import Case, CaseRestriction
from cases.tests.test_case_transfer import _accepted_case, _heard, _refer
from marac.models import Agency
from meetings.models import Listing
from referrals.calendar import format_day
from referrals.models import IdvaAllocation, Transfer
from referrals.tests.test_decision_matching import submitted_referral
from testing.documents import word_texts
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

RISKS = "Minuted risk: the perpetrator has found the new workplace."
DECISIONS = "Police to flag the address; housing to look at a move; IDVA to keep in weekly contact."
HOUSING = "Find the victim emergency accommodation away from Northbrook"
POLICE = "Place a marker on the victim's address"
DONE_NOTE = "Marker placed"


@pytest.fixture
def heard_with_actions(client_for, referrer, coordinator, chair, idva):
    """A case heard at Northbrook, minuted, with two actions (one done) and an IDVA from its IDVA service."""
    case = _heard(_accepted_case(client_for, referrer, coordinator))
    Listing.objects.filter(case=case).update(risks_minute=RISKS, decisions_minute=DECISIONS)
    listing = Listing.objects.get(case=case)
    due = timezone.localdate() + datetime.timedelta(days=14)
    housing = Agency.objects.create(name="Northbrook Housing Options")
    police = Agency.objects.create(name="Northbrook Constabulary")
    common = {"listing": listing, "case": case, "created_by": chair}
    Action.objects.create(owner_agency=housing, description=HOUSING, for_whom=ForWhom.VICTIM, due_on=due, **common)
    Action.objects.create(
        owner_agency=police,
        description=POLICE,
        for_whom=ForWhom.VICTIM,
        due_on=due,
        status=ActionStatus.DONE,
        completion_note=DONE_NOTE,
        **common,
    )
    IdvaAllocation.objects.filter(case=case).update(idva=idva, allocated_at=timezone.now())
    return case


def _send(client, case, to_marac, capture):
    """The sending coordinator refers the case from its page, as a coordinator does."""
    return _refer(client, case, {"to_marac": to_marac.pk}, capture)


def _decision_page(client_for, receiving_coordinator):
    received = Transfer.objects.get().to_referral
    return client_for(receiving_coordinator).get(f"/referrals/{received.pk}/decision/").content.decode()


def test_the_receiving_coordinator_sees_what_the_sending_marac_did(
    client_for, coordinator, heard_with_actions, other_marac, outsider, django_capture_on_commit_callbacks
):
    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )

    page = _decision_page(client_for, outsider)

    assert "What Northbrook MARAC did" in page
    assert f"case {heard_with_actions.reference}" in page
    assert "Cora Ordinator (" in page and "cora@example.invalid" in page
    assert "Review at a later meeting" in page
    assert "Minuted risk: the perpetrator has found" in page and "Police to flag the address" in page
    due = format_day(timezone.localdate() + datetime.timedelta(days=14))
    for words in (HOUSING, "Northbrook Housing Options", POLICE, "Northbrook Constabulary", due, "Open"):
        assert words.replace("'", "&#x27;") in page
    assert f"Done: {DONE_NOTE}" in page
    assert "An IDVA was allocated on" in page and "by Northbrook IDVA Service" in page
    assert "Ivy Advocate" not in page  # the service, not the person: the coordinators hand over
    assert "16, on the referral of" in page  # the risk checklist score the referral gave
    assert "Sent by its coordinator: Cora Ordinator (cora@example.invalid)." in page
    # A copy, not a way in: the sending MARAC's case stays closed to the receiving coordinator.
    assert client_for(outsider).get(f"/cases/{heard_with_actions.pk}/").status_code == 404


def test_what_was_sent_does_not_change_with_the_sending_maracs_case(
    client_for, coordinator, heard_with_actions, other_marac, outsider, django_capture_on_commit_callbacks
):
    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )
    Action.objects.filter(description=HOUSING).update(status=ActionStatus.DONE, completion_note="Moved to a refuge")
    Listing.objects.filter(case=heard_with_actions).update(risks_minute="Amended after the transfer")

    page = _decision_page(client_for, outsider)

    assert "Moved to a refuge" not in page and "Amended after the transfer" not in page
    assert "Minuted risk: the perpetrator has found" in page


def test_the_transfer_is_audited_with_what_was_sent_counted_not_quoted(
    client_for, coordinator, heard_with_actions, other_marac, django_capture_on_commit_callbacks
):
    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )

    transfer = Transfer.objects.get()
    audit = AuditEvent.objects.get(object_type="referrals.referral", object_id=str(transfer.to_referral_id))
    assert "sent 1 hearing(s), 2 action(s)" in audit.summary
    assert "Minuted" not in audit.summary and HOUSING not in audit.summary


def test_the_received_referrals_word_copy_says_what_the_sending_marac_did(
    client_for, coordinator, heard_with_actions, other_marac, outsider, django_capture_on_commit_callbacks
):
    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )
    received = Transfer.objects.get().to_referral

    response = client_for(outsider).get(f"/referrals/{received.pk}/decision/referral.docx")

    words = "\n".join(word_texts(response.content))
    assert "What Northbrook MARAC did" in words
    assert "Sent by Cora Ordinator (cora@example.invalid), its coordinator." in words
    for expected in (RISKS, DECISIONS, HOUSING, POLICE, "Northbrook Housing Options", f"Done: {DONE_NOTE}"):
        assert expected in words
    assert "by Northbrook IDVA Service" in words and "Ivy Advocate" not in words


def test_a_restricted_case_sends_only_that_it_was_restricted_and_whom_to_ask(
    client_for, coordinator, heard_with_actions, other_marac, outsider, django_capture_on_commit_callbacks
):
    CaseRestriction.objects.create(case=heard_with_actions, user=coordinator, added_by=coordinator)
    Case.objects.filter(pk=heard_with_actions.pk).update(restricted=True)
    client = client_for(coordinator)
    client.post(f"/cases/{heard_with_actions.pk}/reason/", {"reason": "Referring the case on"})

    _send(client, heard_with_actions, other_marac, django_capture_on_commit_callbacks)
    page = _decision_page(client_for, outsider)

    assert "What Northbrook MARAC did" in page
    assert "The case was restricted at Northbrook MARAC to the people named on it" in page
    assert "Ask its coordinator, Cora Ordinator (cora@example.invalid)" in page
    for held in ("Minuted risk", "Police to flag", HOUSING, "Northbrook Housing Options", "IDVA was allocated"):
        assert held not in page


def test_a_referral_transferred_before_it_was_a_case_names_the_coordinator_who_sent_it(
    client_for, referrer, coordinator, other_marac, outsider
):
    referral = submitted_referral(client_for, referrer)
    client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/",
        {"to_marac": other_marac.pk, "reason": "The victim has moved permanently to the area"},
    )

    page = _decision_page(client_for, outsider)

    assert "Sent by its coordinator: Cora Ordinator (cora@example.invalid)." in page
    cannot_return = page.split('data-testid="cannot-return">')[1].split("</p>")[0]
    assert "The sending MARAC's coordinator: Cora Ordinator (cora@example.invalid)." in cannot_return
    assert "What Northbrook MARAC did" not in page  # not heard there: nothing more to send


def test_a_second_coordinator_at_the_receiving_marac_sees_it_too_and_others_do_not(
    client_for, coordinator, heard_with_actions, other_marac, police_rep, django_capture_on_commit_callbacks
):
    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )
    received = Transfer.objects.get().to_referral
    colleague = grant(UserFactory(full_name="Sam Ordinator"), other_marac, Role.COORDINATOR)
    southmere_rep = grant(UserFactory(full_name="Pat Southmere"), other_marac, Role.AGENCY_REPRESENTATIVE)

    assert (
        "What Northbrook MARAC did" in client_for(colleague).get(f"/referrals/{received.pk}/decision/").content.decode()
    )
    for user in (southmere_rep, police_rep):
        assert client_for(user).get(f"/referrals/{received.pk}/decision/").status_code == 404


def test_anonymising_the_sent_case_clears_what_was_sent_with_it(
    client_for, coordinator, heard_with_actions, other_marac, django_capture_on_commit_callbacks
):
    """Retention clears a case's referral and its transfers' reasons; the minutes and actions sent go with them."""
    from governance.retention_services import _clear_referral

    _refer(
        client_for(coordinator), heard_with_actions, {"to_marac": other_marac.pk}, django_capture_on_commit_callbacks
    )
    transfer = Transfer.objects.get()
    assert RISKS in str(transfer.sender_summary)

    _clear_referral(transfer.from_referral, timezone.localdate())

    transfer.refresh_from_db()
    assert (transfer.reason, transfer.sender_summary) == ("", {})
