from django.urls import path

from marac import views

app_name = "marac"
urlpatterns = [
    path("", views.marac_detail, name="detail"),
    path("edit/", views.marac_edit, name="edit"),
    path("agencies/new/", views.agency_add, name="agency_add"),
    path("memberships/new/", views.membership_edit, name="membership_add"),
    path("memberships/<int:pk>/", views.membership_edit, name="membership_edit"),
    path("population/new/", views.population_add, name="population_add"),
    path("population/import/", views.population_import, name="population_import"),
    path("closure-days/new/", views.closure_day_add, name="closure_day_add"),
]
