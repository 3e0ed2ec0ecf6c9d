"""The open API under /api/v1: one NinjaAPI, its sign-in, its permission rule, its errors and its conventions.

Each area of OpenMARAC adds a django-ninja Router in its own `api.py`, mounted by api/urls.py. Every operation says who
may call it with @api_permission (the route test fails for one that does not), and answers errors as
{"error": "..."} (docs/api.md).
"""

import datetime
import functools
import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.openapi.schema import BODY_CONTENT_TYPES
from ninja.operation import Operation
from ninja.params import functions as param_functions
from ninja.params.models import ParamModel, QueryModel
from ninja.parser import Parser
from ninja.security.base import AuthBase
from ninja.utils import check_csrf, contribute_operation_callback
from pydantic import AfterValidator, BeforeValidator, ConfigDict, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where
from api.middleware import unauthorized
from audit.models import AuditAction
from audit.services import audit_record
from cases.restriction import RestrictedCaseNeedsReason
from web.access import public
from web.text import LONG_TEXT_MAX, clean_text

logger = logging.getLogger(__name__)

SIGNED_IN = "signed-in"  # any signed-in caller, for operations that show nothing of a case
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL (bigint) hold
MAX_OFFSET = 10_000_000  # far past any real list; keeps the number a database can take

SIGN_IN_MESSAGE = "Send an API credential as the header Authorization: Bearer <token>, or sign in"
CSRF_MESSAGE = (
    "CSRF check failed: with a signed-in session, send the csrftoken cookie's value in the X-CSRFToken header"
)
NOT_FOUND_MESSAGE = "Not found"
NOT_YOUR_MARAC_MESSAGE = "Not a MARAC where you may do this: give the id of one of yours, or leave marac out"
# A restricted case is open only to the people named on it, each opening it on its page with a reason (cases/
# restriction.py). A person using the API through their session gives the reason on the page first; a credential
# cannot give one, and cannot be named on a restricted case any more (cases/restriction_services.py).
RESTRICTED_CASE_MESSAGE = (
    "This case is restricted: only the people named on it may open it. Open it in OpenMARAC and say why you need "
    "it; for the next 30 minutes you may then use it through the API while signed in."
)
RESTRICTED_CASE_CREDENTIAL_MESSAGE = (
    "This case is restricted: only the people named on it may open it, each in OpenMARAC saying why. An API "
    "credential cannot open a restricted case; a person named on it must."
)
INVALID_QUERY_MESSAGE = "The request is not valid: see errors"
SERVER_ERROR_MESSAGE = "Something went wrong on our side. It has been logged; quote the X-Request-Id header."
NO_SUCH_ADDRESS_MESSAGE = "There is no such address in the API: see its schema at /api/v1/openapi.json"
NOT_JSON_MESSAGE = "The body is not valid JSON: check quotes and commas"
MAX_BODY_BYTES = 1024 * 1024  # far above any real body (a whole referral, research on every child of a family)
BODY_TOO_LARGE_MESSAGE = f"The body must be {MAX_BODY_BYTES:,} bytes or fewer"


class Error(Schema):
    """Every error: a sentence for a person, and for invalid input the problems keyed by where they are."""

    error: str
    errors: dict[str, list[str]] | None = Field(
        None, description='Problems with the request by location, such as "query.limit" or "body.victim.name"'
    )


class ApiError(Exception):
    """Refuse a request before anything is saved: answered as {"error": message} with its HTTP status."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


class Input(Schema):
    """A request body: a field it does not have is refused (422, "body.<field>"), not silently dropped, so a
    misspelt field name is caught rather than its value lost."""

    model_config = ConfigDict(extra="forbid")


class RoundTripInput(Input):
    """A request body that may also be the answer of the matching GET sent back whole, edited: the fields only the
    answer has (READ_ONLY, such as ids and times) are accepted and ignored; any other unknown field is refused."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _ignore_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if name not in cls.READ_ONLY}
        return data


