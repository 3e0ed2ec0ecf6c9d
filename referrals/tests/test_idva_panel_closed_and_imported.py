"""The IDVA panel of the case page for a case imported from a MARAC's history (an IDVA allocated on a known day, not
named), and for a closed case, imported or not: a closed case is not worked, so it offers no IDVA forms and the
forms' addresses refuse."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from cases.models import Case, CaseStatus
from imports.models import RunStatus
from imports.tests.conftest import case_row, run_of, xlsx_of
from marac.models import AgencyType, MaracAgency
from referrals import followup
from referrals.models import ContactAttempt, IdvaAllocation, Referral
from referrals.tests.test_referral_pages import _complete
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(marac):
    """The police, the referring agency of the imported rows."""
    police = AgencyFactory(name="Northbrook Police Service", agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)


@pytest.fixture
def case(client_for, referrer, coordinator):
    """A case accepted through the pages, so it has an IDVA clock (as in test_followup)."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    return referral.case


FORMS = ("Allocate an IDVA", "Name the IDVA who was allocated", "Log a contact attempt", "Record that they declined")


def _imported(marac, coordinator, **changes):
    values = {
        "referred_on": "02/02/2023",
        "heard_on": "09/02/2023",
        "idva_allocated_on": "04/02/2023",
        "outcome": "closed",
    }
    row = case_row("HIST-0001", **(values | changes))
    run = run_of(marac, coordinator, xlsx_of([row]))
    assert run.status == RunStatus.DONE, run.problems
    return Case.objects.get(reference="HIST-0001")


def _page(client, shown):
    response = client.get(f"/cases/{shown.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _post_every_form(client, posted):
    allocation = IdvaAllocation.objects.get(case=posted)
    version = allocation.version
    return [
        client.post(f"/referrals/idva/{posted.pk}/allocate/", {"allocate-idva": "1", "allocate-version": version}),
        client.post(
            f"/referrals/idva/{posted.pk}/contact/",
            {"contact-attempted_at": "2026-11-20T10:00", "contact-method": "phone", "contact-succeeded": "no"},
        ),
        client.post(f"/referrals/idva/{posted.pk}/declined/", {"decline-confirm": "on", "decline-version": version}),
    ]


def test_an_imported_closed_case_says_when_the_idva_was_allocated_and_offers_no_forms(
    client_for,
    coordinator,
    idva,
    marac,
    agencies,
):
    case = _imported(marac, coordinator)
    for user in (coordinator, idva):
        page = _page(client_for(user), case)
        assert "Allocated within the 48 hours" in page
        assert "An IDVA was allocated on 4 February 2023, not named in the imported history" in page
        assert "Not yet allocated" not in page
        for form in FORMS:
            assert form not in page, form
        assert "This case is closed, so it is no longer worked here" in page


def test_the_forms_of_a_closed_imported_case_refuse_and_save_nothing(client_for, idva, coordinator, marac, agencies):
    case = _imported(marac, coordinator)
    before = IdvaAllocation.objects.get(case=case)
    client = client_for(idva)
    for response in _post_every_form(client, case):
        assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#idva"
    after = IdvaAllocation.objects.get(case=case)
    assert (after.idva_id, after.allocated_at, after.declined_by_victim, after.version) == (
        None,
        before.allocated_at,
        False,
        before.version,
    )
    assert not ContactAttempt.objects.exists()
    assert followup.CaseFinished.message.replace("'", "&#x27;") in _page(client, case)


def test_an_open_imported_case_lets_the_coordinator_name_the_idva_and_keeps_the_day(
    client_for,
    coordinator,
    idva,
    marac,
    agencies,
):
    case = _imported(marac, coordinator, outcome="review")
    client = client_for(coordinator)
    page = _page(client, case)
    assert "Name the IDVA who was allocated" in page and "Log a contact attempt" in page
    allocation = IdvaAllocation.objects.get(case=case)
    response = client.post(
        f"/referrals/idva/{case.pk}/allocate/", {"allocate-idva": idva.pk, "allocate-version": allocation.version}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.idva == idva
    assert timezone.localdate(allocation.allocated_at) == datetime.date(2023, 2, 4)
    assert "Allocated within the 48 hours" in _page(client, case)


def test_a_case_closed_in_openmarac_without_an_idva_is_not_overdue_for_ever_and_offers_no_forms(
    client_for,
    coordinator,
    idva,
    case,
):
    IdvaAllocation.objects.filter(case=case).update(due_by=timezone.now() - datetime.timedelta(days=40))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client = client_for(coordinator)
    page = _page(client, case)
    assert "No IDVA was allocated before the case was closed" in page
    assert "Overdue" not in page
    for form in FORMS:
        assert form not in page, form
    listing = client.get("/referrals/idva/").content.decode()
    assert "govuk-tag--red" not in listing
    writes = AuditEvent.objects.exclude(action=AuditAction.VIEW)
    events = writes.count()
    for response in _post_every_form(client_for(idva), case):
        assert response.status_code == 302
    assert IdvaAllocation.objects.get(case=case).idva_id is None and not ContactAttempt.objects.exists()
    assert writes.count() == events  # nothing changed, nothing audited as changed


def test_a_transferred_case_offers_no_idva_forms_either(client_for, coordinator, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.TRANSFERRED)
    page = _page(client_for(coordinator), case)
    for form in FORMS:
        assert form not in page, form
    assert "This case is transferred to another MARAC, so it is no longer worked here" in page


def test_an_open_case_still_offers_the_forms(client_for, coordinator, case):
    page = _page(client_for(coordinator), case)
    for form in ("Allocate an IDVA", "Log a contact attempt", "Record that they declined"):
        assert form in page, form


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.TRANSFERRED])
def test_the_services_refuse_a_finished_case_whoever_calls_them(coordinator, idva, case, status):
    Case.objects.filter(pk=case.pk).update(status=status)
    allocation = IdvaAllocation.objects.get(case=case)
    with pytest.raises(followup.CaseFinished):
        followup.idva_allocate(allocation=allocation, idva=idva, by=coordinator)
    with pytest.raises(followup.CaseFinished):
        followup.idva_declined(allocation=allocation, by=coordinator)
    with pytest.raises(followup.CaseFinished):
        followup.contact_attempt_record(
            allocation=allocation, attempted_at=timezone.now(), method="phone", succeeded=False, note="", by=idva
        )
