"""The referral JSON API: the pages' services and the pages' forms, with the referral as one JSON document.

Authentication is the signed-in session, with the same user, permissions and CSRF protection as the pages;
per-agency API credentials come with a later issue.

Field values are kept as a browser form posts them, so that a draft saved here reads exactly like one saved
from the pages: numbers become text, true becomes "true", false and null become "" (an unticked box), and
only fields with several choices (checkboxes) take a list. Errors are keyed by JSON path
("victim.date_of_birth", "children[0].given_name"); problems with the referral as a whole are keyed "".
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from referrals import services
from referrals.errors import RuleInputError
from referrals.models import Referral
from referrals.sections import SECTIONS, SECTIONS_BY_SLUG, Section, form_for
from referrals.selectors import get_referral_for_user, referral_is_editable_by, referrals_of
from web.access import current_marac_id, require_api_permission

MAX_BODY_BYTES = 1024 * 1024  # far above any real referral; Django's own limit (2.5 MB) is checked later
STALE_MESSAGE = (
    "This referral was saved somewhere else since the version you sent. Nothing was saved: "
    "fetch the referral again, apply your changes to it and send them with its new version."
)
NOT_EDITABLE_MESSAGE = "This referral has been submitted and can no longer be changed"
NO_AGENCY_MESSAGE = "Your account has no agency: ask your administrator to add one before you refer"
SECTION_NAMES = ", ".join(section.slug for section in SECTIONS)

type SectionBody = dict[str, Any] | list[dict[str, Any]]


class ApiError(Exception):
    """A request refused before anything is saved, answered as {"error": message} with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _answers_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return _error(error.status, error.message)
        except services.StaleReferral:
            return _error(409, STALE_MESSAGE)
        except services.NotEditable:
            return _error(409, NOT_EDITABLE_MESSAGE)

    return wrapped


def _not_allowed(*methods: str) -> JsonResponse:
    response = _error(405, f"Use {' or '.join(methods)} here")
    response["Allow"] = ", ".join(methods)
    return response


# Reading the request


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body(request: HttpRequest, *, required: bool) -> Any:
    """The parsed JSON body, or None when an optional body was left empty."""
    too_big = ApiError(413, f"The body must be {MAX_BODY_BYTES:,} bytes or fewer")
    if _declared_length(request) > MAX_BODY_BYTES:
        raise too_big
    if not required and _declared_length(request) == 0:
        return None
    if request.content_type != "application/json":
        raise ApiError(415, "Send JSON, with the header Content-Type: application/json")
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    if len(body) > MAX_BODY_BYTES:
        raise too_big
    if not body:
        raise ApiError(400, "The body is empty: send JSON")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, f"The body is not valid JSON: {error}") from None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(400, f"{what} must be a JSON object")
    return value


def _based_on_version(request: HttpRequest, body: Any) -> int | None:
    """The version the client's changes are based on: the If-Match header, else a "version" field."""
    sent = request.headers.get("If-Match")
    if sent is None and isinstance(body, dict):
        sent = body.get("version")
    if sent is None or sent == "*":
        return None
    text = str(sent).strip().removeprefix("W/").strip('"')
    if isinstance(sent, bool) or not text.isdigit():
        raise ApiError(400, "If-Match (or the version field) must be the referral's version, for example 7")
    return int(text)


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
    if not referral_is_editable_by(user=request.user, referral=referral):
        raise ApiError(409, NOT_EDITABLE_MESSAGE)
    return referral


# Writing, through the pages' services


def _save(
    referral: Referral, section: Section, body: SectionBody, *, based_on_version: int | None, by: Any
) -> Referral:
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


def _as_data(referral: Referral) -> dict[str, Any]:
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
    }


def _summary(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "url": reverse("referrals_api:detail", args=[referral.pk]),
        "status": referral.status,
        "version": referral.version,
        "marac": referral.marac.name,
        "created_at": referral.created_at,
        "updated_at": referral.updated_at,
        "submitted_at": referral.submitted_at,
    }


def _answer(data: dict[str, Any], referral: Referral, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["ETag"] = f'"{referral.version}"'  # what to send back in If-Match
    return response


# The routes


@require_api_permission("referrals.make_referral")
@_answers_errors
def referral_collection(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _list(request)
    if request.method == "POST":
        return _create(request)
    return _not_allowed("GET", "POST")


def _list(request: HttpRequest) -> JsonResponse:
    referrals = list(referrals_of(user=request.user))
    audit_record(
        action=AuditAction.VIEW, object_type="referrals.referral", summary="Listed own referrals", user=request.user
    )
    return JsonResponse({"referrals": [_summary(referral) for referral in referrals]})


def _create(request: HttpRequest) -> JsonResponse:
    sent = _body(request, required=False)
    sections = _document({} if sent is None else sent)
    marac_id = current_marac_id(request)
    if marac_id is None:
        raise Http404
    if getattr(request.user, "agency_id", None) is None:
        raise ApiError(403, NO_AGENCY_MESSAGE)
    with transaction.atomic():
        referral = services.referral_start(marac=Marac.objects.get(pk=marac_id), by=request.user)
        for section, body in sections:
            referral = _save(referral, section, body, based_on_version=None, by=request.user)
    response = _answer(_as_data(referral), referral, status=201)
    response["Location"] = reverse("referrals_api:detail", args=[referral.pk])
    return response


@require_api_permission("referrals.make_referral")
@_answers_errors
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "GET":
        return _not_allowed("GET")
    referral = get_referral_for_user(user=request.user, pk=pk)
    return _answer(_as_data(referral), referral)


@require_api_permission("referrals.make_referral")
@_answers_errors
def referral_section(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """Save one section as a draft, valid or not; a list section's array replaces the whole list."""
    if request.method != "PUT":
        return _not_allowed("PUT")
    referral = _editable(request, pk)
    section = _section(slug)
    sent = _body(request, required=True)
    body = _section_body(section, sent)
    referral = _save(referral, section, body, based_on_version=_based_on_version(request, sent), by=request.user)
    return _answer(_as_data(referral), referral)


@require_api_permission("referrals.make_referral")
@_answers_errors
def referral_submit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _not_allowed("POST")
    referral = _editable(request, pk)
    sent = _body(request, required=False)
    problems = services.referral_submit(
        referral=referral, based_on_version=_based_on_version(request, sent), by=request.user
    )
    referral.refresh_from_db()
    if problems:
        data = {**_as_data(referral), "error": "This referral cannot be submitted yet", "problems": problems}
        return _answer(data, referral, status=422)
    return _answer(_as_data(referral), referral)