UNKNOWN_FIELD_MESSAGE = "There is no such field here: check its spelling against the schema"

# Free text from a client, cleaned as the forms clean it (web/text.py): Word's line breaks (U+000B, U+000C) become line
# feeds and other control characters, which neither PostgreSQL (NUL) nor a Word document can hold, go silently.
Text = Annotated[str, AfterValidator(clean_text)]
# Long free text (minutes, research, the victim's voice, notes): the limit is published here and enforced by the
# page's form that every such operation goes through, so the API says what is too long in the page's words
# ("About the victim must be 20,000 characters or fewer").
LongText = Annotated[Text, Field(json_schema_extra={"maxLength": LONG_TEXT_MAX})]

# The statuses every operation may answer with an Error, whatever it does; and those that take a body, also these.
STANDARD_ERRORS = (400, 401, 403, 404, 422, 429)
BODY_ERRORS = (413,)


# Who is calling


def _allowed(request: HttpRequest, permission: str | None) -> Any:
    """The caller if they hold `permission` somewhere; the MARAC and object checks are the operation's."""
    user = request.user
    if permission is None or (permission != SIGNED_IN and not user.has_perm(permission)):
        raise Http404
    if _names_an_impossible_id(request):
        raise Http404
    return user


def _names_an_impossible_id(request: HttpRequest) -> bool:
    """An id in the path beyond what a database key can hold names nothing; asking the database would fail
    (SQLite cannot take the number), so it is not found here."""
    match = request.resolver_match
    for value in match.kwargs.values() if match else ():
        if isinstance(value, str) and value.lstrip("-").isdigit() and abs(int(value)) > MAX_ID:
            return True
    return False


class BearerToken(AuthBase):
    """An agency's API credential. The middleware has checked the token; this applies the permission."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "An agency's API credential, issued by an administrator (Settings > API credentials)"

    def __init__(self, permission: str | None) -> None:
        self.permission = permission
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "api_credential", None) is None:
            return None
        return _allowed(request, self.permission)


class SessionCookie(AuthBase):
    """A signed-in person's session, as on the pages, with CSRF protection for anything but reading."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = settings.SESSION_COOKIE_NAME

    def __init__(self, permission: str | None) -> None:
        self.permission = permission
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "api_credential", None) is not None or not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise ApiError(403, CSRF_MESSAGE)
        return _allowed(request, self.permission)


def _auth(permission: str | None) -> list[AuthBase]:
    return [BearerToken(permission), SessionCookie(permission)]


def api_permission[View: Callable[..., Any]](permission: str) -> Callable[[View], View]:
    """Who may call an operation: a permission from accounts.permissions (or SIGNED_IN), held at some MARAC.

    Put it under the router's decorator. Without credentials the answer is 401; without the permission 404;
    the operation itself checks the object (its gate raises Http404 outside need-to-know, answered 404)."""
    if permission != SIGNED_IN and permission not in PERMISSIONS_BY_NAME:
        raise ValueError(f"{permission} is not declared in accounts.permissions")

    def contribute(operation: Operation) -> None:
        operation.auth_param = _auth(permission)
        operation._set_auth(operation.auth_param)
        operation.required_permission = permission  # type: ignore[attr-defined]
        operation.models = [*operation.models, _refusing_unknown_query(operation.models)]
        statuses: tuple[int, ...] = STANDARD_ERRORS
        if _takes_a_body(operation):
            operation.models = [_BodySizeLimit, *operation.models]  # first: before anything reads the body
            statuses += BODY_ERRORS
        for status in statuses:
            if status not in operation.response_models:
                operation.response_models[status] = operation._create_response_model(Error)

    def decorator(view: View) -> View:
        operation = getattr(view, "_ninja_operation", None)
        if operation is not None:  # put above the router's decorator after all
            contribute(operation)
        else:
            contribute_operation_callback(view, contribute)
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return decorator


# Bodies: at most MAX_BODY_BYTES, refused before anything reads them


