"""The open API for partner systems, under /api/v1/ (issue 8): each area's router, mounted on api.core.api.

Each router is mounted at the root of /api/v1/, so its operations carry their whole path ("/cases/{case_id}").
Every answer is JSON, errors included: /api/v1/ itself and any address that is no operation are a JSON 404, and a
method an address does not take a JSON 405.
"""

from django.urls import URLPattern, URLResolver, re_path

from api.core import address_not_found, api, method_not_allowed_as_json

ROUTERS = ("referrals.api", "cases.api", "meetings.api", "actions.api", "reports.api")

for module in ROUTERS:
    api.add_router("", f"{module}.router")

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = api.urls[0]
for pattern in urlpatterns:
    if not isinstance(pattern, URLPattern):
        continue
    if pattern.name == "api-root":  # /api/v1/ itself: always 404, shows nothing
        pattern.callback = address_not_found
    elif getattr(pattern.callback, "__module__", "") == "ninja.operation":  # an address's operations
        pattern.callback = method_not_allowed_as_json(pattern.callback)
urlpatterns.append(re_path(r"^[\s\S]*\Z", address_not_found, name="no-such-address"))
