import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import context
from web.client_address import client_address


class RequestContextMiddleware:
    """Gives each request an id (sent back as X-Request-Id) and remembers who made it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = context.begin(
            context.RequestContext(
                request_id=request_id,
                client_address=client_address(request),
                user=getattr(request, "user", None),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.end(token)
        response["X-Request-Id"] = request_id
        return response
