"""The referral JSON API: the pages' services and the pages' forms, with the referral as one JSON document.

A django-ninja Router of the open API (api/core.py, docs/api.md): an agency's API credential or the signed-in
session, with the same user, permissions and CSRF protection as the pages. The body is read here rather than by
ninja, so that a draft keeps exactly what was sent (valid or not) and each refusal says precisely what is wrong;
its shape is declared in the schema all the same.

Field values are kept as a browser form posts them, so that a draft saved here reads exactly like one saved
from the pages: numbers become text, true becomes "true", false and null become "" (an unticked box), and
only fields with several choices (checkboxes) take a list. Errors are keyed by JSON path
("victim.date_of_birth", "children[0].given_name"); problems with the referral as a whole are keyed "".
"""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from api.core import (
    IF_MATCH_DESCRIPTION,
    UNKNOWN_FIELD_MESSAGE,
    ApiError,
    Error,
    Page,
    PageQuery,
    api_permission,
    based_on_version,
    etag,
    page_of,
    parse_json,
    read_body,
)
from audit.models import AuditAction
from audit.services import audit_record
from cases.selectors import cases_visible_to
from marac.models import Marac
from referrals import services
from referrals.errors import RuleInputError
from referrals.models import Referral
from referrals.sections import SECTIONS, SECTIONS_BY_SLUG, Section, form_for
from referrals.selectors import get_referral_for_user, may_refer_at_its_marac, referral_is_editable_by, referrals_of
from referrals.services import instrument_for
from web.access import current_marac_where

STALE_MESSAGE = (
    "This referral was saved somewhere else since the version you sent. Nothing was saved: "
    "fetch the referral again, apply your changes to it and send them with its new version."
)
STALE_DELETE_MESSAGE = (
    "This referral was saved somewhere else since the version you sent. Nothing was deleted: "
    "fetch it again and check it before deleting it."
)
INVALID_MESSAGE = "Nothing was saved: see errors"
BODY_VERSION_MESSAGE = "Give the version as a whole number, such as 7"
NOT_EDITABLE_MESSAGE = "This referral has been submitted and can no longer be changed"
NOT_DISCARDABLE_MESSAGE = (
    "This referral has been submitted: it is the MARAC's record and cannot be deleted. Nothing was deleted"
)
NO_AGENCY_MESSAGE = "Your account has no agency: ask your administrator to add one before you refer"
NO_REFERRAL_ROLE_MESSAGE = (
    "This referral cannot be changed or submitted: you do not hold a role that makes referrals at its MARAC. "
    "Nothing was saved"
)
SECTION_NAMES = ", ".join(section.slug for section in SECTIONS)

type SectionBody = dict[str, Any] | list[dict[str, Any]]


router = Router(tags=["referrals"])


