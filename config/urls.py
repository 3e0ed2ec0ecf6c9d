from django.urls import include, path, re_path

from api.core import address_not_found

urlpatterns = [
    path("", include("web.urls")),
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
