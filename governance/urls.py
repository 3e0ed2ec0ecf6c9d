from django.urls import URLPattern, path

from governance import legal_hold_views, retention_views, subject_access_views

app_name = "governance"
urlpatterns: list[URLPattern] = [
    path("retention/", retention_views.retention_report_view, name="retention"),
    path("retention/apply/", retention_views.retention_apply_view, name="retention_apply"),
    path("cases/<int:pk>/legal-hold/", legal_hold_views.legal_hold_place_view, name="legal_hold_place"),
    path(
        "cases/<int:pk>/legal-hold/<int:hold_pk>/lift/",
        legal_hold_views.legal_hold_lift_view,
        name="legal_hold_lift",
    ),
    path(
        "people/<int:pk>/subject-access.docx",
        subject_access_views.subject_access_download,
        name="subject_access",
    ),
]
