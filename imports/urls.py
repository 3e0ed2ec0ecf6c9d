"""Importing an existing MARAC's history from a spreadsheet (issue 8)."""

from django.urls import URLPattern

app_name = "imports"
urlpatterns: list[URLPattern] = []
