"""Error pages: plain words, no detail of what was asked for."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


def method_not_allowed_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A 405 with no body (Django's require_POST and the like) becomes a short page in the service's layout.

    The status and the Allow header are kept; nothing of what was asked for is shown. The JSON API, and any 405
    that already has a body, are left as they are."""
    if response.status_code != 405 or getattr(response, "streaming", False) or request.path.startswith("/api/"):
        return response
    if response.content:
        return response
    page = render(request, "errors/405.html", status=405)
    if response.has_header("Allow"):
        page["Allow"] = response["Allow"]
    return page
