"""Test-only: the project's routes plus the governance registers, until config/urls.py includes them."""

from django.urls import URLPattern, URLResolver, include, path

from config.urls import urlpatterns as project_urlpatterns

_included = any(getattr(entry, "namespace", None) == "governance_records" for entry in project_urlpatterns)
urlpatterns: list[URLPattern | URLResolver] = list(project_urlpatterns)
if not _included:
    urlpatterns.append(path("governance/records/", include("governance.records_urls")))
