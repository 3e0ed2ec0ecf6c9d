"""The open API for partner systems, under /api/v1/ (issue 8)."""

from django.urls import URLPattern

app_name = "api"
urlpatterns: list[URLPattern] = []
