"""Importing an existing MARAC's history from a spreadsheet (issue 8)."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.import_template, name="template"),
    path("<int:pk>/", views.import_run_detail, name="run"),
    path("<int:pk>/problems.csv", views.import_problems_csv, name="problems_csv"),
]