def _takes_a_body(operation: Operation) -> bool:
    """A body ninja reads into a schema, or one the operation reads itself and declares in openapi_extra."""
    declared = "requestBody" in (operation.openapi_extra or {})
    return declared or any(model.__ninja_param_source__ in BODY_CONTENT_TYPES for model in operation.models)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: no body


def read_body(request: HttpRequest) -> bytes:
    """The request's body, or 413 if it is over MAX_BODY_BYTES, said before a byte of it is read. Django's own
    limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) would otherwise raise deep inside ninja, answered as a server error."""
    if _declared_length(request) > MAX_BODY_BYTES:
        raise ApiError(413, BODY_TOO_LARGE_MESSAGE)
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(413, BODY_TOO_LARGE_MESSAGE) from None
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, BODY_TOO_LARGE_MESSAGE)
    return body


class _BodySizeLimit(ParamModel):
    """Put first among the parameters of every operation that takes a body by api_permission: it declares nothing,
    and refuses a body over MAX_BODY_BYTES (413) before the body's schema reads it."""

    __ninja_param_source__ = "header"  # type: ignore[assignment]  # ninja declares it None, and sets it so
    __ninja_flatten_map_reverse__: ClassVar[dict[Any, Any]] = {}

    @classmethod
    def resolve(cls, request: HttpRequest, api: Any, path_params: Any) -> Any:
        read_body(request)
        return {}


# Query parameters: an operation takes only those it declares


def query_parameter_names(models: Iterable[type[ParamModel]]) -> list[str]:
    """The query parameters an operation declares, as a client writes them ("from", not "from_date")."""
    names: list[str] = []
    for model in models:
        if model.__ninja_param_source__ == "query":
            names.extend(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    return names


def _listed(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c" """
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def unknown_query_message(names: Sequence[str]) -> str:
    """What a query parameter the operation does not have is told: the ones it has, so a misspelt or unsupported
    filter (?since= on a list without one) is caught rather than silently ignored, answering the whole list."""
    if not names:
        return "There is no such query parameter here: this operation takes none"
    listed = _listed(names)
    if "limit" in names:
        return f"There is no such filter here: the filters of this list are {listed}"
    return f"There is no such query parameter here: this operation takes {listed}"


class _UnknownQuery(QueryModel):
    """Added to every operation's parameters by api_permission: it declares nothing, and refuses any query parameter
    the operation's own parameters do not declare, alongside their own problems (422, "query.<name>")."""

    __ninja_param_source__ = "query"  # type: ignore[assignment]  # ninja declares it None, and sets it so
    __ninja_flatten_map_reverse__: ClassVar[dict[Any, Any]] = {}
    __openmarac_known__: ClassVar[frozenset[str]] = frozenset()
    __openmarac_message__: ClassVar[str] = ""

    @classmethod
    def resolve(cls, request: HttpRequest, api: Any, path_params: Any) -> Any:
        unknown = [name for name in request.GET if name not in cls.__openmarac_known__]
        if unknown:
            raise PydanticValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("unknown_query_parameter", cls.__openmarac_message__),
                        loc=(name,),
                        input=None,
                    )
                    for name in unknown
                ],
            )
        return cls()


def _refusing_unknown_query(models: Sequence[type[ParamModel]]) -> type[_UnknownQuery]:
    names = query_parameter_names(models)
    attributes = {"__openmarac_known__": frozenset(names), "__openmarac_message__": unknown_query_message(names)}
    return type("UnknownQueryParams", (_UnknownQuery,), attributes)


# Lists: pagination and filters


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    # pydantic would also take a number as seconds since 1970; a day is only ever written as 2026-11-23 here.
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("Give a day as YYYY-MM-DD")


# A day in a query or a body, for every router.
Day = Annotated[datetime.date, BeforeValidator(_iso_day)]

_ISO_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.IGNORECASE,  # RFC 3339 allows "t" and "z"
)


