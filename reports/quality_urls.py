from django.urls import path

from reports import quality_views as views

app_name = "reports_quality"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/new/", views.review_add, name="review_add"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("plans/<int:pk>/score/", views.plan_score, name="plan_score"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/new/<str:respondent>/", views.feedback_add, name="feedback_add"),
    path("audits/", views.audits, name="audits"),
    path("audits/new/", views.audit_add, name="audit_add"),
    path("audits/<int:pk>/", views.audit_edit, name="audit_edit"),
    path("improvement/", views.improvement_plans, name="improvement"),
    path("improvement/new/", views.improvement_plan_add, name="improvement_plan_add"),
    path("improvement/<int:pk>/actions/new/", views.improvement_action_add, name="improvement_action_add"),
    path("improvement/actions/<int:pk>/", views.improvement_action_edit, name="improvement_action_edit"),
    path("board-reports/new/", views.board_report_add, name="board_report_add"),
    path("board-reports/<int:pk>/", views.board_report, name="board_report"),
    path("board-reports/<int:pk>/report.pdf", views.board_report_pdf, name="board_report_pdf"),
    path("board-reports/<int:pk>/report.docx", views.board_report_docx, name="board_report_docx"),
]
