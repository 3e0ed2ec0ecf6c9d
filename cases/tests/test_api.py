"""The cases API: the case list and the case page as JSON, with need-to-know exactly as on the pages."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import CaseParty, CaseStatus, PartyRole
from cases.restriction_services import case_restrict
from cases.selectors import RESTRICTED_VIEW_SUMMARY
from testing.factories import CaseFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(marac):
    return [
        CaseFactory(marac=marac, referred_on=datetime.date(2026, 9, day), status=status)
        for day, status in ((1, CaseStatus.HEARD), (2, CaseStatus.LISTED), (3, CaseStatus.REFERRED))
    ]


def test_it_lists_the_cases_newest_referral_first_a_page_at_a_time(client_for, coordinator, cases):
    page = client_for(coordinator).get("/api/v1/cases?limit=2").json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [item["reference"] for item in page["items"]] == [cases[2].reference, cases[1].reference]
    rest = client_for(coordinator).get("/api/v1/cases?limit=2&offset=2").json()
    assert [item["reference"] for item in rest["items"]] == [cases[0].reference]


def test_it_filters_by_status_marac_and_change_time(client_for, coordinator, marac, cases):
    client = client_for(coordinator)
    heard = client.get("/api/v1/cases?status=heard").json()["items"]
    assert [item["reference"] for item in heard] == [cases[0].reference]
    assert client.get(f"/api/v1/cases?marac={marac.pk}").json()["count"] == 3
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/cases", {"since": later}).json()["count"] == 0
    assert client.get("/api/v1/cases", {"since": "2026-01-01T00:00:00"}).json()["count"] == 3


def test_listing_is_audited_for_the_marac(client_for, coordinator, marac, cases):
    client_for(coordinator).get("/api/v1/cases?limit=2")
    event = AuditEvent.objects.get(action="view", object_type="cases.case", object_id="")
    assert event.actor == coordinator and event.marac_id == marac.pk and "2 cases" in event.summary


def test_an_outsider_sees_no_case_and_cannot_name_the_marac(client_for, outsider, marac, cases):
    client = client_for(outsider)
    assert client.get("/api/v1/cases").json()["items"] == []
    assert client.get(f"/api/v1/cases?marac={marac.pk}").status_code == 422  # not one of theirs: invalid filter
    assert client.get(f"/api/v1/cases/{cases[0].pk}").status_code == 404


def test_the_detail_is_what_the_case_page_shows_and_is_audited(client_for, police_rep, marac, cases):
    case = cases[0]
    perpetrator = PersonFactory(marac=marac, given_name="Fictionus")
    child = PersonFactory(marac=marac, given_name="Fictionette")
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    other_family = CaseFactory(marac=marac)
    CaseParty.objects.create(case=other_family, person=perpetrator, role=PartyRole.PERPETRATOR)
    data = client_for(police_rep).get(f"/api/v1/cases/{case.pk}").json()
    assert data["victim"] == {"id": case.victim_id, "name": str(case.victim)}
    assert data["perpetrators"] == [
        {
            "id": perpetrator.pk,
            "name": "Fictionus Testperson",
            "other_cases": [{"id": other_family.pk, "reference": other_family.reference}],
        }
    ]
    assert data["children"] == [{"id": child.pk, "name": "Fictionette Testperson"}]
    assert data["status"] == "heard" and data["legal_hold"] is False
    assert AuditEvent.objects.filter(action="view", object_type="cases.case", object_id=str(case.pk)).exists()


def test_a_referrer_sees_only_the_progress_of_their_own_referral(client_for, referrer, marac):
    own = CaseFactory(marac=marac, referred_by=referrer)
    data = client_for(referrer).get(f"/api/v1/cases/{own.pk}").json()
    assert data["status"] == "referred" and data["reference"] == own.reference
    assert data["victim"] is None and data["perpetrators"] is None and data["dash_score"] is None
    assert client_for(referrer).get(f"/api/v1/cases/{CaseFactory(marac=marac).pk}").status_code == 404
    assert client_for(referrer).get("/api/v1/cases").status_code == 404  # listing is for case roles


def test_a_restricted_case_is_hidden_unless_named_and_needs_a_reason_first(client_for, marac, coordinator, cases):
    named = grant(UserFactory(), marac, Role.IDVA)
    restricted = case_restrict(case=cases[0], named_users=[named], by=coordinator)
    other = client_for(grant(UserFactory(), marac, Role.AGENCY_REPRESENTATIVE))
    assert other.get(f"/api/v1/cases/{restricted.pk}").status_code == 404
    assert restricted.reference not in {item["reference"] for item in other.get("/api/v1/cases").json()["items"]}
    client = client_for(named)
    refused = client.get(f"/api/v1/cases/{restricted.pk}")
    assert refused.status_code == 403 and "say why" in refused.json()["error"]
    client.post(f"/cases/{restricted.pk}/reason/", {"reason": "Preparing the meeting", "next": "/"})
    assert client.get(f"/api/v1/cases/{restricted.pk}").json()["restricted"] is True
    event = AuditEvent.objects.filter(object_id=str(restricted.pk), summary=RESTRICTED_VIEW_SUMMARY).get()
    assert event.changes == {"reason": "Preparing the meeting"}