def _answers_errors[View: Callable[..., Any]](view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except services.StaleReferral:
            raise ApiError(409, STALE_MESSAGE) from None
        except services.NotEditable:
            raise ApiError(409, NOT_EDITABLE_MESSAGE) from None
        except services.NotAllowedAtMarac:
            raise ApiError(403, NO_REFERRAL_ROLE_MESSAGE) from None

    return wrapped  # type: ignore[return-value]


# Reading the request


def _body(request: HttpRequest, *, required: bool) -> Any:
    """The parsed JSON body, or None when an optional body was left empty."""
    body = read_body(request)  # 413 over the API's limit, before anything is read
    if not required and not body:
        return None
    if request.content_type != "application/json":
        raise ApiError(415, "Send JSON, with the header Content-Type: application/json")
    if not body:
        raise ApiError(400, "The body is empty: send JSON")
    return parse_json(body)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(400, f"{what} must be a JSON object")
    return value


def _based_on_version(request: HttpRequest, body: Any) -> int:
    """The version a change is based on, as research, the victim's voice and actions take it
    (api.core.based_on_version): If-Match, or "version" in the body; both if they agree; one is required."""
    return based_on_version(request.headers.get("If-Match"), _body_version(body))


def _body_version(body: Any) -> int | None:
    sent = body.get("version") if isinstance(body, dict) else None
    if sent is None:
        return None
    if isinstance(sent, str) and sent.strip().isascii() and sent.strip().isdigit() and len(sent.strip()) <= 18:
        return int(sent)  # as a form would post it
    if isinstance(sent, bool) or not isinstance(sent, int):
        raise ApiError(422, INVALID_MESSAGE, {"body.version": [BODY_VERSION_MESSAGE]})
    return sent


def _delete_based_on_version(request: HttpRequest) -> int | None:
    """Deleting takes If-Match if it is sent ("*", or none, for whatever version the draft is at)."""
    if_match = request.headers.get("If-Match")
    if if_match is None or if_match.strip() == "*":
        return None
    return based_on_version(if_match, None)


def _as_posted(value: Any, path: str, *, several: bool) -> Any:
    if isinstance(value, list) and several:
        return [_as_posted(item, f"{path}[{index}]", several=False) for index, item in enumerate(value)]
    if isinstance(value, bool):
        return "true" if value else ""
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    raise ApiError(400, f"{path} must be text, a number, true, false or null")


def _fields(section: Section, value: Any, path: str) -> dict[str, Any]:
    # The risk checklist has no field with several choices, whichever instrument builds it.
    form = form_for(section, data=None, questions=[])
    several = {name for name, field in form.fields.items() if getattr(field.widget, "allow_multiple_selected", False)}
    return {
        name: _as_posted(field_value, f"{path}.{name}", several=name in several)
        for name, field_value in _object(value, path).items()
    }


def _section_body(section: Section, value: Any) -> SectionBody:
    if not section.is_list:
        return _fields(section, value, section.slug)
    if not isinstance(value, list):
        raise ApiError(400, f"{section.slug} must be a JSON array, one object for each {section.item_name}")
    return [_fields(section, item, f"{section.slug}[{index}]") for index, item in enumerate(value)]


def _document(value: Any) -> list[tuple[Section, SectionBody]]:
    document = _object(value, "The referral")
    unknown = sorted(set(document) - set(SECTIONS_BY_SLUG))
    if unknown:
        raise ApiError(400, f"Unknown section: {', '.join(unknown)}. The sections are: {SECTION_NAMES}")
    return [
        (section, _section_body(section, document[section.slug])) for section in SECTIONS if section.slug in document
    ]


def _section(slug: str) -> Section:
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise ApiError(404, f"There is no section {slug!r}. The sections are: {SECTION_NAMES}")
    return section


def _editable(request: HttpRequest, pk: int) -> Referral:
    referral = get_referral_for_user(user=request.user, pk=pk)
    if referral.referrer_id != request.user.pk:
        raise Http404
    if referral.status in services.EDITABLE and not may_refer_at_its_marac(user=request.user, referral=referral):
        raise ApiError(403, NO_REFERRAL_ROLE_MESSAGE)
    if not referral_is_editable_by(user=request.user, referral=referral):
        raise ApiError(409, NOT_EDITABLE_MESSAGE)
    return referral


# Writing, through the pages' services


def _unknown_fields(referral: Referral, section: Section, body: SectionBody, where: str) -> dict[str, list[str]]:
    """Fields the section's form does not have (the risk checklist's are its instrument's questions): a draft keeps
    what was sent, valid or not, but a misspelt name would be kept where no page ever shows it, so it is refused."""
    questions = instrument_for(referral).questions if section.slug == "risk" else []
    known = set(form_for(section, data=None, questions=questions).fields) | {"version"}
    items = body if isinstance(body, list) else [body]
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(body, list) else where
        for name in sorted(set(item) - known):
            errors[f"{at}.{name}"] = [UNKNOWN_FIELD_MESSAGE]
    return errors


def _save(
    referral: Referral,
    section: Section,
    body: SectionBody,
    *,
    based_on_version: int | None,
    by: Any,
    where: str = "body",
) -> Referral:
    """Save one section; refused with 422, nothing saved, if it names a field the section does not have. `where` is
    the section's place in the request body, for the error's location."""
    unknown = _unknown_fields(referral, section, body, where)
    if unknown:
        raise ApiError(422, INVALID_MESSAGE, unknown)
    if isinstance(body, dict):
        referral, _ = services.referral_save_section(
            referral=referral, section=section, data=body, based_on_version=based_on_version, by=by
        )
        return referral
    return _replace_items(referral, section, body, based_on_version=based_on_version, by=by)


def _replace_items(
    referral: Referral, section: Section, items: list[dict[str, Any]], *, based_on_version: int | None, by: Any
) -> Referral:
    """Each item saved in its place, then any left over removed: one transaction, under the lock the first
    service call takes, so the list is replaced whole or not at all."""
    if based_on_version is not None and referral.version != based_on_version:
        raise services.StaleReferral
    version = based_on_version
    with transaction.atomic():
        for index, item in enumerate(items):
            referral, _ = services.referral_save_section(
                referral=referral, section=section, data=item, index=index, based_on_version=version, by=by
            )
            version = referral.version
        while len(referral.content.get(section.slug, [])) > len(items):
            referral = services.referral_remove_item(
                referral=referral,
                section=section,
                index=len(referral.content[section.slug]) - 1,
                based_on_version=version,
                by=by,
            )
            version = referral.version
    return referral


# Rendering


def _errors(referral: Referral) -> dict[str, list[str]]:
    """Every field that still needs correcting, by JSON path, from the same forms the pages use."""
    errors: dict[str, list[str]] = {}
    for section in SECTIONS:
        stored = referral.content.get(section.slug)
        if stored is None:
            continue
        for index, raw in enumerate(stored if section.is_list else [stored]):
            path = f"{section.slug}[{index}]" if section.is_list else section.slug
            for field, messages in services.section_errors(referral, section, raw).items():
                errors[path if field == "__all__" else f"{path}.{field}"] = messages
    return errors


def _problems_and_decision(referral: Referral) -> tuple[dict[str, list[str]], dict[str, Any] | None]:
    if referral.status not in services.EDITABLE:
        return {}, referral.criteria_result or None  # the decision made when it was submitted
    problems = services.referral_problems(referral)
    if problems:
        return problems, None
    try:
        return {}, services.decision_as_data(services.criteria_decision(referral))
    except RuleInputError as error:
        return {"": list(error.problems)}, None


def _as_data(referral: Referral, *, user: Any) -> dict[str, Any]:
    problems, decision = _problems_and_decision(referral)
    return {
        **_summary(referral),
        "return_reasons": referral.return_reasons,
        "document": {
            section.slug: referral.content[section.slug] for section in SECTIONS if section.slug in referral.content
        },
        "errors": _errors(referral) if referral.status in services.EDITABLE else {},
        "problems": problems,
        "decision": decision,
        "case": _case_link(referral, user=user),
    }


def _case_link(referral: Referral, *, user: Any) -> dict[str, Any] | None:
    """The case an accepted referral became, if the caller may see it as GET /cases/{id} would show it: a referrer
    their own referral's case (and a restricted one only if named on it, as for everyone); otherwise nothing, not
    even that there is one."""
    if referral.case_id is None:
        return None
    case = cases_visible_to(user=user).filter(pk=referral.case_id).first()
    if case is None or not user.has_perm("cases.view_case", case):
        return None
    return {"id": case.pk, "reference": case.reference, "url": reverse("api:case_detail", args=[case.pk])}


def _summary(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "url": reverse("api:referral_detail", args=[referral.pk]),
        "status": referral.status,
        "version": referral.version,
        "marac": referral.marac.name,
        "created_at": referral.created_at,
        "updated_at": referral.updated_at,
        "submitted_at": referral.submitted_at,
    }


def _with_etag(response: HttpResponse, referral: Referral) -> None:
    response["ETag"] = etag(referral.version)  # what to send back in If-Match


# The schema: what the pages' forms take and give, described for partner systems


class ReferralSummary(Schema):
    id: int
    url: str = Field(description="Where to GET the whole referral")
    status: str
    version: int = Field(description="Send it back in If-Match with a change; a stale one gets 409")
    marac: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    submitted_at: datetime.datetime | None


class ReferralCase(Schema):
    id: int
    reference: str = Field(description="The case's reference, as the pages show it (NB-2026-0012)")
    url: str = Field(description="Where to GET the case")


class ReferralOut(ReferralSummary):
    return_reasons: str = Field(description="Why the coordinator returned it, if they did")
    document: dict[str, Any] = Field(description="The sections saved so far, kept as a form posts them")
    errors: dict[str, list[str]] = Field(description="Fields still to correct, by JSON path")
    problems: dict[str, list[str]] = Field(description='What stops submission, by section ("" for the whole)')
    decision: dict[str, Any] | None = Field(description="The MARAC criteria decision, once it can be made")
    case: ReferralCase | None = Field(
        description="Once accepted, the case it became: null until then, and null if you may not see that case "
        "(as GET /cases/{id} would answer 404)"
    )


class SubmitRefused(ReferralOut):
    error: str


class ReferralList(Page):
    items: list[ReferralSummary]


_VALUE = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}
_FIELDS = {
    "type": "object",
    "additionalProperties": {"anyOf": [*_VALUE["anyOf"], {"type": "array", "items": _VALUE}]},
    "description": "The section's fields, named as on the page's form (the risk checklist's as q1, q1_comment... "
    "for its instrument's questions); a field with several choices takes a list. A name the form does not have gets "
    "422, naming it, and nothing is saved",
}


