"""After acceptance: the IDVA's 48-hour clock, allocation, contact attempts and a declined service; the notification
to children's services, its confirmation and its chasing."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from marac.models import AgencyType
from referrals import followup
from referrals.models import ChildrenNotification, ContactAttempt, IdvaAllocation, Referral
from referrals.tasks import chase_children_notifications
from referrals.tests.test_referral_pages import _complete
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client_for, referrer, coordinator):
    """A case accepted through the pages, with a child: it has an IDVA clock and a children's notification."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    return referral.case


@pytest.fixture
def csc_rep(marac):
    agency = AgencyFactory(name="Northbrook Children's Social Care", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    user = UserFactory(full_name="Kit Carewell", email="kit@example.invalid", agency=agency)
    return grant(user, marac, Role.AGENCY_REPRESENTATIVE)


def _allocate(client, case, idva_pk, *, version=None):
    allocation = IdvaAllocation.objects.get(case=case)
    data = {"allocate-idva": idva_pk, "allocate-version": allocation.version if version is None else version}
    return client.post(f"/referrals/idva/{case.pk}/allocate/", data)


def _page(client, case):
    return client.get(f"/cases/{case.pk}/").content.decode()


def test_it_shows_the_48_hour_clock_on_a_new_case(client_for, coordinator, case):
    page = _page(client_for(coordinator), case)
    assert "48-hour clock" in page
    assert "hours left" in page
    assert "Not yet allocated" in page
    assert "govuk-tag--red" not in page


def test_it_flags_an_overdue_allocation_in_red_on_the_case_and_first_in_the_list(
    client_for, coordinator, idva, marac, case
):
    IdvaAllocation.objects.filter(case=case).update(due_by=timezone.now() - datetime.timedelta(hours=5))
    later = CaseFactory(marac=marac, reference="NB-LATER")
    IdvaAllocation.objects.create(case=later, due_by=timezone.now() + datetime.timedelta(hours=30))
    done = CaseFactory(marac=marac, reference="NB-DONE")
    IdvaAllocation.objects.create(case=done, due_by=timezone.now(), idva=idva, allocated_at=timezone.now())
    client = client_for(coordinator)
    page = _page(client, case)
    assert "Overdue by 5 hours" in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 5 hours</strong>' in page
    listing = client.get("/referrals/idva/").content.decode()
    assert listing.index(case.reference) < listing.index("NB-LATER") < listing.index("NB-DONE")
    assert "govuk-tag--red" in listing
    assert client_for(idva).get("/referrals/idva/").status_code == 200


def test_it_allocates_an_idva_audits_it_and_shows_their_name(client_for, coordinator, idva, police_rep, case):
    response = _allocate(client_for(coordinator), case, idva.pk)
    assert response.status_code == 302
    allocation = IdvaAllocation.objects.get(case=case)
    assert allocation.idva == idva and allocation.allocated_at is not None and allocation.version == 2
    event = AuditEvent.objects.get(object_type="referrals.idvaallocation", action="change")
    assert event.actor == coordinator and str(idva.pk) in event.summary
    page = _page(client_for(police_rep), case)
    assert "Ivy Advocate, Northbrook IDVA Service" in page and "Allocated within the 48 hours" in page
    assert "Allocate an IDVA" not in page  # a police rep sees the clock, not the form


def test_an_idva_at_the_marac_may_allocate_and_a_police_rep_may_not(client_for, idva, police_rep, case):
    assert _allocate(client_for(police_rep), case, idva.pk).status_code == 404
    assert IdvaAllocation.objects.get(case=case).idva is None
    assert _allocate(client_for(idva), case, idva.pk).status_code == 302
    assert IdvaAllocation.objects.get(case=case).idva == idva


def test_it_refuses_to_allocate_someone_who_is_not_an_idva_at_this_marac(
    client_for, coordinator, police_rep, other_marac, case
):
    page = _allocate(client_for(coordinator), case, police_rep.pk).content.decode()
    assert "Choose someone who holds the IDVA role at this MARAC" in page
    assert 'class="govuk-error-summary"' in page
    allocation = IdvaAllocation.objects.get(case=case)
    assert allocation.idva is None
    elsewhere = grant(UserFactory(), other_marac, Role.IDVA)
    for person in (police_rep, elsewhere):
        with pytest.raises(followup.NotAnIdvaHere):
            followup.idva_allocate(allocation=allocation, idva=person, by=coordinator)
    assert not AuditEvent.objects.filter(object_type="referrals.idvaallocation").exists()


def test_it_refuses_a_stale_allocation_form(client_for, coordinator, idva, marac, case):
    second = grant(UserFactory(full_name="Ian Second"), marac, Role.IDVA)
    stale = IdvaAllocation.objects.get(case=case)
    client = client_for(coordinator)
    _allocate(client, case, idva.pk)
    page = _allocate(client, case, second.pk, version=stale.version).content.decode()
    assert "Someone else changed this IDVA allocation" in page
    assert IdvaAllocation.objects.get(case=case).idva == idva
    with pytest.raises(followup.StaleRecord):
        followup.idva_allocate(allocation=stale, idva=second, by=coordinator)


def test_it_lists_contact_attempts_with_notes_for_the_idva_only(client_for, idva, police_rep, case):
    client = client_for(idva)
    # Attempts happen after the referral (made today) and not in the future: a few minutes ago.
    earlier, later = (timezone.localtime() - datetime.timedelta(minutes=minutes) for minutes in (4, 2))
    for when, method, succeeded, note in (
        (earlier.strftime("%Y-%m-%dT%H:%M"), "phone", "no", "No answer, no voicemail left"),
        (later.strftime("%Y-%m-%dT%H:%M"), "text", "yes", "Replied, call booked"),
    ):
        response = client.post(
            f"/referrals/idva/{case.pk}/contact/",
            {
                "contact-attempted_at": when,
                "contact-method": method,
                "contact-succeeded": succeeded,
                "contact-note": note,
            },
        )
        assert response.status_code == 302
    assert list(ContactAttempt.objects.values_list("method", "succeeded")) == [("phone", False), ("text", True)]
    assert AuditEvent.objects.filter(object_type="referrals.contactattempt", action="create").count() == 2
    page = _page(client, case)
    assert (
        "Text message" in page and "No answer, no voicemail left" in page and later.strftime("%-d %b %Y %H:%M") in page
    )
    other = _page(client_for(police_rep), case)
    assert "Text message" in other and "No answer" not in other


def test_a_contact_attempt_in_the_future_is_refused(client_for, idva, case):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client_for(idva).post(
        f"/referrals/idva/{case.pk}/contact/",
        {"contact-attempted_at": future, "contact-method": "phone", "contact-succeeded": "no"},
    )
    assert "The date of the attempt must be today or in the past" in page.content.decode()
    assert not ContactAttempt.objects.exists()


def test_declining_the_idva_makes_the_referrer_responsible_for_feedback(client_for, coordinator, idva, case):
    client = client_for(idva)
    allocation = IdvaAllocation.objects.get(case=case)
    unconfirmed = client.post(f"/referrals/idva/{case.pk}/declined/", {"decline-version": allocation.version})
    assert "Confirm that the victim declined the IDVA service" in unconfirmed.content.decode()
    client.post(
        f"/referrals/idva/{case.pk}/declined/", {"decline-version": allocation.version, "decline-confirm": "on"}
    )
    allocation.refresh_from_db()
    assert allocation.declined_by_victim and allocation.feedback_from == "referrer"
    page = _page(client_for(coordinator), case)
    assert "The referrer is responsible for feedback to the victim" in page
    assert "Reggie Referrer" in page
    assert "Allocate an IDVA" not in page
    with pytest.raises(followup.VictimDeclined):
        followup.idva_allocate(allocation=allocation, idva=idva, by=coordinator)
    assert AuditEvent.objects.filter(object_type="referrals.idvaallocation", summary__contains="declined").exists()


def test_the_childrens_social_care_rep_confirms_the_notification(client_for, csc_rep, case):
    client = client_for(csc_rep)
    page = _page(client, case)
    assert "Record confirmation from children's social care" in page
    client.post(f"/referrals/children-notifications/{case.pk}/confirm/")
    notification = ChildrenNotification.objects.get(case=case)
    assert notification.confirmed_at is not None and notification.confirmed_by == csc_rep
    assert AuditEvent.objects.filter(object_type="referrals.childrennotification", action="change").exists()
    assert "Kit Carewell" in _page(client, case)


def test_the_police_rep_cannot_confirm_the_childrens_notification(client_for, police_rep, case):
    client = client_for(police_rep)
    assert "Record confirmation" not in _page(client, case)
    assert client.post(f"/referrals/children-notifications/{case.pk}/confirm/").status_code == 404
    notification = ChildrenNotification.objects.get(case=case)
    assert notification.confirmed_at is None
    with pytest.raises(followup.NotChildrensSocialCare):
        followup.children_notification_confirm(notification=notification, by=police_rep)


def test_it_lists_unconfirmed_notifications_and_flags_those_to_chase(client_for, coordinator, csc_rep, marac, case):
    ChildrenNotification.objects.filter(case=case).update(chase_due_on=timezone.localdate() - datetime.timedelta(1))
    waiting = CaseFactory(marac=marac, reference="NB-WAITING")
    ChildrenNotification.objects.create(case=waiting, sent_at=timezone.now(), chase_due_on=timezone.localdate())
    confirmed = CaseFactory(marac=marac, reference="NB-CONFIRMED")
    ChildrenNotification.objects.create(
        case=confirmed, sent_at=timezone.now(), chase_due_on=timezone.localdate(), confirmed_at=timezone.now()
    )
    page = client_for(coordinator).get("/referrals/children-notifications/").content.decode()
    assert page.count("Chase now") == 1 and page.index(case.reference) < page.index("Chase now")
    assert "NB-WAITING" in page and "NB-CONFIRMED" not in page
    assert "Chase now" in _page(client_for(coordinator), case)
    assert client_for(csc_rep).get("/referrals/children-notifications/").status_code == 404


def test_the_chase_task_marks_and_emails_coordinators_without_personal_details(coordinator, marac, case):
    ChildrenNotification.objects.filter(case=case).update(chase_due_on=timezone.localdate() - datetime.timedelta(3))
    not_yet = CaseFactory(marac=marac)
    ChildrenNotification.objects.create(case=not_yet, sent_at=timezone.now(), chase_due_on=timezone.localdate())
    result = chase_children_notifications.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    assert ChildrenNotification.objects.get(case=case).chased_at is not None
    assert ChildrenNotification.objects.get(case=not_yet).chased_at is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "1 notification to children's services needs chasing" in message.body
    assert "/referrals/children-notifications/" in message.body
    text = message.subject + message.body
    for detail in ("Fictiona", "Testworth", "Tiny", "Villainson", "Nowhereton", case.reference):
        assert detail not in text


def test_the_management_command_queues_the_chase(coordinator, case):
    ChildrenNotification.objects.filter(case=case).update(chase_due_on=timezone.localdate() - datetime.timedelta(3))
    call_command("chase_children_notifications")
    assert ChildrenNotification.objects.get(case=case).chased_at is not None
    assert len(mail.outbox) == 1


def test_the_outsider_gets_404_everywhere(client_for, outsider, idva, referrer, case):
    allocation = IdvaAllocation.objects.get(case=case)
    client = client_for(outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    writes = {
        f"/referrals/idva/{case.pk}/allocate/": {"allocate-idva": idva.pk, "allocate-version": allocation.version},
        f"/referrals/idva/{case.pk}/contact/": {"contact-attempted_at": "2026-03-02T10:15", "contact-method": "phone",
                                                "contact-succeeded": "no"},
        f"/referrals/idva/{case.pk}/declined/": {"decline-version": allocation.version, "decline-confirm": "on"},
        f"/referrals/children-notifications/{case.pk}/confirm/": {},
    }  # fmt: skip
    for url, data in writes.items():
        for user in (outsider, referrer):
            assert client_for(user).get(url).status_code == 404, url
            assert client_for(user).post(url, data).status_code == 404, url
    # Their own MARAC's lists open, with nothing of this one in them.
    assert case.reference not in client.get("/referrals/idva/").content.decode()
    assert case.reference not in client.get("/referrals/children-notifications/").content.decode()
    allocation.refresh_from_db()
    assert allocation.idva is None and not allocation.declined_by_victim and not ContactAttempt.objects.exists()
    assert ChildrenNotification.objects.get(case=case).confirmed_at is None
