from django.urls import path

from cases import party_correction_views, restriction_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/reason/", restriction_views.case_reason, name="reason"),
    path("<int:pk>/restriction/", restriction_views.case_restriction, name="restriction"),
    path("<int:pk>/transfer/", views.case_transfer, name="transfer"),
    path(
        "<int:pk>/parties/<str:role>/<int:person_pk>/correct/",
        party_correction_views.party_correction_page,
        name="party_correction",
    ),
]
