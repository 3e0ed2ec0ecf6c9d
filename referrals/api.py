"""The referral JSON API: the pages' services and the pages' forms, with the referral as one JSON document.

A django-ninja Router of the open API (api/core.py, docs/api.md): an agency's API credential or the signed-in
session, with the same user, permissions and CSRF protection as the pages. The body is read here rather than by
ninja, so that a draft keeps exactly what was sent (valid or not) and each refusal says precisely what is wrong;
its shape is declared in the schema all the same, each section's fields built from its form. A body of the wrong shape
is invalid input, 422 as anywhere in the API, with every problem keyed by where it is ("body.victim", "body[1]").

Field values are kept as a browser form posts them, so that a draft saved here reads exactly like one saved
from the pages: numbers become text, true becomes "true", false and null become "" (an unticked box), and
only fields with several choices (checkboxes) take a list. Errors are keyed by JSON path
("victim.date_of_birth", "children[0].given_name"); problems with the referral as a whole are keyed "".
"""

import copy
import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.operation import Operation
from ninja.params.models import ParamModel
from ninja.responses import Status
from ninja.utils import contribute_operation_callback

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
from referrals import forms as referral_forms
from referrals import risk, services
from referrals.errors import RuleInputError
from referrals.instrument_services import ensure_shipped_instruments
from referrals.instruments import SHIPPED, as_questions
from referrals.models import Referral, RiskInstrument
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
NO_BODY_MESSAGE = "This is required: send the section as JSON"
DOCUMENT_MESSAGE = f"Must be a JSON object: the referral's sections by name ({SECTION_NAMES})"
UNKNOWN_SECTION_MESSAGE = f"There is no such section: the sections are {SECTION_NAMES}"
VALUE_MESSAGE = "Must be text, a number, true, false or null"
SEVERAL_VALUES_MESSAGE = "Must be a list of the choices that apply (or one of them, as text)"

type SectionBody = dict[str, Any] | list[dict[str, Any]]
type Problems = dict[str, list[str]]  # by JSON path in the request, as Error.errors


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
    if not body:
        if required:
            raise ApiError(422, INVALID_MESSAGE, {"body": [NO_BODY_MESSAGE]})  # as a missing body anywhere in the API
        return None
    if request.content_type != "application/json":
        raise ApiError(415, "Send JSON, with the header Content-Type: application/json")
    return parse_json(body)


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


# The shape of a referral body: what JSON a form's fields can be posted from. Problems are 422, as any other invalid
# input (docs/api.md), keyed by where they are, and all of them are named in one answer.


def _refuse_if_any(problems: Problems) -> None:
    if problems:
        raise ApiError(422, INVALID_MESSAGE, problems)


def _as_posted(value: Any, path: str, problems: Problems, *, several: bool) -> Any:
    if isinstance(value, list) and several:
        return [_as_posted(item, f"{path}[{index}]", problems, several=False) for index, item in enumerate(value)]
    if isinstance(value, bool):
        return "true" if value else ""
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    problems[path] = [SEVERAL_VALUES_MESSAGE if several else VALUE_MESSAGE]
    return ""


