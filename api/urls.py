"""The open API for partner systems, under /api/v1/ (issue 8): each area's router, mounted on api.core.api.

Each router is mounted at the root of /api/v1/, so its operations carry their whole path ("/cases/{case_id}").
"""

from django.urls import URLPattern, URLResolver

from api.core import api

ROUTERS = ("referrals.api", "cases.api", "meetings.api", "actions.api", "reports.api")

for module in ROUTERS:
    api.add_router("", f"{module}.router")

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = api.urls[0]
for pattern in urlpatterns:
    if getattr(pattern, "name", None) == "api-root":  # /api/v1/ itself: always 404, shows nothing
        pattern.callback.required_permission = "public"  # type: ignore[union-attr]
