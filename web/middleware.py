from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.env import DEFAULT_API_RATE_LIMIT
from web.client_address import client_address
from web.errors import method_not_allowed_page


class NoStoreMiddleware:
    """Pages for signed-in users hold case data: browsers and proxies must not keep a copy.

    Also gives an empty 405 (a GET of a POST-only URL) a page in the service's layout (web/errors.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = method_not_allowed_page(request, self.get_response(request))
        if not request.path.startswith(("/static/", "/assets/")):
            response["Cache-Control"] = "no-store"
        return response


class RequestSizeLimitMiddleware:
    """Refuses, with 413, a request whose declared body is over OPENMARAC_MAX_REQUEST_BYTES, before anything reads it.

    Django writes a form's uploaded files to a temporary file as they arrive, and only then can a form check their
    size (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out), so without this any POST could fill the server's disk. A
    body sent without a Content-Length (chunked) is not read by Django at all. The proxy in front should refuse
    such bodies first (nginx's client_max_body_size, docs/operations.md); this holds when it does not.
    It sits after the authentication middleware, which reads no body, so that the page has the service's layout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.OPENMARAC_MAX_REQUEST_BYTES)
        if _declared_length(request) > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: no body


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """JSON for the API, as every error there is; elsewhere a page in the service's layout that says the limit and
    what to do instead. Nothing of what was sent is shown. Answered before NoStoreMiddleware, so it says no-store."""
    from imports.services import MAX_UPLOAD_BYTES

    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": f"The body must be {limit:,} bytes or fewer"}, status=413)
    else:
        megabytes = {"megabytes": limit // (1024 * 1024), "import_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}
        response = render(request, "errors/413.html", megabytes, status=413)
    response["Cache-Control"] = "no-store"
    return response


class ApiRateLimitMiddleware:
    """Partner systems calling /api/ get a fair share: OPENMARAC_API_RATE_LIMIT requests a minute per user
    (or per client address when not signed in, web/client_address.py); past that, 429 with Retry-After. A token that
    is refused never reaches here: api.middleware counts it against its client address the same way. Sign-in has
    allauth's own limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            caller = f"user:{request.user.pk}" if request.user.is_authenticated else api_caller_address(request)
            refused = api_rate_limit_refusal(caller)
            if refused is not None:
                return refused
        return self.get_response(request)


def api_caller_address(request: HttpRequest) -> str:
    """Whom a request to /api/ without a user (none sent, or a token refused) is counted against: its address."""
    return f"ip:{client_address(request)}"


def api_rate_limit_refusal(caller: str) -> HttpResponse | None:
    """Counts one request to /api/ against `caller` this minute: 429 once past the limit, else None."""
    import time

    from django.core.cache import cache

    limit = int(getattr(settings, "OPENMARAC_API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT))
    window = int(time.time() // 60)
    key = f"openmarac-api-rate:{caller}:{window}"
    cache.add(key, 0, timeout=70)
    if cache.incr(key) <= limit:
        return None
    response = JsonResponse({"error": f"Too many requests: at most {limit} a minute. Try again shortly."}, status=429)
    response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response
