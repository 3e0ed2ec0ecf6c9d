from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path

from api.core import address_not_found
from web.errors import not_found


def not_offered(request: HttpRequest, **kwargs: str) -> HttpResponse:
    return not_found(request)


# allauth's pages OpenMARAC does not offer, answered "Page not found" before allauth's own: managing one's email
# addresses (administrators set them; its "re-send verification" sent allauth's email naming the user), confirming an
# address (never asked: ACCOUNT_EMAIL_VERIFICATION is "none"), and connecting accounts elsewhere (an organisation's
# identity provider signs in by address; its sign-in's error and cancelled pages under 3rdparty/ stay). Their names
# still reverse, for allauth's code that names them.
closed_allauth_pages = [
    path("accounts/email/", not_offered),
    path("accounts/confirm-email/", not_offered),
    path("accounts/confirm-email/<str:key>/", not_offered),
    path("accounts/3rdparty/", not_offered),
    path("accounts/social/connections/", not_offered),
]

urlpatterns = [
    path("", include("web.urls")),
    *closed_allauth_pages,
    path("accounts/", include("allauth.urls")),
    path("you/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("people/", include("people.urls")),
    path("referrals/", include("referrals.urls")),
    path("api/v1/", include("api.urls")),
    # Any other address under /api/ (another version, a typo) is the API's JSON 404, not the service's page.
    re_path(r"^api/", address_not_found, name="api-no-such-address"),
    path("imports/", include("imports.urls")),
    path("audit/", include("audit.urls")),
    path("meetings/", include("meetings.agenda_urls")),
    path("meetings/", include("meetings.research_urls")),
    path("meetings/", include("meetings.live_urls")),
    path("actions/", include("actions.urls")),
    path("governance/records/", include("governance.records_urls")),
    path("governance/", include("governance.urls")),
    path("reports/quality/", include("reports.quality_urls")),
    path("reports/", include("reports.urls")),
    path("settings/api-credentials/", include("api.credential_urls")),
    path("settings/", include("marac.urls")),
]
handler404 = "web.errors.not_found"
handler500 = "web.errors.server_error"
handler403 = "web.errors.forbidden"
