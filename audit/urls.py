from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("cases/<int:pk>/", views.case_access, name="case_access"),
    path("people/<int:pk>/", views.person_access, name="person_access"),
]
