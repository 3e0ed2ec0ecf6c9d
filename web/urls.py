from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("marac/choose/", views.choose_marac, name="choose_marac"),
    path("performance/", views.aggregates, name="aggregates"),
    path("healthz", views.healthz, name="healthz"),
]
