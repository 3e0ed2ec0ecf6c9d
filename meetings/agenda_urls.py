from django.urls import URLPattern

app_name = "meetings_agenda"
urlpatterns: list[URLPattern] = []
