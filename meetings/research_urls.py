from django.urls import URLPattern, path

from meetings import research_views

app_name = "meetings_research"
urlpatterns: list[URLPattern] = [
    path("listings/<int:pk>/research/", research_views.research_edit, name="research"),
    path(
        "listings/<int:pk>/research/agency/<int:agency_id>/", research_views.research_edit, name="research_for_agency"
    ),
    path("listings/<int:pk>/victim-voice/", research_views.victim_voice_edit, name="victim_voice"),
    path("<int:pk>/research-grid/", research_views.research_grid, name="grid"),
]
