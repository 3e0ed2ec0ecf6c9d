"""Administrators' pages for API credentials, under /settings/api-credentials/."""

from django.urls import path

from api import views

app_name = "api_credentials"
urlpatterns = [
    path("", views.credential_list, name="list"),
    path("new/", views.credential_issue, name="issue"),
    path("<int:pk>/revoke/", views.credential_revoke, name="revoke"),
    path("approvals/", views.credential_approvals, name="approvals"),
    path("<int:pk>/approve/", views.credential_approve, name="approve"),
]