def _iso_moment(value: Any) -> Any:
    # As for a day: pydantic would take 0.5 as half a second after 1970; a time is written as 2026-11-23T09:30:00Z.
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_MOMENT.fullmatch(value)):
        return value
    raise ValueError("Give a day as YYYY-MM-DD, or a time as YYYY-MM-DDTHH:MM:SSZ")


# A time in a query or a body (a day alone means its start).
Moment = Annotated[datetime.datetime, BeforeValidator(_iso_moment)]


def form_errors(form: forms.BaseForm, where: dict[str, str], *, under: str = "body") -> dict[str, list[str]]:
    """A form's errors keyed by where they are in the JSON body: `where` for fields named differently there."""
    return {
        where.get(name, f"{under}.{name}"): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


class PageQuery(Schema):
    """limit and offset; a list operation's filters extend this."""

    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip")


class Page(Schema):
    """The envelope of every list; a list operation's response extends this with `items`."""

    count: int = Field(description="How many match, over all pages")
    limit: int
    offset: int


def page_of[Row](rows: QuerySet[Any] | Sequence[Row], query: PageQuery) -> dict[str, Any]:
    """One page of an ordered queryset (or list): count, limit, offset and the items, for a Page schema."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    items = list(rows[query.offset : query.offset + query.limit])
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": items}


def marac_ids_for(request: HttpRequest, permission: str, marac: int | None, *, is_filter: bool = False) -> list[int]:
    """The MARACs an operation covers: the one asked for with ?marac= if the caller holds `permission` there,
    otherwise every MARAC where they hold it. Any other id is refused alike whether the MARAC does not exist or is
    not the caller's, so the answer says nothing about other MARACs: where ?marac= only narrows a list
    (`is_filter`), as invalid input (422 under "query.marac"), as ?agency= is; where it names what is asked for (the
    indicators of one MARAC), as not found (404), as a page would be."""
    held = marac_ids_where(request.user, PERMISSIONS_BY_NAME[permission].roles)
    if marac is None:
        return sorted(held)
    if marac not in held:
        if is_filter:
            raise ApiError(422, INVALID_QUERY_MESSAGE, {"query.marac": [NOT_YOUR_MARAC_MESSAGE]})
        raise Http404
    return [marac]


# Versions: optimistic locking on writes


IF_MATCH_DESCRIPTION = (
    'The version your change is based on, such as "7" (the ETag of the last answer). Instead of, or as well as, '
    "the body's version: when both are sent they must agree."
)
# The If-Match header of a versioned write: `if_match: IfMatch = None` in the operation's signature.
IfMatch = Annotated[str | None, param_functions.Header(alias="If-Match", description=IF_MATCH_DESCRIPTION)]
IF_MATCH_MESSAGE = 'If-Match must be the version your change is based on, for example "7"'


def etag(version: int) -> str:
    """The ETag of a versioned record: its version, quoted, to send back in If-Match."""
    return f'"{version}"'


def based_on_version(if_match: str | None, sent: int | None) -> int:
    """The version a change is based on: the If-Match header (as referrals take it), or the body's `version` (as
    clients written before If-Match was accepted send it). Both may be sent if they agree; one is required."""
    header: int | None = None
    if if_match is not None:
        text = if_match.strip().removeprefix("W/").strip('"')
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise ApiError(400, IF_MATCH_MESSAGE)
        header = int(text)
    if header is not None and sent is not None and header != sent:
        raise ApiError(
            400, f"If-Match says version {header} but the body says {sent}: send one of them, or the same in both"
        )
    version = header if header is not None else sent
    if version is None:
        raise ApiError(
            422,
            "Nothing was saved: see errors",
            {"body.version": ["Send the version your change is based on, in the body or as the header If-Match"]},
        )
    return version


def audit_list_read(
    request: HttpRequest, *, object_type: str, marac_ids: Iterable[int], page: dict[str, Any], what: str, noun: str
) -> None:
    """A list read through the API: one audit entry per MARAC covered, as the pages write for theirs, counting
    the items of that MARAC on the page ("Case list through the API, offset 50: 12 cases")."""
    for marac_id in marac_ids:
        audit_record(
            action=AuditAction.VIEW,
            object_type=object_type,
            marac_id=marac_id,
            user=request.user,
            summary=f"{what} through the API, offset {page['offset']}: "
            f"{sum(item['marac_id'] == marac_id for item in page['items'])} {noun}",
        )


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A ?since= without a time zone is read as UK time, as the pages show times."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


# Errors, all as {"error": ...}


def parse_json(body: bytes) -> Any:
    """A request body read as JSON, or 400 saying what is wrong in a person's words (and where, when it can)."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise ApiError(400, f"{NOT_JSON_MESSAGE} (line {error.lineno}, column {error.colno})") from None
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid JSON: send it as UTF-8 text") from None
    except RecursionError:
        raise ApiError(400, "The body is nested too deeply to read: send it with fewer levels") from None


