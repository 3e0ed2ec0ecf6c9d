"""manage.py demo_load: loads the demo once, writes it to the audit trail, and prints the sign-ins."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import call_command

from accounts.models import Role, User
from audit.models import AuditEvent
from demo.personas import DEMO_PASSWORD, PERSONAS
from marac.models import Marac

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_once_and_prints_a_sign_in_for_every_role(settings):
    settings.OPENMARAC_DEMO_MODE = True
    settings.MFA_TOTP_INSECURE_BYPASS_CODE = "000000"
    persona_emails = [f"{persona.slug}@northbrook.example" for persona in PERSONAS]
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        call_command("demo_load", "--seed", "7", stdout=out)
        outputs.append(out.getvalue())
    assert Marac.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="demo.load").count() == 1
    assert "already loaded" in outputs[1]
    # The matching model is trained with the demo, once, so the inbox's referrals come with suggestions.
    assert "Trained the person-matching model" in outputs[0] and "Trained" not in outputs[1]
    for output in outputs:
        assert "http://127.0.0.1:8000/" in output and DEMO_PASSWORD in output
        assert "000000 is accepted" in output
        for role in Role:
            user = User.objects.get(role_grants__role=role, email__in=persona_emails)
            secret = decrypt(Authenticator.objects.get(user=user).data["secret"])
            assert role.label in output and user.email in output and secret in output


def test_it_mentions_no_bypass_code_outside_demo_mode(settings):
    settings.OPENMARAC_DEMO_MODE = False
    out = io.StringIO()
    call_command("demo_load", "--without-matching", stdout=out)
    assert "instead of a TOTP code" not in out.getvalue()


@pytest.mark.django_db
def test_it_leaves_referrals_in_the_inbox_and_meetings_ahead_to_list_them_at():
    from django.utils import timezone

    from meetings.models import Meeting
    from referrals.models import Referral, ReferralStatus

    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == [ReferralStatus.ACCEPTED, ReferralStatus.DRAFT] + [ReferralStatus.SUBMITTED] * 3
    assert all(referral.criteria_result["met"] for referral in Referral.objects.filter(status=ReferralStatus.SUBMITTED))
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).count() >= 3


@pytest.mark.django_db
def test_an_emergency_marac_with_its_case_list_out_lets_the_live_meeting_be_tried_on_any_day(client_for):
    from accounts.models import Role, User
    from meetings.models import Meeting

    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    emergency = Meeting.objects.get(is_emergency=True)
    assert emergency.listings.count() == 1 and emergency.state.case_list_released_at is not None
    coordinator = User.objects.get(role_grants__role=Role.COORDINATOR)
    client = client_for(coordinator)
    live = f"/meetings/{emergency.pk}/live/"
    assert client.post(f"/meetings/{emergency.pk}/sign/", {"next": live}).status_code == 302  # the agreement
    page = client.get(live)
    assert page.status_code == 200
    assert "Start the meeting" in page.content.decode()
    assert "once its case list has been released" not in page.content.decode()


@pytest.mark.django_db
def test_every_case_heard_in_the_demo_year_is_on_its_meetings_agenda():
    from cases.models import Case
    from meetings.models import Listing

    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    heard = Case.objects.filter(heard_on__isnull=False)
    listed = Listing.objects.filter(case__in=heard)
    assert listed.count() == heard.count()
    assert all(
        listing.meeting.starts_at.date() == listing.case.heard_on
        for listing in listed.select_related("meeting", "case")[:50]
    )
    assert Listing.objects.filter(meeting__starts_at__gt=django_now()).exists()  # cases waiting for the next meeting


def django_now():
    from django.utils import timezone

    return timezone.now()
