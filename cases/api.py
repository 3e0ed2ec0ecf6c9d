"""The cases part of the open API under /api/v1 (issue 8): the case list and the case page, as JSON.

Both go through the pages' selectors, so need-to-know and restricted cases apply exactly as on the pages, and
both are audited as the pages are.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from api.core import Moment, Page, PageQuery, api_permission, audit_list_read, aware, etag, marac_ids_for, page_of
from cases.models import Case, CaseStatus, PartyRole
from cases.restriction import visible_given_restrictions
from cases.selectors import case_is_referrers_only, get_case_for_user, perpetrator_links

router = Router(tags=["cases"])


class CaseQuery(PageQuery):
    marac: int | None = Field(None, description="Only this MARAC's cases (the id of a MARAC where you hold a role)")
    status: CaseStatus | None = None
    since: Moment | None = Field(None, description="Only cases changed at or after this time")


class CaseSummary(Schema):
    id: int
    reference: str
    marac_id: int
    victim: str = Field(description="The victim's name, as on the case list")
    referred_on: datetime.date
    referring_agency: str
    heard_on: datetime.date | None
    status: CaseStatus
    is_repeat: bool
    restricted: bool
    updated_at: datetime.datetime


class CaseList(Page):
    items: list[CaseSummary]


class PersonLink(Schema):
    id: int
    name: str


class CaseLink(Schema):
    id: int
    reference: str


class Perpetrator(PersonLink):
    other_cases: list[CaseLink] = Field(description="Other families' cases at this MARAC with this perpetrator")


class CaseDetail(Schema):
    """What the case page shows. A referrer without a case role sees only their referral's progress, so for
    them every field after `heard_on` is null."""

    id: int
    reference: str
    marac_id: int
    marac: str
    status: CaseStatus
    referred_on: datetime.date
    heard_on: datetime.date | None
    restricted: bool
    version: int
    victim: PersonLink | None
    perpetrators: list[Perpetrator] | None
    children: list[PersonLink] | None
    victim_pregnant: bool | None
    referring_agency: str | None
    dash_score: int | None = Field(description="The risk checklist score, if recorded")
    information_only: bool | None
    is_repeat: bool | None
    legal_hold: bool | None = Field(description="Whether a legal hold keeps the case past retention")


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "marac_id": case.marac_id,
        "victim": str(case.victim),
        "referred_on": case.referred_on,
        "referring_agency": case.referring_agency.name,
        "heard_on": case.heard_on,
        "status": case.status,
        "is_repeat": case.is_repeat,
        "restricted": case.restricted,
        "updated_at": case.updated_at,
    }


@router.get("/cases", response=CaseList, summary="The cases you may see, newest referral first")
@api_permission("cases.list_cases")
def case_list(request: HttpRequest, query: Query[CaseQuery]) -> dict[str, Any]:
    marac_ids = marac_ids_for(request, "cases.list_cases", query.marac, is_filter=True)
    cases = (
        Case.objects.filter(marac_id__in=marac_ids)
        .filter(visible_given_restrictions(request.user))
        .select_related("victim", "referring_agency")
        .order_by("-referred_on", "reference")
    )
    if query.status is not None:
        cases = cases.filter(status=query.status)
    since = aware(query.since)
    if since is not None:
        cases = cases.filter(updated_at__gte=since)
    page = page_of(cases, query)
    page["items"] = [_summary(case) for case in page["items"]]
    audit_list_read(request, object_type="cases.case", marac_ids=marac_ids, page=page, what="Case list", noun="cases")
    return page


@router.get("/cases/{case_id}", response=CaseDetail, summary="One case, as on its page")
@api_permission("cases.view_case")
def case_detail(request: HttpRequest, case_id: int, response: HttpResponse) -> dict[str, Any]:
    case = get_case_for_user(user=request.user, pk=case_id)  # audits the view, as the page does
    response["ETag"] = etag(case.version)
    detail: dict[str, Any] = {
        "id": case.pk,
        "reference": case.reference,
        "marac_id": case.marac_id,
        "marac": case.marac.name,
        "status": case.status,
        "referred_on": case.referred_on,
        "heard_on": case.heard_on,
        "restricted": case.restricted,
        "version": case.version,
    }
    if case_is_referrers_only(user=request.user, case=case):
        return detail | dict.fromkeys(CaseDetail.model_fields.keys() - detail.keys())
    parties = list(case.parties.select_related("person").order_by("role", "person_id"))
    links = perpetrator_links(case=case, user=request.user)
    return detail | {
        "victim": {"id": case.victim_id, "name": str(case.victim)},
        "perpetrators": [
            {
                "id": party.person_id,
                "name": str(party.person),
                "other_cases": [{"id": other.pk, "reference": other.reference} for other in links[party.person_id]],
            }
            for party in parties
            if party.role == PartyRole.PERPETRATOR
        ],
        "children": [
            {"id": party.person_id, "name": str(party.person)} for party in parties if party.role == PartyRole.CHILD
        ],
        "victim_pregnant": case.victim_pregnant,
        "referring_agency": case.referring_agency.name,
        "dash_score": case.dash_score,
        "information_only": case.information_only,
        "is_repeat": case.is_repeat,
        "legal_hold": case.legal_holds.filter(lifted_at__isnull=True).exists(),
    }
