from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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


class ApiRateLimitMiddleware:
    """Partner systems calling /api/ get a fair share: OPENMARAC_API_RATE_LIMIT requests a minute per user
    (or per client address when not signed in, web/client_address.py); past that, 429 with Retry-After. Sign-in
    has allauth's own limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            refused = _over_api_limit(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def _over_api_limit(request: HttpRequest) -> HttpResponse | None:
    import time

    from django.conf import settings
    from django.core.cache import cache
    from django.http import JsonResponse

    limit = int(getattr(settings, "OPENMARAC_API_RATE_LIMIT", 120))
    who = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{client_address(request)}"
    window = int(time.time() // 60)
    key = f"openmarac-api-rate:{who}:{window}"
    cache.add(key, 0, timeout=70)
    if cache.incr(key) <= limit:
        return None
    response = JsonResponse({"error": f"Too many requests: at most {limit} a minute. Try again shortly."}, status=429)
    response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response
