"""The Word copy of a referral received by transfer says when the referrer submitted it (at the first MARAC), and
when it was transferred, separately: never the transfer time as the submission. Its file properties name OpenMARAC
as the author, not python-docx."""

import io
from datetime import datetime

import pytest
from docx import Document

from accounts.models import Role
from referrals.calendar import LONDON, format_meeting_time
from referrals.models import Referral, Transfer
from referrals.tests.test_decision_matching import submitted_referral
from testing.documents import word_texts
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2026, 11, 20, 9, 5, tzinfo=LONDON)


@pytest.fixture
def received(client_for, referrer, coordinator, other_marac):
    referral = submitted_referral(client_for, referrer)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=SUBMITTED)
    client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/transfer/",
        {"to_marac": other_marac.pk, "reason": "The victim has moved permanently to the area"},
    )
    return Transfer.objects.select_related("to_referral").get(from_referral=referral)


@pytest.fixture
def southmere_coordinator(other_marac):
    return grant(UserFactory(full_name="Sam Ordinator", email="sam@example.invalid"), other_marac, Role.COORDINATOR)


def test_the_received_referrals_word_copy_gives_the_referrers_submission_and_the_transfer_apart(
    client_for, received, southmere_coordinator
):
    copy = received.to_referral
    assert copy.submitted_at != SUBMITTED  # the receiving record's own time is the transfer's

    response = client_for(southmere_coordinator).get(f"/referrals/{copy.pk}/decision/referral.docx")

    texts = word_texts(response.content)
    submitted = [text for text in texts if text.startswith("Submitted on ")]
    assert submitted and submitted[0].startswith(f"Submitted on {format_meeting_time(SUBMITTED)}, by ")
    assert f"Transferred from Northbrook MARAC on {format_meeting_time(received.transferred_at)}." in texts


def test_the_sending_maracs_word_copy_says_when_it_was_transferred(client_for, coordinator, received):
    response = client_for(coordinator).get(f"/referrals/{received.from_referral_id}/decision/referral.docx")

    texts = word_texts(response.content)
    assert any(text.startswith(f"Submitted on {format_meeting_time(SUBMITTED)}, by ") for text in texts)
    assert f"Transferred to Southmere MARAC on {format_meeting_time(received.transferred_at)}." in texts


def test_the_word_copy_names_openmarac_as_its_author(client_for, coordinator, received):
    response = client_for(coordinator).get(f"/referrals/{received.from_referral_id}/decision/referral.docx")

    properties = Document(io.BytesIO(response.content)).core_properties
    assert properties.author == "OpenMARAC" and properties.last_modified_by == "OpenMARAC"
    assert "python-docx" not in properties.comments
    assert properties.created is not None and properties.created.year >= 2026