def _fields(section: Section, value: Any, path: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems[path] = [f"Must be a JSON object: the {section.item_name or 'section'}'s fields by name"]
        return {}
    # The risk checklist has no field with several choices, whichever instrument builds it.
    form = form_for(section, data=None, questions=[])
    several = {name for name, field in form.fields.items() if getattr(field.widget, "allow_multiple_selected", False)}
    return {
        name: _as_posted(field_value, f"{path}.{name}", problems, several=name in several)
        for name, field_value in value.items()
    }


def _section_body(section: Section, value: Any, path: str, problems: Problems) -> SectionBody:
    """A section as a form posts it; `path` is where it is in the request body, for the problems' locations."""
    if not section.is_list:
        return _fields(section, value, path, problems)
    if not isinstance(value, list):
        problems[path] = [f"Must be a JSON array, one object for each {section.item_name}"]
        return []
    return [_fields(section, item, f"{path}[{index}]", problems) for index, item in enumerate(value)]


def _document(value: Any) -> list[tuple[Section, SectionBody]]:
    if not isinstance(value, dict):
        raise ApiError(422, INVALID_MESSAGE, {"body": [DOCUMENT_MESSAGE]})
    unknown = sorted(set(value) - set(SECTIONS_BY_SLUG))
    problems: Problems = {f"body.{name}": [UNKNOWN_SECTION_MESSAGE] for name in unknown}
    sections = [
        (section, _section_body(section, value[section.slug], f"body.{section.slug}", problems))
        for section in SECTIONS
        if section.slug in value
    ]
    _refuse_if_any(problems)
    return sections


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


def _unknown_fields(referral: Referral, section: Section, body: SectionBody, where: str) -> Problems:
    """Fields the section's form does not have (the risk checklist's are its instrument's questions): a draft keeps
    what was sent, valid or not, but a misspelt name would be kept where no page ever shows it, so it is refused.
    `where` is the section's place in the request body, for the problems' locations."""
    questions = instrument_for(referral).questions if section.slug == "risk" else []
    known = set(form_for(section, data=None, questions=questions).fields) | {"version"}
    items = body if isinstance(body, list) else [body]
    problems: Problems = {}
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(body, list) else where
        for name in sorted(set(item) - known):
            problems[f"{at}.{name}"] = [UNKNOWN_FIELD_MESSAGE]
    return problems


def _save(
    referral: Referral, section: Section, body: SectionBody, *, based_on_version: int | None, by: Any
) -> Referral:
    """Save one section, whose fields have been checked (_unknown_fields)."""
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
        "instrument": _instrument_summary(instrument_for(referral)),
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


def _instrument_summary(instrument: RiskInstrument) -> dict[str, Any]:
    return {
        "id": instrument.pk,
        "code": instrument.code,
        "version": instrument.version,
        "title": instrument.title,
        "url": reverse("api:referral_instrument", args=[instrument.pk]),
    }


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


# risk.checklist_for_victim's rule, in words.
USED_FOR = {
    risk.DASH_RIC.code: f"Victims aged {risk.ADULT_AGE} and over",
    risk.YOUNG_PEOPLES_DASH.code: f"Victims aged {risk.MARAC_MINIMUM_AGE} and {risk.ADULT_AGE - 1}",
}


def _instrument_as_data(instrument: RiskInstrument) -> dict[str, Any]:
    return {
        **_instrument_summary(instrument),
        "used_for": USED_FOR.get(instrument.code, ""),
        "is_current": instrument.is_current,
        "wording_note": instrument.wording_note,
        "questions": [_question(question) for question in instrument.questions],
    }


def _question(question: dict[str, Any]) -> dict[str, Any]:
    """A question with the names and answers of its fields, from the form the risk page builds for it."""
    fields = referral_forms.risk_form_class([question])().fields
    ((field, answer),) = [(name, item) for name, item in fields.items() if isinstance(item, forms.ChoiceField)]
    ((comment_field, comment),) = [(name, item) for name, item in fields.items() if isinstance(item, forms.CharField)]
    values, words = _choices(answer)
    return {
        "number": question["number"],
        "text": question["text"],
        "field": field,
        "answers": [{"value": value, "words": word} for value, word in zip(values, words, strict=True)],
        "required": answer.required,
        "comment_field": comment_field,
        "comment_max_length": comment.max_length,
    }


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


class ReferralInstrument(Schema):
    id: int
    code: str = Field(description="Which checklist: dash_ric, or young_peoples_dash for a victim aged 16 or 17")
    version: int = Field(description="Its version: a MARAC may load licensed wording as a new version")
    title: str
    url: str = Field(description="Where to GET its questions, with the risk section's field and answers for each")


class ReferralOut(ReferralSummary):
    instrument: ReferralInstrument = Field(
        description="The risk checklist, and its version, that the risk section is answered on: set when the "
        "referral is submitted; until then the current version of the one for the victim's age (as the page shows it)"
    )
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


class InstrumentAnswer(Schema):
    value: str = Field(description="What to send as the answer")
    words: str = Field(description="The answer as the page shows it")


class InstrumentQuestion(Schema):
    number: int
    text: str = Field(description="The question as the page shows it")
    field: str = Field(description="The risk section's field for its answer, such as q1")
    answers: list[InstrumentAnswer]
    required: bool = Field(description="Whether it must be answered to submit the referral")
    comment_field: str = Field(description="The risk section's field for a comment on it, such as q1_comment")
    comment_max_length: int


class InstrumentOut(ReferralInstrument):
    used_for: str = Field(description="The victims it is used for")
    is_current: bool = Field(description="Whether new referrals use this version; referrals keep the one answered")
    wording_note: str = Field(description="Where the questions' wording comes from")
    questions: list[InstrumentQuestion]


class InstrumentList(Page):
    items: list[InstrumentOut]


# Each section's JSON schema, built from the form that validates it (the risk checklist's from the checklists OpenMARAC
# ships: a new version of a checklist keeps its number of questions, instrument_services.instrument_load), so that the
# schema and the forms cannot drift. A draft may leave any field out, so nothing is "required" in JSON Schema's sense:
# what must be there to submit is said in x-required-to-submit and in each field's description. A name the form does
# not have is refused (422), so the objects are closed. Values the form would refuse (a choice not listed, a text too
# long) are still kept in a draft, with the form's error in the referral's errors, and refused at submission.

_DATE_FORMATS = "YYYY-MM-DD (DD/MM/YYYY is also read)"
NOT_ANSWERED = ["Not answered", "Not answered"]  # for "" and for null


def _needed_to_submit(form: forms.Form) -> dict[str, str]:
    """What the form says of each field left blank, for those that may not be (its clean() rules included)."""
    empty = type(form)(data={})
    empty.is_valid()
    return {name: str(messages[0]) for name, messages in empty.errors.items() if name in form.fields}


def _field_schema(field: forms.Field, *, label: str, needed: str | None) -> dict[str, Any]:
    schema, words = _value_schema(field, blank=not field.required)
    sentences = [_sentence(label), _sentence(str(field.help_text)), words]
    if needed is None:
        sentences.append("May be left blank (null, or left out).")
    else:  # the form's clean() may need a field it does not require by itself (the victim's address)
        sentences.append(f'Needed to submit (if it is missing, the errors say "{needed}").')
    return schema | {"description": " ".join(sentence for sentence in sentences if sentence)}


def _sentence(text: str) -> str:
    return text if not text or text.endswith(("?", ".")) else f"{text}."


def _value_schema(field: forms.Field, *, blank: bool) -> tuple[dict[str, Any], str]:
    """A form field's JSON schema, with its choices or format in words; null (kept as "") where the field may be
    blank. A draft may leave any field out, so this is what a field takes when it is given."""
    if isinstance(field, forms.MultipleChoiceField):
        values, words = _choices(field)
        described = f"A list of those that apply, each one of: {_listed(values, words)}."
        return {"type": _type("array", blank), "items": {"type": "string"} | _enum(values, words)}, described
    if isinstance(field, forms.ChoiceField):
        values, words = _choices(field)
        described = f"One of: {_listed(values, words)}."
        if blank:  # an unticked radio button posts "": the API takes that, or null, for "not answered"
            return {"type": ["string", "null"]} | _enum([*values, "", None], [*words, *NOT_ANSWERED]), described
        return {"type": "string"} | _enum(values, words), described
    if isinstance(field, forms.BooleanField):
        return {"type": _type("boolean", blank)}, "true or false."
    if isinstance(field, forms.DateField):
        return {"type": _type("string", blank), "format": "date"}, f"A day, as {_DATE_FORMATS}."
    if isinstance(field, forms.CharField):
        schema: dict[str, Any] = {"type": _type("string", blank)}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema, ""
    raise TypeError(f"No JSON schema for a {type(field).__name__}: add one here")  # raised at import, never served


def _type(name: str, blank: bool) -> str | list[str]:
    return [name, "null"] if blank else name


def _choices(field: forms.ChoiceField) -> tuple[list[str], list[str]]:
    choices: Any = field.choices  # flat (value, words) pairs in these forms
    return [str(value) for value, _ in choices], [str(words) for _, words in choices]


def _enum(values: list[Any], words: list[str]) -> dict[str, Any]:
    return {"enum": values, "x-enum-descriptions": words}


def _listed(values: list[str], words: list[str]) -> str:
    return ", ".join(f'"{value}" ({word})' for value, word in zip(values, words, strict=True))


def _object_schema(form: forms.Form, *, title: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    needed = _needed_to_submit(form)
    properties = {
        name: _field_schema(field, label=(labels or {}).get(name, str(field.label)), needed=needed.get(name))
        for name, field in form.fields.items()
    }
    properties["version"] = {
        "type": "integer",
        "description": "The version your change is based on, if not sent as If-Match: read only in a section saved "
        "on its own that is an object (PUT .../sections/victim); ignored elsewhere",
    }
    return {
        "title": title,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "x-required-to-submit": list(needed),
    }


def _risk_form() -> forms.Form:
    """The risk checklist's fields, for every checklist OpenMARAC ships (each numbers its questions from 1)."""
    longest = max((texts for _code, _title, texts in SHIPPED), key=len)
    return referral_forms.risk_form_class(as_questions(longest))()


def _risk_schema(form: forms.Form, *, title: str) -> dict[str, Any]:
    labels = {  # the questions' wording is the instrument's, which the referral names (its instrument.url)
        name: f"The answer to question {name.removeprefix('q')} of the referral's risk checklist (its instrument)"
        for name, field in form.fields.items()
        if isinstance(field, forms.ChoiceField)
    }
    return _object_schema(form, title=title, labels=labels)


# Each section's schema is a component named after its form (ReferralVictim, ReferralChild, ReferralRiskChecklist...),
# so that a partner's tools name the types they generate as the pages name them.


def _component(form: forms.Form) -> str:
    return f"Referral{type(form).__name__.removesuffix('Form')}"


def _section_schemas(section: Section) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A section's schema within the document, and the component it refers to."""
    if section.form_class is None:
        form = _risk_form()
        return _reference(form), {_component(form): _risk_schema(form, title=section.title)}
    form = section.form_class()
    if not section.is_list:
        return _reference(form), {_component(form): _object_schema(form, title=section.title)}
    item = _object_schema(form, title=section.item_name.capitalize())
    listed = {"title": section.title, "type": "array", "items": _reference(form)}
    return listed | {"description": f"One for each {section.item_name}"}, {_component(form): item}


def _reference(form: forms.Form) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{_component(form)}"}


def _referral_components() -> dict[str, dict[str, Any]]:
    """The document (POST /referrals), any one section (PUT .../sections/{slug}), and each section's fields."""
    sections: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        sections[section.slug], fields = _section_schemas(section)
        components |= fields
    document = {
        "title": "A referral",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
        "x-required-to-submit": [section.slug for section in SECTIONS if section.required],
        "description": "The sections by name, each with the fields of its page's form. Values are kept as typed, "
        "valid or not: what is still to correct comes back in the referral's errors",
    }
    one_section = {
        "anyOf": list(sections.values()),
        "description": "The section named in the path: "
        + "; ".join(f"{section.slug}, {section.title.lower()}" for section in SECTIONS),
    }
    return components | {"ReferralDocument": document, "ReferralSection": one_section}


_COMPONENTS = _referral_components()


class _BodyReadByItsOperation(ParamModel):
    """Declares the body of an operation that reads it itself (_body), as the component __component__: it reads
    nothing and checks nothing. Put among the operation's parameters by _declares_body, as api.core adds its own."""

    __ninja_param_source__ = "body"  # type: ignore[assignment]  # ninja declares it None, and sets it so
    __component__: ClassVar[str] = ""

    @classmethod
    def get_request_data(cls, request: HttpRequest, api: Any, path_params: Any) -> None:
        return None

    @classmethod
    def resolve(cls, request: HttpRequest, api: Any, path_params: Any) -> Any:
        return {}

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # As ninja reads a body parameter's schema: the one property is the body, the definitions its components.
        body = {"$ref": f"#/components/schemas/{cls.__component__}"}
        return {"type": "object", "properties": {"body": body}, "$defs": copy.deepcopy(_COMPONENTS)}


def _declares_body[View: Callable[..., Any]](
    component: str, *, required: bool, description: str
) -> Callable[[View], View]:
    """The operation's body is the component `component`: put under api_permission."""
    model = type(f"{component}Body", (_BodyReadByItsOperation,), {"__component__": component})

    def contribute(operation: Operation) -> None:
        operation.models = [*operation.models, model]
        operation.openapi_extra = {
            **(operation.openapi_extra or {}),
            "requestBody": {"required": required, "description": description},
        }

    def decorator(view: View) -> View:
        contribute_operation_callback(view, contribute)
        return view

    return decorator


def _json_body(schema: dict[str, Any], *, required: bool, description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": required,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


_VERSION_BODY = {"type": "object", "properties": {"version": {"type": "integer", "minimum": 1}}}


def _if_match(description: str) -> dict[str, Any]:
    header = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"}}
    return {"parameters": [header | {"description": description}]}


_IF_MATCH = _if_match(IF_MATCH_DESCRIPTION)
_IF_MATCH_TO_DELETE = _if_match('Optionally, the version you checked, such as "7": a draft saved since is not deleted')
# 422: a body of the wrong shape or naming a field the form does not have (docs/api.md), besides api_permission's.
_WRITE_ERRORS: dict[int, Any] = {409: Error, 413: Error, 415: Error, 422: Error}


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
)
@api_permission("referrals.make_referral")
@_declares_body("ReferralDocument", required=False, description="The sections, by name; an empty body is fine")
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
        unknown: Problems = {}
        for section, body in sections:  # every misspelt name in one answer; the transaction undoes the start
            unknown |= _unknown_fields(referral, section, body, f"body.{section.slug}")
        _refuse_if_any(unknown)
        for section, body in sections:
            referral = _save(referral, section, body, based_on_version=None, by=request.user)
    _with_etag(response, referral)
    response["Location"] = reverse("api:referral_detail", args=[referral.pk])
    return Status(201, _as_data(referral, user=request.user))


# Declared before /referrals/{referral_id}, whose path would otherwise take "instruments" as an id.


@router.get(
    "/referrals/instruments",
    response=InstrumentList,
    summary="The risk checklists new referrals are answered on, by their code, each with its questions and answers",
    description="The current version of each checklist. A referral's own (instrument.url) may be an earlier one.",
)
@api_permission("referrals.make_referral")
def referral_instrument_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    page = page_of(_current_instruments(), query)
    page["items"] = [_instrument_as_data(instrument) for instrument in page["items"]]
    return page


def _current_instruments() -> QuerySet[RiskInstrument]:
    current = RiskInstrument.objects.filter(is_current=True).order_by("code", "-version", "id")
    if not current.exists():  # a database emptied since it was migrated, as services.instrument_for puts them back
        ensure_shipped_instruments()
    return current


@router.get(
    "/referrals/instruments/{instrument_id}",
    response=InstrumentOut,
    summary="A version of a risk checklist, with its questions: the risk section's field for each and its answers",
)
@api_permission("referrals.make_referral")
def referral_instrument(request: HttpRequest, instrument_id: int) -> dict[str, Any]:
    instrument = RiskInstrument.objects.filter(pk=instrument_id).first()  # a checklist, not case data
    if instrument is None:
        raise Http404
    return _instrument_as_data(instrument)


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
    openapi_extra=_IF_MATCH,
)
@api_permission("referrals.make_referral")
@_declares_body("ReferralSection", required=True, description="The section; an object may also carry the version")
@_answers_errors
def referral_section(request: HttpRequest, referral_id: int, slug: str, response: HttpResponse) -> dict[str, Any]:
    referral = _editable(request, referral_id)
    section = _section(slug)
    sent = _body(request, required=True)
    problems: Problems = {}
    body = _section_body(section, sent, "body", problems)
    _refuse_if_any(problems)
    version = _based_on_version(request, sent)
    _refuse_if_any(_unknown_fields(referral, section, body, "body"))
    referral = _save(referral, section, body, based_on_version=version, by=request.user)
    _with_etag(response, referral)
    return _as_data(referral, user=request.user)


@router.post(
    "/referrals/{referral_id}/submit",
    response={**_WRITE_ERRORS, 200: ReferralOut, 422: SubmitRefused | Error},
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
