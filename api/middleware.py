"""Bearer-token sign-in for /api/, and the guard that keeps service accounts out of the pages.

ApiCredentialMiddleware sits after accounts' RequireMultiFactorMiddleware (a token is not a sign-in, so that
one sees an anonymous request and lets it through) and before web's ApiRateLimitMiddleware (which then counts
requests per credential, because request.user is by then the credential's service account). A token it refuses
it counts itself, against the client's address, as that middleware counts a call with no credential.
"""

import dataclasses
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse

from accounts.selectors import SERVICE_ACCOUNT_DOMAIN
from api.services import credential_for_token, token_awaits_approval
from audit import context
from cases.restriction import reasons_from
from web.middleware import api_caller_address, api_rate_limit_refusal

REFUSED_CREDENTIAL_MESSAGE = (
    "The API credential was not accepted: it is unknown, revoked or expired. "
    "Send it as the header Authorization: Bearer <token>."
)
AWAITING_APPROVAL_MESSAGE = (
    "The API credential has not been approved yet: it holds a case role, so a coordinator or an administrator of "
    "its MARAC other than the person who issued it must approve it, on the page API credentials that can read cases."
)


def unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="OpenMARAC API"'
    return response


class ApiCredentialMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            with reasons_from(request.session):
                return self.get_response(request)
        return self._as_credential(request, header)

    def _as_credential(self, request: HttpRequest, header: str) -> HttpResponse:
        scheme, _, token = header.strip().partition(" ")
        is_bearer = scheme.lower() == "bearer"
        credential = credential_for_token(token.strip()) if is_bearer else None
        if credential is None:
            return self._refused(request, token.strip() if is_bearer else "")
        request.user = credential.service_user
        request.api_credential = credential  # type: ignore[attr-defined]
        # The audit trail attributes what follows to the service account, as it would a signed-in user.
        current = context.current()
        attributed = context.begin(dataclasses.replace(current, user=request.user)) if current else None
        try:
            with reasons_from(request.session):
                return self.get_response(request)
        finally:
            if attributed is not None:
                context.end(attributed)

    def _refused(self, request: HttpRequest, token: str) -> HttpResponse:
        """A refused token counts against its client address, as a call with no credential does, so guessing
        tokens is held to the same limit (the rate limit middleware after this one never sees it)."""
        too_many = api_rate_limit_refusal(api_caller_address(request))
        if too_many is not None:
            return too_many
        if token and token_awaits_approval(token):
            return unauthorized(AWAITING_APPROVAL_MESSAGE)
        return unauthorized(REFUSED_CREDENTIAL_MESSAGE)


class ServiceAccountGuardMiddleware:
    """A service account has no password and no second factor: if it ever got a session (through an identity
    provider asserting its address, say), the session is ended before anything else looks at the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_service_account_session(request):
            logout(request)
        return self.get_response(request)


def _is_service_account_session(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return str(getattr(user, "email", "")).endswith("@" + SERVICE_ACCOUNT_DOMAIN)
