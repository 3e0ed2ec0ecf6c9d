from django.urls import URLPattern

app_name = "meetings_research"
urlpatterns: list[URLPattern] = []