class _JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return parse_json(request.body)  # ninja answers anything raised as 400; _on_http_error gives this one

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        """A query parameter that takes one value, given more than once, is refused (422) rather than silently
        read as its last value: "?status=open&status=closed" would otherwise list the closed ones alone."""
        repeated = sorted(key for key in data if key not in list_fields and len(data.getlist(key)) > 1)
        if repeated:
            raise ApiError(
                422,
                "The request is not valid: see errors",
                {f"query.{key}": ["Give this once: it takes one value"] for key in repeated},
            )
        return super().parse_querydict(data, list_fields, request)


@public  # it shows nothing but that the address is no operation, as the schema does
def address_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any address under /api/v1/ that is no operation, /api/v1/ itself included: JSON, as every error is."""
    return JsonResponse({"error": NO_SUCH_ADDRESS_MESSAGE}, status=404)


_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


def method_not_allowed_as_json[View: Callable[..., HttpResponse]](view: View) -> View:
    """ninja's view for an address, answering a method none of its operations take as {"error": ...} (405) with the
    Allow header, rather than ninja's plain "Method not allowed"."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = sorted(method.strip() for method in response["Allow"].split(",") if method.strip())
        method = request.method if request.method in _HTTP_METHODS else "that method"  # not any text sent
        answer = JsonResponse(
            {"error": f"This address does not take {method}: it takes {_listed(allowed)}"}, status=405
        )
        answer["Allow"] = ", ".join(allowed)
        return answer

    return wrapped  # type: ignore[return-value]


