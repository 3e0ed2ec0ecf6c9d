from django.urls import URLPattern

app_name = "meetings_live"
urlpatterns: list[URLPattern] = []
