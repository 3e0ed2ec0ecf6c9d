from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators.csv", views.indicators_csv, name="indicators_csv"),
    path("indicators.xlsx", views.indicators_xlsx, name="indicators_xlsx"),
    path("meeting-return.csv", views.meeting_return_csv, name="meeting_return_csv"),
    path("meeting-return.xlsx", views.meeting_return_xlsx, name="meeting_return_xlsx"),
    path("postcode-districts.csv", views.postcode_districts_csv, name="postcode_districts_csv"),
]