def _location(parts: Iterable[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def validation_errors(errors: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    keyed: dict[str, list[str]] = {}
    for error in errors:
        keyed.setdefault(_location(error.get("loc", ())), []).append(_worded(error))
    return keyed


def _worded(error: dict[str, Any]) -> str:
    """pydantic's message for a person reading it: "Must be 2000-01-01 or later", not "Input should be greater than
    or equal to datetime.date(2000, 1, 1)"; our own validators' messages without pydantic's "Value error, "."""
    kind, context = error.get("type"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        return UNKNOWN_FIELD_MESSAGE
    if kind == "missing":
        return "This is required"
    if kind in _BOUNDS and len(context) == 1:
        (bound,) = context.values()
        for_a_day, for_a_number = _BOUNDS[kind]
        day = _day_of(bound)
        if day is not None:
            return for_a_day.format(day.isoformat())
        return for_a_number.format(f"{bound:,}" if isinstance(bound, int) else bound)
    if kind == "string_too_long":
        return f"Must be {context.get('max_length', 0):,} characters or fewer"
    if kind == "string_too_short":
        return f"Must be at least {context.get('min_length', 0):,} characters"
    if kind == "int_parsing" or kind == "int_from_float":
        return "Give a whole number"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "Give a day as YYYY-MM-DD"
    if kind in ("datetime_parsing", "datetime_from_date_parsing"):
        return "Give a day as YYYY-MM-DD, or a time as YYYY-MM-DDTHH:MM:SSZ"
    return str(error.get("msg", "Invalid")).removeprefix("Value error, ")


_DATE_REPR = re.compile(r"datetime\.date\(([0-9]+), ([0-9]+), ([0-9]+)\)")


def _day_of(bound: Any) -> datetime.date | None:
    """A comparison's bound as a day, if it is one: a date, or its repr (ninja hands the context on as text)."""
    if isinstance(bound, datetime.date):
        return bound
    found = _DATE_REPR.fullmatch(str(bound))
    return datetime.date(*map(int, found.groups())) if found else None


# pydantic's comparisons, said of a day and of a number.
_BOUNDS = {
    "greater_than_equal": ("Must be {} or later", "Must be at least {}"),
    "less_than_equal": ("Must be {} or earlier", "Must be at most {}"),
    "greater_than": ("Must be after {}", "Must be more than {}"),
    "less_than": ("Must be before {}", "Must be less than {}"),
}


def _answer(request: HttpRequest, status: int, message: str, errors: dict[str, list[str]] | None = None) -> Any:
    body: dict[str, Any] = {"error": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
    return unauthorized(SIGN_IN_MESSAGE)


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, 404, NOT_FOUND_MESSAGE)  # the same whether it does not exist or is not theirs


def _on_restricted(request: HttpRequest, exc: Any) -> HttpResponse:
    if getattr(request, "api_credential", None) is not None:
        return _answer(request, 403, RESTRICTED_CASE_CREDENTIAL_MESSAGE)
    return _answer(request, 403, RESTRICTED_CASE_MESSAGE)


def _on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # ninja wraps what the body parser raised: say what the parser said
        return _on_api_error(request, exc.__cause__)
    return _answer(request, exc.status_code, exc.message)


def _on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return _answer(request, exc.status, exc.message, exc.errors)


def _on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return _answer(request, 422, "The request is not valid: see errors", errors)


def _on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("Unexpected error in the API at %s", request.resolver_match and request.resolver_match.route)
    return _answer(request, 500, SERVER_ERROR_MESSAGE)


def _mark_public[View](view: View) -> View:
    return public(view)  # type: ignore[type-var]


class _Api(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Locations as the client sees the request: ninja puts a body read into one parameter under that
        parameter's name ("body.body.version"), though the JSON has no such level; it is taken out here, so every
        location is "body.version", "body.childrens_social_care.children[0].child_id", "query.limit" or
        "path.meeting_id"."""
        single = {
            getattr(context.model, "__read_from_single_attr__", None)
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
        } - {None}
        error = super().validation_error_from_error_contexts(error_contexts)
        for item in error.errors:
            loc = tuple(item.get("loc", ()))
            if len(loc) >= 2 and loc[0] == "body" and loc[1] in single:
                item["loc"] = ("body", *loc[2:])
        return error


api = _Api(
    title="OpenMARAC",
    version="1",
    description=(
        "The open API for partner systems: referrals, cases, meetings and agendas, research, actions and "
        "indicators. Every operation applies the same permission and need-to-know rules as the pages "
        "(docs/permissions.md) to the credential's service account, and is audited like the pages. "
        "Conventions: docs/api.md."
    ),
    urls_namespace="api",
    parser=_JsonParser(),
    openapi_url="/openapi.json",
    docs_url=None,  # Swagger UI needs inline script and style our CSP refuses; the schema is enough
    docs_decorator=_mark_public,
    auth=_auth(None),  # an operation without @api_permission is refused (and fails the route test)
)
api.add_exception_handler(AuthenticationError, _on_authentication)
api.add_exception_handler(Http404, _on_not_found)
api.add_exception_handler(PermissionDenied, _on_not_found)
api.add_exception_handler(RestrictedCaseNeedsReason, _on_restricted)
api.add_exception_handler(HttpError, _on_http_error)
api.add_exception_handler(ApiError, _on_api_error)
api.add_exception_handler(ValidationError, _on_validation)
api.add_exception_handler(Exception, _on_unexpected)