def _section_schema(section: Section) -> dict[str, Any]:
    if section.is_list:
        return {"type": "array", "items": _FIELDS, "description": f"One object for each {section.item_name}"}
    return _FIELDS


def _json_body(schema: dict[str, Any], *, required: bool, description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": required,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


_DOCUMENT = {
    "type": "object",
    "properties": {section.slug: _section_schema(section) for section in SECTIONS},
    "additionalProperties": False,
}
_SECTION_BODY = {"anyOf": [_FIELDS, {"type": "array", "items": _FIELDS}]}
_VERSION_BODY = {"type": "object", "properties": {"version": {"type": "integer", "minimum": 1}}}


def _if_match(description: str) -> dict[str, Any]:
    header = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"}}
    return {"parameters": [header | {"description": description}]}


_IF_MATCH = _if_match(IF_MATCH_DESCRIPTION)
_IF_MATCH_TO_DELETE = _if_match('Optionally, the version you checked, such as "7": a draft saved since is not deleted')
_WRITE_ERRORS: dict[int, Any] = {409: Error, 413: Error, 415: Error}


# The routes


@router.get("/referrals", response=ReferralList, summary="The referrals you made, newest first")
@api_permission("referrals.make_referral")
def referral_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    page = page_of(referrals_of(user=request.user).select_related("marac").order_by("-created_at", "-id"), query)
    page["items"] = [_summary(referral) for referral in page["items"]]
    audit_record(
        action=AuditAction.VIEW, object_type="referrals.referral", summary="Listed own referrals", user=request.user
    )
    return page


@router.post(
    "/referrals",
    response={201: ReferralOut, **_WRITE_ERRORS},
    summary="Start a referral at your MARAC, with any sections you have",
    openapi_extra=_json_body(_DOCUMENT, required=False, description="The sections, by name; an empty body is fine"),
)
@api_permission("referrals.make_referral")
@_answers_errors
def referral_create(request: HttpRequest, response: HttpResponse) -> Status[dict[str, Any]]:
    sent = _body(request, required=False)
    sections = _document({} if sent is None else sent)
    # Where the user may refer: the MARAC chosen this session if they may refer there, else the first where they may.
    marac_id = current_marac_where(request, "referrals.make_referral")
    if getattr(request.user, "agency_id", None) is None:
        raise ApiError(403, NO_AGENCY_MESSAGE)
    with transaction.atomic():
        referral = services.referral_start(marac=Marac.objects.get(pk=marac_id), by=request.user)
        for section, body in sections:
            referral = _save(
                referral, section, body, based_on_version=None, by=request.user, where=f"body.{section.slug}"
            )
    _with_etag(response, referral)
    response["Location"] = reverse("api:referral_detail", args=[referral.pk])
    return Status(201, _as_data(referral, user=request.user))


@router.get("/referrals/{referral_id}", response=ReferralOut, summary="One of your referrals, whole")
@api_permission("referrals.make_referral")
def referral_detail(request: HttpRequest, referral_id: int, response: HttpResponse) -> dict[str, Any]:
    referral = get_referral_for_user(user=request.user, pk=referral_id)
    _with_etag(response, referral)
    return _as_data(referral, user=request.user)


@router.delete(
    "/referrals/{referral_id}",
    response={204: None, 409: Error},
    summary="Delete a draft never submitted, with everything in it; a submitted one (returned included) gets 409",
    openapi_extra=_IF_MATCH_TO_DELETE,
)
@api_permission("referrals.make_referral")
@_answers_errors
def referral_delete(request: HttpRequest, referral_id: int) -> Status[None]:
    referral = get_referral_for_user(user=request.user, pk=referral_id)
    if referral.referrer_id != request.user.pk:
        raise Http404
    try:
        services.referral_discard(
            referral=referral, based_on_version=_delete_based_on_version(request), by=request.user
        )
    except services.NotDiscardable:
        raise ApiError(409, NOT_DISCARDABLE_MESSAGE) from None
    except services.StaleReferral:
        raise ApiError(409, STALE_DELETE_MESSAGE) from None
    return Status(204, None)


@router.put(
    "/referrals/{referral_id}/sections/{slug}",
    response={200: ReferralOut, **_WRITE_ERRORS},
    summary="Save one section as a draft, valid or not; a list section's array replaces the whole list",
    description="Send the version your change is based on as If-Match (the ETag of the last answer), or as "
    "version in a section that is an object: if the referral was saved since, the answer is 409 and nothing is saved.",
    openapi_extra=_json_body(
        _SECTION_BODY, required=True, description="The section; an object may also carry the version"
    )
    | _IF_MATCH,
)
@api_permission("referrals.make_referral")
@_answers_errors
def referral_section(request: HttpRequest, referral_id: int, slug: str, response: HttpResponse) -> dict[str, Any]:
    referral = _editable(request, referral_id)
    section = _section(slug)
    sent = _body(request, required=True)
    body = _section_body(section, sent)
    referral = _save(referral, section, body, based_on_version=_based_on_version(request, sent), by=request.user)
    _with_etag(response, referral)
    return _as_data(referral, user=request.user)


@router.post(
    "/referrals/{referral_id}/submit",
    response={200: ReferralOut, 422: SubmitRefused | Error, **_WRITE_ERRORS},
    summary="Submit a complete referral to the MARAC; 422 says what is missing or why it does not qualify",
    description="Send the version you checked as If-Match (the ETag of the last answer), or as version in the body: "
    "if the referral was saved since, the answer is 409 and nothing is submitted.",
    openapi_extra=_json_body(_VERSION_BODY, required=False, description="The version, unless sent as If-Match")
    | _IF_MATCH,
)
@api_permission("referrals.make_referral")
@_answers_errors
def referral_submit(request: HttpRequest, referral_id: int, response: HttpResponse) -> Status[dict[str, Any]]:
    referral = _editable(request, referral_id)
    sent = _body(request, required=False)
    problems = services.referral_submit(
        referral=referral, based_on_version=_based_on_version(request, sent), by=request.user
    )
    referral.refresh_from_db()
    _with_etag(response, referral)
    if problems:
        return Status(
            422,
            {
                **_as_data(referral, user=request.user),
                "error": "This referral cannot be submitted yet",
                "problems": problems,
            },
        )
    return Status(200, _as_data(referral, user=request.user))
